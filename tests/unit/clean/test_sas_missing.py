"""SAS special missing values (.A-.Z, ._) are read as missing, each with an audit row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from analysis.clean.read import read_raw
from analysis.clean.sas_missing import sas7bdat_special_missing, special_missing_audit
from analysis.clean.stage import clean_study
from analysis.clean.xport_whole import xport_members


def _xpt_with_special(path: Path, letters: dict[int, bytes]) -> None:
    """A transport file of four patients whose EDAD of the rows in ``letters`` is the SAS
    special missing value of that letter (written by hand: pyreadstat writes only '.')."""
    frame = pd.DataFrame(
        {
            "id": ["P1", "P2", "P3", "P4"],
            "sex": ["F", "M", "F", "M"],
            "age": [40.0, np.nan, np.nan, 51.0],
            "last_visit": pd.to_datetime(["2021-03-01"] * 4),
        }
    )
    pyreadstat.write_xport(frame, str(path))
    data = bytearray(path.read_bytes())
    member = xport_members(bytes(data))[0]
    age = next(v for v in member.variables if v.name == "age")
    for row, letter in letters.items():
        at = member.start + row * member.obs_length + age.position
        assert data[at : at + 8] == b"." + bytes(7)  # a plain missing value, as written
        data[at : at + 1] = letter
    path.write_bytes(bytes(data))


def test_a_transport_files_special_missing_values_are_found(tmp_path):
    _xpt_with_special(tmp_path / "p.xpt", {1: b"A", 2: b"_"})
    got = read_raw(tmp_path / "p.xpt", fmt="sas")
    assert got["age"].isna().tolist() == [False, True, True, False]
    assert got.attrs["special_missing"] == {1: [("age", ".A", "")], 2: [("age", "._", "")]}


def test_a_plain_missing_value_is_not_special(tmp_path):
    _xpt_with_special(tmp_path / "p.xpt", {})
    assert "special_missing" not in read_raw(tmp_path / "p.xpt", fmt="sas").attrs


def test_a_sas7bdat_frames_letters_in_a_number_column_are_set_missing():
    raw = pd.DataFrame(
        {"age": [40.0, "A", np.nan, "Z"], "grade": ["A", "B", "A", None]}, dtype=object
    )
    got, found = sas7bdat_special_missing(raw, ["age"])
    assert got["age"].tolist()[0] == 40.0
    assert got["age"].isna().tolist() == [False, True, True, True]
    assert got["grade"].tolist() == ["A", "B", "A", None]  # a text column keeps its letters
    assert found == {1: [("age", ".A", "")], 3: [("age", ".Z", "")]}


def test_each_special_missing_value_has_an_audit_row(mini_study, tmp_path):
    path = mini_study(
        yaml_edit=lambda y: (
            y.replace("file: patients.csv", "file: patients.xpt")
            .replace(
                "columns: {patient_id: id, sex: sex, age_years: age, baseline_grade: grade,\n"
                "              last_visit_date: last_visit, is_discontinued: discontinued,\n"
                "              discontinuation_date: disc_date, discontinuation_reason: disc_reason}",
                "columns: {patient_id: id, sex: sex, age_years: age, last_visit_date: last_visit}",
            )
            .replace(
                '    synonyms:\n      sex: {male: ["M"]}\n',
                '    synonyms:\n      sex: {male: ["M"]}\n    date_numbers: sas\n',
                1,
            )
        )
    )
    _xpt_with_special(tmp_path / "raw" / "patients.xpt", {1: b"N"})
    from analysis.studyfile.config import StudyConfig

    result = clean_study(StudyConfig.load(path))
    audit = result.audit.loc[result.audit["check"] == "special_missing"]
    assert audit[["column", "value", "action"]].to_numpy().tolist() == [
        ["age_years", ".N", "set_missing"]
    ]
    assert audit["message"].iloc[0].startswith("`age_years` holds the SAS special missing value .N")


def test_the_audit_of_a_frame_without_special_missing_values_is_empty():
    data = pd.DataFrame({"patient_id": ["P1"], "age_years": [4.0]})
    got, audit = special_missing_audit(data, "patients")
    assert got is data and audit.empty


def test_a_sas7bdat_date_column_keeps_its_dates_beside_a_special_missing_value():
    import datetime as dt

    raw = pd.DataFrame({"visit": [dt.date(2021, 3, 1), "B", None]}, dtype=object)
    got, found = sas7bdat_special_missing(raw, ["visit"])
    assert got["visit"].tolist()[0] == dt.date(2021, 3, 1)
    assert got["visit"].isna().tolist() == [False, True, True]
    assert found == {1: [("visit", ".B", "")]}
