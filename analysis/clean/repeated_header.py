"""Records of a file that repeat its header: a second export pasted below the first (CSV
lines, or sheet rows), its header line included. Read as a record, its cells are the header
names: a probe's mid-file "NHC;Sexo;Edad;..." was reported as the unmapped sex 'Sexo'. A record
whose every mapped cell is its own header's name is excluded (step ``repeated_header``), with
its line in the exclusion log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.step import Step, log_rows

REPEATED_HEADER = "_repeated_header"
STEP = "repeated_header"


def header_rows(cells: dict[str, np.ndarray], headers: dict[str, str]) -> np.ndarray:
    """Per record, whether each of its ``cells`` (canonical column -> cells) holds the name of
    its header (``headers``: canonical column -> header), white space aside; none when fewer
    than two headers are mapped (one cell naming its header may be a value)."""
    n = len(next(iter(cells.values()))) if cells else 0
    same = np.full(n, len(headers) >= 2, dtype=bool)
    for canon, header in headers.items():
        text = pd.Series(cells[canon], dtype=object).astype(str).str.strip()
        same &= (text == header.strip()).to_numpy(dtype=bool)
    return same


def drop_repeated_headers(data: pd.DataFrame, table: str) -> Step:
    """``data`` without its records marked in REPEATED_HEADER (and without that column), each
    logged as a repeated header line."""
    if REPEATED_HEADER not in data:
        return Step(data)
    marked = data[REPEATED_HEADER].fillna(False).astype(bool)
    rest = data.drop(columns=REPEATED_HEADER)
    if not marked.any():
        return Step(rest)
    rows = rest.loc[marked]
    reasons = (
        "line "
        + rows["source_row"].astype(str)
        + " repeats the header line (a second export pasted below the first?): not a record"
    )
    return Step(rest.loc[~marked], excluded=log_rows(rows, table, STEP, reasons))


__all__ = ["REPEATED_HEADER", "STEP", "drop_repeated_headers", "header_rows"]
