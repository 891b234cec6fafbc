"""Shared fixtures: a small hand-written study (CSV exports + YAML) built in a temp folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE_STUDY = REPO / "studies" / "dutasteride_mesotherapy.yaml"

MINI_FILES = {
    "patients.csv": """\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,55,Ludwig I,2021-01-10,no,,
        P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
        P3,Mujer,61,Ludwig II,2020-06-01,no,,
        P4,M,33,HN IV,2021-02-01,no,,
        """,
    "sessions.csv": """\
        id,date,dose
        P1,2020-01-10,0.1
        P1,2020-04-10,0.1
        P1,2020-07-10,0.1
        P2,2020-01-15,0.1
        P2,2020-04-15,0.1
        P3,2020-03-01,0.1
        P4,2020-02-01,0.1
        P4,2020-05-01,0.1
        P4,2020-08-01,0.1
        """,
    "aes.csv": """\
        id,onset,term,severity,serious
        P1,2020-01-11,dolor,leve,no
        P1,2020-04-11,pain,mild,no
        P1,2020-04-11,edema,moderate,no
        P4,2020-02-02,pain,mild,no
        """,
    "conc.csv": """\
        id,drug,start,stop
        P2,minoxidil oral,2019-06-01,
        P4,biotin,2020-01-01,
        """,
    "assess.csv": """\
        id,date,grade
        P1,2021-01-08,mejoría marcada
        P2,2021-01-20,mild improvement
        P4,2021-01-25,stable
        """,
}

MINI_YAML = """\
study:
  name: mini
  title: Mini study
  seed: 7
paths:
  raw: raw
  processed: processed
  reports: reports
sources:
  - name: patients
    table: patients
    file: patients.csv
    constants: {centre: "Centre A"}
    columns: {patient_id: id, sex: sex, age_years: age, baseline_grade: grade,
              last_visit_date: last_visit, is_discontinued: discontinued,
              discontinuation_date: disc_date, discontinuation_reason: disc_reason}
    synonyms:
      sex: {male: ["M"]}
  - name: sessions
    table: exposures
    file: sessions.csv
    columns: {patient_id: id, start_date: date, dose_mg: dose}
  - name: aes
    table: adverse_events
    file: aes.csv
    columns: {patient_id: id, onset_date: onset, ae_term: term, severity: severity,
              is_serious: serious}
  - name: conc
    table: concomitant
    file: conc.csv
    columns: {patient_id: id, drug: drug, start_date: start, stop_date: stop}
  - name: assess
    table: assessments
    file: assess.csv
    columns: {patient_id: id, assessment_date: date, response_grade: grade}
vocabularies:
  centre: {levels: ["Centre A"]}
  sex:
    levels: [female, male]
    synonyms: {female: [F, Mujer], male: [Varón]}
  baseline_grade:
    levels: ["HN III", "HN IV", "Ludwig I", "Ludwig II"]
    categories: {"HN III": Hamilton-Norwood, "HN IV": Hamilton-Norwood, "Ludwig I": Ludwig, "Ludwig II": Ludwig}
  yes_no:
    levels: ["no", "yes"]
    applies_to: [is_serious, is_discontinued]
  ae_term:
    levels: [pain, edema]
    synonyms: {pain: [dolor], edema: [edema frontal]}
  severity:
    levels: [mild, moderate, severe]
    ordered: true
    synonyms: {mild: [leve]}
  drug:
    levels: [oral minoxidil, nutritional supplement]
    synonyms: {oral minoxidil: [minoxidil oral], nutritional supplement: [biotin]}
  response_grade:
    levels: [worsening, stabilization, mild improvement, marked improvement]
    ordered: true
    synonyms: {stabilization: [stable], marked improvement: [mejoría marcada]}
  discontinuation_reason:
    levels: [cost, other]
checks:
  - {table: patients, column: age_years, min: 16, max: 100}
exposure: {kind: discrete, noun: session, teae_days_after_last: 90, min_interval_days: 14}
derive:
  improvement_levels: [mild improvement, marked improvement]
  schedule_months: [1, 2, 3, 4, 6]
  grade_severity: {"HN III": mild, "HN IV": moderate, "Ludwig I": mild, "Ludwig II": moderate}
groups:
  therapy_group:
    levels: [monotherapy, combined]
    concomitant_overlap: {treatments: [oral minoxidil], if_any: combined, otherwise: monotherapy}
inclusion:
  - id: followup
    label: At least 6 months of follow-up
    where: [{column: followup_months, op: ">=", value: 6}]
"""


def ard_value(frame, variable, level, group, stat):
    """The one ARD value with these keys (asserts there is exactly one)."""
    sel = frame[
        (frame.variable == variable)
        & (frame.level == level)
        & (frame.group == group)
        & (frame.stat == stat)
    ]
    assert len(sel) == 1, (variable, level, group, stat, len(sel))
    return sel["value"].iloc[0]


def ard_rows(table, variable, level, group, **stats):
    """ARD rows (without ``method``) of one cell: one row per ``stat=value``."""
    return [
        {
            "table": table,
            "variable": variable,
            "level": level,
            "group": group,
            "stat": s,
            "value": v,
        }
        for s, v in stats.items()
    ]


def allow_orphans(yaml: str) -> str:
    """The mini study with child records of patients left out of its patient file allowed:
    ``cleaning.max_orphan_fraction: 1`` (by default a source mostly orphaned stops the run)."""
    return yaml + "cleaning: {max_orphan_fraction: 1}\n"


def _dedent(text: str) -> str:
    return textwrap.dedent(text)


@pytest.fixture
def mini_study(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``mini_study(files={...overrides}, yaml=...)`` -> path of the study YAML.

    ``files`` maps a file name under raw/ to its text (dedented) or bytes; ``None`` deletes it.
    """

    def make(
        files: dict[str, str | bytes | None] | None = None,
        yaml: str | None = None,
        yaml_edit: Callable[[str], str] | None = None,
    ) -> Path:
        raw = tmp_path / "raw"
        raw.mkdir(exist_ok=True)
        content = {k: _dedent(v) for k, v in MINI_FILES.items()}
        content.update(files or {})
        for name, text in content.items():
            target = raw / name
            if text is None:
                target.unlink(missing_ok=True)
            elif isinstance(text, bytes):
                target.write_bytes(text)
            else:
                target.write_text(_dedent(text), encoding="utf-8")
        body = yaml if yaml is not None else MINI_YAML
        if yaml_edit:
            body = yaml_edit(body)
        studies = tmp_path / "studies"
        studies.mkdir(exist_ok=True)
        path = studies / "mini.yaml"
        path.write_text(body, encoding="utf-8")
        return path

    return make


@pytest.fixture(scope="session")
def reference_config():
    from analysis.studyfile.config import StudyConfig

    return StudyConfig.load(REFERENCE_STUDY)


@pytest.fixture(scope="session")
def reference_clean(reference_config):
    """The clean stage run once on the committed synthetic twin."""
    from analysis.clean.stage import clean_study

    return clean_study(reference_config)
