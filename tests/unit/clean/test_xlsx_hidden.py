"""Rows hidden in a worksheet (by hand or by a filter) were read as records with nothing said:
a clinician who filtered a sheet down sees fewer records than the run counts. Each record on a
hidden row is now flagged in the audit (check ``hidden_row``) and the run warns, counting."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from analysis.clean.xlsx_hidden import hidden_rows
from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig

SESSIONS = [
    ("P1", "2020-01-10", 0.1),
    ("P1", "2020-04-10", 0.1),
    ("P1", "2020-07-10", 0.1),
    ("P2", "2020-01-15", 0.1),
    ("P2", "2020-04-15", 0.1),
    ("P3", "2020-03-01", 0.1),
    ("P4", "2020-02-01", 0.1),
    ("P4", "2020-05-01", 0.1),
    ("P4", "2020-08-01", 0.1),
]


def _sessions_book() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sessions"
    ws.append(["id", "date", "dose"])
    for row in SESSIONS:
        ws.append(list(row))
    for r in (3, 6):  # P1's second session and P2's second, hidden
        ws.row_dimensions[r].hidden = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_rows_a_sheet_hides_are_found_in_its_xml():
    xml = b'<row r="2"><c/></row><row r="5" spans="1:3" hidden="1"><c/></row><row hidden="true" r="9">'
    assert hidden_rows(xml) == {5, 9}
    assert hidden_rows(b'<row r="2" customHeight="1">') == set()


def test_records_on_hidden_rows_are_read_flagged_and_counted(mini_study):
    path = mini_study(
        files={"sessions.xlsx": _sessions_book()},
        yaml_edit=lambda y: y.replace("file: sessions.csv", "file: sessions.xlsx"),
    )
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    assert (
        "warning: 2 record(s) are on rows hidden in their workbook (by hand or by a filter) and "
        "were read as records" in " ".join(res.output.split())
    )
    processed = StudyConfig.load(path).processed_dir
    audit = pd.read_parquet(processed / "audit.parquet")
    flagged = audit.loc[audit["check"] == "hidden_row"]
    assert flagged[["table", "row", "patient_id", "action"]].values.tolist() == [
        ["exposures", 3, "P1", "flagged"],
        ["exposures", 6, "P2", "flagged"],
    ]
    exposures = pd.read_parquet(processed / "exposures.parquet")
    kept = set(zip(exposures["patient_id"], exposures["source_row"], strict=True))
    assert {("P1", 3), ("P2", 6)} <= kept  # read as records, as every row is


def test_records_of_a_hidden_sheet_the_study_names_are_flagged_and_counted(mini_study):
    """A probe named a hidden sheet (an old copy, hidden by the clinic) in `sheet`: its records
    were read with no note. Each is now flagged (check ``hidden_sheet``) and the run warns."""
    wb = openpyxl.load_workbook(io.BytesIO(_sessions_book()))
    for r in (3, 6):
        wb["Sessions"].row_dimensions[r].hidden = False
    wb.create_sheet("Notes").append(["kept by hand"])
    wb["Sessions"].sheet_state = "hidden"
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    path = mini_study(
        files={"sessions.xlsx": buf.getvalue()},
        yaml_edit=lambda y: y.replace(
            "file: sessions.csv", "file: sessions.xlsx\n    sheet: Sessions"
        ),
    )
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert (
        f"warning: {len(SESSIONS)} record(s) were read from 1 sheet(s) hidden in their workbook"
        in said
    )
    assert "rows hidden" not in said
    audit = pd.read_parquet(StudyConfig.load(path).processed_dir / "audit.parquet")
    flagged = audit.loc[audit["check"] == "hidden_sheet"]
    assert flagged["row"].tolist() == list(range(2, 2 + len(SESSIONS)))
    assert (
        flagged["message"]
        .iloc[0]
        .startswith("sheet 'Sessions' is hidden in the workbook: its row 2 is read as a record")
    )
