"""Plausible dates and ages beyond the study window: a record cannot predate the patient's birth
or postdate the file that holds it, and a patient's dates come in their order.

Two cleaning steps, each logging what it removed, cleared or flagged (the rules are written for
users in ``docs/derivations.md``, section "Plausible dates and ages"):

- :func:`analysis.clean.file_dates.check_file_dates` (per table, after the dates are parsed):
  without an end of the study window, no date may be later than the day its file was last
  modified;
- :func:`check_chronology` (on the de-duplicated tables, before derivation): ages, birth dates,
  records before birth, adverse events that end before they begin, discontinuation and last visit
  before the first exposure, exposures before the first visit, treatment periods past a dated
  discontinuation, adverse events after the last known contact.

Over 400 lines as one job: the checks of one patient's dates against each other, in the order
the rules are written for users.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis.clean import derive
from analysis.clean.per_patient import patient_values
from analysis.clean.step import Step, audit_rows, log_rows
from analysis.studyfile.config import StudyConfig

MAX_AGE_YEARS = 120
_CHILD_TABLES = ("exposures", "adverse_events", "concomitant", "assessments")


class _Log:
    """One table being checked: its data, and the records excluded and values audited so far."""

    def __init__(self, data: pd.DataFrame, table: str) -> None:
        self.data = data  # never written to: each change makes a new frame
        self.table = table
        self.excluded: list[pd.DataFrame] = []
        self.audit: list[pd.DataFrame] = []

    def exclude(self, mask: pd.Series, reasons: list[str]) -> None:
        """Exclude the records of ``mask`` (step ``check``) with their reasons."""
        if not mask.any():
            return
        bad = self.data.loc[mask]
        self.excluded.append(
            log_rows(bad, self.table, "check", pd.Series(reasons, index=bad.index))
        )
        self.data = self.data.loc[~mask]

    def note(self, mask: pd.Series, column: str, check: str, action: str, msgs: list[str]) -> None:
        """An audit row per record of ``mask``; ``action == 'set_missing'`` also clears it."""
        if not mask.any():
            return
        bad = self.data.loc[mask]
        values = _text(bad[column])
        msg = pd.Series(msgs, index=bad.index)
        self.audit.append(audit_rows(bad, self.table, column, check, values, action, msg))
        if action == "set_missing":
            data = self.data.copy(deep=False)  # the column is replaced, not written into
            data[column] = self.data[column].mask(mask)
            self.data = data

    def reject(self, mask: pd.Series, column: str, required: bool, msgs: list[str]) -> None:
        """A required date excludes its record; an optional one is cleared (check ``birth``)."""
        if required:
            self.exclude(mask, msgs)
        else:
            self.note(mask, column, "birth", "set_missing", msgs)

    def step(self) -> Step:
        parts: dict[str, pd.DataFrame] = {}
        if any(len(f) for f in self.excluded):
            parts["excluded"] = pd.concat([f for f in self.excluded if len(f)], ignore_index=True)
        if any(len(f) for f in self.audit):
            parts["audit"] = pd.concat([f for f in self.audit if len(f)], ignore_index=True)
        return Step(self.data, **parts)


def _text(values: pd.Series) -> pd.Series:
    """Values as the audit shows them: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d")
    return values.map(lambda v: f"{v:g}" if isinstance(v, float) else str(v))


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d}"


# ------------------------------------------------------------------------ birth, age, order
def completed_years(birth: pd.Series, day: pd.Series) -> pd.Series:
    """Whole years from ``birth`` to ``day`` (the age as people state it)."""
    years = day.dt.year - birth.dt.year
    before = (day.dt.month < birth.dt.month) | (
        (day.dt.month == birth.dt.month) & (day.dt.day < birth.dt.day)
    )
    return (years - before.astype("int64")).astype("float64")


def check_chronology(tables: dict[str, pd.DataFrame], config: StudyConfig) -> dict[str, Step]:
    """Ages, birth dates and the order of each patient's dates, on the de-duplicated tables.

    In order: an ``age_years`` outside 0..120 is cleared; a birth date (``birth_date``, else
    ``birth_year``) after day 0 or more than 120 years before it is cleared; an age that
    disagrees with the birth date by more than a year is flagged; records dated before birth
    are excluded (optional dates cleared); an adverse event resolved before its onset loses its
    ``resolution_date``; a discontinuation before the first exposure loses its date; a last
    visit before the first exposure, and an adverse event after the last known contact, are
    flagged (the last contact is the latest known date). Returns one step per table.
    """
    logs = {name: _Log(df, name) for name, df in tables.items()}
    patients = logs["patients"]
    _check_age_range(patients)
    day0 = _day0(patients.data, logs["exposures"].data, config)
    birth = _check_birth(patients, day0, config)
    owners = patients.data  # the patients ``birth`` is aligned with (checks clear, never drop)
    _check_age_against_birth(patients, day0, birth)
    _check_before_birth(logs, owners, birth, config)
    _check_resolution(logs["adverse_events"])
    _check_order(logs, config)
    return {name: log.step() for name, log in logs.items()}


def _day0(patients: pd.DataFrame, exposures: pd.DataFrame, config: StudyConfig) -> pd.Series:
    """Each patient's day 0 (index aligned with ``patients``), as the derivation will set it."""
    summary = derive.add_exposure_summary(patients, exposures, config.exposure)
    return derive.add_day0(summary, config.exposure)["day0_date"]


def _check_age_range(patients: _Log) -> None:
    if "age_years" not in patients.data:
        return
    age = patients.data["age_years"]
    bad = age.notna() & ((age < 0) | (age > MAX_AGE_YEARS))
    msgs = [
        f"`age_years` value {a:g} is not a possible age (0 to {MAX_AGE_YEARS} years); set "
        f"missing. Correct the age in the file."
        for a in age[bad]
    ]
    patients.note(bad, "age_years", "age", "set_missing", msgs)


def _check_birth(patients: _Log, day0: pd.Series, config: StudyConfig) -> pd.Series:
    """Clear a birth date or year that puts day 0 before birth or past 120 years; return each
    patient's earliest possible birth day (by patient id), NaT where unknown."""
    p = patients.data
    words = config.exposure.day0_words
    day0 = day0.reindex(p.index)
    if "birth_date" in p:
        born = p["birth_date"]
        age = completed_years(born, day0)
        bad = born.notna() & age.notna() & ((age < 0) | (age > MAX_AGE_YEARS))
        msgs = [
            f"`birth_date` {_day(b)} gives an age of {a:g} years at day 0 ({_day(d)}, {words}), "
            f"outside 0 to {MAX_AGE_YEARS}; set missing. Correct the birth date, or the date "
            f"of day 0, in the file."
            for b, a, d in zip(born[bad], age[bad], day0[bad], strict=True)
        ]
        patients.note(bad, "birth_date", "birth", "set_missing", msgs)
    p = patients.data
    if "birth_year" in p:
        year = p["birth_year"].astype("Float64")
        at = day0.dt.year.astype("Float64")
        bad = (year.notna() & at.notna() & ((year > at) | (at - year - 1 > MAX_AGE_YEARS))).astype(
            bool
        )
        msgs = [
            f"`birth_year` {y:g} gives an age of {d.year - y - 1:g} to {d.year - y:g} years at "
            f"day 0 ({_day(d)}, {words}), outside 0 to {MAX_AGE_YEARS}; set missing. Correct "
            f"the year of birth, or the date of day 0, in the file."
            for y, d in zip(year[bad], day0[bad], strict=True)
        ]
        patients.note(bad, "birth_year", "birth", "set_missing", msgs)
        p = patients.data
        if "birth_date" in p:
            both = p["birth_date"].notna() & p["birth_year"].notna()
            differ = both & (p["birth_date"].dt.year != p["birth_year"].astype("Float64"))
            differ = differ.fillna(False).astype(bool)
            msgs = [
                f"`birth_year` {y} is not the year of `birth_date` {_day(b)}; kept, the birth "
                f"date is used. Correct one of them in the file."
                for y, b in zip(p["birth_year"][differ], p["birth_date"][differ], strict=True)
            ]
            patients.note(differ, "birth_year", "birth", "flagged", msgs)
    p = patients.data
    birth = pd.Series(pd.NaT, index=p.index, dtype="datetime64[ns]")
    if "birth_year" in p:
        birth = _first_of_january(p["birth_year"].astype("Float64"))
    if "birth_date" in p:
        birth = p["birth_date"].astype("datetime64[ns]").fillna(birth)
    return pd.Series(birth.to_numpy(), index=p["patient_id"].to_numpy())


def _first_of_january(years: pd.Series) -> pd.Series:
    """1 January of each year (NaT where missing or out of range) as ``pd.to_datetime`` gives
    it for ``f"{int(y)}-01-01"``: parsed once per distinct year, in order of appearance."""
    codes, distinct = pd.factorize(years)  # missing: -1, then NaT (the appended last day)
    texts = pd.Series([*(f"{int(y)}-01-01" for y in distinct), None], dtype=object)
    days = pd.to_datetime(texts, errors="coerce").astype("datetime64[ns]").to_numpy()
    return pd.Series(days[codes], index=years.index)


def _check_age_against_birth(patients: _Log, day0: pd.Series, birth: pd.Series) -> None:
    """Flag an ``age_years`` more than a year away from the age at day 0 the birth gives."""
    p = patients.data
    if "age_years" not in p or not birth.notna().any():
        return
    d0 = day0.reindex(p.index)
    if "birth_date" in p and p["birth_date"].notna().any():
        exact = completed_years(p["birth_date"], d0)
    else:
        exact = pd.Series(float("nan"), index=p.index)
    if "birth_year" in p:
        by = (d0.dt.year - p["birth_year"].astype("Float64")).astype("float64")
    else:
        by = pd.Series(float("nan"), index=p.index)
    lo = exact.fillna(by - 1)  # birth year only: the age is one of two
    hi = exact.fillna(by)
    age = p["age_years"]
    bad = (age.notna() & lo.notna() & ((age < lo - 1) | (age > hi + 1))).astype(bool)
    msgs = []
    for i in bad.index[bad]:
        dated = "birth_date" in p and pd.notna(p.at[i, "birth_date"])
        basis = (
            f"`birth_date` {_day(p.at[i, 'birth_date'])}: {lo[i]:g}"
            if dated
            else f"`birth_year` {p.at[i, 'birth_year']}: {lo[i]:g} or {hi[i]:g}"
        )
        msgs.append(
            f"`age_years` {age[i]:g} disagrees by more than a year with the age at day 0 "
            f"({_day(d0[i])}) from {basis}; kept. Check the age and the birth date in the file."
        )
    patients.note(bad, "age_years", "age", "flagged", msgs)


def _check_before_birth(
    logs: dict[str, _Log], owners: pd.DataFrame, birth: pd.Series, config: StudyConfig
) -> None:
    """Records dated before the patient's birth (``birth``: aligned with the rows of
    ``owners``): a required date excludes its record, an optional one is cleared; on the
    patient's own row a required date is flagged and kept."""
    if not birth.notna().any():
        return
    for name, log in logs.items():
        for column, spec in config.columns_for(name).items():
            if spec.kind != "date" or column not in log.data or column == "birth_date":
                continue
            born = patient_values(owners, birth, log.data)
            dates = log.data[column]
            bad = (dates.notna() & born.notna() & (dates < born)).astype(bool)
            msgs = [
                f"`{column}` {_day(d)} is before the patient's birth ({_day(b)}); the record "
                f"cannot be right. Correct the date or the birth date in the file."
                for d, b in zip(dates[bad], born[bad], strict=True)
            ]
            if name == "patients" and spec.required:
                log.note(bad, column, "birth", "flagged", [m + " Kept." for m in msgs])
            else:
                log.reject(bad, column, spec.required, msgs)


def _out_of_order(
    log: _Log,
    column: str,
    earlier: pd.Series,
    later: pd.Series,
    action: str,
    message: Callable[[str, str], str],
) -> None:
    """Note ``column`` on the rows where the date that must come first (``earlier``) is after
    the one that must follow (``later``), both known: ``action`` (``set_missing`` clears
    ``column``; ``flagged`` keeps it), the message built from the two days in that order."""
    bad = (earlier.notna() & later.notna() & (later < earlier)).astype(bool)
    days = zip(earlier[bad], later[bad], strict=True)
    log.note(bad, column, "order", action, [message(_day(e), _day(la)) for e, la in days])


def _check_resolution(aes: _Log) -> None:
    """An adverse event cannot end before it began: its ``resolution_date`` is cleared."""
    if "resolution_date" not in aes.data:
        return
    a = aes.data
    _out_of_order(
        aes,
        "resolution_date",
        a["onset_date"],
        a["resolution_date"],
        "set_missing",
        lambda onset, end: (
            f"`resolution_date` {end} is before `onset_date` {onset}; set missing (the event "
            f"is kept, its end unknown). Correct the date in the file."
        ),
    )


def _check_order(logs: dict[str, _Log], config: StudyConfig) -> None:
    """Discontinuation before the first exposure (date cleared); last visit before the first
    exposure, exposures before the first visit, treatment periods going on past a dated
    discontinuation, and adverse events after the last known contact (flagged: the last
    contact is the latest known date of the patient)."""
    patients, exposures = logs["patients"], logs["exposures"]
    e = config.exposure
    summary = derive.add_exposure_summary(patients.data, exposures.data, e)
    first = summary["first_exposure_date"]
    if "discontinuation_date" in patients.data:
        _out_of_order(
            patients,
            "discontinuation_date",
            first,
            patients.data["discontinuation_date"],
            "set_missing",
            lambda f, d: (
                f"`discontinuation_date` {d} is before the first {e.singular} ({f}): the "
                f"treatment cannot stop before it starts; set missing. Correct the date in the "
                f"file."
            ),
        )
    _out_of_order(
        patients,
        "last_visit_date",
        first,
        patients.data["last_visit_date"],
        "flagged",
        lambda f, v: (
            f"`last_visit_date` {v} is before the first {e.singular} ({f}); kept, the last "
            f"contact is the patient's latest known date. Check the last visit in the file."
        ),
    )
    if "first_visit_date" in patients.data:
        # an exposure before the first visit: a mistyped year becomes day 0 (years of follow-up)
        visit = patient_values(patients.data, patients.data["first_visit_date"], exposures.data)
        _out_of_order(
            exposures,
            "start_date",
            visit,
            exposures.data["start_date"],
            "flagged",
            lambda v, s: (
                f"`start_date` {s} is before the patient's first visit ({v}); kept: "
                + (
                    f"the first {e.singular} is day 0 and starts follow-up."
                    if e.day0 == "first_exposure"
                    else f"day 0 is {e.day0_words}, so this {e.singular} comes before day 0 "
                    f"(its days from day 0 are negative)."
                )
                + " Check the year in the file."
            ),
        )
    if "discontinuation_date" in patients.data:
        if e.kind == "periods":
            _check_periods_after_discontinuation(patients.data, exposures, e.singular)
        else:
            _check_doses_after_discontinuation(patients.data, exposures, e.singular)
    # the same summary: since it was made only discontinuation_date may have been cleared
    summary = summary.copy(deep=False)
    if "discontinuation_date" in patients.data:
        summary["discontinuation_date"] = patients.data["discontinuation_date"]
    known = derive.add_followup(
        derive.add_day0(summary, e), exposures.data, logs["assessments"].data, config.derive
    )
    aes = logs["adverse_events"]
    _out_of_order(
        aes,
        "onset_date",
        aes.data["onset_date"],
        patient_values(known, known["last_contact_date"], aes.data),
        "flagged",
        lambda o, c: (
            f"`onset_date` {o} is after the patient's last contact ({c}: the latest of last "
            f"visit, {e.plural_noun}, assessments and discontinuation); kept, and the last "
            f"contact is taken as this onset. Check the last visit in the file."
        ),
    )


def _check_periods_after_discontinuation(
    patients: pd.DataFrame, exposures: _Log, noun: str
) -> None:
    """A period going on past the patient's dated discontinuation contradicts it: flagged,
    kept. A stop date after it stays the end of that period; a period starting after it is not
    ended by it (``derive.add_exposure_end``); an open period started before it ends on it."""
    periods = exposures.data
    stopped = patient_values(patients, derive.dated_discontinuation(patients), periods)
    _out_of_order(
        exposures,
        "stop_date",
        periods["stop_date"].where(periods["start_date"] <= stopped),  # else flagged below
        stopped,
        "flagged",
        lambda stop, d: (
            f"`stop_date` {stop} is after the patient's `discontinuation_date` {d}; kept: the "
            f"{noun} ends on its stop date and the end of exposure is not before it. Correct "
            f"whichever date is wrong in the file."
        ),
    )
    _out_of_order(
        exposures,
        "start_date",
        periods["start_date"],
        stopped,
        "flagged",
        lambda start, d: (
            f"`start_date` {start} is after the patient's `discontinuation_date` {d}; kept: "
            f"the discontinuation does not end this {noun}, which ends on its stop date (or, "
            f"without one, at the last contact). Correct whichever date is wrong in the file."
        ),
    )


def _check_doses_after_discontinuation(patients: pd.DataFrame, exposures: _Log, noun: str) -> None:
    """A dated administration after the patient's dated discontinuation contradicts it:
    flagged, kept (a probe's session 40 days after it ran the exposure to 11.9 months, past the
    10.5 months to discontinuation, with no word)."""
    doses = exposures.data
    stopped = patient_values(patients, derive.dated_discontinuation(patients), doses)
    _out_of_order(
        exposures,
        "start_date",
        doses["start_date"],
        stopped,
        "flagged",
        lambda start, d: (
            f"`start_date` {start} is after the patient's `discontinuation_date` {d}; kept: the "
            f"{noun} counts, and the exposure and its treatment-emergent window run to it. "
            f"Correct whichever date is wrong in the file."
        ),
    )


__all__ = ["MAX_AGE_YEARS", "check_chronology"]
