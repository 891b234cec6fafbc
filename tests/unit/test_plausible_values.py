"""Plausible values: numbers read by a declared decimal mark (never guessed) and dates inside the
study window, two-digit years by a documented pivot. Every message is asserted exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import StudyConfig
from analysis.errors import ConfigError
from analysis.pipeline import clean_study

SESSIONS = """\
    id,date,dose
    P1,2020-01-10,1.234
    P1,2020-04-10,"1,250"
    P1,2020-07-10,"0,5"
    P2,2020-01-15,2.25
    P2,2020-04-15,12
    P2,2020-07-15,"1.234,5"
    P4,2020-02-01,"1,234.5"
    P4,2020-05-01,-1.500
    P4,2020-08-01,0.500
    """


def _with_decimal(mark: str):
    def edit(text: str) -> str:
        return text.replace(
            "    file: sessions.csv\n",
            f"    file: sessions.csv\n    decimal: {mark!r}\n",
        )

    return edit


def _doses_and_audit(path):
    res = clean_study(StudyConfig.load(path))
    doses = res.tables["exposures"].sort_values("source_row")["dose_mg"].tolist()
    audit = res.audit.loc[res.audit["check"] == "number"]
    return doses, audit[["row", "column", "value", "action", "message"]].values.tolist()


def test_undeclared_decimal_clears_only_ambiguous_values(mini_study):
    doses, audit = _doses_and_audit(mini_study(files={"sessions.csv": SESSIONS}))
    assert pd.isna(doses[0]) and pd.isna(doses[1])
    assert doses[2:5] == [0.5, 2.25, 12.0]
    assert pd.isna(doses[5]) and pd.isna(doses[6]) and pd.isna(doses[7])
    assert doses[8] == 0.5
    assert audit == [
        [
            2,
            "dose_mg",
            "1.234",
            "set_missing",
            "`dose_mg` value '1.234' is ambiguous: '.' may be the decimal mark (1.234) or a "
            "thousands separator (1234); declare `sources[].decimal` ('.' or ',') for source "
            "'sessions'",
        ],
        [
            3,
            "dose_mg",
            "1,250",
            "set_missing",
            "`dose_mg` value '1,250' is ambiguous: ',' may be the decimal mark (1.25) or a "
            "thousands separator (1250); declare `sources[].decimal` (',' or '.') for source "
            "'sessions'",
        ],
        [7, "dose_mg", "1.234,5", "set_missing", "`dose_mg` value '1.234,5' is not a number"],
        [8, "dose_mg", "1,234.5", "set_missing", "`dose_mg` value '1,234.5' is not a number"],
        [
            9,
            "dose_mg",
            "-1.500",
            "set_missing",
            "`dose_mg` value '-1.500' is ambiguous: '.' may be the decimal mark (-1.5) or a "
            "thousands separator (-1500); declare `sources[].decimal` ('.' or ',') for source "
            "'sessions'",
        ],
    ]


def _locale_message(value: str, mark: str, example: str) -> str:
    return (
        f"`dose_mg` value {value!r} does not fit the decimal mark {mark!r} declared for source "
        f"'sessions' (`sources[].decimal`): expected digits, {mark!r} before the decimals and "
        f"thousands in groups of three (e.g. {example!r}); correct the value or the declaration"
    )


def test_declared_decimal_comma(mini_study):
    path = mini_study(files={"sessions.csv": SESSIONS}, yaml_edit=_with_decimal(","))
    doses, audit = _doses_and_audit(path)
    assert doses[:3] == [1234.0, 1.25, 0.5]
    assert pd.isna(doses[3])
    assert doses[4:6] == [12.0, 1234.5]
    assert pd.isna(doses[6])
    assert doses[7:] == [-1500.0, 500.0]
    assert audit == [
        [5, "dose_mg", "2.25", "set_missing", _locale_message("2.25", ",", "1.234,5")],
        [8, "dose_mg", "1,234.5", "set_missing", _locale_message("1,234.5", ",", "1.234,5")],
    ]


def test_declared_decimal_point(mini_study):
    path = mini_study(files={"sessions.csv": SESSIONS}, yaml_edit=_with_decimal("."))
    doses, audit = _doses_and_audit(path)
    assert doses[:2] == [1.234, 1250.0]
    assert pd.isna(doses[2])
    assert doses[3:5] == [2.25, 12.0]
    assert pd.isna(doses[5])
    assert doses[6:] == [1234.5, -1.5, 0.5]
    assert audit == [
        [4, "dose_mg", "0,5", "set_missing", _locale_message("0,5", ".", "1,234.5")],
        [7, "dose_mg", "1.234,5", "set_missing", _locale_message("1.234,5", ".", "1,234.5")],
    ]


def test_declared_decimal_is_one_of_two_marks(mini_study):
    path = mini_study(yaml_edit=_with_decimal(";"))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value) == (
        f"{path}: 1 problem(s) in the study config:\n"
        "  - `sources[1].decimal` (line 22): Input should be '.' or ','; found ';'"
    )
