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


# ----------------------------------------------------------------------------- dates
def _export_date(day: str, window: str = ""):
    def edit(text: str) -> str:
        text = text.replace("  seed: 7\n", f"  seed: 7\n  export_date: {day}\n")
        if window:
            text = text.replace("checks:\n", f"cleaning:\n  date_window: {window}\nchecks:\n")
        return text

    return edit


PATIENTS = """\
    id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
    P1,F,55,Ludwig I,10/01/21,no,,
    P2,male,40,HN III,2021-03-01,yes,1899-12-01,cost
    P3,Mujer,61,Ludwig II,2020-06-01,no,,
    P4,M,33,HN IV,2021-02-01,no,,
    """
AES = """\
    id,onset,term,severity,serious
    P1,1900-04-11,dolor,leve,no
    P1,2020-04-11,pain,mild,no
    P4,2030-02-02,pain,mild,no
    """


def _window_message(column: str, value: str, day: str, end: str) -> str:
    return (
        f"`{column}` value {value!r} ({day}) is outside the study window [1901-01-01, {end}]; "
        f"check the year (the window is `cleaning.date_window`, its end by default "
        f"`study.export_date`)"
    )


def test_dates_outside_the_window_without_export_date(mini_study):
    res = clean_study(
        StudyConfig.load(mini_study(files={"patients.csv": PATIENTS, "aes.csv": AES}))
    )
    ex = res.exclusions.loc[res.exclusions["step"].isin(["parse", "check"])]
    assert ex[["table", "row", "step", "reason"]].values.tolist() == [
        [
            "patients",
            2,
            "parse",
            "`last_visit_date` value '10/01/21' has a two-digit year and the study declares no "
            "`study.export_date` to choose its century; write the year with four digits or set "
            "`study.export_date`",
        ],
        [
            "adverse_events",
            2,
            "check",
            _window_message("onset_date", "1900-04-11", "1900-04-11", "-"),
        ],
    ]
    audit = res.audit.loc[res.audit["check"] == "date_window"]
    assert audit[["table", "row", "column", "value", "action", "message"]].values.tolist() == [
        [
            "patients",
            3,
            "discontinuation_date",
            "1899-12-01",
            "set_missing",
            _window_message("discontinuation_date", "1899-12-01", "1899-12-01", "-"),
        ]
    ]
    assert res.tables["patients"].set_index("patient_id")["discontinuation_date"].isna()["P2"]
    # no upper bound without an export date: the 2030 onset is kept
    aes = res.tables["adverse_events"]
    assert aes.loc[aes["patient_id"] == "P4", "onset_date"].tolist() == [pd.Timestamp("2030-02-02")]


def test_export_date_ends_the_window_and_sets_the_century(mini_study):
    path = mini_study(
        files={"patients.csv": PATIENTS, "aes.csv": AES}, yaml_edit=_export_date("2021-06-30")
    )
    res = clean_study(StudyConfig.load(path))
    ex = res.exclusions.loc[res.exclusions["step"].isin(["parse", "check"])]
    assert ex[["table", "row", "step", "reason"]].values.tolist() == [
        [
            "adverse_events",
            2,
            "check",
            _window_message("onset_date", "1900-04-11", "1900-04-11", "2021-06-30"),
        ],
        [
            "adverse_events",
            4,
            "check",
            _window_message("onset_date", "2030-02-02", "2030-02-02", "2021-06-30"),
        ],
    ]
    patients = res.tables["patients"].set_index("patient_id")
    assert patients.loc["P1", "last_visit_date"] == pd.Timestamp("2021-01-10")


def test_declared_window_wins_over_export_date(mini_study):
    path = mini_study(
        files={"aes.csv": AES},
        yaml_edit=_export_date("2021-06-30", "{start: 1950-01-01, end: 2030-12-31}"),
    )
    res = clean_study(StudyConfig.load(path))
    ex = res.exclusions.loc[res.exclusions["step"] == "check"]
    assert ex["reason"].tolist() == [
        "`onset_date` value '1900-04-11' (1900-04-11) is outside the study window "
        "[1950-01-01, 2030-12-31]; check the year (the window is `cleaning.date_window`, its "
        "end by default `study.export_date`)"
    ]


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("12/03/68", "DMY", "1968-03-12"),
        ("12/03/26", "DMY", "2026-03-12"),
        ("12/03/27", "DMY", "1927-03-12"),
        ("12-03-00", "DMY", "2000-03-12"),
        ("03/12/68", "MDY", "1968-03-12"),
        ("31/02/68", "DMY", None),
    ],
)
def test_two_digit_year_pivot(text, order, expected):
    from analysis.clean import parse_date_value

    got = parse_date_value(text, order, last_year=2026)
    assert got == (pd.Timestamp(expected) if expected else None)
    assert parse_date_value(text, order) is None


def test_window_end_before_start(mini_study):
    path = mini_study(yaml_edit=_export_date("2021-06-30", "{end: 1900-01-01}"))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value) == (
        f"{path}: 1 problem(s) in the study config:\n"
        "  - `cleaning.date_window` (line 65): date_window.end 1900-01-01 is before "
        "date_window.start 1901-01-01; give an end on or after the start"
    )
