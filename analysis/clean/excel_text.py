"""CSV cells written ``="…"``: Excel's idiom to keep a text as typed (an id ``="HB-0006"`` that
would otherwise lose its leading zeros or turn into a date).

A CSV reader sees the formula, not its result: a probe's session ids ``="HB-0006"`` matched no
patient, 19 sessions were excluded as orphans and the cohort fell from 541 to 538 with exit
status 0; no ``cleaning.ids`` rule removes the wrapper. A mapped cell that is exactly
``="text"`` (a quote inside written ``""``, as in a formula) is read as its text, in any column,
each with an audit row (check ``excel_text``, action ``corrected``) and counted in a warning.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.step import marked_cells_audit

EXCEL_TEXT = "_excel_text"
CHECK = "excel_text"
_FORMULA = re.compile(r'\s*="((?:[^"]|"")*)"\s*')


def unwrap_excel_text(cells: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray | None:
    """Replace, in ``cells`` (canonical column -> its cells; a column changed is a new array),
    each cell written ``="text"`` by its text. Returns per record (its line in
    ``rows``) the marks ``(column, cell as written, line)`` of its cells so read, or None when
    no cell is."""
    marks: np.ndarray | None = None
    for column in list(cells):
        values = cells[column]
        if values.dtype != object:
            continue
        text = pd.Series(values, dtype=object)
        found = text.str.fullmatch(_FORMULA.pattern, na=False).to_numpy(dtype=bool)
        if not found.any():
            continue
        if marks is None:
            marks = np.full(len(values), None, dtype=object)
        values = cells[column] = values.copy()  # another column may read the same header
        for i in np.flatnonzero(found).tolist():
            written = values[i]
            match = _FORMULA.fullmatch(written)
            assert match is not None  # found by the same pattern
            values[i] = match.group(1).replace('""', '"')
            marks[i] = [*(marks[i] or []), (column, written, int(rows[i]))]
    return marks


def excel_text_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its EXCEL_TEXT column, an audit row per cell read from ="…")``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        written, line = details
        return written, (
            f"line {line}: {written!r} is Excel's way to keep a text as typed (a formula "
            f'="…"); read as its text'
        )

    return marked_cells_audit(data, table, EXCEL_TEXT, CHECK, "corrected", said)


def excel_text_warning(audit: pd.DataFrame) -> list[str]:
    """The run's warning counting the cells read from Excel's ``="…"``."""
    from analysis.clean.shared_text import Shareable

    cells = int((audit["check"] == CHECK).sum())
    if not cells:
        return []
    return [
        Shareable(
            f'{cells} CSV cell(s) were written as Excel text formulas (="…") and were '
            f"read as their text; each has an audit row (check `{CHECK}`)."
        )
    ]


__all__ = ["CHECK", "EXCEL_TEXT", "excel_text_audit", "excel_text_warning", "unwrap_excel_text"]
