"""Date cells of a workbook that Excel may have read with day and month swapped.

A column typed as text dates day first (31/01/2021), opened in Excel under a month-first
locale, becomes two kinds of cells: the texts whose first number is 12 or less are taken for
dates, month first, and stored as date cells (05/01/2021 becomes 1 May), the others stay text.
The reader takes a date cell as the date it holds, so those patients' dates were swapped with
exit status 0 (a probe: 439 cells, 67 patients with another day 0, another cohort of the same
size). The sign is plain: every date cell of the column has a day of 12 or less while its text
dates, read in the source's order, go past 12. Real date cells are days of any number: ten of
them all 12 or less by chance is about one in 10,000.

Each such cell is flagged in the audit (check ``date_cell_order``) and the run warns, counting
them; the value is kept, as the reader cannot know which order the person who typed it meant.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.clean.step import AUDIT_COLUMNS, audit_rows

#: the fewest date cells (and text dates) of a source's column for the sign to count
FEWEST = 10
CHECK = "date_cell_order"


def swapped_date_cells(
    out: pd.DataFrame,
    table: str,
    column: str,
    raw: pd.Series,
    dates: pd.Series,
    workbook_sources: set[str],
) -> pd.DataFrame:
    """Audit rows flagging the date cells of ``column`` that may hold day and month swapped,
    per workbook source (``raw``: the cells as read; ``dates``: as parsed)."""
    if not workbook_sources:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    sources = out["_source"]
    found = []
    for source in sorted(workbook_sources & set(sources.unique())):
        rows = (sources == source).to_numpy()
        values = raw.to_numpy()[rows]
        is_cell = np.fromiter((isinstance(v, dt.date) for v in values), bool, len(values))
        is_text = np.fromiter((isinstance(v, str) for v in values), bool, len(values))
        days = dates.to_numpy()[rows]
        cell_days = pd.DatetimeIndex(days[is_cell]).day
        text_days = pd.DatetimeIndex(days[is_text]).dropna().day
        if (
            len(cell_days.dropna()) < FEWEST
            or len(text_days) < FEWEST
            or cell_days.max() > 12
            or text_days.max() <= 12
        ):
            continue
        flagged = np.flatnonzero(rows)[is_cell]
        at = out.index[flagged]
        message = (
            f"`{column}`: a date cell of a column whose {len(cell_days)} date cells all have a "
            f"day of 12 or less, while its {len(text_days)} text dates go to day "
            f"{int(text_days.max())}: Excel may have read this cell with day and month swapped "
            "when the file was opened (a month-first locale). Check it against the record; "
            "export the column as text to have it read in the source's `date_order`"
        )
        found.append(
            audit_rows(
                out.loc[at], table, column, CHECK, raw.loc[at].map(_shown), "flagged", message
            )
        )
    if not found:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    return pd.concat(found, ignore_index=True)


def _shown(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, dt.date) else str(value)


def swapped_cells_warning(audit: pd.DataFrame) -> list[str]:
    """The run's warning counting the flagged cells, per table and column (counts only)."""
    from analysis.clean.shared_text import Shareable

    flagged = audit.loc[audit["check"] == CHECK]
    return [
        Shareable(
            f"table '{table}', `{column}`: {n} date cell(s) of a workbook may hold day and month "
            "swapped (every date cell has a day of 12 or less, the text dates of the column go "
            f"past 12); they are flagged in the audit log (check `{CHECK}`). Check them, or "
            "export the column as text."
        )
        for (table, column), n in flagged.groupby(["table", "column"], sort=True).size().items()
    ]


__all__ = ["CHECK", "swapped_cells_warning", "swapped_date_cells"]
