"""The synthetic twin of the LDOM safety study (analysis/datasets/low_dose_oral_minoxidil.py).

Published numbers: abstract of Vañó-Galván S, et al. Safety of low-dose oral minoxidil for hair
loss: A multicenter study of 1404 patients. J Am Acad Dermatol 2021;84(6):1644-1651 (PMID
33639244). Denominators: studies/low_dose_oral_minoxidil.reference.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.datasets import _ldom_labels as L
from analysis.datasets import _ldom_truth as T
from analysis.datasets import _mess as mess
from analysis.datasets.low_dose_oral_minoxidil import Twin, build_twin, write_twin
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.text import normalize_label

REPO = Path(__file__).resolve().parents[2]
STUDY = REPO / "studies" / "low_dose_oral_minoxidil.yaml"
RAW = REPO / "data" / "raw" / "low_dose_oral_minoxidil" / L.FILE


@pytest.fixture(scope="module")
def config() -> Any:
    return StudyConfig.load(STUDY)


@pytest.fixture(scope="module")
def twin(config: Any) -> Twin:
    return build_twin(config)


def _bytes(t: Twin) -> bytes:
    return mess.xlsx_bytes([(s, t.raw[s]) for s in (L.PATIENT_SHEET, L.DOSE_SHEET)])


def _pct(n: int, d: int) -> float:
    return T.round1(100 * n / d)


def test_deterministic(config: Any, twin: Twin) -> None:
    assert _bytes(build_twin(config)) == _bytes(twin)


def test_raw_file_on_disk_equals_a_fresh_write(config: Any, tmp_path: Path) -> None:
    (written,) = write_twin(config, tmp_path)
    assert written.name == L.FILE
    assert written.read_bytes() == RAW.read_bytes(), "regenerate data/raw/low_dose_oral_minoxidil"
    assert RAW.stat().st_size < 1_000_000


def test_published_numbers_hold_in_the_truth(twin: Twin) -> None:
    pts, exp, ae = (twin.truth[k] for k in ("patients", "exposures", "adverse_events"))
    # "A total of 1404 patients (943 women [67.2%] and 461 men [32.8%])"
    assert len(pts) == 1404
    assert pts["sex"].value_counts().to_dict() == {"female": 943, "male": 461}
    assert (_pct(943, 1404), _pct(461, 1404)) == (67.2, 32.8)
    # "with a mean age of 43 years (range 8-86)"
    age = pts["age_years"].dropna()
    assert round(age.mean()) == 43 and age.min() == 8 and age.max() == 86
    # "The dose of LDOM was titrated in 1065 patients, allowing the analysis of 2469 cases"
    assert int(pts["is_titrated"].sum()) == 1065
    assert len(exp) == 2469 == int(pts["n_exposures"].sum())
    # "hypertrichosis (15.1%) ... lightheadedness (1.7%), fluid retention (1.3%), tachycardia
    # (0.9%), headache (0.4%), periorbital edema (0.3%), and insomnia (0.2%)": patients of 1404
    subjects = ae.groupby("ae_term")["patient_id"].nunique()
    published = {
        "hypertrichosis": (212, 15.1),
        "lightheadedness": (24, 1.7),
        "fluid retention": (18, 1.3),
        "tachycardia": (13, 0.9),
        "headache": (6, 0.4),
        "periorbital edema": (4, 0.3),
        "insomnia": (3, 0.2),
    }
    for term, (n, pct) in published.items():
        assert subjects[term] == n and _pct(n, 1404) == pct, term
    assert subjects.idxmax() == "hypertrichosis"  # "the most frequent adverse effect"
    # "which led to treatment withdrawal in 14 patients"; systemic AEs "leading to drug
    # discontinuation in 29 patients (1.2%)"; "only 1.7% ... discontinued owing to adverse
    # effects" -- both percentages of the 2469 cases
    stopped = ae[ae["action_taken"] == "treatment discontinued"]
    assert stopped["patient_id"].is_unique
    assert int((stopped["ae_term"] == "hypertrichosis").sum()) == 14
    systemic = int(stopped["ae_term"].isin(T.SYSTEMIC).sum())
    assert systemic == 29 and _pct(29, 2469) == 1.2
    reasons = pts["discontinuation_reason"].value_counts()
    assert reasons["adverse event"] == 43 and _pct(43, 2469) == 1.7
    # "No life-threatening adverse effects were observed."
    assert not (ae["severity"] == "severe").any()


def test_exclusions_and_planted_mess(twin: Twin) -> None:
    steps = twin.truth["excluded"]["step"].value_counts().to_dict()
    assert steps == {"inclusion:treated_3_months": 12, "inclusion:treated": 5, "conflict": 1}
    pts, doses = twin.raw[L.PATIENT_SHEET], twin.raw[L.DOSE_SHEET]
    ids = pts["Nº processo"].str.strip()
    assert len(pts) == 1404 + 18 + 1 + 6  # conflict copy and 6 agreeing duplicates
    assert ids.duplicated().sum() == 7
    assert doses.duplicated().sum() == 8  # identical cells
    assert doses["Fim"].isna().sum() > 1000  # ongoing periods
    assert set(doses["Nº processo"].str.strip()) - set(ids) == {"LD-09901", "LD-09902"}
    assert (pd.to_numeric(pts["Idade"]) == 430).sum() == 1
    assert list(pts.columns) == L.patient_headers()


def test_yaml_headers_match_the_twin(config: Any) -> None:
    assert {s.file for s in config.sources} == {L.FILE}
    ae = next(s for s in config.sources if s.table == "adverse_events")
    assert ae.repeat == [1, 2, 3]
    assert {c: ae.columns[c] for c in L.AE_HEADERS} == L.AE_HEADERS
    pts = next(s for s in config.sources if s.table == "patients")
    assert pts.columns == L.PATIENT_HEADERS
    doses = next(s for s in config.sources if s.table == "exposures")
    assert doses.columns == L.DOSE_HEADERS


# ----------------------------------------------------------------------------- from the raw file
def _level(config: Any, vocab: str, value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return None
    v = config.vocabularies[vocab]
    m = {normalize_label(x): lv for lv in v.levels for x in [lv, *v.synonyms.get(lv, [])]}
    return m[normalize_label(value)]


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and value.strip():
        text = value.strip()
        fmt = "%Y-%m-%d" if text[4] == "-" else "%d/%m/%Y"
        return dt.datetime.strptime(text, fmt).date()
    return None


def test_published_numbers_from_the_raw_workbook(config: Any) -> None:
    """A minimal independent reading of the committed workbook gives the published numbers."""
    pts = pd.read_excel(RAW, sheet_name=L.PATIENT_SHEET, dtype=object)
    doses = pd.read_excel(RAW, sheet_name=L.DOSE_SHEET, dtype=object)
    pts = pts.astype(object).where(pts.notna(), None)
    doses = doses.astype(object).where(doses.notna(), None)
    pts["pid"] = pts["Nº processo"].str.strip()
    pts["sex"] = [_level(config, "sex", x) for x in pts["Sexo"]]
    rows = pts.drop_duplicates(["pid", "sex"])
    conflict = set(rows.loc[rows["pid"].duplicated(), "pid"])
    rows = rows[~rows["pid"].isin(conflict)].set_index("pid")
    doses["pid"] = doses["Nº processo"].str.strip()
    doses = doses.drop_duplicates(["pid", "Início"])
    doses = doses[doses["pid"].isin(rows.index)]
    periods: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    for r in doses.itertuples():
        periods.setdefault(str(r.pid), []).append((_date(r.Início), _date(r.Fim)))
    included, teae = [], set()
    for pid, r in rows.iterrows():
        mine = sorted(periods.get(str(pid), []), key=lambda x: x[0])
        if not mine:
            continue
        contact = [_date(r["Última consulta"]), _date(r["Data suspensão"]), *sum(mine, ())]
        last = max(x for x in contact if x is not None)
        if (last - mine[0][0]).days / T.DAYS_PER_MONTH < 3:
            continue
        included.append((pid, len(mine)))
        horizon = (mine[-1][1] or last) + dt.timedelta(days=30)
        for i in (1, 2, 3):
            term = _level(config, "ae_term", r[f"Efeito adverso {i}"])
            onset = _date(r[f"Data EA {i}"])
            if term and onset is not None and mine[0][0] <= onset <= horizon:
                action = _level(config, "action_taken", r[f"Ação EA {i}"])
                teae.add((pid, term, action == "treatment discontinued"))
    assert len(included) == 1404
    kept = rows.loc[[pid for pid, _ in included]]
    assert kept["sex"].value_counts().to_dict() == {"female": 943, "male": 461}
    age = pd.to_numeric(kept["Idade"])
    age = age[age.between(1, 110)]
    assert (round(age.mean()), age.min(), age.max()) == (43, 8, 86)
    assert sum(n for _, n in included) == 2469 and sum(n >= 2 for _, n in included) == 1065
    patients_with = pd.Series([t for _, t, _ in {(p, t, False) for p, t, _ in teae}])
    assert patients_with.value_counts().to_dict() == T.AE_PATIENTS | T.OTHER_AE
    stopped = pd.Series([t for _, t, s in teae if s])
    assert int((stopped == "hypertrichosis").sum()) == 14
    assert int(stopped.isin(T.SYSTEMIC).sum()) == 29
