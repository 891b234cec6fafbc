"""Two groups by concomitant treatment that list the same treatment with different windows keep
a flag each: the second group's flag overwrote the first's under the one name
``has_<treatment>`` (a probe: a patient "combined" at the response assessment by oral minoxidil
had ``has_oral_minoxidil`` False, the flag of the exposure window), so a baseline table by the
first group showed the treatment at 0% in its "combined" column."""

from __future__ import annotations

from pathlib import Path

from analysis.clean.stage import clean_study
from analysis.studyfile.design import rule_columns
from tests.study_files import PATIENTS_AND_SESSIONS, study_in

STUDY = (
    PATIENTS_AND_SESSIONS
    + """\
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
)


def test_each_group_keeps_its_own_treatment_flag(tmp_path: Path):
    files = {
        "patients.csv": "id,sex,last_visit\nH01,female,2021-06-01\n",
        "sessions.csv": "id,date\nH01,2020-01-01\n",
        # started after the only session, ongoing at the response assessment (12 months)
        "con.csv": "id,drug,start,stop\nH01,oral minoxidil,2020-06-01,\n",
    }
    config = study_in(tmp_path, STUDY, files)
    patients = clean_study(config).tables["patients"].set_index("patient_id")
    assert patients.loc["H01", "therapy_12m"] == "combined"
    assert bool(patients.loc["H01", "has_oral_minoxidil"]) is True
    assert patients.loc["H01", "therapy_during_exposure"] == "monotherapy"
    assert bool(patients.loc["H01", "has_oral_minoxidil_therapy_during_exposure"]) is False
    assert rule_columns(config.groups, "therapy_12m") == ["has_oral_minoxidil"]
    assert rule_columns(config.groups, "therapy_during_exposure") == [
        "has_oral_minoxidil_therapy_during_exposure"
    ]
