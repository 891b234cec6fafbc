"""Hostile corpus, plausibility: numbers and doses read by a declared decimal mark (never
guessed); dates inside the study window or, without one, not after their file was saved;
two-digit years by a documented pivot; ages and birth dates that agree; records not before birth;
each patient's dates in their order. Every message is asserted exactly."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES
from tests.hostile.test_values import run
from tests.unit.studyfile.test_design import PERIODS, _periods

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
        [
            7,
            "dose_mg",
            "1.234,5",
            "set_missing",
            "`dose_mg` value '1.234,5' is a number written with '.' between thousands and ',' as "
            "the decimal mark (1234.5 so read), but no decimal mark is declared for source "
            "'sessions'; declare `sources[].decimal: ','` for it (the cell is then read as that "
            "number)",
        ],
        [
            8,
            "dose_mg",
            "1,234.5",
            "set_missing",
            "`dose_mg` value '1,234.5' is a number written with ',' between thousands and '.' as "
            "the decimal mark (1234.5 so read), but no decimal mark is declared for source "
            "'sessions'; declare `sources[].decimal: '.'` for it (the cell is then read as that "
            "number)",
        ],
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
    path = mini_study(files={"patients.csv": PATIENTS, "aes.csv": AES})
    _saved(path, "aes.csv", "2021-06-30 12:00")
    res = clean_study(StudyConfig.load(path))
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
        # no window end without an export date, but not after the file was saved
        ["adverse_events", 4, "check", _file_message("onset_date", "2030-02-02", "2021-06-30")],
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
    from analysis.clean.dates import parse_date_value

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


# ------------------------------------------------------------- window, export date, file date
def _saved(path, name: str, when: str) -> None:
    """Set the modification time of raw file ``name`` to ``when`` (UTC)."""
    t = dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC).timestamp()
    os.utime(path.parent.parent / "raw" / name, (t, t))


def _file_message(column: str, day: str, saved: str) -> str:
    return (
        f"`{column}` {day} is after its file was last modified ({saved} 12:00 UTC): a date "
        f"cannot be later than the file that holds it; check the year. (Without "
        f"`study.export_date` the file's modification day is the latest plausible date; set "
        f"`study.export_date` to state the day of the export.)"
    )


def _checked(res, table=None):
    ex = res.exclusions.loc[res.exclusions["step"] == "check"]
    if table is not None:
        ex = ex.loc[ex["table"] == table]
    return ex[["table", "row", "patient_id", "reason"]].values.tolist()


def _audited(res, *checks):
    a = res.audit.loc[res.audit["check"].isin(checks)]
    return a[["table", "row", "column", "value", "action", "message"]].values.tolist()


@pytest.mark.parametrize("day", ["1900-07-10", "2099-07-10"])
def test_session_outside_the_study_window(mini_study, day):
    sessions = f"id,date,dose\nP1,2020-01-10,0.1\nP1,{day},0.1\nP1,2020-07-10,0.1\n"
    path = mini_study(files={"sessions.csv": sessions}, yaml_edit=_export_date("2021-06-30"))
    res = run(path)
    assert _checked(res) == [
        ["exposures", 3, "P1", _window_message("start_date", day, day, "2021-06-30")]
    ]
    assert res.patients.set_index("patient_id").loc["P1", "n_exposures"] == 2


def test_last_visit_after_the_export_date(mini_study):
    patients = PATIENTS.replace("P4,M,33,HN IV,2021-02-01", "P4,M,33,HN IV,2022-02-01").replace(
        "10/01/21", "2021-01-10"
    )
    res = run(mini_study(files={"patients.csv": patients}, yaml_edit=_export_date("2021-06-30")))
    why = _window_message("last_visit_date", "2022-02-01", "2022-02-01", "2021-06-30")
    assert _checked(res) == [["patients", 5, "P4", why]]
    # the patient's records follow, each logged with the patient's reason
    ex = res.exclusions.loc[res.exclusions["patient_id"] == "P4"]
    follow = ["patient_excluded", f"patient excluded at step 'check': {why}"]
    assert ex[["table", "step", "reason"]].values.tolist() == [
        ["patients", "check", why],
        ["exposures", *follow],
        ["exposures", *follow],
        ["exposures", *follow],
        ["adverse_events", *follow],
        ["concomitant", *follow],
        ["assessments", *follow],
    ]


@pytest.mark.parametrize(("onset", "kept"), [("2021-07-01", True), ("2021-07-02", False)])
def test_onset_after_the_file_was_saved(mini_study, onset, kept):
    """Saved 2021-06-30 12:00 UTC: 2021-07-01 had begun at UTC+14, the 2nd had not."""
    aes = f"id,onset,term,severity,serious\nP1,2020-01-11,dolor,leve,no\nP4,{onset},pain,mild,no\n"
    path = mini_study(files={"aes.csv": aes})
    _saved(path, "aes.csv", "2021-06-30 12:00")
    res = run(path)
    assert _checked(res) == (
        []
        if kept
        else [["adverse_events", 3, "P4", _file_message("onset_date", onset, "2021-06-30")]]
    )
    assert len(res.tables["adverse_events"]) == (2 if kept else 1)


def test_last_visit_after_the_file_was_saved(mini_study):
    path = mini_study()
    _saved(path, "patients.csv", "2021-02-15 12:00")
    res = run(path)
    assert _checked(res) == [
        ["patients", 3, "P2", _file_message("last_visit_date", "2021-03-01", "2021-02-15")]
    ]
    assert "P2" not in set(res.patients["patient_id"])


def test_optional_date_after_the_file_was_saved_is_cleared(mini_study):
    patients = MINI_PATIENTS.replace("yes,2020-12-01,cost", "yes,2021-12-01,cost")
    path = mini_study(files={"patients.csv": patients})
    _saved(path, "patients.csv", "2021-06-30 12:00")
    res = run(path)
    assert _audited(res, "file_date") == [
        [
            "patients",
            3,
            "discontinuation_date",
            "2021-12-01",
            "set_missing",
            _file_message("discontinuation_date", "2021-12-01", "2021-06-30"),
        ]
    ]
    assert pd.isna(res.patients.set_index("patient_id").loc["P2", "discontinuation_date"])


# ------------------------------------------------------------------------ ages and births
MINI_PATIENTS = """\
    id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
    P1,F,55,Ludwig I,2021-01-10,no,,
    P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
    P3,Mujer,61,Ludwig II,2020-06-01,no,,
    P4,M,33,HN IV,2021-02-01,no,,
    """
# day 0 (first session): P1 2020-01-10, P2 2020-01-15, P3 2020-03-01, P4 2020-02-01
BORN = """\
    id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason,born,byear
    P1,F,55,Ludwig I,2021-01-10,no,,,1964-06-01,1964
    P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost,1979-05-02,1979
    P3,Mujer,61,Ludwig II,2020-06-01,no,,,1959-01-01,1959
    P4,M,33,HN IV,2021-02-01,no,,,1986-07-01,1986
    """
P4_BORN = "P4,M,33,HN IV,2021-02-01,no,,,1986-07-01,1986"


def _born(*columns: str):
    """Map the birth columns (``birth_date``: born, ``birth_year``: byear); no age range check."""
    names = {"birth_date": "born", "birth_year": "byear"}

    def edit(text: str) -> str:
        mapped = ", ".join(f"{c}: {names[c]}" for c in columns)
        text = text.replace(
            "discontinuation_reason: disc_reason}",
            f"discontinuation_reason: disc_reason, {mapped}}}",
        )
        return text.replace(
            "checks:\n  - {table: patients, column: age_years, min: 16, max: 100}\n", "checks: []\n"
        )

    return edit


def _p4(row: str) -> dict[str, str]:
    return {"patients.csv": BORN.replace(P4_BORN, row)}


def _age_message(age: str, born: str, age_at_day0: str) -> str:
    return (
        f"`age_years` {age} disagrees by more than a year with the age at day 0 (2020-02-01) "
        f"from `birth_date` {born}: {age_at_day0}; kept. Check the age and the birth date in "
        f"the file."
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(P4_BORN, [], id="consistent"),
        pytest.param(
            "P4,M,34,HN IV,2021-02-01,no,,,1986-07-01,1986", [], id="age-off-by-one-is-kept"
        ),
        pytest.param(
            "P4,M,33,HN IV,2021-02-01,no,,,1990-07-01,1986",
            [
                [
                    "patients",
                    5,
                    "age_years",
                    "33",
                    "flagged",
                    _age_message("33", "1990-07-01", "29"),
                ]
            ],
            id="age-disagrees-with-birth",
        ),
        pytest.param(
            "P4,M,33,HN IV,2021-02-01,no,,,2020-03-01,1986",
            [
                [
                    "patients",
                    5,
                    "birth_date",
                    "2020-03-01",
                    "set_missing",
                    "`birth_date` 2020-03-01 gives an age of -1 years at day 0 (2020-02-01, the "
                    "first session), outside 0 to 120; set missing. Correct the birth date, or "
                    "the date of day 0, in the file.",
                ]
            ],
            id="born-after-day0",
        ),
    ],
)
def test_birth_date_and_age(mini_study, row, expected):
    res = run(mini_study(files=_p4(row), yaml_edit=_born("birth_date")))
    assert _audited(res, "age", "birth") == expected
    assert _checked(res) == []


@pytest.mark.parametrize(
    ("export", "born", "expected"),
    [
        pytest.param("2021-06-30", "1968-03-12", [], id="68-is-1968"),
        pytest.param(
            None,
            None,
            [
                [
                    "patients",
                    5,
                    "birth_date",
                    "12/03/68",
                    "set_missing",
                    "`birth_date` value '12/03/68' has a two-digit year and the study declares no "
                    "`study.export_date` to choose its century; write the year with four digits "
                    "or set `study.export_date`",
                ]
            ],
            id="68-without-export-date",
        ),
    ],
)
def test_two_digit_birth_year(mini_study, export, born, expected):
    row = "P4,M,51,HN IV,2021-02-01,no,,,12/03/68,1968"
    edit = _born("birth_date")
    if export:
        edit = (lambda e1, e2: lambda y: e2(e1(y)))(_born("birth_date"), _export_date(export))
    res = run(mini_study(files=_p4(row), yaml_edit=edit))
    assert _audited(res, "age", "birth", "date") == expected
    got = res.patients.set_index("patient_id").loc["P4", "birth_date"]
    assert (pd.isna(got) and born is None) or got == pd.Timestamp(born)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param("P4,M,33,HN IV,2021-02-01,no,,,,1986", [], id="year-consistent"),
        pytest.param(
            "P4,M,33,HN IV,2021-02-01,no,,,,1990",
            [
                [
                    "patients",
                    5,
                    "age_years",
                    "33",
                    "flagged",
                    "`age_years` 33 disagrees by more than a year with the age at day 0 "
                    "(2020-02-01) from `birth_year` 1990: 29 or 30; kept. Check the age and the "
                    "birth date in the file.",
                ]
            ],
            id="year-disagrees-with-age",
        ),
        pytest.param(
            "P4,M,33,HN IV,2021-02-01,no,,,,1890",
            [
                [
                    "patients",
                    5,
                    "birth_year",
                    "1890",
                    "set_missing",
                    "`birth_year` 1890 gives an age of 129 to 130 years at day 0 (2020-02-01, the "
                    "first session), outside 0 to 120; set missing. Correct the year of birth, or "
                    "the date of day 0, in the file.",
                ]
            ],
            id="year-over-120-years",
        ),
        pytest.param(
            "P4,M,33,HN IV,2021-02-01,no,,,1986-07-01,1987",
            [
                [
                    "patients",
                    5,
                    "birth_year",
                    "1987",
                    "flagged",
                    "`birth_year` 1987 is not the year of `birth_date` 1986-07-01; kept, the birth "
                    "date is used. Correct one of them in the file.",
                ]
            ],
            id="year-is-not-the-birth-date-year",
        ),
    ],
)
def test_birth_year(mini_study, row, expected):
    res = run(mini_study(files=_p4(row), yaml_edit=_born("birth_date", "birth_year")))
    assert _audited(res, "age", "birth") == expected


@pytest.mark.parametrize("age", ["-1", "130"])
def test_impossible_age_is_cleared(mini_study, age):
    """Without a range check in the study file, an age outside 0..120 is still cleared."""
    res = run(mini_study(files=_p4(f"P4,M,{age},HN IV,2021-02-01,no,,,,"), yaml_edit=_born()))
    assert _audited(res, "age", "range") == [
        [
            "patients",
            5,
            "age_years",
            age,
            "set_missing",
            f"`age_years` value {age} is not a possible age (0 to 120 years); set missing. "
            "Correct the age in the file.",
        ]
    ]
    assert pd.isna(res.patients.set_index("patient_id").loc["P4", "age_years"])


def _before_birth(column: str, day: str, born: str) -> str:
    return (
        f"`{column}` {day} is before the patient's birth ({born}); the record cannot be right. "
        f"Correct the date or the birth date in the file."
    )


@pytest.mark.parametrize(
    ("files", "table", "row", "column", "day"),
    [
        pytest.param(
            {"aes.csv": "id,onset,term,severity,serious\nP4,1985-02-02,pain,mild,no\n"},
            "adverse_events",
            2,
            "onset_date",
            "1985-02-02",
            id="onset",
        ),
        pytest.param(
            {"conc.csv": "id,drug,start,stop\nP4,biotin,1980-01-01,\n"},
            "concomitant",
            2,
            "start_date",
            "1980-01-01",
            id="concomitant-start",
        ),
        pytest.param(
            {"assess.csv": "id,date,grade\nP4,1986-06-30,stable\nP4,2021-01-25,stable\n"},
            "assessments",
            2,
            "assessment_date",
            "1986-06-30",
            id="assessment",
        ),
    ],
)
def test_record_before_birth_is_excluded(mini_study, files, table, row, column, day):
    res = run(mini_study(files={**files, **_p4(P4_BORN)}, yaml_edit=_born("birth_date")))
    assert _checked(res) == [[table, row, "P4", _before_birth(column, day, "1986-07-01")]]
    assert _audited(res, "age", "birth") == []


def test_optional_patient_date_before_birth_is_cleared(mini_study):
    row = "P4,M,33,HN IV,2021-02-01,yes,1985-01-01,cost,1986-07-01,1986"
    res = run(mini_study(files=_p4(row), yaml_edit=_born("birth_date")))
    assert _audited(res, "birth", "order") == [
        [
            "patients",
            5,
            "discontinuation_date",
            "1985-01-01",
            "set_missing",
            _before_birth("discontinuation_date", "1985-01-01", "1986-07-01"),
        ]
    ]
    assert _checked(res) == []


# ------------------------------------------------------------------ each patient's dates in order
@pytest.mark.parametrize(
    ("files", "edit", "expected"),
    [
        pytest.param(
            {"sessions.csv": PERIODS.replace("2020-07-01,2020-09-30", "2020-07-01,2020-06-15")},
            _periods,
            ["exposures", 7, "P4", "stop_date 2020-06-15 is before start_date 2020-07-01"],
            id="period",
        ),
        pytest.param(
            {"conc.csv": "id,drug,start,stop\nP4,biotin,2020-05-01,2020-03-01\n"},
            None,
            ["concomitant", 2, "P4", "stop_date 2020-03-01 is before start_date 2020-05-01"],
            id="concomitant",
        ),
    ],
)
def test_stop_before_start_is_excluded(mini_study, files, edit, expected):
    res = run(mini_study(files=files, yaml_edit=edit))
    assert _checked(res) == [expected]


def _resolution(text: str) -> str:
    return text.replace("is_serious: serious}", "is_serious: serious, resolution_date: end}")


@pytest.mark.parametrize(("end", "cleared"), [("2020-02-01", True), ("2020-02-02", False)])
def test_adverse_event_resolved_before_onset(mini_study, end, cleared):
    aes = f"id,onset,term,severity,serious,end\nP4,2020-02-02,pain,mild,no,{end}\n"
    res = run(mini_study(files={"aes.csv": aes}, yaml_edit=_resolution))
    assert _audited(res, "order") == (
        [
            [
                "adverse_events",
                2,
                "resolution_date",
                end,
                "set_missing",
                f"`resolution_date` {end} is before `onset_date` 2020-02-02; set missing (the "
                "event is kept, its end unknown). Correct the date in the file.",
            ]
        ]
        if cleared
        else []
    )
    got = res.tables["adverse_events"]["resolution_date"].iloc[0]
    assert pd.isna(got) if cleared else got == pd.Timestamp(end)


def test_last_visit_before_the_first_session(mini_study):
    patients = MINI_PATIENTS.replace("P4,M,33,HN IV,2021-02-01", "P4,M,33,HN IV,2020-01-15")
    res = run(mini_study(files={"patients.csv": patients}))
    assert _audited(res, "order") == [
        [
            "patients",
            5,
            "last_visit_date",
            "2020-01-15",
            "flagged",
            "`last_visit_date` 2020-01-15 is before the first session (2020-02-01); kept, the "
            "last contact is the patient's latest known date. Check the last visit in the file.",
        ]
    ]
    # the last contact is the latest known date: P4's assessment
    assert res.patients.set_index("patient_id").loc["P4", "last_contact_date"] == pd.Timestamp(
        "2021-01-25"
    )


def test_adverse_event_after_the_last_contact(mini_study):
    aes = "id,onset,term,severity,serious\nP4,2020-02-02,pain,mild,no\nP4,2021-03-01,pain,mild,no\n"
    res = run(mini_study(files={"aes.csv": aes}))
    assert _audited(res, "order") == [
        [
            "adverse_events",
            3,
            "onset_date",
            "2021-03-01",
            "flagged",
            "`onset_date` 2021-03-01 is after the patient's last contact (2021-02-01: the latest "
            "of last visit, sessions, assessments and discontinuation); kept, and the last "
            "contact is taken as this onset. Check the last visit in the file.",
        ]
    ]
    p4 = res.patients.set_index("patient_id").loc["P4"]
    assert p4["last_contact_date"] == pd.Timestamp("2021-03-01")
    assert p4["followup_months"] == pytest.approx(394 / 30.4375)


def test_discontinuation_before_the_first_session(mini_study):
    patients = MINI_PATIENTS.replace("yes,2020-12-01,cost", "yes,2019-12-01,cost")
    res = run(mini_study(files={"patients.csv": patients}))
    assert _audited(res, "order", "imputed") == [
        [
            "patients",
            3,
            "discontinuation_date",
            "2019-12-01",
            "set_missing",
            "`discontinuation_date` 2019-12-01 is before the first session (2020-01-15): the "
            "treatment cannot stop before it starts; set missing. Correct the date in the file.",
        ],
        [
            "patients",
            3,
            "discontinuation_date",
            "",
            "derived",
            "discontinued without a discontinuation_date; time to discontinuation runs to the "
            "end of exposure (2020-04-15)",
        ],
    ]


def test_assessment_before_the_first_session_is_the_baseline(mini_study):
    assess = "id,date,grade\nP1,2019-12-01,stable\nP1,2021-01-08,mejoría marcada\n"
    res = run(mini_study(files={"assess.csv": assess}))
    assert res.audit.empty
    assert _checked(res) == []
    assert len(res.tables["assessments"]) == 2


# ------------------------------------------------------------------------------ doses as text
def _dose_edit(mark: str | None):
    return lambda y: _with_decimal(mark)(_periods(y)) if mark else _periods(y)


def _ambiguous(text: str, amount: str, mark: str, other: str, dec: str, thou: str) -> str:
    return (
        f"`dose_text` value {text!r}: the amount {amount!r} is ambiguous: {mark!r} may be the "
        f"decimal mark ({dec}) or a thousands separator ({thou}); declare `sources[].decimal` "
        f"({mark!r} or {other!r}) for source 'sessions'; dose_mg and doses_per_week left missing"
    )


def _misfit(text: str, amount: str, mark: str, example: str) -> str:
    return (
        f"`dose_text` value {text!r}: the amount {amount!r} does not fit the decimal mark "
        f"{mark!r} declared for source 'sessions' (`sources[].decimal`): expected digits, "
        f"{mark!r} before the decimals and thousands in groups of three (e.g. {example!r}); "
        f"correct the value or the declaration; dose_mg and doses_per_week left missing"
    )


@pytest.mark.parametrize(
    ("text", "mark", "dose", "message"),
    [
        ("0,5 mg/dia", None, 0.5, None),
        ("0,5 mg/dia", ",", 0.5, None),
        ("0,5 mg/dia", ".", None, _misfit("0,5 mg/dia", "0,5", ".", "1,234.5")),
        ("1.250 mg/dia", None, None, _ambiguous("1.250 mg/dia", "1.250", ".", ",", "1.25", "1250")),
        ("1.250 mg/dia", ",", 1250.0, None),
        ("1.250 mg/dia", ".", 1.25, None),
        ("1,250 mg/dia", None, None, _ambiguous("1,250 mg/dia", "1,250", ",", ".", "1.25", "1250")),
        ("1,250 mg/dia", ".", 1250.0, None),
        ("2.5mg/d", ",", None, _misfit("2.5mg/d", "2.5", ",", "1.234,5")),
        ("1.234,5 mg/dia", ",", 1234.5, None),
        ("0.500 mg/dia", None, 0.5, None),
    ],
)
def test_dose_text_follows_the_decimal_mark(mini_study, text, mark, dose, message):
    sessions = PERIODS.replace('P1,"0,5 mg/dia",2020-01-10', f'P1,"{text}",2020-01-10')
    res = run(mini_study(files={"sessions.csv": sessions}, yaml_edit=_dose_edit(mark)))
    ex = res.tables["exposures"].set_index("source_row")
    got = ex.loc[2, "dose_mg"]
    assert pd.isna(got) if dose is None else got == dose
    audit = res.audit.loc[(res.audit["check"] == "dose") & (res.audit["row"] == 2)]
    assert audit[["value", "action", "message"]].values.tolist() == (
        [[text, "set_missing", message]] if message else []
    )


def test_a_session_before_the_first_visit_is_flagged(mini_study):
    """A session whose year was mistyped decades early became day 0 and gave the patient
    decades of follow-up, with no message."""
    patients = """\
        id,first,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,2020-01-05,F,55,Ludwig I,2021-01-10,no,,
        P2,2020-01-15,male,40,HN III,2021-03-01,yes,2020-12-01,cost
        P3,2020-02-20,Mujer,61,Ludwig II,2020-06-01,no,,
        P4,2020-01-20,M,33,HN IV,2021-02-01,no,,
        """
    sessions = MINI_FILES["sessions.csv"].replace("P2,2020-01-15,0.1", "P2,1990-01-15,0.1")

    def edit(body: str) -> str:
        return body.replace(
            "columns: {patient_id: id, sex: sex,",
            "columns: {patient_id: id, sex: sex, first_visit_date: first,",
            1,
        )

    files = {"patients.csv": patients, "sessions.csv": sessions}
    res = run(mini_study(files=files, yaml_edit=edit))
    assert _audited(res, "order") == [
        [
            "exposures",
            5,
            "start_date",
            "1990-01-15",
            "flagged",
            "`start_date` 1990-01-15 is before the patient's first visit (2020-01-15); kept: the "
            "first session is day 0 and starts follow-up. Check the year in the file.",
        ]
    ]
    assert pd.Timestamp("1990-01-15") in set(res.tables["exposures"]["start_date"])  # kept


def test_a_session_before_the_first_visit_when_day0_is_that_visit(mini_study):
    """With day 0 the first visit, the session is not day 0: the audit row said it was (a
    probe: the row read "kept: the first session is day 0" while day 0 was the visit)."""
    patients = (
        MINI_FILES["patients.csv"]
        .replace("id,sex,", "id,first,sex,")
        .replace("P1,F,", "P1,2020-03-01,F,")
        .replace("P2,male,", "P2,2020-01-15,male,")
        .replace("P3,Mujer,", "P3,2020-03-01,Mujer,")
        .replace("P4,M,", "P4,2020-02-01,M,")
    )

    def edit(body: str) -> str:
        body = body.replace(
            "columns: {patient_id: id, sex: sex,",
            "columns: {patient_id: id, sex: sex, first_visit_date: first,",
            1,
        )
        return body.replace(
            "exposure: {kind: discrete,", "exposure: {kind: discrete, day0: first_visit_date,"
        )

    res = run(mini_study(files={"patients.csv": patients}, yaml_edit=edit))
    rows = _audited(res, "order")
    assert [r[3] for r in rows] == ["2020-01-10"]  # P1's first session, before the visit
    assert rows[0][5] == (
        "`start_date` 2020-01-10 is before the patient's first visit (2020-03-01); kept: day 0 "
        "is the first visit date, so this session comes before day 0 (its days from day 0 are "
        "negative). Check the year in the file."
    )


def test_a_session_after_the_discontinuation_is_flagged(mini_study):
    """Discrete doses: a session after the dated discontinuation ran the exposure past it in
    silence (periods were flagged already)."""
    sessions = MINI_FILES["sessions.csv"].replace(
        "P2,2020-04-15,0.1\n", "P2,2020-04-15,0.1\n        P2,2021-01-10,0.1\n"
    )
    res = run(mini_study(files={"sessions.csv": sessions}))
    rows = [r for r in _audited(res, "order") if r[2] == "start_date"]
    assert [(r[3], r[4]) for r in rows] == [("2021-01-10", "flagged")]
    assert rows[0][5] == (
        "`start_date` 2021-01-10 is after the patient's `discontinuation_date` 2020-12-01; kept: "
        "the session counts, and the exposure and its treatment-emergent window run to it. "
        "Correct whichever date is wrong in the file."
    )
    assert pd.Timestamp("2021-01-10") in set(res.tables["exposures"]["start_date"])  # kept


def _first_visit_day0(criterion: str = ""):
    def edit(body: str) -> str:
        body = body.replace(
            "columns: {patient_id: id, sex: sex,",
            "columns: {patient_id: id, sex: sex, first_visit_date: first,",
            1,
        )
        body = body.replace(
            "exposure: {kind: discrete,", "exposure: {kind: discrete, day0: first_visit_date,"
        )
        return body + criterion

    return edit


def test_included_patients_never_exposed_are_counted_in_a_warning(mini_study):
    """Day 0 the first visit: a patient without any session was in every table in silence (a
    probe: "monotherapy", 12 months of follow-up, no exposure)."""
    patients = (
        MINI_FILES["patients.csv"]
        .replace("id,sex,", "id,first,sex,")
        .replace("P1,F,", "P1,2020-01-05,F,")
        .replace("P2,male,", "P2,2020-01-15,male,")
        .replace("P3,Mujer,", "P3,2019-11-01,Mujer,")
        .replace("P4,M,", "P4,2020-02-01,M,")
    )
    sessions = MINI_FILES["sessions.csv"].replace("P3,2020-03-01,0.1\n", "")
    files = {"patients.csv": patients, "sessions.csv": sessions}
    res = run(mini_study(files=files, yaml_edit=_first_visit_day0()))
    assert "P3" in set(res.tables["patients"]["patient_id"])
    said = [w for w in res.warnings if "no row in table 'exposures'" in w]
    assert said == [
        "1 included patient has no row in table 'exposures' (day 0 is the first visit date): "
        "counted in every table's N, with no sessions and no treatment-emergent event (their "
        "`first_exposure_date` is blank in the patient table). If the study is of treated "
        "patients, add an inclusion criterion: `{id: treated, label: Treated, where: [{column: "
        "first_exposure_date, op: not_missing}]}`."
    ]
    treated = (
        "  - id: treated\n    label: Treated\n"
        "    where: [{column: first_exposure_date, op: not_missing}]\n"
    )
    res = run(mini_study(files=files, yaml_edit=_first_visit_day0(treated)))
    assert "P3" not in set(res.tables["patients"]["patient_id"])
    assert not [w for w in res.warnings if "no row in table 'exposures'" in w]
