"""Records of a CSV with fewer fields than its header.

Read by position, a record one field short puts every value after the missing one under the
next header: a probe's session ``HB-0006;02/09/2015;0,05;1`` (the dose left out) had the
concentration 0.05 read as its dose, with exit status 0 and no audit. Nothing in the file says
which field is missing, so such a record stops the read, naming its lines; a source whose export
drops its trailing empty cells declares ``short_rows: blank``, and each such record is then read
with its last cells empty, flagged in the audit (check ``short_row``) and counted in a warning.

A file whose records are nearly all one field under a header of many is not short rows but
lines wrapped in quotes as a whole (``"HB-1;M;45"``): the csv reader takes each line as one
quoted value. It is refused, whatever ``short_rows`` says.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.step import marked_cells_audit

SHORT_ROWS = "_short_rows"
CHECK = "short_row"
_SHOWN = 5  # records named in a message; the rest are counted
#: the first cell of a footer line: a total or a count written below the records
_FOOTER = re.compile(
    r"\s*(?:total|totals|sum|suma|count|recuento|n|nº|registros|records|rows|filas)\b",
    re.IGNORECASE,
)


def wrapped_lines(short: dict[int, list[str]], width: int, delimiter: str) -> list[int]:
    """The lines of ``short`` read as one field holding the delimiter (a line in quotes), when
    they are most of its records: then the file's lines are wrapped in quotes, not short."""
    wrapped = [line for line, row in short.items() if len(row) == 1 and delimiter in row[0]]
    return wrapped if width > 1 and len(short) >= 2 and len(wrapped) * 2 > len(short) else []


def short_rows_message(
    short: dict[int, list[str]], header: list[str], delimiter: str, where: str, header_line: int
) -> str:
    """The refusal of the records ``short`` (their line -> their fields) of a file whose header
    (line ``header_line``) is ``header``."""
    width = len(header)
    wrapped = wrapped_lines(short, width, delimiter)
    if wrapped:
        first = wrapped[0]
        return (
            f"{where}: {len(wrapped)} line(s) are each read as one field under a header of "
            f"{width} (line {header_line}): the whole line is in quotes (line {first} reads "
            f'"{short[first][0][:80]}"), so every {delimiter!r} in it is part of one quoted '
            f"value. Re-export the file without quotes around whole lines (quotes go around a "
            f"cell, not a line), or remove the quote at the start and end of each line."
        )
    last = max(short)
    footer = (
        f" Line {last} looks like a footer ({short[last][0].strip()[:40]!r}: a total "
        "or a count written below the records), not a record: delete it from the file."
        if _FOOTER.match(short[last][0]) and len(short[last]) <= max(1, width // 2)
        else ""
    )
    named = "; ".join(
        f"line {line} has {len(row)} field{'s' * (len(row) != 1)} ({delimiter.join(row)[:80]!r})"
        for line, row in list(short.items())[:_SHOWN]
    )
    more = f"; and {len(short) - _SHOWN} more" if len(short) > _SHOWN else ""
    return (
        f"{where}: {len(short)} record(s) have fewer fields than the header (line {header_line} "
        f"has {width}: {', '.join(repr(h) for h in header[:12])}"
        f"{', ...' if width > 12 else ''}): {named}{more}. Read by position, a field missing in "
        f"the middle puts every later value under the wrong header (a dose read from the "
        f"concentration column), and the file does not say which field is missing. Add the "
        f"missing delimiters (an empty cell is two {delimiter!r} in a row) or export the file "
        f"again; if the missing fields are only the trailing empty cells (some exports leave "
        f"them out), set `short_rows: blank` for this source: each such record is then read "
        f"with its last cells empty and flagged in the audit.{footer}"
    )


def short_column(
    short: dict[int, int], rows: np.ndarray, positions: dict[str, int], width: int
) -> np.ndarray:
    """Per record (its line in ``rows``), the mark of a record read with fewer fields than the
    header (``short``: line -> fields), else None. The mark names the first mapped column read
    empty for it (``positions``: canonical column -> its header's position), else
    ``patient_id``."""
    out = np.full(len(rows), None, dtype=object)
    for i, row in enumerate(rows):
        n = short.get(int(row))
        if n is not None:
            blanked = sorted((p, c) for c, p in positions.items() if p >= n)
            column = blanked[0][1] if blanked else "patient_id"
            out[i] = [(column, int(row), n, width)]
    return out


def short_rows_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its SHORT_ROWS column, an audit row per record read short)``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        line, n, width = details
        return "", (
            f"line {line} has {n} field(s) where the header has {width}: read as its first "
            f"{n} cells with the last {width - n} empty (`short_rows: blank`); if a field is "
            "missing in the middle, later values are under the wrong header: fix the line"
        )

    return marked_cells_audit(data, table, SHORT_ROWS, CHECK, "flagged", said)


def short_rows_warning(audit: pd.DataFrame) -> list[str]:
    """The run's warning counting the records read with fewer fields than their header."""
    from analysis.clean.shared_text import Shareable

    rows = int((audit["check"] == CHECK).sum())
    if not rows:
        return []
    return [
        Shareable(
            f"{rows} CSV record(s) have fewer fields than their header and were read with "
            "their last cells empty (`short_rows: blank`); they are flagged in the audit log "
            f"(check `{CHECK}`). Check that the fields missing are the trailing ones."
        )
    ]


__all__ = [
    "CHECK",
    "SHORT_ROWS",
    "short_column",
    "short_rows_audit",
    "short_rows_message",
    "short_rows_warning",
    "wrapped_lines",
]
