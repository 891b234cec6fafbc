"""Derived analysis variables: ``add_<column>`` steps that chain with ``DataFrame.pipe``.
Over 400 lines as one job: every derived variable of the analysis tables, one step each.

Each function takes the patient table first and returns a new frame with the added columns;
the rules are written for users in ``docs/derivations.md`` and in the data dictionary.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.clean.per_patient import (
    KEY,
    has_record,
    median_first_year_gap,
    patient_values,
    per_patient,
    record_positions,
    snap_schedules,
)
from analysis.clean.running_period import running_period
from analysis.errors import ConfigError
from analysis.studyfile.condition_dates import condition_date
from analysis.studyfile.config import Derivation, StudyConfig
from analysis.studyfile.design import ConcomitantOverlap, Exposure, Group, overlap_flags, slug


def _months(days: pd.Series, d: Derivation) -> pd.Series:
    return days / d.days_per_month


def add_exposure_summary(
    patients: pd.DataFrame, exposures: pd.DataFrame, exposure: Exposure | None = None
) -> pd.DataFrame:
    """``first_exposure_date``, ``last_exposure_date`` (latest start), ``n_exposures`` (0 when
    none); for periods also ``is_exposure_ongoing`` (a period without a stop date),
    ``n_doses`` and ``is_titrated`` (more than one distinct dose: the daily dose when the dose
    was written with its frequency, else the dose per administration), ``initial_dose_mg`` (that
    dose of the first period with a dose) and ``max_dose_mg`` (the highest)."""
    out = patients.copy(deep=False)  # columns are replaced, never written into
    g = per_patient(patients, exposures, "start_date", ["min", "max", "size"])
    out["first_exposure_date"] = g["min"]
    out["last_exposure_date"] = g["max"]
    out["n_exposures"] = g["size"].fillna(0).astype("int64")
    if exposure is not None and exposure.kind == "periods":
        by = exposures.groupby("patient_id")
        out["_last_stop_date"] = out["patient_id"].map(by["stop_date"].max())
        ongoing = by["stop_date"].apply(lambda s: bool(s.isna().any()))
        out["is_exposure_ongoing"] = out["patient_id"].map(ongoing).eq(True)
        open_starts = exposures.loc[exposures["stop_date"].isna()].groupby("patient_id")
        out["_open_start_date"] = out["patient_id"].map(open_starts["start_date"].max())
        dose = "daily_dose_mg" if "daily_dose_mg" in exposures else "dose_mg"
        if dose in exposures:
            doses = by[dose].nunique()
            out["n_doses"] = out["patient_id"].map(doses).fillna(0).astype("int64")
            out["is_titrated"] = out["n_doses"] > 1
            # the dose a patient started on and the highest reached (a dose band by conditions)
            known = exposures.loc[exposures[dose].notna(), ["patient_id", "start_date", dose]]
            first = known.sort_values(["patient_id", "start_date"], kind="stable")
            first = first.drop_duplicates("patient_id").set_index("patient_id")[dose]
            out["initial_dose_mg"] = out["patient_id"].map(first).astype("float64")
            out["max_dose_mg"] = out["patient_id"].map(by[dose].max()).astype("float64")
    return out


def add_day0(patients: pd.DataFrame, exposure: Exposure) -> pd.DataFrame:
    """``day0_date``: the first exposure, or the patient date column named by ``exposure.day0``."""
    out = patients.copy(deep=False)  # columns are replaced, never written into
    source = "first_exposure_date" if exposure.day0 == "first_exposure" else exposure.day0
    out["day0_date"] = out[source]
    return out


def add_followup(
    patients: pd.DataFrame,
    exposures: pd.DataFrame,
    assessments: pd.DataFrame,
    d: Derivation,
    adverse_events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``last_contact_date`` (the latest known date of the patient: last visit, last exposure
    start or period stop, last assessment, discontinuation and, when given, adverse-event onset)
    and ``followup_months`` from day 0."""
    out = patients.copy(deep=False)  # columns are replaced, never written into
    parts = [
        out["last_visit_date"],
        out["last_exposure_date"],
        per_patient(patients, assessments, "assessment_date", ["max"])["max"],
        out["discontinuation_date"],
    ]
    if adverse_events is not None:
        parts.append(per_patient(patients, adverse_events, "onset_date", ["max"])["max"])
    if "_last_stop_date" in out:
        parts.append(out["_last_stop_date"])
    out["last_contact_date"] = pd.concat(parts, axis=1).max(axis=1)
    days = (out["last_contact_date"] - out["day0_date"]).dt.days
    out["followup_months"] = _months(days.astype("float64"), d)
    return out


def dated_discontinuation(patients: pd.DataFrame) -> pd.Series:
    """Each patient's discontinuation date when the treatment was stopped at a known date (NaT
    otherwise): a given date, the flag yes or blank (a blank flag is read from the date, as
    :func:`add_time_to_event` reads it; a flag "no" beside a date leaves the patient not
    discontinued)."""
    if "discontinuation_date" not in patients:  # a frame of no discontinuation
        return pd.Series(pd.NaT, index=patients.index, dtype="datetime64[ns]")
    date = patients["discontinuation_date"]
    if "is_discontinued" not in patients:
        return date
    stopped = patients["is_discontinued"].astype("boolean").fillna(True).astype(bool)
    return date.where(stopped & date.notna())


def add_exposure_end(patients: pd.DataFrame, exposure: Exposure, d: Derivation) -> pd.DataFrame:
    """``exposure_end_date`` (discrete: the last exposure; periods: the latest stop, where a
    period without a stop date ends at the patient's dated discontinuation, else at the last
    contact) and ``exposure_months`` from day 0.

    An open period ends at the discontinuation date when it started on or before it: the
    treatment was stopped then, whatever the blank stop date says. An open period starting
    after the discontinuation (the export contradicts itself; flagged by the chronology checks)
    is not ended by it and runs to the last contact. A closed period stopping after the
    discontinuation keeps its recorded stop date (flagged likewise): the end of exposure is the
    latest of these ends."""
    out = patients.copy(deep=False)  # columns are replaced, never written into
    if exposure.kind == "periods":
        stopped = dated_discontinuation(out)
        ends_open = stopped.notna() & (stopped >= out["_open_start_date"])
        open_end = stopped.where(ends_open, out["last_contact_date"])
        open_end = open_end.where(out["is_exposure_ongoing"])
        end = pd.concat([out["_last_stop_date"], open_end], axis=1).max(axis=1)
        out = out.drop(columns=["_last_stop_date", "_open_start_date"])
    else:
        end = out["last_exposure_date"]
    out["exposure_end_date"] = end
    days = (end - out["day0_date"]).dt.days.astype("float64")
    out["exposure_months"] = _months(days, d)
    return out


def snap_schedule(months: float, allowed: list[int]) -> float:
    """Nearest allowed interval in months (ties to the smaller)."""
    if np.isnan(months):
        return np.nan
    return float(min(sorted(allowed), key=lambda a: (abs(a - months), a)))


def _patient_column(patients: pd.DataFrame, *records: pd.DataFrame) -> str:
    """The column that names a patient in all these frames: the integer key when every frame
    carries it (the same grouping, without hashing the id text), else ``patient_id``."""
    return KEY if all(KEY in f for f in (patients, *records)) else "patient_id"


def add_schedule(patients: pd.DataFrame, exposures: pd.DataFrame, d: Derivation) -> pd.DataFrame:
    """``schedule_months_year1``: median first-year interval, snapped to ``derive.schedule_months``
    (discrete exposures only; nothing is added when the study sets no schedule)."""
    if not d.schedule_months:
        return patients
    by = _patient_column(patients, exposures)
    median_gap = median_first_year_gap(exposures, 12 * d.days_per_month, by=by)
    months = (median_gap / d.days_per_month).to_numpy(dtype="float64")
    snapped = pd.Series(snap_schedules(months, d.schedule_months), index=median_gap.index)
    out = patients.copy(deep=False)  # columns are replaced, never written into
    out["schedule_months_year1"] = out[by].map(snapped).astype("Int64")
    return out


NOT_APPLICABLE = "not applicable"  # the level of a derived value that does not apply, by rule


def not_applicable_rules(config: StudyConfig) -> dict[str, str]:
    """Derived patient columns whose missing value means "not applicable" by their rule, not
    "missing" -> the rule in words (for footnotes and figure labels). A table counts those
    patients as the level ``not applicable``, in the denominator; so does the figure."""
    rules = {}
    if config.derive.schedule_months and config.exposure.kind == "discrete":
        rules["schedule_months_year1"] = (
            f"fewer than two {config.exposure.plural_noun} in the first year (no interval)"
        )
    return rules


def add_response(patients: pd.DataFrame, assessments: pd.DataFrame, d: Derivation) -> pd.DataFrame:
    """``response_<T>m``, ``response_date_<T>m``, ``is_response_assessable`` for target month T.

    The assessment closest to month ``response_target_month`` after day 0 within
    ``response_window_months`` (inclusive, ties to the earlier one).
    """
    by = _patient_column(patients, assessments)
    a = assessments[list(dict.fromkeys([by, "patient_id", "assessment_date", "response_grade"]))]
    a = a.copy()
    first = patient_values(patients, patients["day0_date"], a)
    days = (a["assessment_date"] - first).dt.days
    lo, hi = (m * d.days_per_month for m in d.response_window_months)
    a["distance"] = (days - d.response_target_month * d.days_per_month).abs()
    a = a.loc[(days >= lo) & (days <= hi)]
    a = a.sort_values([by, "distance", "assessment_date"], kind="stable")
    best = a.drop_duplicates(by)
    out = patients.copy(deep=False)  # columns are replaced, never written into
    dtype = assessments["response_grade"].dtype
    out[d.response_column] = patient_values(best, best["response_grade"], out).astype(dtype)
    out[d.response_date_column] = patient_values(best, best["assessment_date"], out)
    out["is_response_assessable"] = out[d.response_column].notna()
    return out


def add_groups(
    patients: pd.DataFrame,
    concomitant: pd.DataFrame,
    config: StudyConfig,
    which: Literal["all", "overlap", "columns"] = "all",
) -> pd.DataFrame:
    """One categorical column per ``groups`` entry of the study file, by its rule; ``which``:
    the groups by concomitant overlap (``overlap``; each group that reads patient columns gets
    its column there, empty, in the study's order), or those that read patient columns
    (``columns``: ``from_column`` and ``conditions``, filling their columns), or all.

    The clean stage fills the groups that read patient columns last, once every derived column
    has its final value: a group on ``is_discontinued`` saw the flag blank before it was read
    from the date, one on ``age_years`` the age before it was computed from the birth date, and
    one on ``has_teae`` stopped with a KeyError."""
    out = patients
    flags = overlap_flags(config.groups)
    for name, group in config.groups.items():
        overlap = group.concomitant_overlap is not None
        if which == "all" or (which == "overlap") == overlap:
            out = add_group(out, name, group, concomitant, config.derive, flags.get(name, {}))
        elif which == "overlap":  # its place in the table, filled with the final values
            out = out.copy(deep=False)
            out[name] = pd.Categorical([None] * len(out), categories=group.levels)
    return out


def add_group(
    patients: pd.DataFrame,
    name: str,
    group: Group,
    concomitant: pd.DataFrame,
    d: Derivation,
    flags: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Column ``name`` with the group level of each patient (missing where the rule gives none).

    ``concomitant_overlap`` also adds a flag per listed treatment, named by ``flags`` (treatment
    -> column, ``design.overlap_flags``; by default ``has_<treatment>``).
    """
    out = patients.copy(deep=False)  # columns are replaced, never written into
    if group.from_column is not None:
        col = out[group.from_column.column]
        keys = col.astype(object).map(_rule_key)
        values = keys.map(_map_keys(group.from_column.map))
    elif group.concomitant_overlap is not None:
        rule = group.concomitant_overlap
        used = _overlapping(out, concomitant, rule, d)
        at = record_positions(out, used)
        values = pd.Series(
            np.where(has_record(out, used["patient_id"], at), rule.if_any, rule.otherwise),
            index=out.index,
        )
        for t in rule.treatments:
            this = (used["drug"] == t).to_numpy(dtype=bool)
            ids = used["patient_id"].loc[this]
            flag = (flags or {}).get(t, f"has_{slug(t)}")
            out[flag] = has_record(out, ids, None if at is None else at[this])
    else:
        from analysis.clean.condition_levels import condition_levels

        values = condition_levels(out, group)  # none where a missing value leaves one open
    out[name] = pd.Categorical(values, categories=group.levels)
    return out


def _rule_key(value: object) -> object:
    """How a cell is looked up in ``from_column.map``: booleans as yes/no, a whole number as
    written without a decimal point (an integer column's 0 arrives as 0.0: its key was "0.0",
    and a map of "0" matched nobody), the rest as text."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _map_keys(mapping: Mapping[str, str]) -> dict[str, str]:
    """``from_column.map`` with a whole number written as a decimal ("2.0") also under its
    plain form ("2"), the form :func:`_rule_key` gives the cell."""
    out = dict(mapping)
    for key, level in mapping.items():
        if "." not in key:
            continue  # "01" stays a code of its own
        try:
            number = float(key)
        except ValueError:
            continue
        if number.is_integer():
            out.setdefault(str(int(number)), level)
    return out


def _overlapping(
    patients: pd.DataFrame, concomitant: pd.DataFrame, rule: ConcomitantOverlap, d: Derivation
) -> pd.DataFrame:
    """Concomitant rows of the listed treatments overlapping each patient's window."""
    start = patients["day0_date"]
    if rule.window == "response":
        default = start + pd.Timedelta(days=int(d.response_target_month * d.days_per_month))
        assessed = patients.get(d.response_date_column)  # absent without assessments
        end = default if assessed is None else assessed.fillna(default)
    else:
        end = patients["exposure_end_date"]
    c = concomitant.loc[concomitant["drug"].isin(rule.treatments)]
    # each record's patient's window (missing for no patient: it overlaps nothing), by the
    # integer keys when the frames carry them, as a join on the id would give
    c = c.assign(
        window_start=patient_values(patients, start, c).to_numpy(),
        window_end=patient_values(patients, end, c).to_numpy(),
    )
    overlaps = (c["start_date"] <= c["window_end"]) & (
        c["stop_date"].isna() | (c["stop_date"] >= c["window_start"])
    )
    return c.loc[overlaps]


def add_baseline_severity(patients: pd.DataFrame, config: StudyConfig) -> pd.DataFrame:
    """``baseline_severity`` (mild / moderate / severe, when ``derive.grade_severity`` is set) and
    ``grade_scale`` (when the ``baseline_grade`` vocabulary has categories) from the grade."""
    out = patients.copy(deep=False)  # columns are replaced, never written into
    grade = out["baseline_grade"].astype(object)
    if config.derive.grade_severity:
        out["baseline_severity"] = pd.Categorical(
            grade.map(config.derive.grade_severity),
            categories=["mild", "moderate", "severe"],
            ordered=True,
        )
    vocab = config.vocabularies.get("baseline_grade")
    if vocab is not None and vocab.categories:
        # categorical, its levels the vocabulary's words: shown by level like any vocabulary
        scales = dict.fromkeys(
            vocab.categories[lv] for lv in vocab.levels if lv in vocab.categories
        )
        out["grade_scale"] = pd.Categorical(grade.map(vocab.categories), categories=list(scales))
    return out


def add_ae_flags(
    adverse_events: pd.DataFrame,
    patients: pd.DataFrame,
    exposures: pd.DataFrame,
    exposure: Exposure,
) -> pd.DataFrame:
    """Per event: ``exposure_number``, ``days_from_day0``, ``is_teae``.

    ``exposure_number`` is the number of exposures starting on or before the onset date (the
    session or dose period the event followed; of overlapping periods, the latest-starting one
    running at onset: ``running_period``); an event is treatment-emergent from the first
    exposure (the first dose, as ICH E9 and CDISC ADaM ``TRTEMFL`` define it: not day 0 when
    ``exposure.day0`` names an earlier patient date such as the first visit) to
    ``exposure.teae_days_after_last`` days after the end of exposure.
    """
    out = adverse_events.copy(deep=False)  # columns are replaced, never written into
    day0 = patient_values(patients, patients["day0_date"], out)
    first_exposure = patients.get("first_exposure_date")  # the summary's, else the same here
    if first_exposure is None:
        first_exposure = per_patient(patients, exposures, "start_date", ["min"])["min"]
    first = patient_values(patients, first_exposure, out)
    end = patient_values(patients, patients["exposure_end_date"], out)
    by = _patient_column(out, exposures)
    numbers = exposures_on_or_before(exposures, out[by], out["onset_date"], by=by)
    if exposure.kind == "periods" and "stop_date" in exposures:  # overlapping periods
        numbers = running_period(exposures, out[by], out["onset_date"], numbers, by=by)
    number = pd.array(numbers, dtype="Int64")
    number[numbers == 0] = pd.NA
    out["exposure_number"] = number
    out["days_from_day0"] = (out["onset_date"] - day0).dt.days.astype("Int64")
    horizon = end + pd.Timedelta(days=exposure.teae_days_after_last)
    out["is_teae"] = ((out["onset_date"] >= first) & (out["onset_date"] <= horizon)).astype(bool)
    return out


def exposures_on_or_before(
    exposures: pd.DataFrame, patient_id: pd.Series, when: pd.Series, *, by: str = "patient_id"
) -> np.ndarray:
    """For each ``(patient_id, when)``: how many of the patient's exposures start on or before
    ``when`` (0 when ``when`` is missing); ``patient_id`` is matched with the column ``by`` of
    ``exposures`` (the id, or the integer patient key). Each exposure and event becomes one
    integer, its patient's code times the count of distinct dates plus its date's rank among
    them; the exposures' integers sorted once, an event's count is the number of them up to its
    own less those before its patient's first (two binary searches, the events in order).
    ``tests/unit/clean/test_distinct.py`` checks it against a count per event."""
    if len(patient_id) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = exposures.loc[exposures["start_date"].notna(), [by, "start_date"]]
    n_exp = len(starts)
    codes = _patient_codes(starts[by], patient_id, by)
    dates = np.concatenate(
        [
            starts["start_date"].to_numpy(dtype="datetime64[ns]").view("int64"),
            pd.Series(when).to_numpy(dtype="datetime64[ns]").view("int64"),
        ]
    )
    date_codes, distinct = pd.factorize(dates)  # a few thousand distinct dates, hashed once
    rank_of = np.empty(len(distinct), dtype=np.int64)
    rank_of[np.argsort(distinct, kind="stable")] = np.arange(len(distinct), dtype=np.int64)
    span = len(distinct)
    keys = codes * span + rank_of[date_codes]  # < (patients + 1) * dates: far inside int64
    own = np.sort(keys[:n_exp])
    events = keys[n_exp:]
    order = np.argsort(events, kind="stable")  # sorted needles: the searches stay in cache
    sorted_events = events[order]
    first = np.searchsorted(own, sorted_events - sorted_events % span, side="left")
    out = np.empty(len(events), dtype=np.int64)
    out[order] = np.searchsorted(own, sorted_events, side="right") - first
    out[pd.isna(pd.Series(when)).to_numpy()] = 0
    return out


def _patient_codes(exposure_patients: pd.Series, event_patients: pd.Series, by: str) -> np.ndarray:
    """A code from 0 per patient of the exposures and events together: the integer patient keys
    plus one (-1, no patient, is a code too), else ``pd.factorize`` of the values plus one (all
    missing ids share code 0, as they shared a group when events were sorted with exposures)."""
    if by == KEY:
        keys = [exposure_patients.to_numpy(dtype=np.int64), event_patients.to_numpy(dtype=np.int64)]
        return np.concatenate(keys) + 1
    codes, _ = pd.factorize(pd.concat([exposure_patients, event_patients], ignore_index=True))
    return codes.astype(np.int64) + 1


def add_ae_summary(patients: pd.DataFrame, adverse_events: pd.DataFrame) -> pd.DataFrame:
    """``has_teae``, ``n_teae``, ``worst_ae_severity`` (when a severity was read),
    ``first_teae_date`` and ``exposures_to_first_teae`` (exposure number of the first TEAE) per
    patient."""
    te = adverse_events.loc[adverse_events["is_teae"]]
    by = _patient_column(patients, adverse_events)
    out = patients.copy(deep=False)  # columns are replaced, never written into
    onsets = per_patient(patients, te, "onset_date", ["size", "min"])
    out["n_teae"] = onsets["size"].fillna(0).astype("int64")
    out["has_teae"] = out["n_teae"] > 0
    sev = te.get("severity")
    if sev is not None and isinstance(sev.dtype, pd.CategoricalDtype):
        codes = pd.Series(sev.cat.codes.where(sev.notna(), -1), index=te.index)
        worst = codes.groupby(te[by]).max()
        worst = worst[worst >= 0]
        levels = list(sev.cat.categories)
        code = out[by].map(worst).to_numpy(dtype="float64")
        known = ~np.isnan(code)
        words = np.full(len(code), None, dtype=object)
        words[known] = np.array(levels, dtype=object)[code[known].astype(np.int64)]
        out["worst_ae_severity"] = pd.Categorical(words, categories=levels, ordered=True)
    out["first_teae_date"] = onsets["min"]
    first_ae = te.sort_values([by, "onset_date"]).drop_duplicates(by)
    out["exposures_to_first_teae"] = (
        out[by].map(first_ae.set_index(by)["exposure_number"]).astype("Int64")
    )
    return out


def add_time_to_event(patients: pd.DataFrame, d: Derivation, exposure: Exposure) -> pd.DataFrame:
    """``time_to_discontinuation_months`` from day 0 and ``time_to_first_teae_days`` from the
    first exposure (:func:`days_to_first_teae`).

    A discontinued patient without a discontinuation date is taken to have stopped at the end of
    exposure (the pipeline writes an audit row for each); patients not discontinued are
    censored at the last contact. A blank ``is_discontinued`` is read from the discontinuation
    date: discontinued when one is given, else not (each audited, ``blank_discontinued``).
    """
    out = patients.copy(deep=False)  # columns are replaced, never written into
    given = out["is_discontinued"].astype("boolean")
    disc = given.fillna(out["discontinuation_date"].notna()).astype(bool)
    out["is_discontinued"] = disc
    dated = disc & out["discontinuation_date"].notna()
    undated = disc & ~dated
    end = out["discontinuation_date"].where(dated, out["last_contact_date"])
    end = end.mask(undated, out["exposure_end_date"])
    out["time_to_discontinuation_months"] = _months(
        (end - out["day0_date"]).dt.days.astype("float64"), d
    )
    out["time_to_first_teae_days"] = days_to_first_teae(out, exposure)
    return out


def days_to_first_teae(patients: pd.DataFrame, exposure: Exposure) -> pd.Series:
    """Days from the first exposure to the first treatment-emergent adverse event (event), else
    to the earlier of the last contact and the end of the treatment-emergent window, end of
    exposure + ``exposure.teae_days_after_last`` days (censored).

    The time runs over the treatment-emergent window (:func:`add_ae_flags`): it starts where
    the window starts, the first exposure, not day 0 when ``exposure.day0`` names an earlier
    patient date (no event before the first exposure counts, so no patient is at risk of one
    there); and a patient without such an event is censored where the window closes, since an
    event after it would not count either. A patient without an exposure is never at risk: 0
    days, censored.
    """
    window_end = patients["exposure_end_date"] + pd.Timedelta(days=exposure.teae_days_after_last)
    censor = pd.concat([patients["last_contact_date"], window_end], axis=1).min(axis=1)
    end = patients["first_teae_date"].where(patients["has_teae"], censor)
    days = (end - patients["first_exposure_date"]).dt.days.astype("float64")
    return days.where(patients["first_exposure_date"].notna(), 0.0)


def add_first_improvement(
    patients: pd.DataFrame, assessments: pd.DataFrame, d: Derivation
) -> pd.DataFrame:
    """``has_improvement``, ``time_to_first_improvement_months``: months from day 0 to the first
    assessment on or after day 0 graded in ``derive.improvement_levels`` (any visit), else
    censored at the last such assessment. A patient never assessed on or after day 0 is
    censored at 0: an improvement is seen only at an assessment, so without one the patient was
    never at risk of an observed event (censoring at the last contact kept them at risk while
    no improvement could be seen)."""
    out = patients.copy(deep=False)  # columns are replaced, never written into
    by = _patient_column(patients, assessments)
    a = assessments[list(dict.fromkeys([by, "patient_id", "assessment_date", "response_grade"]))]
    first = patient_values(out, out["day0_date"], a)
    a = a.loc[a["assessment_date"] >= first]
    improved = a.loc[a["response_grade"].astype(str).isin(d.improvement_levels)]
    first_imp = per_patient(patients, improved, "assessment_date", ["size", "min"])
    last_assess = per_patient(patients, a, "assessment_date", ["max"])["max"]
    out["has_improvement"] = first_imp["size"].fillna(0).gt(0)  # the patient has such a grade
    censor = last_assess.fillna(out["day0_date"])
    end = first_imp["min"].where(out["has_improvement"], censor)
    out["time_to_first_improvement_months"] = _months(
        (end - out["day0_date"]).dt.days.astype("float64"), d
    )
    return out


_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


#: the operators that test missingness itself (every other one compares a value)
ON_MISSINGNESS = ("is_missing", "not_missing")


def evaluate_conditions(data: pd.DataFrame, conditions: list) -> pd.Series:
    """Boolean mask of rows meeting every condition (``Condition`` models from the config).

    A comparison with a missing value is not met, whatever the operator (``!=`` and ``not_in``
    too: an unknown age is not known to be "not young"), as SQL and R's ``dplyr::filter`` treat
    it; ``is_missing`` and ``not_missing`` select on missingness itself."""
    mask = pd.Series(True, index=data.index)
    for cond in conditions:
        col = data[cond.column]
        v = cond.value
        op = cond.op
        _refuse_text_for_numbers(col, cond)
        v = _as_dates(col, cond)
        if op == "is_missing":
            m = col.isna()
        elif op == "not_missing":
            m = col.notna()
        elif op in ("in", "not_in"):
            m = col.isin(v if isinstance(v, list) else [v])
            m = (m if op == "in" else ~m) & col.notna()
        else:
            lhs = col.astype(object) if isinstance(col.dtype, pd.CategoricalDtype) else col
            m = _OPS[op](lhs, v) & col.notna()
        mask &= m.fillna(False).astype(bool)
    return mask


def _as_dates(col: pd.Series, cond: Any) -> Any:
    """The condition's value(s) as days when ``col`` holds dates (a YAML date, ISO text;
    ``studyfile.condition_dates``); a value that is no date stops with the condition named
    (``config_checks`` refuses it earlier, with the key's line, for the columns it knows)."""
    if cond.op in ON_MISSINGNESS or not pd.api.types.is_datetime64_any_dtype(col.dtype):
        return cond.value
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    days = [condition_date(v) for v in values]
    wrong = [v for v, d in zip(values, days, strict=True) if d is None]
    if wrong:
        raise ConfigError(
            f"the condition {{column: {cond.column}, op: {cond.op!r}, value: {cond.value!r}}}: "
            f"`{cond.column}` holds dates and {wrong[0]!r} is not one. In the study file, write "
            "the date as YYYY-MM-DD."
        )
    return days if isinstance(cond.value, list) else days[0]


def _refuse_text_for_numbers(col: pd.Series, cond: Any) -> None:
    """A number column compared with text ("18" quoted in the study file) matched nobody under
    `==` and `in`, in silence, and stopped `>=` with pandas' own error: refused here, for the
    columns the study file cannot know the kind of (``config_checks`` refuses the others with
    the key's line)."""
    if cond.op in ON_MISSINGNESS or not pd.api.types.is_numeric_dtype(col.dtype):
        return
    if pd.api.types.is_bool_dtype(col.dtype) or isinstance(col.dtype, pd.CategoricalDtype):
        return
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    text = [v for v in values if isinstance(v, str)]
    if text:
        raise ConfigError(
            f"the condition {{column: {cond.column}, op: {cond.op!r}, value: {cond.value!r}}}: "
            f"`{cond.column}` holds numbers and {text[0]!r} is text. In the study file, write "
            "the number without quotes."
        )


def missing_in_conditions(data: pd.DataFrame, conditions: list) -> pd.Series:
    """Per row, the columns (joined by ", ") that a comparison of ``conditions`` reads and the
    row lacks; "" where none: why :func:`evaluate_conditions` could not hold there."""
    out = pd.Series("", index=data.index, dtype=object)
    for column in dict.fromkeys(c.column for c in conditions if c.op not in ON_MISSINGNESS):
        absent = data[column].isna().to_numpy()
        out[absent] = [f"{x}, `{column}`" if x else f"`{column}`" for x in out[absent]]
    return out
