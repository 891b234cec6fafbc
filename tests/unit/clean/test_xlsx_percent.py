"""A number cell formatted as a percentage is read as the sheet shows it. calamine gives the
stored fraction: a probe's concentration column, "0,05" typed as text in some rows and the
number 0.0005 shown as 0.05% in others, was read as 0.05 beside 0.0005 (100 times apart), with
exit status 0 and no audit row."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from analysis.clean.read import _read_xlsx, shown_percent


def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["id", "conc", "note"])
    rows = [
        ("P1", 0.0005, "0.00%"),  # shown 0.05%
        ("P2", "0,05", None),  # typed as text
        ("P3", 0.07, "0%"),  # shown 7%
        ("P4", 0.125, "0.0%"),  # a custom format: shown 12.5%
        ("P5", 0.5, '0.0"%"'),  # a quoted sign: shown 0.5%, no scaling
        ("P6", 1, "0%"),  # shown 100%
        ("P7", 3.25, "General"),
    ]
    for pid, value, fmt in rows:
        ws.append([pid, value, "x"])
        if fmt:
            ws.cell(row=ws.max_row, column=2).number_format = fmt
    ws.cell(row=2, column=3).number_format = "0%"  # a text cell in a percent style stays text
    wb.save(path)
    return path


def test_percent_cells_are_read_as_the_sheet_shows_them(tmp_path: Path) -> None:
    df = _read_xlsx(_book(tmp_path / "b.xlsx"), "S")
    assert df["conc"].tolist() == [0.05, "0,05", 7, 12.5, 0.5, 100, 3.25]
    assert df["note"].tolist() == ["x"] * 7


def test_the_percent_is_taken_in_decimal() -> None:
    assert shown_percent(0.07) == 7 and isinstance(shown_percent(0.07), int)
    assert shown_percent(0.0005) == 0.05  # not 0.05000000000000001
    assert shown_percent(0.001234) == 0.1234
    assert shown_percent(True) is True and shown_percent("5%") == "5%"


def test_a_date_cell_in_a_number_column_is_said_as_the_sheet_shows_it() -> None:
    """The audit said "value Timestamp('2026-05-01 00:00:00') is not a number"."""
    import datetime as dt

    import pandas as pd

    from analysis.clean.numbers import number_problem

    said = number_problem(pd.Timestamp("2026-05-01"), "x", "a number", "s", None)
    assert said.startswith("'2026-05-01' is a date or time cell, not a number (Excel may have")
    assert number_problem(dt.time(10, 30), "x", "a number", "s", None).startswith("'10:30:00'")
    assert number_problem("abc", "x", "a number", "s", None) == "'abc' is not a number"
