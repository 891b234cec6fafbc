"""The stops of the clean stage about day 0: no patient has one; an included patient has none;
a time from day 0 is negative. Each names the patients (the first five) and the fix. And one
warning: included patients never exposed, when day 0 is a date of the patient table."""

from __future__ import annotations

import pandas as pd

from analysis.clean.shared_text import Shareable
from analysis.errors import PipelineError
from analysis.studyfile.design import Exposure
from analysis.words import counted

SHOWN = 5  # patients named in a message, the others counted

#: the times from day 0 of the patient table, with the dates they run to
FROM_DAY0 = {
    "followup_months": "the last contact",
    "exposure_months": "the end of exposure",
    "time_to_discontinuation_months": "the discontinuation",
}


def _named(ids: pd.Series) -> str:
    """The first :data:`SHOWN` ids quoted, and how many more."""
    shown = ", ".join(repr(str(p)) for p in ids.head(SHOWN))
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def require_day0(patients: pd.DataFrame, e: Exposure) -> None:
    """Stop when no patient has a day 0 (the study's exposures or day-0 column are empty)."""
    if len(patients) and patients["day0_date"].isna().all():
        where = (
            "no patient has a row in table 'exposures'"
            if e.day0 == "first_exposure"
            else f"column {e.day0!r} is empty for every patient"
        )
        raise PipelineError(
            f"stage 'clean': day 0 (exposure.day0 = {e.day0!r}) cannot be derived: {where}. "
            "Check the exposure sources and their column mapping, or set exposure.day0 to a "
            "date column of the patient table."
        )


def require_day0_of_included(patients: pd.DataFrame, e: Exposure) -> None:
    """Stop, naming them, when included patients have no day 0: their follow-up, exposure and
    every time from day 0 are undefined (the analysis tables' contract would refuse them with
    a message about a column)."""
    missing = patients.loc[patients["day0_date"].isna(), "patient_id"]
    if missing.empty:
        return
    why = "no row in table 'exposures'" if e.day0 == "first_exposure" else f"{e.day0!r} is blank"
    verb = "has" if len(missing) == 1 else "have"
    raise PipelineError(
        f"stage 'clean': {counted(len(missing), 'included patient')} {verb} no day 0 "
        f"(exposure.day0 = {e.day0!r}: {why}): {_named(missing)}. Their follow-up, exposure "
        "and every time from day 0 would be undefined. Leave them out with an inclusion "
        "criterion, e.g. `{id: treated, label: Treated, where: [{column: day0_date, op: "
        "not_missing}]}`, or complete the export."
    )


def unexposed_warnings(patients: pd.DataFrame, e: Exposure) -> list[str]:
    """A warning counting the included patients without any exposure row, when day 0 is a
    date of the patient table (with the first exposure as day 0 they have none, and the run
    stops). They may be meant (an untreated comparison group); when not, they were in every
    table in silence: counted in N, with no exposure and no treatment-emergent event, and in
    a therapy group all the same (a probe's patient without a session was "monotherapy")."""
    if e.day0 == "first_exposure" or "first_exposure_date" not in patients:
        return []
    n = int(patients["first_exposure_date"].isna().sum())
    if not n:
        return []
    return [
        Shareable(
            f"{counted(n, 'included patient')} {'has' if n == 1 else 'have'} no row in table "
            f"'exposures' (day 0 is {e.day0_words}): counted in every table's N, with no "
            f"{e.plural_noun} and no treatment-emergent event (their `first_exposure_date` is "
            "blank in the patient table). If the study is of treated patients, add an inclusion "
            "criterion: `{id: treated, label: Treated, where: [{column: first_exposure_date, op: "
            "not_missing}]}`."
        )
    ]


def require_times_after_day0(patients: pd.DataFrame, e: Exposure) -> None:
    """Stop, naming them, when a time from day 0 of an included patient is negative: day 0 (a
    patient date column, ``exposure.day0``) falls after the date it runs to, so the export
    contradicts itself (the tables would refuse the negative times, naming a row)."""
    found = [
        f"`{column}` ({what} before day 0) for {_named(below)}"
        for column, what in FROM_DAY0.items()
        if column in patients and len(below := patients.loc[patients[column] < 0, "patient_id"])
    ]
    if found:
        raise PipelineError(
            f"stage 'clean': negative times from day 0 (exposure.day0 = {e.day0!r}): "
            f"{'; '.join(found)}. Day 0 falls after the date the time runs to: correct the "
            f"dates in the export (the audit log flags {e.plural_noun} before the first "
            "visit), or set `exposure.day0: first_exposure`."
        )


__all__ = ["FROM_DAY0", "require_day0", "require_day0_of_included", "require_times_after_day0"]
