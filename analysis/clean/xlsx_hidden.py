"""Rows hidden in a worksheet (hidden by hand or filtered out by an AutoFilter).

calamine reads every row, hidden or not, and so does the reader: a record is what the file
holds. But a clinician who filtered a sheet down to the patients of a study, or hid the rows
of withdrawn ones, sees fewer records than the run counts, with nothing said (a probe's hidden
rows were read as records, 0 audit rows). Each record on a hidden row is flagged in the audit
(check ``hidden_row``) and the run warns, counting them.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.step import marked_cells_audit

HIDDEN_ROWS = "_hidden_rows"
CHECK = "hidden_row"
_HIDDEN_ROW = re.compile(rb"<row\b[^>]*\bhidden=\"(?:1|true)\"[^>]*>")
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")


def hidden_rows(xml: bytes) -> set[int]:
    """The numbers of the rows a worksheet's XML marks hidden (``<row r="7" hidden="1">``)."""
    if b"hidden=" not in xml:
        return set()
    found = set()
    for tag in _HIDDEN_ROW.finditer(xml):
        m = _ROW_NUMBER.search(tag.group(0))
        if m is not None:
            found.add(int(m.group(1)))
    return found


def hidden_column(hidden: set[int], rows: np.ndarray, sheet: str) -> np.ndarray:
    """Per record (its sheet row in ``rows``), the mark of a hidden row, else None."""
    out = np.full(len(rows), None, dtype=object)
    for i, row in enumerate(rows):
        if int(row) in hidden:
            out[i] = [("patient_id", sheet, int(row))]
    return out


def hidden_rows_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its HIDDEN_ROWS column, an audit row per record on a hidden row)``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        sheet, row = details
        return "", (
            f"row {row} of sheet {sheet!r} is hidden in the workbook (by hand or by a filter): "
            "read as a record, as every row of the sheet is. If it was hidden to leave the "
            "record out, remove it from the export or leave it out with an inclusion criterion"
        )

    return marked_cells_audit(data, table, HIDDEN_ROWS, CHECK, "flagged", said)


def hidden_rows_warning(audit: pd.DataFrame) -> list[str]:
    """The run's warning counting the records read from hidden rows (counts only)."""
    from analysis.clean.shared_text import Shareable

    flagged = audit.loc[audit["check"] == CHECK]
    if flagged.empty:
        return []
    return [
        Shareable(
            f"{len(flagged)} record(s) are on rows hidden in their workbook (by hand or by a "
            "filter) and were read as records, as every row is; they are flagged in the audit "
            f"log (check `{CHECK}`). If they were hidden to be left out, remove them from the "
            "export or leave them out with an inclusion criterion."
        )
    ]


__all__ = [
    "CHECK",
    "HIDDEN_ROWS",
    "hidden_column",
    "hidden_rows",
    "hidden_rows_audit",
    "hidden_rows_warning",
]
