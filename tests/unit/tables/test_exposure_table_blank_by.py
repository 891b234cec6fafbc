"""A per-exposure table by the exposure's own column leaves out the exposures without a value
there, and says so: one dose left unreadable (audited) stopped the table, with advice (a
subgroup of patients) that a study file cannot follow for an exposure column."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from analysis.tables.study_tables import table_builders

STUDY = """\
study: {name: doses, title: doses, seed: 1, export_date: 2022-12-31}
paths: {raw: raw, processed: processed, reports: reports}
exposure: {kind: periods, treatment: drug y, noun: dose period, teae_days_after_last: 30,
           dose_frequency: day}
sources:
  - {name: pats, table: patients, file: patients.csv,
     columns: {patient_id: id, sex: sex, last_visit_date: last_visit}}
  - {name: per, table: exposures, file: periods.csv,
     columns: {patient_id: id, start_date: start, stop_date: stop, dose_text: dose}}
  - {name: aes, table: adverse_events, file: aes.csv,
     columns: {patient_id: id, onset_date: onset, ae_term: term}}
vocabularies:
  sex: {levels: [female, male]}
  ae_term: {levels: [headache]}
analysis:
  tables:
    ae_dose: {kind: ae_incidence, unit: exposures, by: [daily_dose_mg]}
"""


def test_exposures_without_their_by_value_are_left_out_and_said(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "patients.csv").write_text(
        "id,sex,last_visit\nQ01,female,2020-12-01\nQ02,male,2020-12-01\nQ03,female,2020-12-01\n"
    )
    (raw / "periods.csv").write_text(
        "id,start,stop,dose\n"
        "Q01,2020-01-01,2020-03-31,1 mg/dia\n"
        "Q02,2020-01-01,2020-03-31,0.5 mg/dia\n"
        "Q03,2020-01-01,2020-03-31,1-2 mg/dia\n"  # unreadable: audited, dose missing
    )
    (raw / "aes.csv").write_text(
        "id,onset,term\nQ01,2020-02-01,headache\nQ03,2020-02-01,headache\n"
    )
    (tmp_path / "studies").mkdir()
    (tmp_path / "studies" / "doses.yaml").write_text(STUDY)
    config = StudyConfig.load(tmp_path / "studies" / "doses.yaml")
    table = table_builders(config, clean_study(config))["ae_dose"]()
    f = table.frame
    big_n = f.loc[(f["stat"] == "N") & (f["group"] == "overall"), "value"].iloc[0]
    assert big_n == 2  # Q03's period left out
    n = f.loc[(f["stat"] == "n") & (f["group"] == "overall") & (f["level"] == "headache")]
    assert n["value"].iloc[0] == 1  # and its event
    notes = " ".join(table.footnotes)
    assert "1 dose period without a daily dose" in notes and "is left out, with its events" in notes
