"""Rows hidden in a worksheet (hidden by hand or filtered out by an AutoFilter).

calamine reads every row, hidden or not, and so does the reader: a record is what the file
holds. But a clinician who filtered a sheet down to the patients of a study, or hid the rows
of withdrawn ones, sees fewer records than the run counts, with nothing said (a probe's hidden
rows were read as records, 0 audit rows). Each record on a hidden row is flagged in the audit
(check ``hidden_row``) and the run warns, counting them.

A sheet can be hidden too. A source that names it is read, as the study asks, but the person
who checks the run against the workbook does not see it: each record of a hidden sheet is
flagged (check ``hidden_sheet``) and the run warns, counting them.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.step import marked_cells_audit

HIDDEN_ROWS = "_hidden_rows"
CHECK = "hidden_row"
CHECK_SHEET = "hidden_sheet"
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


def hidden_column(hidden: set[int], rows: np.ndarray, sheet: str, whole: bool) -> np.ndarray:
    """Per record (its sheet row in ``rows``), the mark of a hidden row (``whole``: the sheet
    itself is hidden, and ``hidden`` holds all its records' rows), else None."""
    out = np.full(len(rows), None, dtype=object)
    for i, row in enumerate(rows):
        if int(row) in hidden:
            out[i] = [("patient_id", sheet, int(row), whole)]
    return out


def hidden_rows_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its HIDDEN_ROWS column, an audit row per record on a hidden row or
    sheet)``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        sheet, row, whole = details
        if whole:
            return "", (
                f"sheet {sheet!r} is hidden in the workbook: its row {row} is read as a record, "
                "as the study's `sheet` names it. If the sheet was hidden because it is not "
                "in use (an old copy), point `sheet` at the one that is"
            )
        return "", (
            f"row {row} of sheet {sheet!r} is hidden in the workbook (by hand or by a filter): "
            "read as a record, as every row of the sheet is. If it was hidden to leave the "
            "record out, remove it from the export or leave it out with an inclusion criterion"
        )

    def check(details: tuple[Any, ...]) -> str:
        return CHECK_SHEET if details[-1] else CHECK

    return marked_cells_audit(data, table, HIDDEN_ROWS, check, "flagged", said)


def hidden_rows_warning(audit: pd.DataFrame) -> list[str]:
    """The run's warnings counting the records read from hidden rows and hidden sheets (counts
    only)."""
    from analysis.clean.shared_text import Shareable

    out: list[str] = []
    rows = int((audit["check"] == CHECK).sum())
    if rows:
        out.append(
            Shareable(
                f"{rows} record(s) are on rows hidden in their workbook (by hand or by a "
                "filter) and were read as records, as every row is; they are flagged in the "
                f"audit log (check `{CHECK}`). If they were hidden to be left out, remove them "
                "from the export or leave them out with an inclusion criterion."
            )
        )
    on_sheets = audit.loc[audit["check"] == CHECK_SHEET]
    if not on_sheets.empty:
        sheets = on_sheets[["source", "sheet"]].drop_duplicates()
        out.append(
            Shareable(
                f"{len(on_sheets)} record(s) were read from {len(sheets)} sheet(s) hidden in "
                "their workbook, as the study's `sheet` names them; they are flagged in the "
                f"audit log (check `{CHECK_SHEET}`). If a sheet was hidden because it is not in "
                "use, point `sheet` at the one that is."
            )
        )
    return out


__all__ = [
    "CHECK",
    "CHECK_SHEET",
    "HIDDEN_ROWS",
    "hidden_column",
    "hidden_rows",
    "hidden_rows_audit",
    "hidden_rows_warning",
]
