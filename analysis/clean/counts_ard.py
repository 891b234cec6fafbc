"""The counts of the clean stage as analysis-results rows: the patient flow and the row
accounting, so that what ``01-cleaning`` shows is checked against the package as the tables
are (``retro notebooks``).

Rows: ``table`` ``flow`` (``variable`` the step, ``level`` ``excluded`` / ``remaining``) and
``accounting`` (``variable`` ``<table>: <file>`` with `` [<sheet>]`` when it has one, ``level``
``read`` / ``kept`` / ``logged``); ``stat`` ``n``, ``method`` ``count``. A step with no
exclusion count (the first, a subgroup) has no ``excluded`` row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.ard import ard_frame, published

if TYPE_CHECKING:
    from analysis.clean.stage import CleanResult


def cleaning_ard(clean: CleanResult) -> pd.DataFrame:
    """The flow's and the accounting's counts of ``clean`` as published ARD rows."""
    rows = []
    for r in clean.flow.itertuples(index=False):
        if not pd.isna(r.n_excluded):
            rows.append(_count("flow", str(r.step), "excluded", r.n_excluded))
        rows.append(_count("flow", str(r.step), "remaining", r.n_remaining))
    for r in clean.accounting().itertuples(index=False):
        sheet = "" if pd.isna(r.source_sheet) or not r.source_sheet else f" [{r.source_sheet}]"
        source = f"{r.table}: {r.source_file}{sheet}"
        for level, n in (("read", r.rows_read), ("kept", r.kept), ("logged", r.logged)):
            rows.append(_count("accounting", source, level, n))
    return published(ard_frame(rows))


def _count(table: str, variable: str, level: str, n: object) -> dict[str, object]:
    return {"table": table, "variable": variable, "level": level, "stat": "n", "value": n}


__all__ = ["cleaning_ard"]
