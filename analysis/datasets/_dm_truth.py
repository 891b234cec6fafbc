"""Truth of the synthetic twin (private helper of :mod:`analysis.datasets.dutasteride_mesotherapy`).

A small, independent implementation of the rules of ``docs/derivations.md`` applied to the clean
records of the twin (before any mess is rendered). Rows the pipeline must remove are marked in
``_plant`` and dropped here by the rule that removes them; duplicates exist only in the rendered
files. The result is what ``retro clean`` must produce from the raw export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.studyfile.config import Derivation, StudyConfig

#: Year 1 = sessions on days 0 to < 365.25 (docs/derivations.md, schedule_months_year1).
YEAR1_DAYS = 365.25
#: Assessment window of patients without a 12-month photograph: first session + 365 days.
NON_ASSESSABLE_WINDOW_DAYS = 365

PATIENT_COLUMNS = [
    "patient_id",
    "centre",
    "sex",
    "age_years",
    "baseline_grade",
    "n_exposures",
    "first_exposure_date",
    "last_exposure_date",
    "followup_months",
    "schedule_months_year1",
    "therapy_group",
    "is_response_assessable",
    "response_12m",
    "response_date_12m",
    "has_pain_teae",
    "is_discontinued",
    "discontinuation_date",
    "discontinuation_reason",
    "last_visit_date",
]
AE_COLUMNS = [
    "patient_id",
    "onset_date",
    "ae_term",
    "severity",
    "exposure_number",
    "duration_days",
    "is_serious",
    "action_taken",
]


def schedule_of(session_days: list[int], dpm: float, options: list[int]) -> int | None:
    """Snapped median interval (months) of the sessions on days 0 to < 365.25, or None.

    Parameters
    ----------
    session_days : days from the first session, sorted and unique.
    dpm : days per month.
    options : admissible schedules in months; ties snap to the smaller.

    Returns
    -------
    int or None
        None with fewer than two sessions in year 1.
    """
    year1 = [d for d in session_days if d < YEAR1_DAYS]
    if len(year1) < 2:
        return None
    med = float(np.median(np.diff(year1))) / dpm
    return min(options, key=lambda o: (abs(o - med), o))


def derive_truth(
    config: StudyConfig, tables: Mapping[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """Apply the cleaning and derivation rules to the clean records of the twin.

    Parameters
    ----------
    config : the study (``checks``, ``derive``, ``inclusion``).
    tables : clean canonical records per table with the ``_plant`` marks of
        :func:`analysis.datasets._mess.plant_mess`.

    Returns
    -------
    dict
        ``patients`` (included), ``excluded`` (patient_id, step) and ``adverse_events`` (TEAEs of
        included patients with ``exposure_number``).
    """
    d = config.derive
    pts = tables["patients"]
    conflict = sorted(pts.loc[pts["_plant"] == "conflict_copy", "patient_id"])
    pts = _range_checks(pts[~pts["patient_id"].isin(conflict)], "patients", config)
    sess = tables["exposures"]
    sess = sess[~sess["_plant"].isin(["orphan", "bad_date"])]
    con = tables["concomitant"]
    rule = config.groups["therapy_group"].concomitant_overlap
    assert rule is not None, "the reference twin's therapy group is a concomitant-overlap rule"
    con = con[(con["_plant"] != "invalid_stop") & con["drug"].isin(rule.treatments)]
    ae = _range_checks(tables["adverse_events"], "adverse_events", config)
    ae = ae[ae["_plant"] != "orphan"]
    photos = tables["assessments"]
    rows: list[dict[str, Any]] = []
    teae: list[dict[str, Any]] = []
    for p in pts.to_dict("records"):
        pid = p["patient_id"]
        dates = sorted(set(sess.loc[sess["patient_id"] == pid, "start_date"]))
        row = {str(k): v for k, v in p.items()} | {"n_exposures": len(dates)}
        if dates:
            row |= _derive_patient(
                row, dates, photos[photos["patient_id"] == pid], con[con["patient_id"] == pid], d
            )
            teae += _teae(ae[ae["patient_id"] == pid], dates, config.exposure.teae_days_after_last)
        rows.append(row)
    derived = pd.DataFrame(rows)
    step = pd.Series(None, index=derived.index, dtype="object")
    for crit in config.inclusion:
        ok = pd.Series(True, index=derived.index)
        for cond in crit.where:
            ok &= _condition(derived[cond.column], cond.op, cond.value)
        step = step.mask(step.isna() & ~ok, f"inclusion:{crit.id}")
    failed = step.notna()
    excluded = pd.concat(
        [
            pd.DataFrame({"patient_id": conflict, "step": "conflict"}),
            pd.DataFrame({"patient_id": derived.loc[failed, "patient_id"], "step": step[failed]}),
        ],
        ignore_index=True,
    ).sort_values("patient_id", ignore_index=True)
    included = derived[~failed].reset_index(drop=True)
    events = pd.DataFrame(teae)
    events = events[events["patient_id"].isin(included["patient_id"])]
    pain = set(events.loc[events["ae_term"] == "pain", "patient_id"])
    included["has_pain_teae"] = included["patient_id"].isin(pain)
    return {
        "patients": _tidy_patients(included),
        "excluded": excluded,
        "adverse_events": _tidy_ae(events),
    }


def _range_checks(df: pd.DataFrame, table: str, config: StudyConfig) -> pd.DataFrame:
    out = df.copy()
    for chk in config.checks:
        if chk.table != table or chk.column not in out:
            continue
        v = pd.to_numeric(out[chk.column], errors="coerce")
        bad = pd.Series(False, index=out.index)
        if chk.min is not None:
            bad |= v < chk.min
        if chk.max is not None:
            bad |= v > chk.max
        if chk.action != "set_missing" and bad.any():
            raise ValueError(f"synth plants no record that check {chk} would exclude")
        out[chk.column] = v.where(~bad)
    return out


def _derive_patient(
    p: Mapping[str, Any],
    dates: list[dt.date],
    photos: pd.DataFrame,
    con: pd.DataFrame,
    d: Derivation,
) -> dict[str, Any]:
    fs = dates[0]
    contact = [
        p["last_visit_date"],
        dates[-1],
        *photos["assessment_date"],
        p["discontinuation_date"],
    ]
    last = max(x for x in contact if isinstance(x, dt.date))
    lo, hi = (m * d.days_per_month for m in d.response_window_months)
    target = d.response_target_month * d.days_per_month
    inside = [
        (abs((x - fs).days - target), x, g)
        for x, g in zip(photos["assessment_date"], photos["response_grade"], strict=True)
        if lo <= (x - fs).days <= hi
    ]
    best = min(inside, key=lambda r: (r[0], r[1])) if inside else None
    end = best[1] if best else fs + dt.timedelta(days=NON_ASSESSABLE_WINDOW_DAYS)
    overlap = [
        s <= end and (not isinstance(e, dt.date) or e >= fs)
        for s, e in zip(con["start_date"], con["stop_date"], strict=True)
    ]
    return {
        "first_exposure_date": fs,
        "last_exposure_date": dates[-1],
        "followup_months": (last - fs).days / d.days_per_month,
        "schedule_months_year1": schedule_of(
            [(x - fs).days for x in dates], d.days_per_month, d.schedule_months or []
        ),
        "is_response_assessable": best is not None,
        "response_12m": best[2] if best else None,
        "response_date_12m": best[1] if best else None,
        "therapy_group": "combined" if any(overlap) else "monotherapy",
    }


def _teae(ae: pd.DataFrame, dates: list[dt.date], teae_days: int) -> list[dict[str, Any]]:
    horizon = dates[-1] + dt.timedelta(days=teae_days)
    out = []
    for e in ae.to_dict("records"):
        if dates[0] <= e["onset_date"] <= horizon:
            number = sum(x <= e["onset_date"] for x in dates)
            out.append({str(k): v for k, v in e.items()} | {"exposure_number": number or None})
    return out


def _condition(col: pd.Series, op: str, value: Any) -> pd.Series:
    ops = {
        ">=": col >= value,
        ">": col > value,
        "<=": col <= value,
        "<": col < value,
        "==": col == value,
        "!=": col != value,
    }
    if op not in ops:
        raise ValueError(f"synth supports inclusion ops {sorted(ops)}; found '{op}'")
    return ops[op].fillna(False).astype(bool)


def _tidy_patients(df: pd.DataFrame) -> pd.DataFrame:
    out = df[PATIENT_COLUMNS].copy()
    out["age_years"] = pd.to_numeric(out["age_years"], errors="coerce").astype(float)
    out["schedule_months_year1"] = out["schedule_months_year1"].astype("Int64")
    for c in ("is_response_assessable", "has_pain_teae", "is_discontinued"):
        out[c] = out[c].astype(bool)
    for c in PATIENT_COLUMNS:
        if "_date" in c:
            out[c] = pd.to_datetime(out[c])
    return out.sort_values("patient_id", ignore_index=True)


def _tidy_ae(df: pd.DataFrame) -> pd.DataFrame:
    out = df[AE_COLUMNS].copy()
    out["onset_date"] = pd.to_datetime(out["onset_date"])
    out["exposure_number"] = out["exposure_number"].astype("Int64")
    out["duration_days"] = pd.to_numeric(out["duration_days"]).astype(float)
    out["is_serious"] = out["is_serious"].astype("boolean")
    return out.sort_values(["patient_id", "onset_date", "ae_term"], ignore_index=True)
