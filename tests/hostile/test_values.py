"""Bad input gets a clear error (what, where, found vs expected, fix) and nothing is lost.

Each case asserts the exact user-facing message.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, SourceError, UnmappedValuesError
from analysis.studyfile.config import StudyConfig
from tests.conftest import allow_orphans


def run(path):
    return clean_study(StudyConfig.load(path))


def reasons(result, step):
    ex = result.exclusions
    return ex.loc[ex["step"] == step].reset_index(drop=True)


# ------------------------------------------------------------------ unreadable sources
def test_empty_file(mini_study):
    path = mini_study(files={"sessions.csv": b""})
    raw = path.parent.parent / "raw" / "sessions.csv"
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == f"{raw} is empty (0 bytes). Re-export the file from the clinic system."


def test_whitespace_only_file(mini_study):
    path = mini_study(files={"sessions.csv": "\n\n  \n"})
    raw = path.parent.parent / "raw" / "sessions.csv"
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == f"{raw} holds no data (only white space). Re-export the file."


def test_header_without_records(mini_study):
    path = mini_study(files={"aes.csv": "id,onset,term,severity,serious\n"})
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        "aes.csv: has a header but no records. If the export is truncated or the wrong file, "
        "export it again."
    )


def test_raw_file_not_found(mini_study):
    path = mini_study(files={"conc.csv": None})
    raw = path.parent.parent / "raw" / "conc.csv"
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"raw file not found: {raw}. Check the file of source 'conc' (`sources[3].file`, line 30 "
        f"of the study file) (paths are relative to `paths.raw`)."
    )


def test_missing_required_column(mini_study):
    path = mini_study(
        files={"patients.csv": "id,gender,age,grade,last_visit\nP1,F,50,,2021-01-01\n"}
    )
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        "patients.csv: column(s) not found: sex <- 'sex', is_discontinued <- 'discontinued', "
        "discontinuation_date <- 'disc_date', discontinuation_reason <- 'disc_reason'. The file "
        "has: 'id', 'gender', 'age', 'grade', 'last_visit'. Fix `sources[0].columns.sex`, line "
        "14; `sources[0].columns.is_discontinued`, line 15; "
        "`sources[0].columns.discontinuation_date`, line 16; "
        "`sources[0].columns.discontinuation_reason`, line 16: name the header as it appears in "
        "the file."
    )


def test_wrong_encoding(mini_study):
    latin = "id,drug,start,stop\nP2,minoxidil oral,2019-06-01,\nP4,biotin,2020-01-01,\nP4,Avodart é,2020-01-01,\n"
    path = mini_study(
        files={"conc.csv": latin.encode("latin-1")},
        yaml_edit=lambda y: y.replace("file: conc.csv", "file: conc.csv\n    encoding: utf-8"),
    )
    raw = path.parent.parent / "raw" / "conc.csv"
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{raw}: cannot be decoded as 'utf-8' (byte 0xe9 at line 4). The file is probably in "
        f"another encoding: set `encoding: latin-1` (or cp1252) "
        "for source 'conc' (`sources[3]`, line 28)."
    )


def test_unknown_encoding_name(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace("file: conc.csv", "file: conc.csv\n    encoding: klingon")
    )
    raw = path.parent.parent / "raw" / "conc.csv"
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{raw}: unknown encoding 'klingon' in the study config; use e.g. utf-8, latin-1 or cp1252."
    )


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_missing_sheet(mini_study):
    xlsx = _workbook({"Sesiones": [["id", "date", "dose"], ["P1", "2020-01-10", 0.1]]})
    path = mini_study(
        files={"export.xlsx": xlsx},
        yaml_edit=lambda y: y.replace(
            "file: sessions.csv", "file: export.xlsx\n    sheet: Sessions"
        ),
    )
    raw = path.parent.parent / "raw" / "export.xlsx"
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{raw}: sheet 'Sessions' not found; the workbook has sheets ['Sesiones']. Fix the sheet "
        f"of source 'sessions' (`sources[1].sheet`, line 22 of the study file)."
    )


def test_not_a_workbook(mini_study):
    path = mini_study(
        files={"export.xlsx": b"this is not a zip file"},
        yaml_edit=lambda y: y.replace(
            "file: sessions.csv", "file: export.xlsx\n    sheet: Sessions"
        ),
    )
    raw = path.parent.parent / "raw" / "export.xlsx"
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{raw}: not a readable .xlsx workbook (Cannot detect file format). If it is an old .xls or a "
        f"CSV renamed to .xlsx, open it in a spreadsheet program and save it as .xlsx."
    )


def _sessions_workbook() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Sessions"
    for row in (["id", "date", "dose"], ["P1", "2020-01-10", 0.1]):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


DAMAGED = (
    "the workbook is damaged or incomplete: it starts as a zip archive, as every .xlsx file does, "
    "but {damage}. It was probably cut short or corrupted while being exported, copied or "
    "downloaded: export it again from the clinic system (or copy it again) and check that it "
    "opens in a spreadsheet program."
)


@pytest.mark.parametrize("keep", [0.5, 0.9, -1], ids=["half", "most", "all-but-a-byte"])
def test_a_truncated_workbook_is_said_damaged_not_old(mini_study, keep):
    """A download cut short starts as a zip but has no archive directory: it is not an old .xls
    (which the reader's "Cannot detect file format" suggested), and the fix is to export again."""
    data = _sessions_workbook()
    cut = int(len(data) * keep) if keep > 0 else len(data) + keep
    path = mini_study(
        files={"export.xlsx": data[:cut]},
        yaml_edit=lambda y: y.replace(
            "file: sessions.csv", "file: export.xlsx\n    sheet: Sessions"
        ),
    )
    raw = path.parent.parent / "raw" / "export.xlsx"
    with pytest.raises(SourceError) as exc:
        run(path)
    damage = "the list of its parts, at the end of the file, is missing or unreadable"
    assert str(exc.value) == f"{raw}: " + DAMAGED.format(
        damage=f"{damage} (File is not a zip file)"
    )


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_workbook_with_a_corrupt_part_is_said_damaged(mini_study, part):
    """A corrupt sheet was read up to calamine's XmlError, which reached the user as a
    traceback; a corrupt workbook part was called an old .xls."""
    data = bytearray(_sessions_workbook())
    at = data.index(part.encode()) + len(part)  # the part's compressed bytes follow its name
    data[at + 2 : at + 12] = b"\xff" * 10
    path = mini_study(
        files={"export.xlsx": bytes(data)},
        yaml_edit=lambda y: y.replace(
            "file: sessions.csv", "file: export.xlsx\n    sheet: Sessions"
        ),
    )
    raw = path.parent.parent / "raw" / "export.xlsx"
    with pytest.raises(SourceError) as exc:
        run(path)
    before, after = DAMAGED.split("{damage}")
    message = str(exc.value)
    assert message.startswith(f"{raw}: {before}its part {part!r} is corrupt (Error -3 while ")
    assert message.endswith(after)  # zlib's words for the bad bytes come between


def test_xlsx_sheet_rows_are_reported_as_in_excel(mini_study):
    xlsx = _workbook(
        {
            "Sessions": [
                ["id", "date", "dose"],
                ["P1", "2020-01-10", 0.1],
                ["P1", "2020-04-10", 0.1],
                ["P1", "31/02/2020", 0.1],
                ["P1", "2020-07-10", 0.1],
            ]
        }
    )
    path = mini_study(
        files={"export.xlsx": xlsx},
        yaml_edit=lambda y: y.replace(
            "file: sessions.csv", "file: export.xlsx\n    sheet: Sessions"
        ),
    )
    res = run(path)
    bad = reasons(res, "parse")
    assert bad.loc[0, ["source", "sheet", "row", "patient_id"]].tolist() == [
        "export.xlsx",
        "Sessions",
        4,
        "P1",
    ]
    assert bad.loc[0, "reason"] == (
        "`start_date` value '31/02/2020' is not a date (expected ISO YYYY-MM-DD or the source's "
        "date_order)"
    )


# ---------------------------------------------------------------------- values
def test_unknown_code_stops_with_every_value_listed(mini_study):
    path = mini_study(
        files={
            "patients.csv": """\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,55,Ludwig I,2021-01-10,no,,
        P2,Varon,40,HN III,2021-03-01,yes,2020-12-01,cost
        P3,X,61,Ludwig II,2020-06-01,no,,
        P4,X,33,HN IV,2021-02-01,no,,
        """
        }
    )
    with pytest.raises(UnmappedValuesError) as exc:
        run(path)
    assert str(exc.value) == (
        "1 unmapped value(s); nothing was guessed or dropped:\n"
        "  - `sex` has unmapped value 'X' in 2 rows (rows 4, 5 of patients.csv); if it is "
        "another way of writing a level, add it to `vocabularies.sex.synonyms` (or to "
        "`sources[].synonyms` for this source only); if it is a level of its own, add it to "
        "`vocabularies.sex.levels`."
    )
    assert exc.value.table[["column", "value", "count"]].values.tolist() == [["sex", "X", 2]]


def test_unknown_code_suggests_the_closest_label(mini_study):
    path = mini_study(
        files={
            "aes.csv": """\
        id,onset,term,severity,serious
        P1,2020-01-11,dolorr,leve,no
        """
        }
    )
    with pytest.raises(UnmappedValuesError) as exc:
        run(path)
    assert str(exc.value) == (
        "1 unmapped value(s); nothing was guessed or dropped:\n"
        "  - `ae_term` has unmapped value 'dolorr' in 1 row (row 2 of aes.csv) (closest in "
        "spelling: 'dolor', a label of 'pain'; spelling alone does not say it means the same); "
        "if it is another way of writing a level, add it to "
        "`vocabularies.ae_term.synonyms` (or to `sources[].synonyms` for this source only); if "
        "it is a level of its own, add it to `vocabularies.ae_term.levels`."
    )


def test_unmapped_values_can_be_excluded_instead(mini_study):
    path = mini_study(
        files={
            "aes.csv": "id,onset,term,severity,serious\nP1,2020-01-11,itch,leve,no\nP1,2020-01-12,pain,mild,no\n"
        },
        yaml_edit=lambda y: y + "cleaning: {on_unmapped: exclude}\n",
    )
    res = run(path)
    bad = reasons(res, "vocabulary")
    assert bad[["table", "row", "reason"]].values.tolist() == [
        ["adverse_events", 2, "unmapped `ae_term` value 'itch'"]
    ]
    assert len(res.tables["adverse_events"]) == 1


def test_accents_case_and_spaces_do_not_matter(mini_study):
    path = mini_study(
        files={
            "aes.csv": """\
        id,onset,term,severity,serious
        P1,2020-01-11,  DOLOR ,LEVE,No
        P1,2020-01-12,Edema   Frontal,Leve,NO
        """
        }
    )
    res = run(path)
    assert res.tables["adverse_events"]["ae_term"].astype(str).tolist() == ["pain", "edema"]


def test_source_specific_synonym_wins(mini_study):
    # In this export "M" means male (sources[patients].synonyms), whatever other exports say.
    res = run(mini_study())
    assert res.patients.set_index("patient_id").loc["P4", "sex"] == "male"


def test_required_value_missing(mini_study):
    path = mini_study(
        files={"sessions.csv": "id,date,dose\nP1,2020-01-10,0.1\n,2020-02-10,0.1\nP1,,0.1\n"}
    )
    res = run(path)
    assert reasons(res, "missing")[["row", "reason"]].values.tolist() == [
        [3, "required value missing: `patient_id`"],
        [4, "required value missing: `start_date`"],
    ]


def test_unparseable_required_date_excludes_the_record(mini_study):
    path = mini_study(
        files={
            "sessions.csv": "id,date,dose\nP1,2020-01-10,0.1\nP1,31/02/2020,0.1\nP1,2020-07-10,0.1\n"
        }
    )
    res = run(path)
    assert reasons(res, "parse")[["row", "patient_id", "reason"]].values.tolist() == [
        [
            3,
            "P1",
            "`start_date` value '31/02/2020' is not a date (expected ISO YYYY-MM-DD or the "
            "source's date_order)",
        ]
    ]


def test_unparseable_optional_date_is_set_missing(mini_study):
    path = mini_study(files={"conc.csv": "id,drug,start,stop\nP2,minoxidil oral,2019-06-01,soon\n"})
    res = run(path)
    a = res.audit
    assert a[["table", "row", "column", "action", "message"]].values.tolist() == [
        [
            "concomitant",
            2,
            "stop_date",
            "set_missing",
            "`stop_date` value 'soon' is not a date (expected ISO YYYY-MM-DD or the source's date_order)",
        ]
    ]


def test_day_first_dates(mini_study):
    path = mini_study(
        files={
            "sessions.csv": "id,date,dose\nP1,10/01/2020,0.1\nP1,10-4-2020,0.1\nP1,10.07.2020,0.1\n"
        }
    )
    res = run(path)
    s = res.tables["exposures"]
    assert s.loc[s.patient_id == "P1", "start_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2020-01-10",
        "2020-04-10",
        "2020-07-10",
    ]


def test_stop_before_start(mini_study):
    path = mini_study(
        files={
            "conc.csv": "id,drug,start,stop\nP2,minoxidil oral,2019-06-01,\nP4,minoxidil oral,2020-05-01,2020-03-01\n"
        }
    )
    res = run(path)
    assert reasons(res, "check")[["row", "patient_id", "reason"]].values.tolist() == [
        [3, "P4", "stop_date 2020-03-01 is before start_date 2020-05-01"]
    ]
    # the excluded row does not make P4 a combined-therapy patient
    assert res.patients.set_index("patient_id").loc["P4", "therapy_group"] == "monotherapy"


@pytest.mark.parametrize("age", ["7", "130"])
def test_age_out_of_range_is_set_missing(mini_study, age):
    path = mini_study(
        files={
            "patients.csv": f"""\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,{age},Ludwig I,2021-01-10,no,,
        """
        },
        yaml_edit=allow_orphans,
    )
    res = run(path)
    assert res.audit[["row", "column", "check", "action", "message"]].values.tolist() == [
        [
            2,
            "age_years",
            "range",
            "set_missing",
            f"`age_years` value {age} outside the plausible range [16.0, 100.0] (checks: "
            f"patients.age_years)",
        ]
    ]
    assert pd.isna(res.patients.loc[0, "age_years"])


@pytest.mark.parametrize(("age", "read"), [("1 500", 1500), ("7,0", 7), ("+130", 130)])
def test_a_range_audit_row_holds_the_value_as_written(mini_study, age, read):
    """The audit's value is the cell as written, as for a number that could not be read; the
    message gives the number read from it."""
    path = mini_study(
        files={
            "patients.csv": f"""\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,"{age}",Ludwig I,2021-01-10,no,,
        """
        },
        yaml_edit=allow_orphans,
    )
    res = run(path)
    assert res.audit[["check", "value", "message"]].values.tolist() == [
        [
            "range",
            age,
            f"`age_years` value {read} outside the plausible range [16.0, 100.0] (checks: "
            f"patients.age_years)",
        ]
    ]


def test_non_numeric_age(mini_study):
    path = mini_study(
        files={
            "patients.csv": """\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,treinta,Ludwig I,2021-01-10,no,,
        """
        },
        yaml_edit=allow_orphans,
    )
    res = run(path)
    assert res.audit["message"].tolist() == ["`age_years` value 'treinta' is not a number"]


def test_decimal_comma(mini_study):
    path = mini_study(
        files={"sessions.csv": 'id,date,dose\nP1,2020-01-10,"0,5"\nP1,2020-07-10,1\n'}
    )
    res = run(path)
    assert res.tables["exposures"]["dose_mg"].tolist() == [0.5, 1.0]


def test_duplicate_id_with_conflicting_values(mini_study):
    path = mini_study(
        files={
            "patients.csv": """\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,55,Ludwig I,2021-01-10,no,,
        P1,F,57,Ludwig I,2021-01-10,no,,
        P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
        """
        },
        yaml_edit=allow_orphans,
    )
    res = run(path)
    bad = reasons(res, "conflict")
    assert bad["row"].tolist() == [2, 3]
    assert bad.loc[0, "reason"] == (
        "patient_id 'P1' appears in 2 rows with conflicting values (age_years: '55.0' vs '57.0'); "
        "all rows excluded. Correct the export so one record remains."
    )
    # the patient's sessions and events follow it out, with the reason
    assert set(res.exclusions.loc[res.exclusions.patient_id == "P1", "step"]) == {
        "conflict",
        "patient_excluded",
    }
    assert "P1" not in set(res.patients.patient_id)


def test_agreeing_duplicate_rows_are_merged(mini_study):
    path = mini_study(
        files={
            "patients.csv": """\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,55,Ludwig I,2021-01-10,no,,
        P1 ,female,,ludwig i,10/01/2021,No,,
        """
        },
        yaml_edit=allow_orphans,
    )
    res = run(path)
    # the second row lacks the age: no exact copy, and its reason says so
    assert reasons(res, "duplicate")[["row", "reason"]].values.tolist() == [
        [3, "duplicate of patients.csv, row 2 (no value differs; values missing in this record)"]
    ]
    assert res.patients["age_years"].tolist() == [55.0]


def test_session_logged_twice_on_the_same_day(mini_study):
    path = mini_study(
        files={
            "sessions.csv": "id,date,dose\nP1,2020-01-10,0.1\nP1,10/01/2020,0.1\nP1,2020-07-10,0.1\n"
        }
    )
    res = run(path)
    assert reasons(res, "duplicate")[["table", "row", "reason"]].values.tolist() == [
        ["exposures", 3, "duplicate of sessions.csv, row 2 (same patient_id, start_date)"]
    ]


def test_sessions_closer_than_minimum_interval_are_flagged(mini_study):
    path = mini_study(
        files={
            "sessions.csv": "id,date,dose\nP1,2020-01-10,0.1\nP1,2020-01-14,0.1\nP1,2020-07-10,0.1\n"
        }
    )
    res = run(path)
    flags = res.audit.loc[res.audit.action == "flagged"]
    assert flags[["row", "message"]].values.tolist() == [
        [3, "session 4 day(s) after the previous one (< 14); possible double entry, kept"]
    ]
    assert res.tables["exposures"]["is_possible_double_entry"].sum() == 1


def test_adverse_event_for_unknown_patient(mini_study):
    path = mini_study(
        files={
            "aes.csv": "id,onset,term,severity,serious\nP1,2020-01-11,pain,mild,no\nP9,2020-01-11,pain,mild,no\n"
        },
        # 1 orphan of 2 records: below the threshold declared here, logged
        yaml_edit=lambda y: y + "cleaning: {max_orphan_fraction: 0.5}\n",
    )
    res = run(path)
    assert reasons(res, "orphan")[["table", "row", "reason"]].values.tolist() == [
        ["adverse_events", 3, "patient_id 'P9' is not in the patient table"]
    ]


def test_records_of_excluded_patients_carry_the_reason(mini_study):
    res = run(mini_study())
    follow = reasons(res, "patient_excluded")
    assert follow[["table", "patient_id", "reason"]].values.tolist() == [
        [
            "exposures",
            "P3",
            "patient excluded at step 'inclusion:followup': not met: At least 6 months of follow-up",
        ]
    ]


# ------------------------------------------------------------------------ config
def test_config_not_found(tmp_path):
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(tmp_path / "nope.yaml")
    assert str(exc.value) == (
        f"study config not found: {tmp_path / 'nope.yaml'} (looked for "
        f"{(tmp_path / 'nope.yaml').resolve()}, from the current folder {Path.cwd()}). Pass the "
        "path of a YAML file such as studies/my_study.yaml, relative to the current folder or "
        "absolute (in a notebook under notebooks/: '../studies/my_study.yaml')."
    )


def test_invalid_yaml_key_names_key_and_line(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace("  seed: 7", "  seed: 7\n  sede: 8"))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value) == (
        f"{path}: 1 problem(s) in the study config:\n"
        f"  - unknown key `study.sede` (line 5) (did you mean `seed`?); check its spelling or "
        "remove it"
    )


def test_wrong_type_in_yaml(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace("  seed: 7", "  seed: seven"))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value) == (
        f"{path}: 1 problem(s) in the study config:\n"
        f"  - `study.seed` (line 4): Input should be a valid integer, unable to parse string as an "
        f"integer; found 'seven'"
    )


def test_missing_required_key(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace("  title: Mini study\n", ""))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value) == (
        f"{path}: 1 problem(s) in the study config:\n"
        f"  - missing required key `study.title` (line 1)"
    )


def test_unsafe_yaml_tag_is_refused(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "  seed: 7", "  seed: !!python/object/apply:os.system ['echo hi']"
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value) == (
        f"{path}, line 4: unsafe or unknown YAML tag (could not determine a constructor for the "
        f"tag 'tag:yaml.org,2002:python/object/apply:os.system'). Study files may hold only plain "
        f"values, lists and mappings; remove the tag."
    )


def test_yaml_syntax_error(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace("  seed: 7", "  seed: [7"))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value).startswith(
        f"{path}, line 4, column 9: the [ ] opened on line 4 is not closed there"
    )


def test_unknown_canonical_column(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace("dose_mg: dose}", "dose_mg: dose, dosis: x}"))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value) == (
        f"{path}: 1 problem(s) in the study config:\n"
        f"  - (line 19) sources[1] (sessions): unknown canonical "
        f"column(s) ['dosis'] for table 'exposures'; known columns are ['dose_mg', 'dose_text', "
        f"'patient_id', 'start_date']. To read a column of your own, declare it under "
        f"`variables.exposures` (type, label, unit)"
    )


def test_synonym_under_two_levels(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "synonyms: {female: [F, Mujer], male: [Varón]}",
            "synonyms: {female: [F, Mujer], male: [f]}",
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert (
        "vocabularies.sex: label 'f' maps to both 'female' and 'male'; keep it under one level only"
        in str(exc.value)
    )


def test_source_without_required_column_mapping(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "columns: {patient_id: id, start_date: date, dose_mg: dose}",
            "columns: {patient_id: id, dose_mg: dose}",
        )
    )
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        "source 'sessions' (sessions.csv) does not map required column(s) ['start_date'] of "
        "table 'exposures'; add them under `columns`."
    )


def test_reversed_response_window(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace("derive:\n", "derive:\n  response_window_months: [14, 10]\n")
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "`derive.response_window_months`" in str(exc.value)
    assert "window start 14.0 must be before window end 10.0" in str(exc.value)


def test_check_on_unknown_column(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace("column: age_years, min: 16", "column: edad, min: 16")
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "checks[0]: unknown column 'edad' in 'patients'" in str(exc.value)


def test_an_empty_source_among_others_of_its_table_can_be_removed(reference_config, tmp_path):
    """A centre without adverse events: the message says the source can be removed."""
    from analysis.clean.read import read_source

    source = next(s for s in reference_config.sources if s.name == "centre_b_adverse_events")
    raw = tmp_path / "raw"
    (raw / "centre_b").mkdir(parents=True)
    header = reference_config.source_path(source).read_bytes().split(b"\n")[0] + b"\n"
    (raw / source.file).write_bytes(header)
    paths = reference_config.paths.model_copy(update={"raw": str(raw)})
    config = reference_config.model_copy(update={"paths": paths})
    with pytest.raises(SourceError) as exc:
        read_source(config, source)
    assert "remove `sources[centre_b_adverse_events]` from the study file" in str(exc.value)


# ------------------------------------------ duplicate child records: a value only one copy has
def test_a_value_written_only_on_a_later_duplicate_record_is_kept_and_audited(mini_study):
    """The same event twice, its severity and seriousness only on the second copy, and a
    session twice, its dose only on the second: the records kept take those values (through
    both ways the stage de-duplicates: by patient key, and the sessions kept whole for the
    minimum-interval check), each with an audit row. Before, the serious event was lost."""
    aes = """\
        id,onset,term,severity,serious
        P1,2020-01-11,dolor,,
        P1,2020-04-11,pain,mild,no
        P1,2020-01-11,dolor,severe,yes
        P4,2020-02-02,pain,mild,no
        """
    sessions = """\
        id,date,dose
        P1,2020-01-10,0.1
        P1,2020-04-10,
        P1,2020-07-10,0.1
        P1,2020-04-10,0.2
        P2,2020-01-15,0.1
        P2,2020-04-15,0.1
        P3,2020-03-01,0.1
        P4,2020-02-01,0.1
        P4,2020-05-01,0.1
        P4,2020-08-01,0.1
        """
    res = run(mini_study(files={"aes.csv": aes, "sessions.csv": sessions}))
    ae = res.tables["adverse_events"].set_index("source_row")
    assert ae.loc[2, ["severity", "is_serious"]].tolist() == ["severe", True]
    exposures = res.tables["exposures"].set_index("source_row")
    assert exposures.loc[3, "dose_mg"] == 0.2
    audit = res.audit.loc[res.audit["check"] == "duplicate"]
    assert sorted(zip(audit["table"], audit["row"], audit["column"], strict=True)) == [
        ("adverse_events", 2, "is_serious"),
        ("adverse_events", 2, "severity"),
        ("exposures", 3, "dose_mg"),
    ]
    logged = reasons(res, "duplicate").set_index("row")["reason"]
    assert logged[4].endswith("filled from this one, see the audit log")
    assert logged[5].endswith("filled from this one, see the audit log")


def test_an_unmapped_value_of_a_sheet_two_sources_read_names_the_source_and_column(mini_study):
    """Two sources reading one file: the rows alone did not say whose column held the value
    (three yes/no columns of one export, each read as the adverse events of one term)."""
    path = mini_study(
        files={"aes.csv": "id,onset,term,severity,serious\nP1,2020-01-11,zzz,leve,no\n"},
        yaml_edit=_second_reader_of_aes,
    )
    with pytest.raises(UnmappedValuesError) as exc:
        run(path)
    assert "(row 2 of aes.csv; source 'aes', column 'term')" in str(exc.value)
    assert "(row 2 of aes.csv; source 'aes_again', column 'term')" in str(exc.value)


def _second_reader_of_aes(body: str) -> str:
    second = (
        "  - name: aes_again\n"
        "    table: adverse_events\n"
        "    file: aes.csv\n"
        "    columns: {patient_id: id, onset_date: onset, ae_term: term, severity: severity,\n"
        "              is_serious: serious}\n"
    )
    return body.replace("  - name: conc\n", second + "  - name: conc\n", 1)
