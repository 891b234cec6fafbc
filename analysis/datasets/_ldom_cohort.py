"""Cohort of the LDOM twin on a day axis (private helper of ``low_dose_oral_minoxidil``).

One clean record per planted patient: role (``included`` or the exclusion step it is planted
for), sex, diagnosis, age, hypertension, topical co-treatment, dose periods (day 0 = start of the
first period), last contact, discontinuation and adverse events. Counts come from
``_ldom_truth``; the shares the paper does not give are the documented assumptions below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from analysis.datasets import _ldom_truth as T

Person = dict[str, Any]
Rng = np.random.Generator

EPOCH, DATA_CUT = dt.date(2015, 1, 1), dt.date(2020, 12, 31)
#: sex -> diagnosis -> included patients (assumed).
DIAGNOSES = {
    "female": {
        "female pattern hair loss": 575,
        "chronic telogen effluvium": 185,
        "frontal fibrosing alopecia": 75,
        "lichen planopilaris": 30,
        "alopecia areata": 28,
        "other": 50,
    },
    "male": {
        "male androgenetic alopecia": 405,
        "chronic telogen effluvium": 14,
        "frontal fibrosing alopecia": 6,
        "lichen planopilaris": 5,
        "alopecia areata": 21,
        "other": 10,
    },
}
#: diagnosis -> (mean, sd) of the age draw (assumed).
AGE = {
    "female pattern hair loss": (47, 12),
    "male androgenetic alopecia": (36, 10),
    "chronic telogen effluvium": (42, 11),
    "frontal fibrosing alopecia": (60, 9),
    "lichen planopilaris": (52, 10),
    "alopecia areata": (30, 14),
    "other": (40, 15),
}
LADDER = ("0.25 mg/day", "0.5 mg/day", "1 mg/day", "2.5 mg/day", "5 mg/day")
WEEKLY = "0.5 mg 3 times a week"
FIRST_DOSE = {
    "female": ({"0.25 mg/day": 0.10, "0.5 mg/day": 0.55, WEEKLY: 0.05, "1 mg/day": 0.30}),
    "male": ({"1 mg/day": 0.35, "2.5 mg/day": 0.45, "5 mg/day": 0.20}),
}
N_DOUBLE_HYPERTRICHOSIS = 12
NON_TEAE = ("hypertrichosis", "headache", "lightheadedness")
N_BLANK_AGES, IMPOSSIBLE_AGE = 2, 430
N_PATIENT_DUPS = 6  # included patients whose row is written twice (agreeing values)


def draw_cohort(rng: Rng) -> list[Person]:
    """Every planted patient, with ids ``LD-00001``... in order of first dose."""
    people = [
        _person("included", sex, dx)
        for sex, d in DIAGNOSES.items()
        for dx, n in d.items()
        for _ in range(n)
    ]
    for role, n in T.EXCLUDED.items():
        for _ in range(n):
            sex = "female" if rng.random() < 0.67 else "male"
            dxs = list(DIAGNOSES[sex])
            w = np.array(list(DIAGNOSES[sex].values()), dtype=float)
            people.append(_person(role, sex, str(rng.choice(dxs, p=w / w.sum()))))
    _ages(people, rng)
    inc = [p for p in people if p["role"] == "included"]
    for i in rng.choice(len(inc), T.N_TITRATED, replace=False):
        inc[int(i)]["titrated"] = True
    reasons = [f"adverse event:{t}" for t in ["hypertrichosis"] * T.N_DISC_HYPERTRICHOSIS]
    reasons += [f"adverse event:{t}" for t, n in T.DISC_SYSTEMIC.items() for _ in range(n)]
    reasons += [r for r, n in T.DISC_OTHER.items() for _ in range(n)]
    for i, r in zip(rng.choice(len(inc), len(reasons), replace=False), reasons, strict=True):
        inc[int(i)]["disc"], _, inc[int(i)]["disc_term"] = r.partition(":")
    for p in people:
        _timeline(p, rng)
    _adverse_events(people, rng)
    order = sorted(range(len(people)), key=lambda i: (people[i]["fs"], rng.random()))
    for n, i in enumerate(order, start=1):
        people[i]["id"] = f"LD-{n:05d}"
    for i in rng.choice(len(inc), N_PATIENT_DUPS, replace=False):
        inc[int(i)]["dups"] = 1
    return people


def _person(role: str, sex: str, dx: str) -> Person:
    return {"role": role, "sex": sex, "dx": dx, "titrated": False, "disc": None, "aes": []}


def _ages(people: list[Person], rng: Rng) -> None:
    """Ages by diagnosis; one child of 8 and one woman of 86; mean of the known ages -> 43."""
    for p in people:
        mean, sd = AGE[p["dx"]]
        p["age"] = int(
            np.clip(round(rng.normal(mean, sd)), 9 if p["dx"] == "alopecia areata" else 16, 85)
        )
    inc = [p for p in people if p["role"] == "included"]
    next(p for p in inc if p["dx"] == "alopecia areata")["age"] = T.AGE_MIN
    next(p for p in inc if p["dx"] == "frontal fibrosing alopecia")["age"] = T.AGE_MAX
    free = [p for p in inc if T.AGE_MIN < p["age"] < T.AGE_MAX]
    picks = rng.choice(len(free), N_BLANK_AGES + 1, replace=False)
    free[int(picks[0])]["age"] = IMPOSSIBLE_AGE
    for i in picks[1:]:
        free[int(i)]["age"] = None
    free = [p for p in free if p["age"] not in (None, IMPOSSIBLE_AGE)]
    for _ in range(5000):
        known = [p["age"] for p in inc if p["age"] not in (None, IMPOSSIBLE_AGE)]
        gap = float(np.mean(known)) - T.AGE_MEAN
        if abs(gap) < 0.2:
            break
        p = free[int(rng.integers(len(free)))]
        p["age"] = int(np.clip(p["age"] - np.sign(gap), 9, 85))
    for p in people:
        p["htn"] = p["age"] is not None and rng.random() < (0.15 if p["age"] >= 50 else 0.03)
        p["topical"] = bool(rng.random() < 0.45)


def _timeline(p: Person, rng: Rng) -> None:
    """Last contact, dose periods and discontinuation on the day axis."""
    role = p["role"]
    if role == "inclusion:treated_3_months":
        p["lv"] = int(rng.integers(20, 86))
        p["titrated"] = rng.random() < 0.25
        if rng.random() < 0.4:
            p["disc"] = str(rng.choice(["lost to follow-up", "other", "cost"]))
    else:
        p["lv"] = int(rng.integers(100, 1390)) if role != "inclusion:treated" else 0
    span = (DATA_CUT - EPOCH).days - p["lv"]
    p["fs"] = EPOCH + dt.timedelta(days=int(rng.integers(0, span)))
    p["periods"], p["switch"], p["disc_day"], p["down"] = [], None, None, False
    if role == "inclusion:treated":
        return
    lv = p["lv"]
    first = _draw(FIRST_DOSE[p["sex"]], rng)
    if p["titrated"]:
        p["switch"] = int(rng.integers(min(30, lv // 2), min(lv - 10, 365) + 1))
    if p["disc"] is not None:
        low = max(95 if role == "included" else 5, (p["switch"] or 0) + 14)
        p["disc_day"] = int(rng.integers(min(low, lv), lv + 1))
    end = p["disc_day"]
    if p["switch"] is None:
        p["periods"] = [(first, 0, end)]
        return
    if first == WEEKLY:
        second = "0.5 mg/day"
    else:
        k = LADDER.index(first)
        p["down"] = k == len(LADDER) - 1 or (k > 0 and rng.random() < 0.15)
        second = LADDER[k - 1] if p["down"] else LADDER[k + 1]
    p["periods"] = [(first, 0, p["switch"] - 1), (second, p["switch"], end)]


def _draw(weights: dict[str, float], rng: Rng) -> str:
    return str(rng.choice(list(weights), p=list(weights.values())))


def _end(p: Person) -> int:
    return int(p["disc_day"] if p["disc_day"] is not None else p["lv"])


def _add(
    p: Person, term: str, day: int | np.integer[Any], action: str, rng: Rng, plant: str = ""
) -> None:
    severity = "moderate" if rng.random() < (0.5 if action != "none" else 0.12) else "mild"
    p["aes"].append((term, int(day), severity, action, plant))


def _adverse_events(people: list[Person], rng: Rng) -> None:
    """Exactly the planned subjects per term, discontinuations, doubles and non-TEAE records."""
    inc = [p for p in people if p["role"] == "included"]
    for p in inc:
        if p["disc"] == "adverse event":
            onset = max(p["switch"] or 0, p["disc_day"] - int(rng.integers(0, 22)))
            _add(p, p["disc_term"], onset, "treatment discontinued", rng)
    terms = {**T.AE_PATIENTS, **T.OTHER_AE}
    for term, n in terms.items():
        have = [p for p in inc if any(e[0] == term for e in p["aes"])]
        cands = [p for p in inc if len(p["aes"]) < 2 and all(e[0] != term for e in p["aes"])]
        w = (
            np.array([3.0 if p["sex"] == "female" else 1.0 for p in cands])
            if term == "hypertrichosis"
            else np.ones(len(cands))
        )
        for i in rng.choice(len(cands), n - len(have), replace=False, p=w / w.sum()):
            p = cands[int(i)]
            end, sw = _end(p), p["switch"]
            if term != "hypertrichosis" and p["down"] and sw and rng.random() < 0.7:
                _add(p, term, rng.integers(max(0, sw - 60), sw), "dose reduction", rng)
                continue
            lo, hi = {"hypertrichosis": (20, 240), "initial shedding": (14, 90)}.get(term, (3, 120))
            if term == "hypertrichosis" and sw:
                hi = sw - 1  # in the first period, so that a second record can follow
            day = int(rng.integers(min(lo, hi, end), min(hi, end) + 1))
            _add(p, term, day, "none", rng)
    doubles = [
        p
        for p in inc
        if p["switch"]
        and len(p["aes"]) < 3
        and _end(p) > p["switch"] + 5
        and any(e[0] == "hypertrichosis" and e[3] == "none" for e in p["aes"])
    ]
    for i in rng.choice(len(doubles), N_DOUBLE_HYPERTRICHOSIS, replace=False):
        p = doubles[int(i)]
        _add(p, "hypertrichosis", rng.integers(p["switch"] + 1, _end(p) + 1), "none", rng)
    for term in NON_TEAE:
        cands = [p for p in inc if len(p["aes"]) < 3 and all(e[0] != term for e in p["aes"])]
        p = cands[int(rng.integers(len(cands)))]
        _add(p, term, -int(rng.integers(5, 61)), "none", rng, plant="non_teae")
    for p in people:
        if p["role"] in ("inclusion:treated_3_months", "conflict") and rng.random() < 0.3:
            _add(p, "hypertrichosis", rng.integers(0, _end(p) + 1), "none", rng)
