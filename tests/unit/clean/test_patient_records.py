"""A patient's records are seen together before any is taken as the patient's only record
(``analysis.clean.patient_records``).

Found by a probe: a second record of P1 (male, 70, no last visit) beside the first (female, 55)
was excluded for its missing required value before the duplicates were compared, so P1 stayed
in the cohort, female, with no conflict and no warning. The same held for a second record
excluded for a label no vocabulary covers or a date that cannot be read.
"""

from __future__ import annotations

import pytest

from analysis.clean.stage import clean_study
from analysis.figures.flow import flow_counts
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent, allow_orphans

UNMAPPED_EXCLUDED = "cleaning:\n  on_unmapped: exclude\n"


def _clean(mini_study, extra: str, yaml_edit=None):
    patients = _dedent(MINI_FILES["patients.csv"]) + extra
    return clean_study(
        StudyConfig.load(mini_study(files={"patients.csv": patients}, yaml_edit=yaml_edit))
    )


def _logged(result, pid: str):
    log = result.exclusions
    return log.loc[(log["table"] == "patients") & (log["patient_id"] == pid)]


def test_a_duplicate_lacking_a_required_value_is_compared_and_conflicts(mini_study):
    result = _clean(mini_study, "P1,M,70,Ludwig I,,no,,\n")
    assert "P1" not in set(result.patients["patient_id"])
    rows = _logged(result, "P1")
    assert rows["step"].tolist() == ["conflict", "conflict"]
    assert "sex: 'female' vs 'male'" in rows["reason"].iat[0]
    assert result.conflicts["patient_id"].tolist() == ["P1"]
    flow = result.flow.set_index("step")
    assert flow.loc["conflict", "n_excluded"] == 1
    # the patient's child records follow it out
    sessions = result.exclusions.loc[
        (result.exclusions["table"] == "exposures") & (result.exclusions["patient_id"] == "P1")
    ]
    assert len(sessions) == 3 and set(sessions["step"]) == {"patient_excluded"}
    assert result.accounting()["balanced"].all()


def test_a_duplicate_lacking_a_required_value_and_agreeing_is_merged(mini_study):
    result = _clean(mini_study, "P1,,55,Ludwig I,2021-01-10,no,,\n")
    kept = result.patients.set_index("patient_id")
    assert kept.loc["P1", "sex"] == "female"
    rows = _logged(result, "P1")
    assert rows[["row", "step"]].values.tolist() == [[6, "duplicate"]]
    assert rows["reason"].iat[0] == (
        "duplicate of patients.csv, row 2 (no value differs; values missing in this record)"
    )
    assert result.conflicts.empty


def test_the_required_values_are_checked_on_the_merged_record(mini_study):
    # neither record of P5 gives the sex: the patient has no usable record
    result = _clean(mini_study, "P5,,44,HN III,2021-03-01,no,,\n" * 2)
    rows = _logged(result, "P5")
    assert rows["step"].tolist() == ["missing", "missing"]
    assert set(rows["reason"]) == {"required value missing in every record of the patient: `sex`"}
    flow = result.flow.set_index("step")
    assert flow.loc["screened", "n_remaining"] == 5
    assert flow.loc["unreadable", "n_excluded"] == 1
    assert "conflict" not in flow.index
    # one of its records removed with the patient, the other as a row of that patient
    counts = flow_counts(result, split=None).set_index("key")
    assert counts.loc["records", "n"] == 6 and counts.loc["screened", "n"] == 5


def test_the_first_record_lacking_a_value_takes_it_from_its_duplicate(mini_study):
    patients = _dedent(MINI_FILES["patients.csv"]).replace("P1,F,55", "P1,,55")
    result = clean_study(
        StudyConfig.load(
            mini_study(files={"patients.csv": patients + "P1,F,55,Ludwig I,2021-01-10,no,,\n"})
        )
    )
    assert result.patients.set_index("patient_id").loc["P1", "sex"] == "female"
    filled = result.audit.loc[
        (result.audit["patient_id"] == "P1") & (result.audit["column"] == "sex")
    ]
    assert len(filled) == 1 and "filled with 'female'" in filled["message"].iat[0]


@pytest.mark.parametrize(
    ("extra", "step"),
    [
        ("P1,X,55,Ludwig I,2021-01-10,no,,\n", "vocabulary"),  # a label no vocabulary covers
        ("P1,F,55,Ludwig I,2021-13-45,no,,\n", "parse"),  # a date that cannot be read
    ],
)
def test_a_record_excluded_beside_one_kept_makes_a_conflict(mini_study, extra, step):
    result = _clean(mini_study, extra, yaml_edit=lambda y: y + UNMAPPED_EXCLUDED)
    assert "P1" not in set(result.patients["patient_id"])
    rows = _logged(result, "P1")
    assert rows[["row", "step"]].values.tolist() == [[6, step], [2, "conflict"]]
    reason = rows["reason"].iat[1]
    assert reason.startswith(
        "patient_id 'P1' has another record that could not be used (patients.csv, row 6, "
        f"excluded at step '{step}': "
    )
    assert "every record of the patient is excluded" in reason
    assert result.conflicts.to_dict("records") == [
        {
            "patient_id": "P1",
            "columns": "(a record that could not be used)",
            "rows": "patients.csv, row 2; patients.csv, row 6",
            "sources": 1,
        }
    ]
    flow = result.flow.set_index("step")
    assert flow.loc["conflict", "n_excluded"] == 1
    assert flow.loc["screened", "n_remaining"] == 4
    counts = flow_counts(result, split=None).set_index("key")
    assert counts.loc["records", "n"] == 5 and counts.loc["screened", "n"] == 4
    assert result.accounting()["balanced"].all()


# A record with an unreadable required cell (an Excel error, a control character) was excluded
# before its id was normalised or prefixed: its log row named a raw id. A second centre's
# `P1` (its patient `B-P1`) then made centre A's P1 a conflict, and `P 1` (P1 once the white
# space is removed) was no second record of P1 but a patient of its own, "unusable".
SECOND_CENTRE = """\
  - name: patients_b
    table: patients
    file: patients_b.csv
    id_prefix: "B-"
    constants: {centre: "Centre A"}
    columns: {patient_id: id, sex: sex, age_years: age, baseline_grade: grade,
              last_visit_date: last_visit, is_discontinued: discontinued,
              discontinuation_date: disc_date, discontinuation_reason: disc_reason}
"""


def test_an_unreadable_record_of_another_centre_is_that_centres_patient(mini_study):
    header = _dedent(MINI_FILES["patients.csv"]).splitlines()[0]
    files = {"patients_b.csv": f"{header}\nP1,#REF!,55,Ludwig I,2021-01-10,no,,\n"}
    edit = lambda y: y.replace("  - name: sessions\n", SECOND_CENTRE + "  - name: sessions\n")  # noqa: E731
    result = clean_study(StudyConfig.load(mini_study(files=files, yaml_edit=edit)))
    assert "P1" in set(result.patients["patient_id"])
    rows = _logged(result, "B-P1")
    assert rows[["step", "reason"]].values.tolist() == [
        ["unreadable", "required `sex` unreadable: Excel error cell"]
    ]
    assert result.conflicts.empty
    flow = result.flow.set_index("step")
    assert flow.loc["screened", "n_remaining"] == 5  # P1..P4 and B-P1
    assert flow.loc["unreadable", "n_excluded"] == 1


def test_an_unreadable_cell_of_a_duplicate_is_compared_as_a_blank_one(mini_study):
    result = _clean(mini_study, "P 1,#REF!,55,Ludwig I,2021-01-10,no,,\n")
    assert result.patients.set_index("patient_id").loc["P1", "sex"] == "female"
    rows = _logged(result, "P1")
    assert rows[["row", "step"]].values.tolist() == [[6, "duplicate"]]
    assert "values missing in this record" in rows["reason"].iat[0]
    audit = result.audit.loc[result.audit["check"] == "unreadable"]
    assert audit[["row", "column", "value"]].values.tolist() == [[6, "sex", "#REF!"]]
    flow = result.flow.set_index("step")
    assert flow.loc["screened", "n_remaining"] == 4 and "unreadable" not in flow.index
    # of another sex in a cell that can be read, the same record is a conflict
    other = _clean(mini_study, "P 1,#REF!,70,Ludwig I,2021-01-10,no,,\n")
    assert "P1" not in set(other.patients["patient_id"])
    assert "age_years: '55.0' vs '70.0'" in _logged(other, "P1")["reason"].iat[0]


def test_a_record_lacking_a_value_beside_one_excluded_is_a_conflict(mini_study):
    # P5's first record has no sex, its second a sex no vocabulary covers: the patient was
    # logged "required value missing in every record", untrue of the second record
    extra = "P5,,44,HN III,2021-03-01,no,,\nP5,qq,44,HN III,2021-03-01,no,,\n"
    result = _clean(mini_study, extra, yaml_edit=lambda y: y + UNMAPPED_EXCLUDED)
    rows = _logged(result, "P5")
    assert rows[["row", "step"]].values.tolist() == [[7, "vocabulary"], [6, "conflict"]]
    assert "has another record that could not be used" in rows["reason"].iat[1]
    assert result.conflicts["patient_id"].tolist() == ["P5"]


def test_a_record_whose_id_is_unreadable_is_logged_with_its_id_as_written(mini_study):
    # no id to normalise or compare: excluded at once, the log row naming the cell as written
    sessions = _dedent(MINI_FILES["sessions.csv"]) + "#N/A,2020-04-10,0.1\n"
    result = clean_study(
        StudyConfig.load(mini_study(files={"sessions.csv": sessions}, yaml_edit=allow_orphans))
    )
    log = result.exclusions
    rows = log.loc[(log["table"] == "exposures") & (log["step"] == "unreadable")]
    assert rows[["patient_id", "reason"]].values.tolist() == [
        ["#N/A", "required `patient_id` unreadable: Excel error cell"]
    ]
    assert result.accounting()["balanced"].all()
