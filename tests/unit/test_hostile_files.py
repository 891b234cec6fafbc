"""Hostile raw files: each is refused with a located message or read with an audit row."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from analysis.config import StudyConfig
from analysis.errors import SourceError
from analysis.pipeline import clean_study

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
        "'Sessions', 'Notes'. Set `sheet:` for this source to the sheet that holds the records."
    )


def test_hidden_first_sheet_without_sheet(mini_study):
    xlsx = _workbook({"Old": SESSIONS, "Sessions": SESSIONS}, hidden=("Old",))
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX_NO_SHEET))
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'export.xlsx')}: no `sheet` is set and the workbook has 2 sheet(s): "
        "'Old' (hidden), 'Sessions'. Set `sheet:` for this source to the sheet that holds the "
        "records."
    )


def test_one_visible_sheet_needs_no_sheet(mini_study):
    xlsx = _workbook({"Sessions": SESSIONS})
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX_NO_SHEET))
    assert len(run(path).tables["exposures"]) == 2


# ------------------------------------------------------------------ 5. wrong bytes
def test_utf16_csv_with_bom_is_read(mini_study):
    text = "id,date,dose\nP1,2020-01-10,0.1\nP4,2020-02-01,0.1\n"
    path = mini_study(files={"sessions.csv": text.encode("utf-16")})
    assert run(path).tables["exposures"]["patient_id"].tolist() == ["P1", "P4"]


def test_workbook_with_a_csv_name(mini_study):
    path = mini_study(files={"sessions.csv": _workbook({"Sessions": SESSIONS})})
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        f"{_raw(path, 'sessions.csv')}: is an Excel workbook with a .csv name (it starts with "
        "the zip signature PK); set `format: xlsx` (and `sheet:`) for this source, or export it "
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
