"""A treatment period left open (no stop date) ends at the patient's dated discontinuation, not
at the last contact. Before, a patient who stopped at month 2 and was seen a year later had 12.5
months of exposure (time to discontinuation 1.97), an adverse event ten months after stopping
was treatment-emergent, and an inclusion criterion on months treated counted the year. A period
whose recorded dates run past the discontinuation is flagged and keeps its dates."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig

STUDY = """\
study: {name: stops, title: stops, seed: 1, export_date: 2021-12-31}
paths: {raw: raw, processed: processed, reports: reports}
exposure: {kind: periods, treatment: drug y, noun: dose period, teae_days_after_last: 30,
           dose_frequency: day}
sources:
  - {name: pats, table: patients, file: patients.csv,
     columns: {patient_id: id, sex: sex, last_visit_date: last_visit, is_discontinued: disc,
               discontinuation_date: disc_date}}
  - {name: per, table: exposures, file: periods.csv,
     columns: {patient_id: id, start_date: start, stop_date: stop, dose_text: dose}}
  - {name: ae, table: adverse_events, file: ae.csv,
     columns: {patient_id: id, onset_date: onset, ae_term: term}}
vocabularies:
  sex: {levels: [female, male]}
  yes_no: {levels: ["no", "yes"], applies_to: [is_discontinued]}
  ae_term: {levels: [headache]}
INCLUSION
analysis:
  tables: {}
"""

PATIENTS = """\
id,sex,last_visit,disc,disc_date
P01,female,2021-01-15,yes,2020-03-01
P02,male,2021-01-15,,2020-05-01
P03,female,2021-01-15,yes,2020-04-01
P04,male,2021-01-15,yes,2020-04-01
P05,female,2021-01-15,no,
P06,male,2021-01-15,yes,
"""
PERIODS = """\
id,start,stop,dose
P01,2020-01-01,,1 mg/day
P02,2020-01-01,2020-02-01,0.5 mg/day
P02,2020-02-01,,1 mg/day
P03,2020-01-01,2020-06-01,1 mg/day
P04,2020-01-01,2020-03-01,1 mg/day
P04,2020-06-01,,1 mg/day
P05,2020-01-01,,1 mg/day
P06,2020-01-01,,1 mg/day
"""
AES = """\
id,onset,term
P01,2020-12-01,headache
P01,2020-03-20,headache
P05,2020-12-01,headache
"""


THREE_MONTHS = """inclusion:
  - {id: three_months, label: "Treated for at least 3 months",
     where: [{column: exposure_months, op: ">=", value: 3}]}"""


def _clean(tmp_path: Path, inclusion: str = ""):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "patients.csv").write_text(PATIENTS)
    (raw / "periods.csv").write_text(PERIODS)
    (raw / "ae.csv").write_text(AES)
    (tmp_path / "studies").mkdir()
    (tmp_path / "studies" / "stops.yaml").write_text(STUDY.replace("INCLUSION", inclusion))
    return clean_study(StudyConfig.load(tmp_path / "studies" / "stops.yaml"))


def test_an_open_period_ends_at_the_discontinuation(tmp_path: Path):
    result = _clean(tmp_path)
    ends = {
        "P01": "2020-03-01",  # open, discontinued: ends on the discontinuation
        "P02": "2020-05-01",  # a blank flag beside a date is a discontinuation (read as such)
        "P03": "2020-06-01",  # a stop after the discontinuation: kept, flagged
        "P04": "2021-01-15",  # an open period started after the discontinuation: flagged
        "P05": "2021-01-15",  # not discontinued: ongoing at the last contact
        "P06": "2021-01-15",  # discontinued, no date: ongoing at the last contact (audited)
    }
    patients = result.patients.set_index("patient_id")
    assert {p: str(d.date()) for p, d in patients["exposure_end_date"].items()} == ends
    months = patients["exposure_months"]
    assert abs(months["P01"] - 60 / 30.4375) < 1e-9  # 2020-01-01 to 2020-03-01, not 12.48
    assert abs(months["P02"] - 121 / 30.4375) < 1e-9  # 2020-01-01 to 2020-05-01
    events = result.tables["adverse_events"].sort_values(["patient_id", "onset_date"])
    # P01: 19 days after stopping (within the 30 days), then 9 months after: not emergent
    assert events["is_teae"].tolist() == [True, False, True]
    audit = result.audit.loc[result.audit["check"] == "order"].set_index("patient_id")
    assert sorted(audit.index) == ["P03", "P04"]
    assert audit.loc["P03", "column"] == "stop_date"
    assert audit.loc["P03", "message"].startswith(
        "`stop_date` 2020-06-01 is after the patient's `discontinuation_date` 2020-04-01; kept"
    )
    assert audit.loc["P04", "column"] == "start_date"
    assert "the discontinuation does not end this dose period" in audit.loc["P04", "message"]


def test_an_inclusion_on_months_treated_reads_the_corrected_end(tmp_path: Path):
    result = _clean(tmp_path, THREE_MONTHS)
    assert sorted(result.patients["patient_id"]) == ["P02", "P03", "P04", "P05", "P06"]
    log = result.exclusions.loc[result.exclusions["table"] == "patients"]
    assert log[["patient_id", "step"]].values.tolist() == [["P01", "inclusion:three_months"]]
    assert result.flow["n_remaining"].tolist() == [6, 5]
