"""Synthetic twin of the dutasteride-mesotherapy study (Saceda-Corralo et al., JDD 2022).

:func:`build_twin` makes a deterministic, *messy* raw clinic export of two centres (an Excel
workbook with English labels and Spanish Latin-1 CSV files) together with the clean truth that the
rules of ``docs/derivations.md`` must recover from it; :func:`write_twin` writes the files.
No patient data is involved: every record is drawn from a seeded generator calibrated so that the
published aggregates come out exactly. The numbers the paper does not give are assumptions,
listed in ``data/README.md``.

The generator first builds one clean record per patient (role, sex, group, schedule, follow-up),
then sessions, photographs, concomitant treatments and adverse events on a day axis (day 0 = first
session), derives the truth with the documented rules, checks it against the targets below, and
only then renders the raw cells (``analysis.datasets._mess``).

Over 400 lines as one job: one twin's cohort and the calibration that makes its published
aggregates come out exactly, which only make sense read together.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.datasets import _mess as mess
from analysis.datasets._dm_truth import NON_ASSESSABLE_WINDOW_DAYS, derive_truth, schedule_of
from analysis.studyfile.config import Source, StudyConfig

Person = dict[str, Any]
Rng = np.random.Generator

LANGUAGE = {"Centre A": "en", "Centre B": "es"}
ID_PREFIX = {"Centre A": "HA", "Centre B": "HB"}
EPOCH, DATA_CUT = dt.date(2015, 9, 1), dt.date(2021, 12, 31)

RESPONSES = ("marked improvement", "mild improvement", "stabilization", "worsening")
#: (therapy group, sex) -> patients assessable at 12 months per response (order of RESPONSES).
ASSESSABLE = {
    ("monotherapy", "male"): (21, 22, 8, 1),
    ("monotherapy", "female"): (12, 14, 6, 2),
    ("combined", "male"): (66, 53, 18, 3),
    ("combined", "female"): (39, 37, 13, 2),
}
#: (therapy group, sex) -> included patients without a 12-month photograph.
NOT_ASSESSABLE = {
    ("monotherapy", "male"): 32,
    ("monotherapy", "female"): 22,
    ("combined", "male"): 98,
    ("combined", "female"): 72,
}
N_INCLUDED, N_CENTRE_A, N_PAIN = 541, 351, 246
#: exclusion step -> (centre A, centre B) patients planted on top of the 541.
EXCLUDED = {"conflict": (1, 1), "inclusion:treated": (4, 2), "inclusion:followup": (26, 14)}
#: intended schedule in year 1 (months; 0 = a single session in year 1) -> included patients.
SCHEDULES = {3: 314, 4: 76, 2: 54, 1: 43, 6: 43, 0: 11}
#: other adverse events: term -> included patients with at least one.
OTHER_AE = {
    "edema": 66,
    "burning": 43,
    "erythema": 33,
    "headache": 22,
    "pruritus": 12,
    "hematoma": 9,
    "paradoxical alopecia": 5,
    "acute dermatitis": 2,
}
#: term -> ((onset days after the session, low, high), (duration days, low, high)).
AE_TIMING = {
    "pain": ((0, 0), (0, 2)),
    "edema": ((1, 1), (1, 4)),
    "burning": ((0, 0), (1, 3)),
    "erythema": ((0, 1), (1, 3)),
    "headache": ((0, 1), (1, 2)),
    "pruritus": ((1, 3), (2, 7)),
    "hematoma": ((0, 1), (3, 7)),
    "paradoxical alopecia": ((14, 45), (3, 7)),
    "acute dermatitis": ((1, 3), (4, 7)),
}
DISCONTINUED = {"cost": 24, "lack of efficacy": 20, "lost to follow-up": 21, "other": 12}
N_DISCONTINUED_AE = 4
HAIR_LOSS = {
    "oral minoxidil": 0.40,
    "topical minoxidil": 0.25,
    "oral finasteride": 0.15,
    "platelet-rich plasma": 0.08,
    "oral dutasteride": 0.07,
    "low-level laser": 0.05,
}
SUPPLEMENTS = ("nutritional supplement", "vitamin D")
MONO_TRAPS = {"stopped_before": 10, "started_after": 6, "supplement": 15}
MALE_GRADES = {
    "HN II": 0.08,
    "HN III": 0.20,
    "HN III vertex": 0.15,
    "HN IV": 0.22,
    "HN V": 0.20,
    "HN VI": 0.10,
    "HN VII": 0.05,
}
FEMALE_GRADES = {"Ludwig I": 0.45, "Ludwig II": 0.40, "Ludwig III": 0.15}
#: Planted mess that the pipeline must remove or correct (counts).
PLANTS = {
    "patient_dups": 8,
    "session_dups": 25,
    "ae_dups": 10,
    "orphan_sessions": 3,
    "orphan_aes": 2,
    "invalid_stop": 2,
    "double_entry": 3,
    "age_blank": 3,
    "grade_blank": 4,
    "dose_na": 2,
    "non_teae_pain": 2,
}
IMPOSSIBLE_AGES = (7, 130)


@dataclass(frozen=True)
class Twin:
    """A synthetic raw export and the clean truth the pipeline must recover from it.

    Attributes
    ----------
    raw : source name -> the table exactly as written (raw headers; Excel cells for the workbook,
        strings for the CSV files).
    truth : ``"patients"`` (one row per included patient), ``"excluded"`` (patient_id, step) and
        ``"adverse_events"`` (treatment-emergent events of included patients).
    """

    raw: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class _Days:
    dpm: float
    lo: int  # first admissible day of a planted 12-month photo (3 days inside the window)
    hi: int
    target: float


def build_twin(config: StudyConfig) -> Twin:
    """Build the synthetic twin of the study described by ``config``.

    Parameters
    ----------
    config : the study; its vocabularies, sources and ``derive`` parameters shape the output and
        ``config.seed_for("synth")`` seeds the generator, so the same config gives the same twin.

    Returns
    -------
    Twin
        Raw tables per source and the truth tables.

    Raises
    ------
    RuntimeError
        If the truth derived with the documented rules misses a target or differs from the plan.
    ValueError
        If a label the generator writes does not map under the study vocabularies (a config
        whose synonyms no longer cover ``analysis.datasets._mess.PREFERRED``).
    """
    rng = np.random.default_rng(config.seed_for("synth"))
    d = config.derive
    lo, hi = d.response_window_months
    days = _Days(
        dpm=d.days_per_month,
        lo=math.ceil(lo * d.days_per_month + 3),
        hi=math.floor(hi * d.days_per_month - 3),
        target=d.response_target_month * d.days_per_month,
    )
    people = [_add_timeline(p, rng, days, config) for p in _draw_people(rng)]
    people = _add_double_entries(_assign_ids(people, rng), rng)
    tables = mess.plant_mess(
        _clean_tables(people, rng, days),
        people,
        rng,
        plants=PLANTS,
        impossible_ages=IMPOSSIBLE_AGES,
        id_prefix=ID_PREFIX,
    )
    truth = derive_truth(config, tables)
    _check_against_plan(truth, people)
    _check_targets(truth)
    raw: dict[str, pd.DataFrame] = {}
    for source in config.sources:
        centre = _source_centre(config, source)
        book = mess.label_book(config, source, LANGUAGE[centre])
        records = tables[source.table]
        frame = mess.render_table(records[records["centre"] == centre], source, book, config, rng)
        mess.check_raw_labels(frame, source, book, config)
        raw[source.name] = frame
    return Twin(raw=raw, truth=truth)


def write_twin(config: StudyConfig, out_dir: Path | None = None) -> list[Path]:
    """Write the raw files of the synthetic twin.

    Parameters
    ----------
    config : the study.
    out_dir : destination folder; ``config.raw_dir`` by default. ``sources[].file`` paths are
        relative to it. Workbooks have fixed timestamps, so the same config gives identical bytes.

    Returns
    -------
    list of Path
        The files written, sorted.
    """
    twin = build_twin(config)
    out = Path(out_dir) if out_dir is not None else config.raw_dir
    by_file: dict[str, list[Source]] = {}
    for source in config.sources:
        by_file.setdefault(source.file, []).append(source)
    written = []
    for file, sources in by_file.items():
        if sources[0].inferred_format == "xlsx":
            sheets = [(s.sheet or s.name, twin.raw[s.name]) for s in sources]
            data = mess.xlsx_bytes(sheets)
        elif sources[0].inferred_format == "csv" and len(sources) == 1:
            src = sources[0]
            data = mess.csv_bytes(
                twin.raw[src.name], delimiter=src.delimiter or ",", encoding=src.encoding or "utf-8"
            )
        else:
            raise ValueError(f"synth writes .xlsx sheets or one table per CSV file; found {file}")
        written.append(mess.write_bytes(out / file, data))
    return sorted(written)


# ----------------------------------------------------------------------------- cohort
def _draw_people(rng: Rng) -> list[Person]:
    """One record per planted patient: role, centre, sex, group, schedule, age, grade."""
    people: list[Person] = []
    for (therapy, sex), counts in ASSESSABLE.items():
        for level, n in zip(RESPONSES, counts, strict=True):
            people += [_person("included", therapy, sex, "yes", level) for _ in range(n)]
    for (therapy, sex), n in NOT_ASSESSABLE.items():
        people += [_person("included", therapy, sex, ("short", "long")[i % 2]) for i in range(n)]
    centres = np.array(["Centre A"] * N_CENTRE_A + ["Centre B"] * (len(people) - N_CENTRE_A))
    schedules = np.repeat(list(SCHEDULES), list(SCHEDULES.values()))
    weights = np.array([3.0 if p["assess"] == "short" else 1.0 for p in people])
    quitters = rng.choice(
        len(people),
        sum(DISCONTINUED.values()) + N_DISCONTINUED_AE,
        replace=False,
        p=weights / weights.sum(),
    )
    reasons = [r for r, n in DISCONTINUED.items() for _ in range(n)]
    reasons += ["adverse event"] * N_DISCONTINUED_AE
    reasons = [reasons[i] for i in rng.permutation(len(reasons))]
    for p, c, k in zip(people, rng.permutation(centres), rng.permutation(schedules), strict=True):
        p.update(centre=str(c), k=int(k))
    for i, reason in zip(quitters, reasons, strict=True):
        people[int(i)]["disc"] = reason
    assess_of = {"conflict": "long", "inclusion:treated": "none", "inclusion:followup": "excl"}
    for role, per_centre in EXCLUDED.items():
        for centre, n in zip(("Centre A", "Centre B"), per_centre, strict=True):
            for _ in range(n):
                sex = "male" if rng.random() < 0.6 else "female"
                therapy = "combined" if rng.random() < 0.7 else "monotherapy"
                p = _person(role, therapy, sex, assess_of[role])
                p.update(centre=centre, k=int(rng.choice(list(SCHEDULES)[:5])))
                if role == "inclusion:followup" and rng.random() < 0.45:
                    p["disc"] = str(rng.choice(["lost to follow-up", "cost", "other"]))
                people.append(p)
    for p in people:
        male = p["sex"] == "male"
        mean, sd, low, high = (38, 10, 18, 70) if male else (55, 8, 45, 80)
        p["age"] = int(np.clip(round(rng.normal(mean, sd)), low, high))
        grades = MALE_GRADES if male else FEMALE_GRADES
        p["grade"] = str(rng.choice(list(grades), p=list(grades.values())))
    return people


def _person(role: str, therapy: str, sex: str, assess: str, response: str | None = None) -> Person:
    return {
        "role": role,
        "therapy": therapy,
        "sex": sex,
        "assess": assess,
        "response": response,
        "disc": None,
    }


def _add_timeline(p: Person, rng: Rng, days: _Days, config: StudyConfig) -> Person:
    """Last visit, photographs, sessions and discontinuation on the day axis (day 0 = session 1)."""
    photos, lv, resp_day = _photos(p, rng, days)
    sessions = (
        _session_days(p, lv, rng, days, config.derive.schedule_months or [])
        if p["assess"] != "none"
        else []
    )
    disc_day = None
    if p["disc"] is not None and sessions:
        last = sessions[-1]
        high = min(last + 45, lv) if p["disc"] == "adverse event" else lv
        disc_day = int(rng.integers(min(last + 7, high), high + 1))
    elif p["disc"] is not None:
        disc_day = int(rng.integers(0, lv + 1))
    span = (DATA_CUT - EPOCH).days - lv - 1
    fs = EPOCH + dt.timedelta(days=int(rng.integers(0, span)))
    fv = fs - dt.timedelta(days=int(rng.integers(0, 91)))
    return p | {
        "photos": photos,
        "lv": lv,
        "resp_day": resp_day,
        "exposures": sessions,
        "disc_day": disc_day,
        "fs": fs,
        "fv": fv,
    }


def _photos(p: Person, rng: Rng, days: _Days) -> tuple[list[tuple[int, str]], int, int | None]:
    """Global-photograph assessments, last visit (days) and the planted 12-month photo day."""
    kind, photos, resp_day = p["assess"], [], None
    if kind == "yes":
        if rng.random() < 0.1:  # two photographs inside the window, the planted one is closer
            resp_day = int(rng.integers(352, 379))
            other = int(
                rng.integers(days.lo, 331) if rng.random() < 0.5 else rng.integers(400, days.hi + 1)
            )
            photos.append((other, str(rng.choice(RESPONSES))))
        else:
            resp_day = int(np.clip(round(rng.normal(days.target, 12)), days.lo, days.hi))
        photos.append((resp_day, p["response"]))
        lv = max(int(rng.integers(366, 1462)), *(d for d, _ in photos))
    else:
        low, high = {"short": (198, 295), "long": (320, 1461), "excl": (25, 173), "none": (0, 60)}[
            kind
        ]
        lv = int(rng.integers(low, high + 1))
    early = {"yes": 0.30, "short": 0.50, "long": 0.35}.get(kind, 0.0)
    if rng.random() < early:
        photos.append((int(rng.integers(165, min(201, lv) + 1)), _interim_grade(rng)))
    if kind in ("yes", "long") and lv >= 761 and rng.random() < 0.3:
        photos.append((int(rng.integers(700, 761)), _interim_grade(rng)))
    if kind == "excl" and rng.random() < 0.25:
        photos.append((int(rng.integers(min(60, lv), lv + 1)), _interim_grade(rng)))
    return sorted(photos), lv, resp_day


def _interim_grade(rng: Rng) -> str:
    return str(rng.choice(RESPONSES, p=[0.15, 0.40, 0.38, 0.07]))


def _session_days(p: Person, lv: int, rng: Rng, days: _Days, options: list[int]) -> list[int]:
    """Session days: the year-1 schedule (with jitter) then maintenance every 3-6 months."""
    k = p["k"]
    quits = p["disc"] is not None
    hi = lv - 7 if quits else lv
    end = max(hi - int(rng.integers(14, 150)) if quits else hi - int(rng.integers(0, 60)), 0)
    want = k or None
    for _ in range(100):
        monthly3 = k == 3 and end >= 345 and rng.random() < 0.25
        nominal = _nominal_year1(k, monthly3, rng, days.dpm)
        sess = [0] + [round(t) + int(rng.integers(-6, 7)) for t in nominal[1:]]
        t = max(sess[-1] + int(rng.integers(91, 184)), 370 if k else 380)
        while t <= end:
            sess.append(t)
            t += int(rng.integers(91, 184))
        keep = [s for s in sess if s <= end]
        if want is not None and len(keep) < 2 and len(sess) > 1 and sess[1] <= hi:
            keep = sess[:2]
        if p["role"] != "included" or schedule_of(keep, days.dpm, options) == want:
            return keep
    raise RuntimeError(f"could not draw a year-1 schedule of {k} months for {p}")


def _nominal_year1(k: int, monthly3: bool, rng: Rng, dpm: float) -> list[float]:
    if k == 0:
        return [0.0]
    if k == 1:
        nominal, step = [i * dpm for i in range(int(rng.integers(6, 13)))], 3 * dpm
    elif monthly3:  # monthly x3 then every 3 months: the median interval is still 3 months
        nominal, step = [0.0, dpm, 2 * dpm], 3 * dpm
    else:
        nominal, step = [0.0], k * dpm
    t = nominal[-1] + step
    while t < 358:
        nominal.append(t)
        t += step
    return nominal


def _assign_ids(people: list[Person], rng: Rng) -> list[Person]:
    """Chronological clinic numbers per centre: HA-0001..., HB-0001..."""
    out = [dict(p) for p in people]
    for centre, prefix in ID_PREFIX.items():
        mine = sorted(
            (p["fv"], rng.random(), i) for i, p in enumerate(out) if p["centre"] == centre
        )
        for n, (_, _, i) in enumerate(mine, start=1):
            out[i]["id"] = f"{prefix}-{n:04d}"
    return out


def _add_double_entries(people: list[Person], rng: Rng) -> list[Person]:
    """Three included patients get a second session 3-6 days after one in year 2+ (kept)."""
    out = [dict(p) for p in people]
    cands = [
        i
        for i, p in enumerate(out)
        if p["role"] == "included" and sum(s > 370 for s in p["exposures"][:-1]) >= 1
    ]
    for i in rng.choice(cands, PLANTS["double_entry"], replace=False):
        sess = list(out[int(i)]["exposures"])
        j = int(rng.choice([j for j, s in enumerate(sess[:-1]) if s > 370]))
        sess.insert(j + 1, sess[j] + int(rng.integers(3, 7)))
        out[int(i)]["exposures"] = sess
    return out


# ----------------------------------------------------------------------------- tables
def _clean_tables(people: list[Person], rng: Rng, days: _Days) -> dict[str, pd.DataFrame]:
    """Canonical records of every planted patient (dates as ``datetime.date``)."""
    pts, sess, aes, con, ass = [], [], [], [], []
    for p in people:
        fs = p["fs"]
        pts.append(
            {
                "patient_id": p["id"],
                "centre": p["centre"],
                "sex": p["sex"],
                "age_years": p["age"],
                "baseline_grade": p["grade"],
                "first_visit_date": p["fv"],
                "last_visit_date": _at(fs, p["lv"]),
                "is_discontinued": p["disc"] is not None,
                "discontinuation_date": _at(fs, p["disc_day"]),
                "discontinuation_reason": p["disc"],
            }
        )
        vol = (
            1.0
            if p["centre"] == "Centre A"
            else float(rng.choice([1.0, 1.5, 2.0], p=[0.5, 0.2, 0.3]))
        )
        conc = 0.01 if p["centre"] == "Centre A" else 0.05
        for s in p["exposures"]:
            dose = None if rng.random() < 0.03 else round(conc * 10 * vol, 3)
            sess.append(
                {
                    "patient_id": p["id"],
                    "centre": p["centre"],
                    "start_date": _at(fs, s),
                    "dose_mg": dose,
                    "concentration_pct": conc,
                    "volume_ml": vol,
                }
            )
        ass += [
            {
                "patient_id": p["id"],
                "centre": p["centre"],
                "assessment_date": _at(fs, d),
                "response_grade": g,
            }
            for d, g in p["photos"]
        ]
    con = _concomitant(people, rng, days)
    aes = _adverse_events(people, rng)
    frames = {
        "patients": pts,
        "exposures": sess,
        "adverse_events": aes,
        "concomitant": con,
        "assessments": ass,
    }
    return {k: pd.DataFrame(v).assign(_plant="", _dups=0) for k, v in frames.items()}


def _at(fs: dt.date, day: int | None) -> dt.date | None:
    return None if day is None else fs + dt.timedelta(days=int(day))


def _concomitant(people: list[Person], rng: Rng, days: _Days) -> list[dict[str, Any]]:
    """Hair-loss drugs overlapping the window for combined patients; traps for monotherapy."""
    rows: list[dict[str, Any]] = []
    mono = [p for p in people if p["role"] == "included" and p["therapy"] == "monotherapy"]
    traps: dict[str, str] = {}
    after_min = math.ceil(16 * days.dpm)
    late = [p["id"] for p in mono if p["lv"] >= max(_window_end(p), after_min) + 44]
    for pid in rng.choice(late, MONO_TRAPS["started_after"], replace=False):
        traps[str(pid)] = "started_after"
    rest = [p["id"] for p in mono if p["id"] not in traps]
    picked = rng.choice(
        rest, MONO_TRAPS["stopped_before"] + MONO_TRAPS["supplement"], replace=False
    )
    for n, pid in enumerate(picked):
        traps[str(pid)] = "stopped_before" if n < MONO_TRAPS["stopped_before"] else "supplement"
    drugs, weights = list(HAIR_LOSS), list(HAIR_LOSS.values())

    def add(p: Person, drug: str, start: int, stop: int | None) -> None:
        rows.append(
            {
                "patient_id": p["id"],
                "centre": p["centre"],
                "drug": drug,
                "start_date": _at(p["fs"], start),
                "stop_date": _at(p["fs"], stop),
            }
        )

    for p in people:
        lv, we = p["lv"], _window_end(p)
        trap = traps.get(p["id"])
        if p["role"] == "inclusion:treated":
            continue
        if p["therapy"] == "combined":
            first = str(rng.choice(drugs, p=weights))
            before = rng.random() < 0.65
            start = (
                -int(rng.integers(30, 1001))
                if before
                else int(rng.integers(0, max(min(we, lv) - 14, 1)))
            )
            lo = max(start, 0) + 30
            stop = int(rng.integers(lo, lv + 1)) if rng.random() < 0.45 and lo <= lv else None
            add(p, first, start, stop)
            if rng.random() < 0.25:
                second = str(rng.choice([d for d in drugs if d != first]))
                s2 = int(rng.integers(-700, lv + 1))
                add(p, second, s2, None if rng.random() < 0.6 else s2 + int(rng.integers(60, 401)))
        elif trap == "stopped_before":
            add(
                p,
                str(rng.choice(drugs, p=weights)),
                -int(rng.integers(200, 1201)),
                -int(rng.integers(7, 181)),
            )
        elif trap == "started_after":
            low = max(we, after_min) + 14
            add(p, str(rng.choice(drugs, p=weights)), int(rng.integers(low, lv + 1)), None)
        if trap == "supplement" or (p["therapy"] == "combined" and rng.random() < 0.1):
            start = int(rng.integers(-400, 201))
            stop = None if rng.random() < 0.7 else start + int(rng.integers(60, 301))
            add(p, str(rng.choice(SUPPLEMENTS)), start, stop)
    return rows


def _window_end(p: Person) -> int:
    return int(p["resp_day"]) if p.get("resp_day") is not None else NON_ASSESSABLE_WINDOW_DAYS


def _adverse_events(people: list[Person], rng: Rng) -> list[dict[str, Any]]:
    """Pain in exactly N_PAIN included patients, other terms, AE discontinuations, non-TEAE pain."""
    inc = [p for p in people if p["role"] == "included"]
    events: list[tuple[Person, str, int, str]] = []  # person, term, onset day, action
    pain = set(int(i) for i in rng.choice(len(inc), N_PAIN, replace=False))
    for i in sorted(pain):
        p = inc[i]
        n = min(len(p["exposures"]), int(rng.choice([1, 2, 3], p=[0.6, 0.28, 0.12])))
        for j in sorted(rng.choice(len(p["exposures"]), n, replace=False)):
            events.append((p, "pain", p["exposures"][int(j)], _action(rng)))
    for term, n in OTHER_AE.items():
        for i in rng.choice(len(inc), n, replace=False):
            p = inc[int(i)]
            j = _ae_session(term, p, rng)
            events.append((p, term, _onset(p, term, j, rng), _action(rng)))
            if term == "edema" and j == 0 and len(p["exposures"]) > 1 and rng.random() < 0.15:
                events.append((p, term, _onset(p, term, 1, rng), _action(rng)))
    for i, p in enumerate(inc):
        if p["disc"] == "adverse event":
            term = "pain" if i in pain else str(rng.choice(["headache", "burning", "erythema"]))
            last = len(p["exposures"]) - 1
            events.append((p, term, p["exposures"][last], "treatment discontinued"))
    for i in rng.choice(
        sorted(set(range(len(inc))) - pain), PLANTS["non_teae_pain"], replace=False
    ):
        events.append((inc[int(i)], "pain", -int(rng.integers(5, 21)), "none"))
    for p in people:
        if p["role"] in ("inclusion:followup", "conflict") and p["exposures"]:
            for term, prob in (("pain", 0.4), ("edema", 0.15)):
                if rng.random() < prob:
                    events.append((p, term, _onset(p, term, 0, rng), _action(rng)))
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, str], int] = {}
    for p, term, day, action in events:
        key = (p["id"], day, term)
        if key in seen:  # one record per (patient, onset, term); the discontinuation one wins
            if action == "treatment discontinued":
                rows[seen[key]]["action_taken"] = action
            continue
        seen[key] = len(rows)
        rows.append(_ae_row(p, term, day, action, rng))
    return rows


def _ae_session(term: str, p: Person, rng: Rng) -> int:
    n = len(p["exposures"])
    if term == "edema":
        j = int(rng.choice([0, 1, int(rng.integers(n))], p=[0.65, 0.25, 0.10]))
    elif term == "paradoxical alopecia":
        j = int(rng.integers(2))
    else:
        j = int(rng.integers(n))
    j = min(j, n - 1)
    return j if p["exposures"][j] + AE_TIMING[term][0][1] <= p["lv"] else 0


def _onset(p: Person, term: str, j: int, rng: Rng) -> int:
    low, high = AE_TIMING[term][0]
    return int(p["exposures"][j]) + int(rng.integers(low, high + 1))


def _action(rng: Rng) -> str:
    return "symptomatic treatment" if rng.random() < 0.1 else "none"


def _ae_row(p: Person, term: str, day: int, action: str, rng: Rng) -> dict[str, Any]:
    low, high = AE_TIMING[term][1]
    return {
        "patient_id": p["id"],
        "centre": p["centre"],
        "onset_date": _at(p["fs"], day),
        "ae_term": term,
        "severity": "moderate" if rng.random() < 0.03 else "mild",
        "duration_days": None if rng.random() < 0.05 else int(rng.integers(low, high + 1)),
        "is_serious": None if rng.random() < 0.08 else False,
        "action_taken": action,
    }


# ----------------------------------------------------------------------------- sources
def _source_centre(config: StudyConfig, source: Source) -> str:
    """The centre of a source: the ``centre`` constant of the patients source in its folder."""
    folder = Path(source.file).parent
    for s in config.sources_for("patients"):
        if Path(s.file).parent == folder and "centre" in s.constants:
            return s.constants["centre"]
    raise ValueError(f"source '{source.name}': no patients source with a centre in {folder}")


# ----------------------------------------------------------------------------- checks
def _require(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"synthetic twin misses a target: {what}")


def _check_against_plan(truth: dict[str, pd.DataFrame], people: list[Person]) -> None:
    """The rules must give back what was planted: role, group, response and schedule."""
    plan = {p["id"]: p for p in people}
    steps = dict(zip(truth["excluded"]["patient_id"], truth["excluded"]["step"], strict=True))
    for pid, p in plan.items():
        _require(
            steps.get(pid, "included") == p["role"],
            f"{pid} planted {p['role']}, got {steps.get(pid)}",
        )
    for r in truth["patients"].to_dict("records"):
        p = plan[r["patient_id"]]
        got = (
            r["therapy_group"],
            r["is_response_assessable"],
            r["response_12m"],
            r["schedule_months_year1"],
        )
        want = (p["therapy"], p["assess"] == "yes", p["response"], p["k"] or pd.NA)
        _require(all(map(_same, got, want)), f"{r['patient_id']}: {got} != planned {want}")


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or a is pd.NA or b is pd.NA:
        return (a is None or a is pd.NA) and (b is None or b is pd.NA)
    return bool(a == b)


def _check_targets(truth: dict[str, pd.DataFrame]) -> None:
    """Counts from the truth equal the published numbers and the documented assumptions."""
    pts, ae, exc = truth["patients"], truth["adverse_events"], truth["excluded"]
    _require(len(pts) == N_INCLUDED, f"{len(pts)} included patients")
    assessable = pts[pts["is_response_assessable"]]
    for (group, sex), counts in ASSESSABLE.items():
        sub = assessable[(assessable["therapy_group"] == group) & (assessable["sex"] == sex)]
        got = tuple(int((sub["response_12m"] == r).sum()) for r in RESPONSES)
        _require(got == counts, f"{group}/{sex} responses {got} != {counts}")
    _require(int(pts["has_pain_teae"].sum()) == N_PAIN, "patients with treatment-emergent pain")
    _require(
        not ae["ae_term"].isin(["decreased libido", "erectile dysfunction"]).any(), "sexual AEs"
    )
    serious = bool(ae["is_serious"].fillna(False).any())
    _require(not serious and bool((ae["severity"] != "severe").all()), "serious or severe AEs")
    _require(dict(Counter(exc["step"])) == {k: sum(v) for k, v in EXCLUDED.items()}, "exclusions")
    schedules = pts["schedule_months_year1"].fillna(0).astype(int).value_counts()
    _require(schedules.to_dict() == SCHEDULES, f"schedules {schedules.to_dict()}")
    _require(int((pts["centre"] == "Centre A").sum()) == N_CENTRE_A, "centre A patients")
