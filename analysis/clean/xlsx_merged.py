"""XLSX merged cells read as the sheet shows them, each filled cell with an audit row.

Hand-kept sheets merge a patient's id vertically over the rows of that patient's adverse
events (``A5:A7``). The file stores the value in the range's top-left cell only; the other cells
are empty, so those rows were excluded as "required value missing: `patient_id`" although the
sheet shows the id beside each. Below the header row, the value of a merged range's top-left
cell fills the range's other cells (what the sheet shows), and each filled cell of a mapped
column gets an audit row (check ``merged_cell``, action ``filled``) naming the range and the
cell the value came from. A range in the header or title rows is left as it is (a header
merged over two columns names the first). A range whose top-left cell is blank fills nothing,
and a row blank but for the range stays blank (a merge makes no record).

A range merged across columns fills only the column of its top-left cell. The sheet shows one
value spanning several columns, and which of them it belongs to is not in the file: copying it
put one variable's value into another (a severity in the term column). A mapped cell covered
from another column stays blank, with an audit row (action ``left blank``) naming the range,
and the run warns, counting them.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from analysis.clean.step import marked_cells_audit
from analysis.clean.text_cells import is_blank
from analysis.clean.xlsx_sheet import NS, column_number

#: the column of a read source that carries each record's cells filled from a merged range
MERGED_CELLS = "_merged_cells"
CHECK = "merged_cell"
LEFT_BLANK = "left blank"

_RANGE = re.compile(r"([A-Z]+)(\d+):([A-Z]+)(\d+)")


def merged_ranges(root: ElementTree.Element) -> list[tuple[str, int, int, int, int]]:
    """``(ref, first row, first column, last row, last column)`` of each ``<mergeCell>`` of a
    worksheet's XML (rows and columns numbered from 1, as Excel shows them)."""
    found = []
    for cell in root.iter(f"{{{NS['m']}}}mergeCell"):
        ref = cell.get("ref") or ""
        m = _RANGE.fullmatch(ref)
        if m is not None:
            r1, r2 = int(m.group(2)), int(m.group(4))
            c1, c2 = column_number(m.group(1)), column_number(m.group(3))
            found.append((ref, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return found


def fill_merged(
    raw: pd.DataFrame, ranges: list[tuple[str, int, int, int, int]], header_row: int
) -> dict[int, list[tuple[int, str, str, Any, bool]]]:
    """Fill, in place, the blank cells of each range of ``ranges`` below ``header_row`` with
    the value of its top-left cell (``raw``: the sheet from A1, by position), in the rows that
    hold a cell of their own (a blank row stays blank: not made a record by a merge). Returns
    the filled cells: ``{row: [(column, range, source cell, value, filled)]}`` (from 1), where
    ``filled`` is False for a blank cell in another column than the top-left one: covered by
    the range but left blank (the file does not say which column the value belongs to)."""
    filled: dict[int, list[tuple[int, str, str, Any, bool]]] = {}
    own = {r + 1 for r, row in enumerate(raw.to_numpy(dtype=object)) if not all(map(is_blank, row))}
    for ref, r1, c1, r2, c2 in ranges:
        if r1 <= header_row or r1 > raw.shape[0] or c1 > raw.shape[1]:
            continue
        value = raw.iat[r1 - 1, c1 - 1]
        if is_blank(value):
            continue
        source = ref.split(":", 1)[0]
        for r in range(r1, min(r2, raw.shape[0]) + 1):
            for c in range(c1, min(c2, raw.shape[1]) + 1):
                if (r, c) != (r1, c1) and r in own and is_blank(raw.iat[r - 1, c - 1]):
                    if c == c1:
                        raw.iat[r - 1, c - 1] = value
                    filled.setdefault(r, []).append((c, ref, source, value, c == c1))
    return filled


def merged_column(
    filled: dict[int, list[tuple[str, str, str, Any, bool]]],
    rows: np.ndarray,
    headers: dict[str, str],
) -> np.ndarray:
    """Per record of a source (its sheet rows ``rows``), its filled cells of the mapped columns
    as ``[(column, range, source cell, value, filled)]`` (None where none); ``filled`` is keyed by sheet
    row and names each cell's header; ``headers``: canonical column -> header."""
    column_of = {h: c for c, h in headers.items()}
    out = np.full(len(rows), None, dtype=object)
    for i, row in enumerate(rows):
        cells = filled.get(int(row))
        if cells:
            mapped = [(column_of[h], *rest) for h, *rest in cells if h in column_of]
            out[i] = mapped or None
    return out


def merged_cells_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its MERGED_CELLS column, an audit row per cell filled from a merged
    range, or covered by one from another column and left blank)``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        ref, src, value, filled = details
        if filled:
            return value, (
                f"`{column}` is in the merged cells {ref}, whose value {str(value)!r} is stored "
                f"in {src} only: read as {str(value)!r}, as the sheet shows it"
            )
        return "", (
            f"`{column}` is covered by the merged cells {ref}, whose value {str(value)!r} is "
            f"stored in {src}, in another column: a range merged across columns does not say "
            f"which column its value belongs to, so `{column}` is read as blank. If it holds "
            f"{str(value)!r} too, unmerge the cells in a copy of the workbook and type the "
            "value in each column"
        )

    def action(details: tuple[Any, ...]) -> str:
        return "filled" if details[-1] else LEFT_BLANK

    return marked_cells_audit(data, table, MERGED_CELLS, CHECK, action, said)


def merged_across_warning(audit: pd.DataFrame) -> list[str]:
    """The run's warning counting the cells left blank under a range merged across columns
    (counts only)."""
    from analysis.clean.shared_text import Shareable

    left = audit.loc[(audit["check"] == CHECK) & (audit["action"] == LEFT_BLANK)]
    if left.empty:
        return []
    return [
        Shareable(
            f"{len(left)} cell(s) of mapped columns are covered by a range merged across "
            "columns whose value is stored in another column; they were read as blank (the "
            "file does not say which column the value belongs to) and are in the audit log "
            f"(check `{CHECK}`, action `{LEFT_BLANK}`). Unmerge them in a copy of the workbook "
            "and type each value in its column."
        )
    ]


__all__ = [
    "CHECK",
    "LEFT_BLANK",
    "MERGED_CELLS",
    "fill_merged",
    "merged_across_warning",
    "merged_cells_audit",
    "merged_column",
    "merged_ranges",
]
