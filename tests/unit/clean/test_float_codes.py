"""Codes read as floats (an SPSS numeric column, a nullable Parquet integer column with a gap)
match the study's synonyms written as whole numbers: a sex coded 1/2 read as 1.0/2.0 did not
match `"1"`/`"2"` and was reported as the unmapped value '1.0'."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analysis.clean.stage import clean_study
from analysis.errors import UnmappedValuesError
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.text import label_text, normalize_label
from tests.conftest import MINI_FILES, _dedent


def test_label_text_of_whole_floats():
    assert [label_text(v) for v in (3.0, np.float64(1.0), 2.5, -0.0, 7, "3.0", True)] == [
        "3", "1", "2.5", "0", "7", "3.0", "True",
    ]  # fmt: skip
    assert normalize_label(float("nan")) == "nan"  # not a code (blank cells never get here)


def _parquet_patients(sex: list[float]) -> bytes:
    frame = pd.read_csv(io.StringIO(_dedent(MINI_FILES["patients.csv"])), dtype=str)
    frame["sex"] = pd.Series(sex, dtype="float64")
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _study(mini_study, sex: list[float]) -> StudyConfig:
    def edit(y: str) -> str:
        y = y.replace("file: patients.csv", "file: patients.parquet")
        return y.replace(
            "synonyms: {female: [F, Mujer], male: [Varón]}",
            'synonyms: {female: [F, Mujer, "2"], male: [Varón, "1"]}',
        )

    files = {"patients.csv": None, "patients.parquet": _parquet_patients(sex)}
    return StudyConfig.load(mini_study(files=files, yaml_edit=edit))


def test_float_codes_match_whole_number_synonyms(mini_study):
    result = clean_study(_study(mini_study, [2.0, 1.0, 2.0, 1.0]))
    sexes = result.patients.set_index("patient_id")["sex"].astype(str).to_dict()
    assert sexes == {"P1": "female", "P2": "male", "P4": "male"}


def test_an_unmapped_float_code_is_named_as_written(mini_study):
    with pytest.raises(UnmappedValuesError) as err:
        clean_study(_study(mini_study, [2.0, 1.0, 3.0, 1.0]))
    assert "'3'" in str(err.value) and "'3.0'" not in str(err.value)
