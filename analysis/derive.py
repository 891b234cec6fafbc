"""Derived analysis variables: ``add_<column>`` steps that chain with ``DataFrame.pipe``.

Each function takes the patient table first and returns a new frame with the added columns;
the rules are written for users in ``docs/derivations.md`` and in the data dictionary.
"""

from __future__ import annotations

import operator
import re

import numpy as np
import pandas as pd

from analysis.config import Derivation, StudyConfig


def _months(days: pd.Series, d: Derivation) -> pd.Series:
    return days / d.days_per_month


def add_session_summary(patients: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """``first_session_date``, ``last_session_date``, ``n_sessions`` (0 when none)."""
    g = sessions.groupby("patient_id")["session_date"].agg(["min", "max", "size"])
    out = patients.copy()
    out["first_session_date"] = out["patient_id"].map(g["min"])
    out["last_session_date"] = out["patient_id"].map(g["max"])
    out["n_sessions"] = out["patient_id"].map(g["size"]).fillna(0).astype("int64")
    return out


def add_followup(
    patients: pd.DataFrame, sessions: pd.DataFrame, assessments: pd.DataFrame, d: Derivation
) -> pd.DataFrame:
    """``last_contact_date`` and ``followup_months`` from the first session."""
    out = patients.copy()
    last_assess = assessments.groupby("patient_id")["assessment_date"].max()
    candidates = pd.concat(
        [
            out["last_visit_date"],
            out["last_session_date"],
            out["patient_id"].map(last_assess),
            out["discontinuation_date"],
        ],
        axis=1,
    )
    out["last_contact_date"] = candidates.max(axis=1)
    days = (out["last_contact_date"] - out["first_session_date"]).dt.days
    out["followup_months"] = _months(days.astype("float64"), d)
    return out


def snap_schedule(months: float, allowed: list[int]) -> float:
    """Nearest allowed interval in months (ties to the smaller)."""
    if np.isnan(months):
        return np.nan
    return float(min(sorted(allowed), key=lambda a: (abs(a - months), a)))


def add_schedule(patients: pd.DataFrame, sessions: pd.DataFrame, d: Derivation) -> pd.DataFrame:
    """``schedule_months_year1``: median first-year interval, snapped to ``derive.schedule_months``."""
    s = sessions[["patient_id", "session_date"]].copy()
    first = s.groupby("patient_id")["session_date"].transform("min")
    s = s.loc[(s["session_date"] - first).dt.days < 12 * d.days_per_month]
    s = s.sort_values(["patient_id", "session_date"])
    s["gap"] = s.groupby("patient_id")["session_date"].diff().dt.days
    median_gap = s.dropna(subset=["gap"]).groupby("patient_id")["gap"].median()
    snapped = (median_gap / d.days_per_month).map(lambda m: snap_schedule(m, d.schedule_months))
    out = patients.copy()
    out["schedule_months_year1"] = out["patient_id"].map(snapped).astype("Int64")
    return out


def add_response_12m(
    patients: pd.DataFrame, assessments: pd.DataFrame, d: Derivation
) -> pd.DataFrame:
    """``response_12m``, ``response_date_12m``, ``is_response_assessable``.

    The assessment closest to month ``response_target_month`` within ``response_window_months``
    (inclusive, ties to the earlier one).
    """
    a = assessments[["patient_id", "assessment_date", "response_grade"]].copy()
    first = a["patient_id"].map(patients.set_index("patient_id")["first_session_date"])
    days = (a["assessment_date"] - first).dt.days
    lo, hi = (m * d.days_per_month for m in d.response_window_months)
    a["distance"] = (days - d.response_target_month * d.days_per_month).abs()
    a = a.loc[(days >= lo) & (days <= hi)]
    a = a.sort_values(["patient_id", "distance", "assessment_date"], kind="stable")
    best = a.drop_duplicates("patient_id").set_index("patient_id")
    out = patients.copy()
    dtype = assessments["response_grade"].dtype
    out["response_12m"] = out["patient_id"].map(best["response_grade"]).astype(dtype)
    out["response_date_12m"] = out["patient_id"].map(best["assessment_date"])
    out["is_response_assessable"] = out["response_12m"].notna()
    return out


def slug(label: str) -> str:
    """``"platelet-rich plasma"`` -> ``"platelet_rich_plasma"``."""
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")


def add_therapy_group(
    patients: pd.DataFrame, concomitant: pd.DataFrame, d: Derivation
) -> pd.DataFrame:
    """``therapy_group`` (monotherapy / combined) and ``has_<treatment>`` flags.

    A hair-loss treatment counts when it overlaps the assessment window: from the first session
    to the 12-month assessment (or first session + 365 days when not assessable).
    """
    out = patients.copy()
    window_end = out["response_date_12m"].fillna(out["first_session_date"] + pd.Timedelta(days=365))
    win = pd.DataFrame(
        {"window_start": out["first_session_date"].to_numpy(), "window_end": window_end.to_numpy()},
        index=out["patient_id"],
    )
    c = concomitant.loc[concomitant["drug"].isin(d.hair_loss_treatments)]
    c = c.join(win, on="patient_id")
    overlaps = (c["start_date"] <= c["window_end"]) & (
        c["stop_date"].isna() | (c["stop_date"] >= c["window_start"])
    )
    used = c.loc[overlaps]
    combined = set(used["patient_id"])
    out["therapy_group"] = pd.Categorical(
        np.where(out["patient_id"].isin(combined), "combined", "monotherapy"),
        categories=["monotherapy", "combined"],
    )
    for drug in d.hair_loss_treatments:
        ids = set(used.loc[used["drug"] == drug, "patient_id"])
        out[f"has_{slug(drug)}"] = out["patient_id"].isin(ids)
    return out


def add_baseline_severity(patients: pd.DataFrame, config: StudyConfig) -> pd.DataFrame:
    """``baseline_severity`` (mild / moderate / severe) and ``grade_scale`` from the grade."""
    out = patients.copy()
    grade = out["baseline_grade"].astype(object)
    out["baseline_severity"] = pd.Categorical(
        grade.map(config.derive.grade_severity),
        categories=["mild", "moderate", "severe"],
        ordered=True,
    )
    vocab = config.vocabularies.get("baseline_grade")
    cats = vocab.categories if vocab else {}
    out["grade_scale"] = grade.map(cats).astype("string")
    return out


def add_ae_flags(
    adverse_events: pd.DataFrame, patients: pd.DataFrame, sessions: pd.DataFrame, d: Derivation
) -> pd.DataFrame:
    """Per event: ``session_number``, ``days_from_first_session``, ``is_teae``.

    ``session_number`` is the number of sessions on or before the onset date; an event is
    treatment-emergent from the first session to ``teae_days_after_last_session`` days after the
    last one.
    """
    out = adverse_events.copy()
    p = patients.set_index("patient_id")
    first = out["patient_id"].map(p["first_session_date"])
    last = out["patient_id"].map(p["last_session_date"])
    s = sessions[["patient_id", "session_date"]].sort_values(["patient_id", "session_date"])
    dates = {pid: grp.to_numpy() for pid, grp in s.groupby("patient_id")["session_date"]}
    numbers = [
        int(np.searchsorted(dates[pid], np.datetime64(onset), side="right"))
        if pid in dates and pd.notna(onset)
        else 0
        for pid, onset in zip(out["patient_id"], out["onset_date"], strict=True)
    ]
    out["session_number"] = pd.array(numbers, dtype="Int64")
    out.loc[out["session_number"] == 0, "session_number"] = pd.NA
    out["days_from_first_session"] = (out["onset_date"] - first).dt.days.astype("Int64")
    horizon = last + pd.Timedelta(days=d.teae_days_after_last_session)
    out["is_teae"] = ((out["onset_date"] >= first) & (out["onset_date"] <= horizon)).astype(bool)
    return out


def add_ae_summary(patients: pd.DataFrame, adverse_events: pd.DataFrame) -> pd.DataFrame:
    """``has_teae``, ``n_teae``, ``worst_ae_severity``, ``first_teae_date`` and
    ``sessions_to_first_teae`` (session number of the first TEAE) per patient."""
    te = adverse_events.loc[adverse_events["is_teae"]]
    out = patients.copy()
    counts = te.groupby("patient_id").size()
    out["n_teae"] = out["patient_id"].map(counts).fillna(0).astype("int64")
    out["has_teae"] = out["n_teae"] > 0
    sev = te["severity"]
    codes = pd.Series(sev.cat.codes.where(sev.notna(), -1), index=te.index)
    worst = codes.groupby(te["patient_id"]).max()
    worst = worst[worst >= 0]
    levels = list(sev.cat.categories)
    out["worst_ae_severity"] = pd.Categorical(
        out["patient_id"].map(worst).map(lambda c: levels[int(c)] if pd.notna(c) else None),
        categories=levels,
        ordered=True,
    )
    out["first_teae_date"] = out["patient_id"].map(te.groupby("patient_id")["onset_date"].min())
    first_ae = te.sort_values(["patient_id", "onset_date"]).drop_duplicates("patient_id")
    out["sessions_to_first_teae"] = (
        out["patient_id"].map(first_ae.set_index("patient_id")["session_number"]).astype("Int64")
    )
    return out


def add_time_to_event(patients: pd.DataFrame, d: Derivation) -> pd.DataFrame:
    """``time_to_discontinuation_months`` and ``time_to_first_teae_days`` (censored at last contact)."""
    out = patients.copy()
    disc = out["is_discontinued"].fillna(False).astype(bool)
    out["is_discontinued"] = disc
    end = out["discontinuation_date"].where(
        disc & out["discontinuation_date"].notna(), out["last_contact_date"]
    )
    out["time_to_discontinuation_months"] = _months(
        (end - out["first_session_date"]).dt.days.astype("float64"), d
    )
    ae_end = out["first_teae_date"].where(out["has_teae"], out["last_contact_date"])
    out["time_to_first_teae_days"] = (ae_end - out["first_session_date"]).dt.days.astype("float64")
    return out


def add_first_improvement(
    patients: pd.DataFrame, assessments: pd.DataFrame, d: Derivation
) -> pd.DataFrame:
    """``has_improvement``, ``time_to_first_improvement_months``: months from the first session
    to the first assessment graded in ``derive.improvement_levels`` (any visit), censored at the
    last assessment (or last contact when never assessed)."""
    out = patients.copy()
    a = assessments[["patient_id", "assessment_date", "response_grade"]]
    first = a["patient_id"].map(out.set_index("patient_id")["first_session_date"])
    a = a.loc[a["assessment_date"] >= first]
    improved = a.loc[a["response_grade"].astype(str).isin(d.improvement_levels)]
    first_imp = improved.groupby("patient_id")["assessment_date"].min()
    last_assess = a.groupby("patient_id")["assessment_date"].max()
    out["has_improvement"] = out["patient_id"].isin(first_imp.index)
    censor = out["patient_id"].map(last_assess).fillna(out["last_contact_date"])
    end = out["patient_id"].map(first_imp).where(out["has_improvement"], censor)
    out["time_to_first_improvement_months"] = _months(
        (end - out["first_session_date"]).dt.days.astype("float64"), d
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


def evaluate_conditions(data: pd.DataFrame, conditions: list) -> pd.Series:
    """Boolean mask of rows meeting every condition (``Condition`` models from the config)."""
    mask = pd.Series(True, index=data.index)
    for cond in conditions:
        col = data[cond.column]
        v = cond.value
        op = cond.op
        if op == "is_missing":
            m = col.isna()
        elif op == "not_missing":
            m = col.notna()
        elif op in ("in", "not_in"):
            m = col.isin(v if isinstance(v, list) else [v])
            m = m if op == "in" else ~m
        else:
            lhs = col.astype(object) if isinstance(col.dtype, pd.CategoricalDtype) else col
            m = _OPS[op](lhs, v)
        mask &= m.fillna(False).astype(bool)
    return mask
