"""Synthetic twin of the LDOM safety study (Vañó-Galván et al., J Am Acad Dermatol 2021).

:func:`build_twin` makes a deterministic, *messy* raw export of a multicentre hair-clinic
registry, one Excel workbook ``exportacao_ldom.xlsx`` with Portuguese labels, together with the
clean truth the pipeline must recover from it; :func:`write_twin` writes the workbook (fixed zip
timestamps: identical bytes on every run). No patient data is involved: every record is drawn from
a generator seeded by ``study.seed`` and calibrated so that the published aggregates (abstract:
1,404 patients, 943 women, mean age 43 (8-86), 1,065 titrated, 2,469 patient-dose cases, seven
adverse-effect rates, 14 + 29 discontinuations for adverse effects) come out exactly. Targets,
denominators and assumptions: ``studies/low_dose_oral_minoxidil.reference.md``.

Layout
    Sheet ``Pacientes``: one row per patient (``Nº processo``, ``Sexo``, ``Idade``,
    ``Diagnóstico``, ``Hipertensão``, ``Tratamento tópico associado``, ``Última consulta``,
    ``Suspensão``, ``Data suspensão``, ``Motivo suspensão``) then three repeated adverse-event
    groups (``Efeito adverso i``, ``Data EA i``, ``Gravidade EA i``, ``Ação EA i``, blank where
    none). Sheet ``Doses``: one row per dose period (``Nº processo``, ``Dose`` as text,
    ``Início``, ``Fim`` blank while the period is ongoing). Day 0 = start of the first period.

Planted mess (the pipeline must remove or correct it; counts in ``_ldom_truth.EXCLUDED`` and
:data:`PLANTS`)
    - 5 patients without any dose period (``inclusion:treated``);
    - 12 patients whose last contact is 20-85 days after day 0 (``inclusion:treated_3_months``, < 3 months of treatment);
    - 1 patient written twice with a different ``Sexo`` (``conflict``; its dose rows are orphans);
    - 6 patient rows written twice with agreeing values (re-cased labels, re-rendered dates): the
      copies are duplicates, and so are the adverse events in their columns;
    - 8 dose rows written twice with identical cells; 2 dose rows of unknown patients (orphans);
    - 1 impossible age (430, set missing by the range check 1-110) and 2 blank ages;
    - 3 adverse events with onset before day 0 (not treatment-emergent, not counted);
    - 12 patients with hypertrichosis recorded in both dose periods (counted once);
    - blank ``Fim`` for every ongoing dose period; ~5% text dates among Excel date cells;
      identifiers with a leading or trailing blank; labels with random case, dropped accents and
      extra spaces, written as Portuguese synonyms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.dose import parse_dose
from analysis.datasets import _ldom_truth as T
from analysis.datasets import _mess as mess
from analysis.datasets._ldom_cohort import N_PATIENT_DUPS, Person, draw_cohort
from analysis.datasets._ldom_labels import (
    AE_HEADERS,
    DOSE_HEADERS,
    DOSE_SHEET,
    FILE,
    N_AE_SLOTS,
    PATIENT_HEADERS,
    PATIENT_SHEET,
    PREFERRED,
    VOCABULARY_OF,
    patient_headers,
)
from analysis.studyfile.text import normalize_label

Rng = np.random.Generator
#: Planted mess besides the excluded patients (counts).
PLANTS = {"patient_dups": N_PATIENT_DUPS, "dose_dups": 8, "orphan_doses": 2, "leading_blank_ids": 5}
ORPHAN_IDS = ("LD-09901", "LD-09902")


@dataclass(frozen=True)
class Twin:
    """A synthetic raw export and the clean truth the pipeline must recover from it.

    Attributes
    ----------
    raw : sheet name (``Pacientes``, ``Doses``) -> the sheet as written (raw headers, Excel cells).
    truth : ``patients`` (included), ``excluded`` (patient_id, step), ``exposures`` (dose periods
        of included patients) and ``adverse_events`` (treatment-emergent, included patients).
    """

    raw: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]


def build_twin(config: Any) -> Twin:
    """Build the twin of the study described by ``config``.

    Parameters
    ----------
    config : the study (``StudyConfig`` of ``studies/low_dose_oral_minoxidil.yaml``): ``config.study.seed`` seeds the generator and every label written must
        map to its level under ``config.vocabularies``.

    Raises
    ------
    RuntimeError
        If the truth derived from the clean records misses a published number or the plan.
    ValueError
        If a label drawn does not map under the study vocabularies.
    """
    digest = hashlib.sha256(f"{config.study.seed}:synth".encode()).hexdigest()
    rng = np.random.default_rng(int(digest[:8], 16))
    people = draw_cohort(rng)
    tables = _clean_tables(people, rng)
    truth = T.derive_truth(tables)
    _check_against_plan(truth, people)
    T.check_targets(truth)
    maps = _label_maps(config)
    raw = {
        PATIENT_SHEET: _render_patients(tables, maps, rng),
        DOSE_SHEET: _render_doses(tables["exposures"], maps, rng),
    }
    return Twin(raw=raw, truth=truth)


def write_twin(config: Any, out_dir: Path | None = None) -> list[Path]:
    """Write ``exportacao_ldom.xlsx`` to ``out_dir`` (``config.raw_dir`` by default).

    Returns
    -------
    list of Path
        The files written, sorted.
    """
    twin = build_twin(config)
    out = Path(out_dir) if out_dir is not None else Path(config.raw_dir)
    data = mess.xlsx_bytes([(name, twin.raw[name]) for name in (PATIENT_SHEET, DOSE_SHEET)])
    return [mess.write_bytes(out / FILE, data)]


# ----------------------------------------------------------------------------- clean records
def _clean_tables(people: list[Person], rng: Rng) -> dict[str, pd.DataFrame]:
    """Canonical records of every planted patient (dates as ``datetime.date``), with plants."""
    pts, exp, aes = [], [], []
    for p in people:
        fs = p["fs"]
        rec = {
            "patient_id": p["id"],
            "sex": p["sex"],
            "age_years": p["age"],
            "diagnosis": p["dx"],
            "has_hypertension": p["htn"],
            "has_topical_treatment": p["topical"],
            "last_visit_date": _at(fs, p["lv"]),
            "is_discontinued": p["disc"] is not None,
            "discontinuation_date": _at(fs, p["disc_day"]),
            "discontinuation_reason": p["disc"],
            "_plant": "",
            "_dups": int(p.get("dups", 0)),
        }
        pts.append(rec)
        if p["role"] == "conflict":
            flipped = "male" if p["sex"] == "female" else "female"
            pts.append(rec | {"sex": flipped, "_plant": "conflict_copy", "_dups": 0})
        for dose, start, stop in p["periods"]:
            exp.append(
                {
                    "patient_id": p["id"],
                    "dose_text": dose,
                    "start_date": _at(fs, start),
                    "stop_date": _at(fs, stop),
                    "_plant": "",
                    "_dups": 0,
                }
            )
        for term, day, severity, action, plant in p["aes"]:
            aes.append(
                {
                    "patient_id": p["id"],
                    "ae_term": term,
                    "onset_date": _at(fs, day),
                    "severity": severity,
                    "action_taken": action,
                    "_plant": plant,
                }
            )
    e = pd.DataFrame(exp)
    inc = np.flatnonzero(e["patient_id"].isin([p["id"] for p in people if p["role"] == "included"]))
    e.loc[rng.choice(inc, PLANTS["dose_dups"], replace=False), "_dups"] = 1
    orphans = e.iloc[rng.choice(len(e), PLANTS["orphan_doses"], replace=False)].copy()
    orphans["patient_id"], orphans["_plant"] = list(ORPHAN_IDS), "orphan"
    return {
        "patients": pd.DataFrame(pts),
        "exposures": pd.concat([e, orphans], ignore_index=True),
        "adverse_events": pd.DataFrame(aes),
    }


def _at(fs: dt.date, day: int | None) -> dt.date | None:
    return None if day is None else fs + dt.timedelta(days=int(day))


# ----------------------------------------------------------------------------- rendering
def _label_maps(config: Any) -> dict[str, dict[str, dict[str, str] | list[str]]]:
    """vocabulary -> {"map": normalised label -> level, level -> all labels of the level}."""
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(set(VOCABULARY_OF.values()) - {"dose"}):
        vocab = config.vocabularies[name]
        levels = _get(vocab, "levels")
        synonyms = _get(vocab, "synonyms") or {}
        labels = {lv: [lv, *synonyms.get(lv, [])] for lv in levels}
        out[name] = {"map": {normalize_label(x): lv for lv in levels for x in labels[lv]}} | {
            lv: [str(x) for x in labels[lv]] for lv in levels
        }
    return out


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _label(maps: dict[str, Any], column: str, level: str, rng: Rng) -> str:
    """Draw a messy raw label for ``level``; raise if the study vocabulary does not map it back."""
    vocab = VOCABULARY_OF[column]
    preferred = PREFERRED[vocab][level]
    pool = preferred if rng.random() < 0.95 or vocab == "dose" else maps[vocab][level]
    label = mess.mess_label(str(pool[int(rng.integers(len(pool)))]), rng)
    return _checked(maps, vocab, label, level)


#: dose level of the twin -> (mg per administration, administrations per week) the pipeline
#: must read from its text (a dose without a frequency is daily: exposure.dose_frequency).
DOSE_OF = {
    "0.25 mg/day": (0.25, 7.0),
    "0.5 mg/day": (0.5, 7.0),
    "0.5 mg 3 times a week": (0.5, 3.0),
    "1 mg/day": (1.0, 7.0),
    "2.5 mg/day": (2.5, 7.0),
    "5 mg/day": (5.0, 7.0),
}


def _checked(maps: dict[str, Any], vocab: str, label: str, level: str) -> str:
    if vocab == "dose":
        dose = parse_dose(label, default_frequency="day")
        if dose is None or (dose.mg, dose.per_week) != DOSE_OF[level]:
            raise ValueError(f"synthetic dose {label!r} does not read as {level!r} ({dose})")
        return label
    found = maps[vocab]["map"].get(normalize_label(label))
    if found != level:
        raise ValueError(
            f"synthetic label {label!r} of vocabulary '{vocab}' maps to {found!r}, expected "
            f"{level!r}; fix analysis/datasets/_ldom_labels.PREFERRED or the study synonyms"
        )
    return label


def _cell(rec: dict[str, Any], col: str, maps: dict[str, Any], rng: Rng) -> Any:
    value = rec.get(col)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if col == "patient_id":
        return mess.render_id(str(value), rng)
    if isinstance(value, dt.date):
        return mess.render_date(value, "xlsx", rng)
    if col == "age_years":
        return mess.render_number(value, "xlsx", rng)
    level = ("yes" if value else "no") if isinstance(value, bool | np.bool_) else str(value)
    return _label(maps, col, level, rng)


def _render_patients(
    tables: dict[str, pd.DataFrame], maps: dict[str, Any], rng: Rng
) -> pd.DataFrame:
    """The wide ``Pacientes`` sheet: patient columns then three adverse-event groups."""
    by_patient: dict[str, list[dict[str, Any]]] = {}
    for e in tables["adverse_events"].sort_values(["onset_date", "ae_term"]).to_dict("records"):
        by_patient.setdefault(str(e["patient_id"]), []).append(e)
    rows, tail = [], []
    leading = set(
        rng.choice(
            sorted(tables["patients"]["patient_id"]), PLANTS["leading_blank_ids"], replace=False
        )
    )
    for rec in tables["patients"].sort_values("patient_id", kind="stable").to_dict("records"):
        row = _patient_row(rec, by_patient.get(rec["patient_id"], []), maps, rng)
        if rec["patient_id"] in leading:
            row[PATIENT_HEADERS["patient_id"]] = " " + str(rec["patient_id"])
        rows.append(row)
        for _ in range(int(rec["_dups"])):
            copy = {h: mess.respace(v, rng) for h, v in row.items()}
            for col, h in _date_headers(rec, by_patient.get(rec["patient_id"], [])):
                copy[h] = mess.render_date(col, "xlsx", rng)
            copy[PATIENT_HEADERS["patient_id"]] = mess.render_id(str(rec["patient_id"]), rng)
            tail.append(copy)
    rows += [tail[i] for i in rng.permutation(len(tail))]
    return pd.DataFrame(rows, columns=patient_headers(), dtype=object)


def _patient_row(
    rec: dict[str, Any], events: list[dict[str, Any]], maps: dict[str, Any], rng: Rng
) -> dict[str, Any]:
    if len(events) > N_AE_SLOTS:
        raise RuntimeError(f"{rec['patient_id']}: {len(events)} adverse events > {N_AE_SLOTS}")
    row = {h: _cell(rec, col, maps, rng) for col, h in PATIENT_HEADERS.items()}
    for i in range(1, N_AE_SLOTS + 1):
        e = events[i - 1] if i <= len(events) else {}
        for col, h in AE_HEADERS.items():
            row[h.format(i=i)] = _cell(e, col, maps, rng)
    return row


def _date_headers(rec: dict[str, Any], events: list[dict[str, Any]]) -> list[tuple[Any, str]]:
    out = [(rec[c], PATIENT_HEADERS[c]) for c in ("last_visit_date", "discontinuation_date")]
    out += [
        (e["onset_date"], AE_HEADERS["onset_date"].format(i=i + 1)) for i, e in enumerate(events)
    ]
    return [(v, h) for v, h in out if v is not None]


def _render_doses(exp: pd.DataFrame, maps: dict[str, Any], rng: Rng) -> pd.DataFrame:
    """The ``Doses`` sheet, in order of start date; duplicated rows right after their original."""
    key = exp["start_date"].map(lambda d: d.toordinal())
    rows = []
    for rec in exp.iloc[np.argsort(key.to_numpy(), kind="stable")].to_dict("records"):
        row = {h: _cell(rec, col, maps, rng) for col, h in DOSE_HEADERS.items()}
        rows += [row] * (1 + int(rec["_dups"]))
    return pd.DataFrame(rows, columns=list(DOSE_HEADERS.values()), dtype=object)


# ----------------------------------------------------------------------------- checks
def _check_against_plan(truth: dict[str, pd.DataFrame], people: list[Person]) -> None:
    """Each planted patient ends where it was planted: included or at its exclusion step."""
    steps = dict(zip(truth["excluded"]["patient_id"], truth["excluded"]["step"], strict=True))
    wrong = [
        f"{p['id']} planted {p['role']}, got {steps.get(p['id'], 'included')}"
        for p in people
        if steps.get(p["id"], "included") != p["role"]
    ]
    if wrong:
        raise RuntimeError("synthetic LDOM twin misses its plan: " + "; ".join(wrong[:5]))
