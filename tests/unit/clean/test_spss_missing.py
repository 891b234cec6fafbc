"""SPSS user-missing codes are read as missing, as before, each with an audit row naming the
code and its label (a patient with sex 9 "Not recorded" was excluded for "required value
missing: `sex`" with no trace of the code); every other cell reads as
``pyreadstat.read_sav(apply_value_formats=True)`` reads it."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from analysis.clean.spss_missing import read_sav_with_missing
from analysis.clean.stage import clean_study
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent


def _patients() -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(_dedent(MINI_FILES["patients.csv"])), dtype=str)
    frame["sex"] = [2.0, 1.0, 9.0, 1.0]  # P3: not recorded
    frame["age"] = [55.0, 99.0, 61.0, np.nan]  # P2: 99, declared missing (98-99)
    frame["disc_reason"] = ["", "cost", "", "NA"]  # P4: a text code declared missing
    return frame


def _write(path) -> None:
    pyreadstat.write_sav(
        _patients(),
        str(path),
        variable_value_labels={"sex": {1: "male", 2: "female", 9: "Not recorded"}},
        missing_ranges={"sex": [9], "age": [{"lo": 98, "hi": 99}], "disc_reason": ["NA"]},
    )


def test_the_cells_read_as_value_labels_read_them(tmp_path):
    path = tmp_path / "p.sav"
    _write(path)
    got, _ = read_sav_with_missing(path)
    want, _ = pyreadstat.read_sav(str(path), apply_value_formats=True)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["user_missing"] == {
        1: [("age", 99, "")],
        2: [("sex", 9, "Not recorded")],
        3: [("disc_reason", "NA", "")],
    }


def test_user_missing_codes_have_audit_rows(mini_study):
    def edit(y: str) -> str:
        return y.replace("file: patients.csv", "file: patients.sav")

    path = mini_study(files={"patients.csv": None}, yaml_edit=edit)
    _write(path.parent.parent / "raw" / "patients.sav")
    result = clean_study(StudyConfig.load(path))
    audit = result.audit.loc[result.audit["check"] == "user_missing"]
    assert audit[["patient_id", "row", "column", "value", "action"]].values.tolist() == [
        ["P2", 3, "age_years", "99", "set_missing"],
        ["P3", 4, "sex", "9", "set_missing"],
        ["P4", 5, "discontinuation_reason", "NA", "set_missing"],
    ]
    assert audit["message"].iloc[1] == (
        "`sex` holds the SPSS user-missing code 9 ('Not recorded'), declared as no value in "
        "the file: read as missing"
    )
    excluded = result.exclusions.loc[result.exclusions["patient_id"] == "P3"]
    assert "required value missing: `sex`" in set(excluded["reason"])
    assert result.accounting()["balanced"].all()


# ------------------------------------------------- value labels of a number or date variable
def _write_scale(path) -> None:
    """A pain scale 0-10 with its end points named, and sex coded 1/2 with labels; age 98.5
    declared missing (a code that is not whole)."""
    frame = _patients()
    frame["age"] = [55.0, 98.5, 61.0, 33.0]
    frame["vas"] = [0.0, 10.0, 4.0, 10.0]
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "sex": {1: "male", 2: "female", 9: "Not recorded"},
            "vas": {0: "No pain", 10: "Worst imaginable pain"},
        },
        missing_ranges={"sex": [9], "age": [{"lo": 98, "hi": 99}], "disc_reason": ["NA"]},
    )


def _scale_study(mini_study):
    def edit(y: str) -> str:
        y = y.replace("file: patients.csv", "file: patients.sav")
        y = y.replace("last_visit_date: last_visit,", "last_visit_date: last_visit, vas: vas,")
        return y + (
            "variables:\n  patients:\n    vas: {type: integer, label: Pain VAS, min: 0, max: 10}\n"
        )

    path = mini_study(files={"patients.csv": None}, yaml_edit=edit)
    _write_scale(path.parent.parent / "raw" / "patients.sav")
    return path


def test_a_declared_number_keeps_its_values_not_its_value_labels(tmp_path):
    path = tmp_path / "p.sav"
    _write_scale(path)
    got, _ = read_sav_with_missing(path, codes_of=["vas"])
    assert got["vas"].tolist() == [0.0, 10.0, 4.0, 10.0]
    sex = got["sex"].astype(object)  # not named: its labels
    assert sex.iloc[[0, 1, 3]].tolist() == ["female", "male", "male"] and pd.isna(sex.iloc[2])
    labelled, _ = read_sav_with_missing(path)  # no name given: every label, as before
    assert labelled["vas"].astype(object).tolist()[:2] == ["No pain", "Worst imaginable pain"]


def test_a_scale_declared_integer_keeps_its_end_points(mini_study):
    """VAS 0 and 10 (the labelled end points) are read as 0 and 10: they were read as "No
    pain" / "Worst imaginable pain", then cleared as "not a whole number"."""
    result = clean_study(StudyConfig.load(_scale_study(mini_study)))
    patients = result.tables["patients"].set_index("patient_id")
    assert patients.loc[["P1", "P2", "P4"], "vas"].tolist() == [0, 10, 10]
    assert not (result.audit["column"] == "vas").any()
    assert patients["sex"].astype(object).loc[["P1", "P2"]].tolist() == ["female", "male"]


def test_a_code_that_is_not_whole_is_written_as_a_number(mini_study):
    result = clean_study(StudyConfig.load(_scale_study(mini_study)))
    audit = result.audit.loc[result.audit["check"] == "user_missing"]
    age = audit.loc[audit["column"] == "age_years"]
    assert age[["patient_id", "value"]].values.tolist() == [["P2", "98.5"]]
    assert age["message"].iloc[0] == (
        "`age_years` holds the SPSS user-missing code 98.5, declared as no value in the file: "
        "read as missing"
    )


def test_a_declared_encoding_is_used_for_an_spss_file(tmp_path):
    """`sources[].encoding` was dropped for SPSS files without a word; a file whose header
    names the wrong code page is read with the one the study declares."""
    path = tmp_path / "e.sav"
    pyreadstat.write_sav(pd.DataFrame({"term": ["édème"]}), str(path))  # written as UTF-8
    assert read_sav_with_missing(path)[0]["term"].tolist() == ["édème"]
    assert read_sav_with_missing(path, encoding="latin1")[0]["term"].tolist() == ["Ã©dÃ¨me"]


def test_user_missing_audit_rows_name_the_patient_by_the_final_id(mini_study):
    # the audit rows were made before the ids were final: "2.0" for the patient "A-2" (SPSS
    # numbers as ids, every source with `id_prefix: A-`)
    def edit(y: str) -> str:
        y = y.replace("file: patients.csv", "file: patients.sav")
        return re.sub(r"(  - name: \w+\n)", r"\1    id_prefix: 'A-'\n", y)

    files = {k: _dedent(v).replace("\nP", "\n") for k, v in MINI_FILES.items()}
    path = mini_study(files={**files, "patients.csv": None}, yaml_edit=edit)
    frame = _patients().assign(id=[1.0, 2.0, 3.0, 4.0])
    pyreadstat.write_sav(
        frame,
        str(path.parent.parent / "raw" / "patients.sav"),
        variable_value_labels={"sex": {1: "male", 2: "female", 9: "Not recorded"}},
        missing_ranges={"sex": [9], "age": [{"lo": 98, "hi": 99}], "disc_reason": ["NA"]},
    )
    result = clean_study(StudyConfig.load(path))
    assert {"A-1", "A-2", "A-4"} <= set(result.tables["patients"]["patient_id"])
    audit = result.audit.loc[result.audit["check"] == "user_missing"]
    assert audit[["patient_id", "row", "column"]].values.tolist() == [
        ["A-2", 3, "age_years"],
        ["A-3", 4, "sex"],
        ["A-4", 5, "discontinuation_reason"],
    ]
    excluded = result.exclusions.loc[result.exclusions["patient_id"] == "A-3"]
    assert "required value missing: `sex`" in set(excluded["reason"])


# ------------------------------------------------- a user-missing code in a records_when column
def _visits_sav(path) -> None:
    """Visits with a "Dry lips" yes/no column coded 1/2, 9 "Not asked" declared missing."""
    pyreadstat.write_sav(
        pd.DataFrame(
            {
                "id": ["P1", "P1", "P4"],
                "onset": ["2020-01-11", "2020-04-11", "2020-02-02"],
                "drylips": [1.0, 9.0, 2.0],
            }
        ),
        str(path),
        variable_value_labels={"drylips": {1: "Yes", 2: "No", 9: "Not asked"}},
        missing_ranges={"drylips": [9]},
    )


def _dry_lips(otherwise: str):
    def edit(body: str) -> str:
        start, end = body.index("  - name: aes\n"), body.index("  - name: conc\n")
        source = (
            "  - name: ae_dry_lips\n"
            "    table: adverse_events\n"
            "    file: visits.sav\n"
            f"    records_when: {{column: drylips, values: ['Yes'], otherwise: [{otherwise}]}}\n"
            "    constants: {ae_term: pain, is_serious: 'no'}\n"
            "    columns: {patient_id: id, onset_date: onset}\n"
        )
        return body[:start] + source + body[end:]

    return edit


def test_a_user_missing_code_in_a_records_when_column_is_a_value_to_list(mini_study):
    """Read as missing, the code was a blank cell: no record, no audit row, an event marked
    "not asked" gone (49 events of 50, exit 0). It is now a value `records_when` must list."""
    path = mini_study(files={"aes.csv": None}, yaml_edit=_dry_lips("'No'"))
    _visits_sav(path.parent.parent / "raw" / "visits.sav")
    with pytest.raises(SourceError, match=r"does not list: 'Not asked' in row\(s\) 3\."):
        clean_study(StudyConfig.load(path))
    listed = mini_study(files={"aes.csv": None}, yaml_edit=_dry_lips("'No', 'Not asked'"))
    events = clean_study(StudyConfig.load(listed)).tables["adverse_events"]
    assert events["source_row"].tolist() == [2]
