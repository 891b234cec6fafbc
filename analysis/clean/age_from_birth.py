"""``age_years`` from ``birth_date`` where the export gives no age.

A clinic that exports a date of birth and no age (one centre of two, or every centre) left
``age_years`` missing for its patients, and a criterion "aged 18 or over at the first dose"
excluded them all, with exit 0 (a probe's cohort of 52 came out as 30). The age at day 0 is
the completed years from the birth date to day 0 (the age as people state it, as the
chronology checks compute it); an age the export gives is kept as written (the checks flag one
more than a year from the birth date's). Each age derived gets an audit row (check ``age``,
action ``derived``) naming the birth date and day 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.plausibility import completed_years
from analysis.clean.step import Step, audit_rows


def age_from_birth(patients: pd.DataFrame, day0_words: str) -> Step:
    """``patients`` with ``age_years`` filled from ``birth_date`` at ``day0_date`` where it is
    missing (the column made when no source reads an age); ``day0_words``: day 0 in words, for
    the audit message."""
    if "birth_date" not in patients:
        return Step(patients)
    born, day0 = patients["birth_date"], patients["day0_date"]
    given = patients.get("age_years")
    if given is None:
        given = pd.Series(np.nan, index=patients.index, dtype="float64")
    fill = (given.isna() & born.notna() & day0.notna()).to_numpy()
    out = patients.copy(deep=False)
    if not fill.any():
        if "age_years" not in out:
            out["age_years"] = given
        return Step(out)
    age = given.astype("float64").copy()
    years = completed_years(born[fill], day0[fill])
    age[fill] = years
    out["age_years"] = age
    rows = out.loc[fill]
    messages = pd.Series(
        [
            f"`age_years` missing: derived from `birth_date` {b:%Y-%m-%d} as {y:g} completed "
            f"years at day 0 ({d:%Y-%m-%d}, {day0_words})"
            for b, d, y in zip(born[fill], day0[fill], years, strict=True)
        ],
        index=rows.index,
    )
    blank = pd.Series("", index=rows.index)
    return Step(
        out, audit=audit_rows(rows, "patients", "age_years", "age", blank, "derived", messages)
    )


__all__ = ["age_from_birth"]
