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
) -> dict[int, list[tuple[int, str, str, Any]]]:
    """Fill, in place, the blank cells of each range of ``ranges`` below ``header_row`` with
    the value of its top-left cell (``raw``: the sheet from A1, by position), in the rows that
    hold a cell of their own (a blank row stays blank: not made a record by a merge). Returns
    the filled cells: ``{row: [(column, range, source cell, value)]}`` (from 1)."""
    filled: dict[int, list[tuple[int, str, str, Any]]] = {}
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
                    raw.iat[r - 1, c - 1] = value
                    filled.setdefault(r, []).append((c, ref, source, value))
    return filled


def merged_column(
    filled: dict[int, list[tuple[str, str, str, Any]]],
    rows: np.ndarray,
    headers: dict[str, str],
) -> np.ndarray:
    """Per record of a source (its sheet rows ``rows``), its filled cells of the mapped columns
    as ``[(column, range, source cell, value)]`` (None where none); ``filled`` is keyed by sheet
    row and names each cell's header; ``headers``: canonical column -> header."""
    column_of = {h: c for c, h in headers.items()}
    out = np.full(len(rows), None, dtype=object)
    for i, row in enumerate(rows):
        cells = filled.get(int(row))
        if cells:
            mapped = [(column_of[h], ref, src, v) for h, ref, src, v in cells if h in column_of]
            out[i] = mapped or None
    return out


def merged_cells_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its MERGED_CELLS column, an audit row per cell filled from a merged
    range)``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        ref, src, value = details
        return value, (
            f"`{column}` is in the merged cells {ref}, whose value {str(value)!r} is stored in "
            f"{src} only: read as {str(value)!r}, as the sheet shows it"
        )

    return marked_cells_audit(data, table, MERGED_CELLS, "merged_cell", "filled", said)


__all__ = ["MERGED_CELLS", "fill_merged", "merged_cells_audit", "merged_column", "merged_ranges"]
