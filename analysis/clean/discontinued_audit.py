"""The audit rows of the discontinuation flag and date: a blank flag read from the date, and a
discontinued patient without a date whose time to discontinuation runs to the end of exposure
(``derive.add_time_to_event`` applies both rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.step import AUDIT_COLUMNS, audit_rows
from analysis.errors import PipelineError


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


def contradicted_discontinued(
    patients: pd.DataFrame, rule: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The patients whose ``is_discontinued`` says no while a ``discontinuation_date`` is given,
    by ``cleaning.discontinued_no_with_date``: ``error`` stops, naming them; ``flag`` keeps the
    no and sets the date missing; ``date`` reads them as discontinued at the date. Returns the
    patients and the audit rows of the values changed.

    The export contradicts itself (a check box left unticked beside a date and a reason, or a
    date kept after a restart), and either reading changes the time to discontinuation: until
    2026-12-07 the no won in silence while the date still ended the exposure, and a probe's
    patient who stopped for an adverse event at 15.4 months was censored at the last visit."""
    if "is_discontinued" not in patients or "discontinuation_date" not in patients:
        return patients, pd.DataFrame(columns=AUDIT_COLUMNS)
    said_no = patients["is_discontinued"].astype("boolean").eq(False).fillna(False)
    both = patients.loc[said_no.to_numpy() & patients["discontinuation_date"].notna().to_numpy()]
    if both.empty:
        return patients, pd.DataFrame(columns=AUDIT_COLUMNS)
    dates = both["discontinuation_date"].dt.strftime("%Y-%m-%d")
    if rule == "error":
        shown = "; ".join(
            f"{p!r} ({f}, row {r}): {d}"
            for p, f, r, d in zip(
                both["patient_id"].head(10),
                both["source_file"].head(10),
                both["source_row"].head(10),
                dates.head(10),
                strict=True,
            )
        )
        more = f"; and {len(both) - 10} more" if len(both) > 10 else ""
        raise PipelineError(
            f"{len(both)} patient(s) have `is_discontinued` 'no' and a `discontinuation_date`: "
            f"{shown}{more}. The export contradicts itself, and the time to discontinuation "
            "depends on which is right. Correct the export, or say in the study file which "
            "to believe: `cleaning.discontinued_no_with_date: flag` (keep 'no', the date set "
            "missing: censored at the last contact) or `date` (discontinued at the date); each "
            "change has an audit row."
        )
    out = patients.copy(deep=False)
    if rule == "flag":
        out["discontinuation_date"] = out["discontinuation_date"].mask(out.index.isin(both.index))
        msgs = "is_discontinued is 'no' but a discontinuation_date is given: kept 'no', the " + (
            "date set missing (`cleaning.discontinued_no_with_date: flag`)"
        )
        audit = audit_rows(
            both,
            "patients",
            "discontinuation_date",
            "contradiction",
            dates,
            "set_missing",
            pd.Series(msgs, index=both.index),
        )
    else:
        flag = out["is_discontinued"].astype("boolean")
        out["is_discontinued"] = flag.mask(out.index.isin(both.index), True)
        msgs = "is_discontinued is 'no' but a discontinuation_date is given: read as " + (
            "discontinued at that date (`cleaning.discontinued_no_with_date: date`)"
        )
        audit = audit_rows(
            both,
            "patients",
            "is_discontinued",
            "contradiction",
            pd.Series("no", index=both.index),
            "corrected",
            pd.Series(msgs, index=both.index),
        )
    return out, audit


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


__all__ = ["blank_discontinued", "contradicted_discontinued", "undated_discontinuations"]
