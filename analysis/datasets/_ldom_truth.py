"""Targets and clean truth of the LDOM twin (private helper of ``low_dose_oral_minoxidil``).

The published numbers (abstract of Vañó-Galván et al., J Am Acad Dermatol 2021;84:1644-1651) and
the counts chosen for them, and a small implementation of the study's rules applied to the clean
records of the twin (before any mess is rendered): conflicting duplicate patients out, range
check of the age, dose periods per patient, follow-up, inclusion criteria, treatment-emergent
adverse events. :func:`check_targets` raises if the truth misses a published number.
See ``studies/low_dose_oral_minoxidil.reference.md`` for the choice of denominators.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

DAYS_PER_MONTH = 30.4375
TEAE_DAYS_AFTER_LAST = 30
TREATED_MONTHS_MIN = 3
AGE_RANGE = (1, 110)  # range check: ages outside are set missing

# ---- published (abstract) ---------------------------------------------------------------------
N_PATIENTS, N_WOMEN, N_MEN = 1404, 943, 461
AGE_MEAN, AGE_MIN, AGE_MAX = 43, 8, 86
N_TITRATED, N_CASES = 1065, 2469
#: term -> published percentage of the 1,404 patients (subject-level counting).
AE_PCT = {
    "hypertrichosis": 15.1,
    "lightheadedness": 1.7,
    "fluid retention": 1.3,
    "tachycardia": 0.9,
    "headache": 0.4,
    "periorbital edema": 0.3,
    "insomnia": 0.2,
}
#: term -> patients with the term (the count whose share of 1,404 rounds to AE_PCT).
AE_PATIENTS = {
    "hypertrichosis": 212,
    "lightheadedness": 24,
    "fluid retention": 18,
    "tachycardia": 13,
    "headache": 6,
    "periorbital edema": 4,
    "insomnia": 3,
}
SYSTEMIC = tuple(t for t in AE_PATIENTS if t != "hypertrichosis")
N_DISC_HYPERTRICHOSIS = 14  # "led to treatment withdrawal in 14 patients"
N_DISC_SYSTEMIC, PCT_DISC_SYSTEMIC = 29, 1.2  # "... in 29 patients (1.2%)", of 2,469 cases
PCT_DISC_AE = 1.7  # "only 1.7% of patients discontinued treatment owing to adverse effects"

# ---- assumed -----------------------------------------------------------------------------------
#: systemic term -> patients who stopped LDOM because of it (sums to N_DISC_SYSTEMIC).
DISC_SYSTEMIC = {
    "lightheadedness": 10,
    "fluid retention": 7,
    "tachycardia": 6,
    "headache": 3,
    "periorbital edema": 2,
    "insomnia": 1,
}
OTHER_AE = {"initial shedding": 30}
DISC_OTHER = {"lack of efficacy": 61, "cost": 22, "lost to follow-up": 38, "other": 17}
#: exclusion step -> patients planted on top of the 1,404.
EXCLUDED = {"conflict": 1, "inclusion:treated": 5, "inclusion:treated_3_months": 12}


def round1(x: float) -> float:
    """Round half up to one decimal, as a paper prints a percentage."""
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def derive_truth(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Apply the study's rules to the clean records of the twin.

    Parameters
    ----------
    tables : ``patients``, ``exposures`` and ``adverse_events`` as clean canonical records with
        the ``_plant`` marks (``conflict_copy``, ``orphan``).

    Returns
    -------
    dict
        ``patients`` (included, with ``n_exposures``, ``is_titrated``, ``followup_months``,
        ``therapy_group``), ``excluded`` (patient_id, step), ``exposures`` (periods of included
        patients) and ``adverse_events`` (treatment-emergent events of included patients).
    """
    pts = tables["patients"]
    conflict = sorted(set(pts.loc[pts["_plant"] == "conflict_copy", "patient_id"]))
    pts = pts[~pts["patient_id"].isin(conflict)].copy()
    age = pd.to_numeric(pts["age_years"], errors="coerce")
    pts["age_years"] = age.where(age.between(*AGE_RANGE))
    exp = tables["exposures"]
    exp = exp[exp["patient_id"].isin(pts["patient_id"]) & (exp["_plant"] != "orphan")]
    ae = tables["adverse_events"]
    rows: list[dict[str, Any]] = []
    teae: list[dict[str, Any]] = []
    for p in pts.to_dict("records"):
        mine = exp[exp["patient_id"] == p["patient_id"]].sort_values("start_date")
        row = {str(k): v for k, v in p.items()} | {"n_exposures": len(mine)}
        if len(mine):
            row |= _derive_patient(row, mine)
            events = ae[ae["patient_id"] == p["patient_id"]]
            teae += _teae(events, list(mine["start_date"]), row["_horizon"])
        rows.append(row)
    derived = pd.DataFrame(rows)
    step = pd.Series(None, index=derived.index, dtype="object")
    step = step.mask(derived["n_exposures"] < 1, "inclusion:treated")
    short = ~(derived["exposure_months"].fillna(-1) >= TREATED_MONTHS_MIN)
    step = step.mask(step.isna() & short, "inclusion:treated_3_months")
    failed = step.notna()
    excluded = pd.concat(
        [
            pd.DataFrame({"patient_id": conflict, "step": "conflict"}),
            pd.DataFrame({"patient_id": derived.loc[failed, "patient_id"], "step": step[failed]}),
        ],
        ignore_index=True,
    ).sort_values("patient_id", ignore_index=True)
    included = derived[~failed].copy()
    included["is_titrated"] = included["n_exposures"] >= 2
    included["therapy_group"] = included["has_topical_treatment"].map(
        {False: "monotherapy", True: "combined"}
    )
    keep = set(included["patient_id"])
    events = pd.DataFrame(teae)
    events = events[events["patient_id"].isin(keep)]
    cols = [c for c in included.columns if not c.startswith("_")]
    return {
        "patients": included[cols].sort_values("patient_id", ignore_index=True),
        "excluded": excluded,
        "exposures": exp[exp["patient_id"].isin(keep)]
        .drop(columns=["_plant", "_dups"])
        .sort_values(["patient_id", "start_date"], ignore_index=True),
        "adverse_events": events.drop(columns=["_plant"]).sort_values(
            ["patient_id", "onset_date", "ae_term"], ignore_index=True
        ),
    }


def _derive_patient(p: dict[str, Any], periods: pd.DataFrame) -> dict[str, Any]:
    starts = list(periods["start_date"])
    stops = [x for x in periods["stop_date"] if isinstance(x, dt.date)]
    contact = [p["last_visit_date"], *starts, *stops, p["discontinuation_date"]]
    last = max(x for x in contact if isinstance(x, dt.date))
    final_stop = periods["stop_date"].iloc[-1]
    end = final_stop if isinstance(final_stop, dt.date) else last
    return {
        "first_exposure_date": starts[0],
        "last_contact_date": last,
        "followup_months": (last - starts[0]).days / DAYS_PER_MONTH,
        "exposure_months": (end - starts[0]).days / DAYS_PER_MONTH,
        "_horizon": end + dt.timedelta(days=TEAE_DAYS_AFTER_LAST),
    }


def _teae(ae: pd.DataFrame, starts: list[dt.date], horizon: dt.date) -> list[dict[str, Any]]:
    out = []
    for e in ae.to_dict("records"):
        if starts[0] <= e["onset_date"] <= horizon:
            number = sum(s <= e["onset_date"] for s in starts)
            out.append({str(k): v for k, v in e.items()} | {"exposure_number": number})
    return out


def check_targets(truth: dict[str, pd.DataFrame]) -> None:
    """Raise ``RuntimeError`` naming every published number (or planned count) the truth misses."""
    pts, exp, ae, exc = (truth[k] for k in ("patients", "exposures", "adverse_events", "excluded"))
    miss: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            miss.append(what)

    n = len(pts)
    need(n == N_PATIENTS, f"{n} included patients, want {N_PATIENTS}")
    sex = pts["sex"].value_counts().to_dict()
    need(sex == {"female": N_WOMEN, "male": N_MEN}, f"sexes {sex}")
    need(round1(100 * N_WOMEN / n) == 67.2 and round1(100 * N_MEN / n) == 32.8, "sex shares")
    age = pts["age_years"].dropna()
    need(round(age.mean()) == AGE_MEAN, f"mean age {age.mean():.2f}")
    need((age.min(), age.max()) == (AGE_MIN, AGE_MAX), f"age range {age.min()}-{age.max()}")
    need(int(pts["is_titrated"].sum()) == N_TITRATED, "titrated patients")
    need(len(exp) == N_CASES, f"{len(exp)} dose periods, want {N_CASES}")
    subjects = ae.groupby("ae_term")["patient_id"].nunique().to_dict()
    for term, count in AE_PATIENTS.items():
        got = int(subjects.get(term, 0))
        need(got == count, f"{term}: {got} patients, want {count}")
        need(round1(100 * got / n) == AE_PCT[term], f"{term}: {100 * got / n:.2f}%")
    for term, count in OTHER_AE.items():
        need(int(subjects.get(term, 0)) == count, f"{term} patients")
    need(max(subjects, key=lambda t: subjects[t]) == "hypertrichosis", "most frequent AE")
    stopped = ae[ae["action_taken"] == "treatment discontinued"]
    per_patient = stopped.groupby("patient_id").size()
    need(bool((per_patient == 1).all()), "one discontinuing AE per patient")
    by_term = stopped.groupby("ae_term")["patient_id"].nunique().to_dict()
    need(by_term.get("hypertrichosis") == N_DISC_HYPERTRICHOSIS, "hypertrichosis withdrawals")
    n_sys = int(stopped["ae_term"].isin(SYSTEMIC).sum())
    need(n_sys == N_DISC_SYSTEMIC, f"{n_sys} systemic withdrawals")
    need({t: by_term.get(t, 0) for t in DISC_SYSTEMIC} == DISC_SYSTEMIC, "withdrawals by term")
    need(round1(100 * n_sys / len(exp)) == PCT_DISC_SYSTEMIC, "systemic withdrawals, % of cases")
    reasons = pts.loc[pts["is_discontinued"], "discontinuation_reason"].value_counts().to_dict()
    n_disc_ae = N_DISC_HYPERTRICHOSIS + N_DISC_SYSTEMIC
    need(reasons == DISC_OTHER | {"adverse event": n_disc_ae}, f"reasons {reasons}")
    need(
        set(stopped["patient_id"])
        == set(pts.loc[pts["discontinuation_reason"] == "adverse event", "patient_id"]),
        "AE discontinuers",
    )
    need(round1(100 * n_disc_ae / len(exp)) == PCT_DISC_AE, "AE discontinuations, % of cases")
    need(not (ae["severity"] == "severe").any(), "no severe (life-threatening) AE")
    steps = exc["step"].value_counts().to_dict()
    need(steps == EXCLUDED, f"exclusions {steps}")
    if miss:
        raise RuntimeError("synthetic LDOM twin misses a target: " + "; ".join(miss))
