"""The audit rows of the discontinuation flag and date: a blank flag read from the date, and a
discontinued patient without a date whose time to discontinuation runs to the end of exposure
(``derive.add_time_to_event`` applies both rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.step import AUDIT_COLUMNS, audit_rows


def blank_discontinued(patients: pd.DataFrame) -> pd.DataFrame:
    """An audit row per patient whose ``is_discontinued`` is blank: read as discontinued when a
    discontinuation date is given, else as not discontinued (``derive.add_time_to_event``)."""
    if "is_discontinued" not in patients:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    blank = patients.loc[patients["is_discontinued"].isna()]
    dated = blank["discontinuation_date"].notna() if "discontinuation_date" in blank else False
    msgs = pd.Series(
        np.where(
            dated,
            "is_discontinued is blank but a discontinuation_date is given: read as discontinued",
            "is_discontinued is blank and no discontinuation_date is given: read as not "
            "discontinued (censored at the last contact)",
        ),
        index=blank.index,
    )
    values = pd.Series("", index=blank.index)
    return audit_rows(blank, "patients", "is_discontinued", "blank", values, "derived", msgs)


def undated_discontinuations(patients: pd.DataFrame) -> pd.DataFrame:
    """An audit row per discontinued patient whose stop date was taken as the end of exposure."""
    undated = patients.loc[
        patients["is_discontinued"].fillna(False).astype(bool)
        & patients["discontinuation_date"].isna()
    ]
    end = undated["exposure_end_date"].dt.strftime("%Y-%m-%d").fillna("")
    msgs = end.map(
        lambda v: (
            f"discontinued without a discontinuation_date; time to discontinuation runs to the "
            f"end of exposure ({v})"
            if v
            else "discontinued without a discontinuation_date or an end of exposure; time to "
            "discontinuation is missing"
        )
    )
    values = pd.Series("", index=undated.index)
    return audit_rows(
        undated, "patients", "discontinuation_date", "imputed", values, "derived", msgs
    )


__all__ = ["blank_discontinued", "undated_discontinuations"]
