"""SPSS user-missing codes are read as missing, as before, each with an audit row naming the
code and its label (a patient with sex 9 "Not recorded" was excluded for "required value
missing: `sex`" with no trace of the code); every other cell reads as
``pyreadstat.read_sav(apply_value_formats=True)`` reads it."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyreadstat

from analysis.clean.spss_missing import read_sav_with_missing
from analysis.clean.stage import clean_study
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
