"""Two groups by concomitant treatment that list the same treatment with different windows keep
a flag each: the second group's flag overwrote the first's under the one name
``has_<treatment>`` (a probe: a patient "combined" at the response assessment by oral minoxidil
had ``has_oral_minoxidil`` False, the flag of the exposure window), so a baseline table by the
first group showed the treatment at 0% in its "combined" column."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.design import rule_columns

STUDY = """\
study: {name: flags, title: flags, seed: 1, export_date: 2022-12-31}
paths: {raw: raw, processed: processed, reports: reports}
exposure: {kind: discrete, noun: session}
sources:
  - {name: pats, table: patients, file: patients.csv,
     columns: {patient_id: id, sex: sex, last_visit_date: last_visit}}
  - {name: ses, table: exposures, file: sessions.csv, columns: {patient_id: id, start_date: date}}
  - {name: con, table: concomitant, file: con.csv,
     columns: {patient_id: id, drug: drug, start_date: start, stop_date: stop}}
vocabularies:
  sex: {levels: [female, male]}
  drug: {levels: [oral minoxidil]}
groups:
  therapy_12m:
    levels: [monotherapy, combined]
    concomitant_overlap: {treatments: [oral minoxidil], window: response, if_any: combined,
                          otherwise: monotherapy}
  therapy_during_exposure:
    levels: [monotherapy, combined]
    concomitant_overlap: {treatments: [oral minoxidil], window: exposure, if_any: combined,
                          otherwise: monotherapy}
"""


def test_each_group_keeps_its_own_treatment_flag(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "patients.csv").write_text("id,sex,last_visit\nH01,female,2021-06-01\n")
    (raw / "sessions.csv").write_text("id,date\nH01,2020-01-01\n")
    # started after the only session, ongoing at the response assessment (12 months)
    (raw / "con.csv").write_text("id,drug,start,stop\nH01,oral minoxidil,2020-06-01,\n")
    (tmp_path / "studies").mkdir()
    (tmp_path / "studies" / "flags.yaml").write_text(STUDY)  # paths from the project folder
    config = StudyConfig.load(tmp_path / "studies" / "flags.yaml")
    patients = clean_study(config).tables["patients"].set_index("patient_id")
    assert patients.loc["H01", "therapy_12m"] == "combined"
    assert bool(patients.loc["H01", "has_oral_minoxidil"]) is True
    assert patients.loc["H01", "therapy_during_exposure"] == "monotherapy"
    assert bool(patients.loc["H01", "has_oral_minoxidil_therapy_during_exposure"]) is False
    assert rule_columns(config.groups, "therapy_12m") == ["has_oral_minoxidil"]
    assert rule_columns(config.groups, "therapy_during_exposure") == [
        "has_oral_minoxidil_therapy_during_exposure"
    ]
