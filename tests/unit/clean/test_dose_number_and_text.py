"""Doses given as numbers in one source and as text in another: each row's dose comes from the
column its source fills. Before, the daily dose was computed from the text alone, and the
patient summaries read it for every row, so the numeric doses were lost in silence
(``initial_dose_mg`` missing, ``n_doses`` 0, a titration by numbers not counted) with an empty
audit log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.clean.dose import parse_dose_text
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig

STUDY = """\
study: {{name: doses, title: doses, seed: 1, export_date: 2022-12-31}}
paths: {{raw: raw, processed: processed, reports: reports}}
exposure: {{kind: periods, treatment: drug y, noun: dose period, teae_days_after_last: 30{freq}}}
sources:
  - {{name: pats, table: patients, file: patients.csv,
     columns: {{patient_id: id, sex: sex, last_visit_date: last_visit}}}}
  - {{name: a_periods, table: exposures, file: a_periods.csv,
     columns: {{patient_id: id, start_date: start, stop_date: stop, dose_mg: dose_mg_day}}}}
  - {{name: b_periods, table: exposures, file: b_periods.csv, delimiter: ";", decimal: ",",
     columns: {{patient_id: id, start_date: start, stop_date: stop, dose_text: posologie}}}}
vocabularies:
  sex: {{levels: [female, male]}}
analysis:
  tables: {{}}
"""


def _clean(tmp_path: Path, frequency: str | None):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "patients.csv").write_text(
        "id,sex,last_visit\nA1,female,2020-12-01\nA2,male,2020-12-01\n"
        "B1,female,2020-12-01\nB2,male,2020-12-01\n"
    )
    (raw / "a_periods.csv").write_text(
        "id,start,stop,dose_mg_day\n"
        "A1,2020-01-01,2020-03-01,10\n"
        "A1,2020-03-01,2020-06-01,20\n"  # titrated, by numbers
        "A2,2020-01-01,2020-06-01,30\n"
    )
    (raw / "b_periods.csv").write_text(
        "id;start;stop;posologie\n"
        "B1;2020-01-01;2020-03-01;20 mg/jour\n"
        "B1;2020-03-01;2020-06-01;40 mg/jour\n"  # titrated, by text
        "B2;2020-01-01;2020-06-01;0,5 mg/jour\n"
    )
    (tmp_path / "studies").mkdir()
    freq = f", dose_frequency: {frequency}" if frequency else ""
    (tmp_path / "studies" / "doses.yaml").write_text(STUDY.format(freq=freq))
    return clean_study(StudyConfig.load(tmp_path / "studies" / "doses.yaml"))


def test_numeric_doses_count_beside_text_doses(tmp_path: Path):
    result = _clean(tmp_path, "day")
    patients = result.patients.set_index("patient_id").sort_index()
    assert patients["n_doses"].tolist() == [2, 1, 2, 1]
    assert patients["is_titrated"].tolist() == [True, False, True, False]
    assert patients["initial_dose_mg"].tolist() == [10.0, 30.0, 20.0, 0.5]
    assert patients["max_dose_mg"].tolist() == [20.0, 30.0, 40.0, 0.5]
    exposures = result.tables["exposures"].sort_values(["patient_id", "start_date"])
    assert exposures["daily_dose_mg"].tolist() == [10.0, 20.0, 30.0, 20.0, 40.0, 0.5]
    assert exposures["doses_per_week"].tolist() == [7.0] * 6
    assert not (result.audit["check"] == "dose").any()  # every dose read: nothing to say


def test_numeric_doses_without_a_study_frequency_are_audited(tmp_path: Path):
    result = _clean(tmp_path, None)
    exposures = result.tables["exposures"].sort_values(["patient_id", "start_date"])
    assert exposures["dose_mg"].tolist() == [10.0, 20.0, 30.0, 20.0, 40.0, 0.5]  # kept
    assert exposures["daily_dose_mg"].isna().tolist() == [True] * 3 + [False] * 3
    rows = result.audit.loc[result.audit["column"] == "daily_dose_mg"]
    assert rows["patient_id"].tolist() == ["A1", "A1", "A2"]
    assert set(rows["action"]) == {"set_missing"} and rows["row"].tolist() == [2, 3, 4]
    message = rows["message"].iloc[0]
    assert "`dose_mg` 10 (source 'a_periods') is a number with no frequency" in message
    assert "Declare how often such a dose is taken with `exposure.dose_frequency`" in message


def test_the_step_does_not_change_its_input():
    data = pd.DataFrame(
        {
            "patient_id": ["A1", "B1"],
            "dose_mg": [10.0, float("nan")],
            "dose_text": [None, "20 mg/jour"],
            "source_file": ["a.csv", "b.csv"],
            "source_sheet": "",
            "source_row": [2, 2],
        }
    )
    before = data.copy()
    step = parse_dose_text(data, default_frequency="day")
    pd.testing.assert_frame_equal(data, before)
    assert step.data["daily_dose_mg"].tolist() == [10.0, 20.0]
