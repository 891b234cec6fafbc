"""Hostile raw files: each is refused with a located message or read with an audit row."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis.clean.stage import clean_study
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig

TO_XLSX = ("file: sessions.csv", "file: export.xlsx\n    sheet: Sessions")
TO_XLSX_NO_SHEET = ("file: sessions.csv", "file: export.xlsx")


def run(path):
    return clean_study(StudyConfig.load(path))


def _workbook(sheets, hidden=(), errors=()):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
    for sheet, ref, value in errors:
        wb[sheet][ref].value = value
        wb[sheet][ref].data_type = "e"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SESSIONS = [["id", "date", "dose"], ["P1", "2020-01-10", 0.1], ["P4", "2020-02-01", 0.1]]


def _raw(path, name):
    return path.parent.parent / "raw" / name


# ------------------------------------------------------------------ 1. duplicated header
def test_duplicated_csv_header(mini_study):
    path = mini_study(files={"sessions.csv": "id,date,dose,dose\nP1,2020-01-10,0.1,0.2\n"})
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'sessions.csv')}: duplicated header: 'dose' in columns 3 (C), 4 (D). "
        "Rename one of them in the file so every header is unique (and map the one you mean "
        "under `columns`)."
    )


def test_duplicated_sheet_header(mini_study):
    xlsx = _workbook({"Sessions": [["id", "dose", "date", "dose"], ["P1", 0.1, "2020-01-10", 1]]})
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX))
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'export.xlsx')}, sheet 'Sessions': duplicated header: 'dose' in columns "
        "2 (B), 4 (D). Rename one of them in the file so every header is unique (and map the one "
        "you mean under `columns`)."
    )


# ------------------------------------------------------------------ 2. which sheet
def test_several_sheets_without_sheet(mini_study):
    xlsx = _workbook({"Sessions": SESSIONS, "Notes": [["x"]]})
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX_NO_SHEET))
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'export.xlsx')}: no `sheet` is set and the workbook has 2 sheet(s): "
        "'Sessions', 'Notes'. Set `sheet:` "
        "for source 'sessions' (`sources[1]`, line 19) to the sheet that holds the records."
    )


def test_hidden_first_sheet_without_sheet(mini_study):
    xlsx = _workbook({"Old": SESSIONS, "Sessions": SESSIONS}, hidden=("Old",))
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX_NO_SHEET))
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'export.xlsx')}: no `sheet` is set and the workbook has 2 sheet(s): "
        "'Old' (hidden), 'Sessions'. Set `sheet:` "
        "for source 'sessions' (`sources[1]`, line 19) to the sheet that holds the "
        "records."
    )


def test_one_visible_sheet_needs_no_sheet(mini_study):
    xlsx = _workbook({"Sessions": SESSIONS})
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX_NO_SHEET))
    assert len(run(path).tables["exposures"]) == 2


def test_a_workbook_of_charts_only_is_said_so(mini_study):
    wb = openpyxl.Workbook()
    wb.create_chartsheet("Chart")
    wb.remove(wb["Sheet"])
    buf = io.BytesIO()
    wb.save(buf)
    path = mini_study(
        files={"export.xlsx": buf.getvalue()}, yaml_edit=lambda y: y.replace(*TO_XLSX_NO_SHEET)
    )
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'export.xlsx')}: the workbook holds charts but no worksheet; save the "
        "records in one."
    )


# ------------------------------------------------------------------ 3. Excel error cells
def test_excel_error_cells_are_audited_and_excluded_when_required(mini_study):
    rows = [*SESSIONS, ["P1", "2020-04-10", 0.1]]
    xlsx = _workbook(
        {"Sessions": rows}, errors=[("Sessions", "C2", "#DIV/0!"), ("Sessions", "B4", "#REF!")]
    )
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX))
    res = run(path)
    audit = res.audit.loc[res.audit["check"] == "unreadable"].reset_index(drop=True)
    assert audit[["row", "column", "value", "action"]].values.tolist() == [
        [4, "start_date", "#REF!", "set_missing"],
        [2, "dose_mg", "#DIV/0!", "set_missing"],
    ]
    assert audit.loc[1, "message"] == (
        "`dose_mg` value '#DIV/0!' is an Excel error cell; set missing. Correct the cell in the file."
    )
    ex = res.exclusions.loc[res.exclusions["step"] == "unreadable"].reset_index(drop=True)
    assert ex[["sheet", "row", "reason"]].values.tolist() == [
        ["Sessions", 4, "required `start_date` unreadable: Excel error cell"]
    ]
    kept = res.tables["exposures"]
    assert kept.loc[kept["source_row"] == 2, "dose_mg"].isna().all()


def _without_cell_addresses(xlsx: bytes, keep_rows: bool) -> bytes:
    """The workbook with the optional ``r`` of every cell (and of every row unless
    ``keep_rows``) removed from its sheets, as some exporters write them."""
    src, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = re.sub(r'(<c\b[^>]*?) r="[A-Z]+\d+"', r"\1", data.decode())
                if not keep_rows:
                    text = re.sub(r'(<row\b[^>]*?) r="\d+"', r"\1", text)
                assert ' r="C2"' not in text
                data = text.encode()
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("keep_rows", [True, False], ids=["rows-numbered", "nothing-numbered"])
def test_excel_error_cells_without_cell_addresses_are_audited_alike(mini_study, keep_rows):
    """The file format makes a cell's address optional: cells without one were skipped, so an
    error cell or an unsaved formula was read as a blank, with no audit row (a stop date read
    as missing reads as a period still running)."""
    rows = [*SESSIONS, ["P1", "2020-04-10", 0.1]]
    xlsx = _workbook(
        {"Sessions": rows}, errors=[("Sessions", "C2", "#DIV/0!"), ("Sessions", "B4", "#REF!")]
    )
    path = mini_study(
        files={"export.xlsx": _without_cell_addresses(xlsx, keep_rows)},
        yaml_edit=lambda y: y.replace(*TO_XLSX),
    )
    res = run(path)
    audit = res.audit.loc[res.audit["check"] == "unreadable"]
    assert audit[["row", "column", "value", "action"]].values.tolist() == [
        [4, "start_date", "#REF!", "set_missing"],
        [2, "dose_mg", "#DIV/0!", "set_missing"],
    ]
    ex = res.exclusions.loc[res.exclusions["step"] == "unreadable"]
    assert ex[["sheet", "row"]].values.tolist() == [["Sessions", 4]]


def test_excel_error_text_in_a_csv(mini_study):
    path = mini_study(files={"patients.csv": MINI_PATIENTS.replace("P3,Mujer,61", "P3,Mujer,#N/A")})
    res = run(path)
    audit = res.audit.loc[res.audit["check"] == "unreadable"]
    assert audit[["row", "patient_id", "column", "value"]].values.tolist() == [
        [4, "P3", "age_years", "#N/A"]
    ]


MINI_PATIENTS = """\
id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
P1,F,55,Ludwig I,2021-01-10,no,,
P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
P3,Mujer,61,Ludwig II,2020-06-01,no,,
P4,M,33,HN IV,2021-02-01,no,,
"""


# ------------------------------------------------------------------ 4. control characters
def test_nul_byte_in_a_number_is_not_read_as_another_number(mini_study):
    text = "id;date;dose\nP1;2020-01-10;0\x00,5\nP4;2020-02-01;0,1\n"
    path = mini_study(files={"sessions.csv": text.encode()})
    res = run(path)
    audit = res.audit.loc[res.audit["check"] == "unreadable"].reset_index(drop=True)
    assert audit[["row", "column", "value", "action"]].values.tolist() == [
        [2, "dose_mg", "0\x00,5", "set_missing"]
    ]
    assert audit.loc[0, "message"] == (
        "`dose_mg` value '0\\x00,5' holds the control character U+0000 (NUL); the cell cannot be "
        "read safely and was set missing. Correct the cell in the file."
    )
    doses = res.tables["exposures"].set_index("source_row")["dose_mg"]
    assert pd.isna(doses[2]) and doses[3] == 0.1


def test_control_character_in_required_text_excludes_the_record(mini_study):
    text = "id,onset,term,severity,serious\nP1,2020-01-11,dol\x1for,leve,no\n"
    path = mini_study(files={"aes.csv": text})
    res = run(path)
    ex = res.exclusions.loc[res.exclusions["step"] == "unreadable"]
    assert ex[["row", "reason"]].values.tolist() == [
        [2, "required `ae_term` unreadable: control character U+001F (control character)"]
    ]


# ------------------------------------------------------------------ 5. wrong bytes
def test_utf16_csv_with_bom_is_read(mini_study):
    text = "id,date,dose\nP1,2020-01-10,0.1\nP4,2020-02-01,0.1\n"
    path = mini_study(files={"sessions.csv": text.encode("utf-16")})
    assert run(path).tables["exposures"]["patient_id"].tolist() == ["P1", "P4"]


def test_utf16_csv_without_bom_is_named(mini_study):
    text = "id,date,dose\nP1,2020-01-10,0.1\n"
    path = mini_study(files={"sessions.csv": text.encode("utf-16-le")})
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'sessions.csv')}: looks like UTF-16 text without a byte-order mark (every "
        "other byte is 0). Set `encoding: utf-16-le` "
        "for source 'sessions' (`sources[1]`, line 19), or re-export it as UTF-8 CSV."
    )
    path.write_text(
        path.read_text().replace(
            "file: sessions.csv", "file: sessions.csv\n    encoding: utf-16-le"
        )
    )
    assert run(path).tables["exposures"]["patient_id"].tolist() == ["P1"]


def test_workbook_with_a_csv_name(mini_study):
    path = mini_study(files={"sessions.csv": _workbook({"Sessions": SESSIONS})})
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'sessions.csv')}: is an Excel workbook with a .csv name (it starts with "
        "the zip signature PK); set `format: xlsx` (and `sheet:`) "
        "for source 'sessions' (`sources[1]`, line 19), or export it "
        "as CSV."
    )


def test_truncated_parquet(mini_study, tmp_path):
    buf = io.BytesIO()
    pd.DataFrame({"id": ["P1"], "date": ["2020-01-10"], "dose": [0.1]}).to_parquet(buf)
    path = mini_study(
        files={"sessions.parquet": buf.getvalue()[:-20]},
        yaml_edit=lambda y: y.replace("file: sessions.csv", "file: sessions.parquet"),
    )
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'sessions.parquet')}: not a complete Parquet file (the Parquet marker PAR1 "
        "is missing at its end; the file is probably truncated or not Parquet). Copy or export "
        "it again."
    )
