"""An included patient without a day 0 stops the run naming the patient and the criterion to
add: it stopped on the analysis tables' contract ("patients.followup_months: rule
not_nullable ... or this is a bug"), which names neither day 0 nor a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.clean.stage import clean_study
from analysis.errors import PipelineError
from analysis.studyfile.config import StudyConfig
from tests.study_files import PATIENTS_AND_SESSIONS, study_in

STUDY = (
    PATIENTS_AND_SESSIONS
    + """\
vocabularies:
  sex: {levels: [female, male]}
"""
)
TREATED = """\
inclusion:
  - {id: treated, label: Treated, where: [{column: day0_date, op: not_missing}]}
"""


def study(tmp_path: Path, extra: str = "") -> StudyConfig:
    files = {
        "patients.csv": "id,sex,last_visit\nN01,female,2021-06-01\nN02,male,2021-06-01\n",
        "sessions.csv": "id,date\nN01,2020-01-01\n",
    }
    return study_in(tmp_path, STUDY + extra, files)


def test_an_included_patient_without_day0_is_named_with_the_fix(tmp_path: Path):
    with pytest.raises(PipelineError) as exc:
        clean_study(study(tmp_path))
    text = str(exc.value)
    assert "1 included patient has no day 0" in text
    assert "no row in table 'exposures'): 'N02'" in text
    assert "{column: day0_date, op: not_missing}" in text


def test_the_suggested_criterion_leaves_them_out(tmp_path: Path):
    result = clean_study(study(tmp_path, TREATED))
    assert result.tables["patients"]["patient_id"].tolist() == ["N01"]


def test_a_negative_time_from_day0_is_named(tmp_path: Path):
    """Day 0 the first visit, every session before it: the exposure and the discontinuation
    ran to before day 0 (-0.49 and -0.33 months, exit 0 in a probe)."""
    study(tmp_path)  # the files, then day 0 the first visit
    text = (tmp_path / "studies" / "mini.yaml").read_text()
    text = text.replace(
        "exposure: {kind: discrete, noun: session}",
        "exposure: {kind: discrete, noun: session, day0: first_visit_date}",
    )
    text = text.replace(
        "columns: {patient_id: id, sex: sex, last_visit_date: last_visit}",
        "columns: {patient_id: id, sex: sex, last_visit_date: last_visit, "
        "first_visit_date: first_visit}",
    )
    (tmp_path / "studies" / "mini.yaml").write_text(text)
    (tmp_path / "raw" / "patients.csv").write_text(
        "id,sex,last_visit,first_visit\nN01,female,2021-06-01,2020-01-21\n"
    )
    (tmp_path / "raw" / "sessions.csv").write_text("id,date\nN01,2020-01-01\nN01,2020-01-06\n")
    config = StudyConfig.load(tmp_path / "studies" / "mini.yaml")
    with pytest.raises(PipelineError) as exc:
        clean_study(config)
    text = str(exc.value)
    assert "negative times from day 0 (exposure.day0 = 'first_visit_date')" in text
    assert "`exposure_months` (the end of exposure before day 0) for 'N01'" in text
    assert "sessions before the first visit" in text
