"""Title rows above the header (``header_row``): an export's title, a date, blank rows.

Declared, the rows above the header are neither read nor counted, and every record keeps the
line (CSV) or row (XLSX) a person sees; undeclared, the error names the row the header seems to
be on and the key to set.
"""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError, SourceError
from analysis.studyfile.config import StudyConfig
from tests.hostile.test_accounting import (
    HEADER,
    INTACT,
    SESSIONS,
    edited,
    error,
    raw,
    read_where,
    rows_read,
)
from tests.hostile.test_files import TO_XLSX, _workbook, run

#: three lines above the header (line 4): a title, a line with delimiters and a quote, a blank
TITLE = ["Clinic X - export of 2024-05-02", 'Registry "Y", 9 records;', ""]
ROW_HINT = (
    "The header seems to be on {unit} {row}: set `header_row: {row}` for source 'sessions' "
    "(`sources[1].header_row` in the study file; the {unit}s above it are then skipped as "
    "titles)."
)


def titled(lines: list[str], title: list[str] = TITLE, end: str = "\n") -> bytes:
    return (end.join([*title, HEADER, *lines]) + end).encode()


def declare(row: int, file: str = "file: sessions.csv"):
    return lambda y: y.replace(file, f"{file}\n    header_row: {row}")


# ------------------------------------------------------------------ CSV
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_csv_title_lines_are_not_records_and_rows_are_the_files(mini_study, end):
    path = mini_study(files={"sessions.csv": titled(SESSIONS, end=end)}, yaml_edit=declare(4))
    res = run(path)
    assert read_where(res) == [(n + 3, p) for n, p in INTACT]
    assert rows_read(res) == 9  # the title lines are not counted, and the file balances


def test_csv_records_logged_below_title_lines_name_their_line(mini_study):
    lines = edited(2, "P1,31/02/2020,0.1")  # no such date: the record is excluded
    lines = [*lines[:5], "", " , ,", *lines[5:]]  # blank lines among the records
    res = run(mini_study(files={"sessions.csv": titled(lines)}, yaml_edit=declare(4)))
    ex = res.exclusions.loc[res.exclusions["table"] == "exposures"]
    # P1's impossible date, and P3's one session (its patient is not included): as without titles
    assert ex[["source", "row", "patient_id"]].values.tolist() == [
        ["sessions.csv", 7, "P1"],
        ["sessions.csv", 12, "P3"],
    ]
    assert read_where(res) == [(n + 3 if n < 7 else n + 5, p) for n, p in INTACT]
    assert rows_read(res) == 9


def test_csv_errors_below_title_lines_name_the_lines_of_the_file(mini_study):
    """The tokenizer's messages count the lines cut above the header."""
    path = mini_study(
        files={"sessions.csv": titled(edited(2, "P1,2020-07-10,0,1"))}, yaml_edit=declare(4)
    )
    assert error(path).startswith(
        f"{raw(path)}: 1 record(s) have more fields than the header (line 4 has 3): line 7 has "
        "4 fields (extra: '1')."
    )
    lines = edited(2, '"P1,2020-07-10,0.1')
    lines[5] = 'P3,2020-03-01,0.1"'
    path = mini_study(files={"sessions.csv": titled(lines)}, yaml_edit=declare(4))
    assert error(path).startswith(
        f"{raw(path)}: 1 record(s) span several lines: lines 7-10: an opening quote at line 7 "
        "column 1 is closed only at line 10; 4 lines read as one record."
    )


def test_csv_multiline_cells_below_title_lines(mini_study):
    lines = edited(2, 'P1,2020-07-10,"0.1\nmore"')
    res = run(
        mini_study(
            files={"sessions.csv": titled(lines)},
            yaml_edit=lambda y: declare(4)(y).replace(
                "header_row: 4", "header_row: 4\n    multiline_cells: true"
            ),
        )
    )
    assert read_where(res) == [(n + 3 if n < 5 else n + 4, p) for n, p in INTACT]
    assert rows_read(res) == 9


def test_csv_title_lines_undeclared_say_where_the_header_is(mini_study):
    """The title's single field makes every record longer than the "header": the error says
    so, and names the line to declare."""
    path = mini_study(files={"sessions.csv": titled(SESSIONS)})
    message = error(path)
    assert message.startswith(
        f"{raw(path)}: 11 record(s) have more fields than the header (line 1 has 1): line 2 has 2 "
    )
    assert message.endswith(
        "(Empty extra fields, delimiters at the end of a line, are ignored.) "
        + ROW_HINT.format(unit="line", row=4)
    )


def test_csv_title_read_as_header_says_where_the_header_is(mini_study):
    """A title with as many fields as the records is read as the header: the columns are not
    found, and the message names the line that holds them."""
    path = mini_study(files={"sessions.csv": titled(SESSIONS, ["Export,2024-05-02,v2"])})
    assert error(path) == (
        "sessions.csv: column(s) not found: patient_id <- 'id', start_date <- 'date', dose_mg "
        "<- 'dose'. The file has: 'Export', '2024-05-02', 'v2'. "
        + ROW_HINT.format(unit="line", row=2)
    )


def test_csv_header_row_declared_too_low_or_too_high(mini_study):
    for declared in (2, 5):
        path = mini_study(files={"sessions.csv": titled(SESSIONS)}, yaml_edit=declare(declared))
        assert error(path).endswith(ROW_HINT.format(unit="line", row=4))


def test_csv_header_row_past_the_end_or_blank(mini_study):
    path = mini_study(files={"sessions.csv": titled([])}, yaml_edit=declare(6))
    assert error(path) == (
        f"{raw(path)}: `header_row: 6` but the file has only 4 line(s). Set `header_row` "
        "for source 'sessions' (`sources[1]`, line 19) to the line of the column headers, or export the file again. "
        + ROW_HINT.format(unit="line", row=4)
    )
    path = mini_study(files={"sessions.csv": titled(SESSIONS)}, yaml_edit=declare(3))
    assert error(path) == (
        f"{raw(path)}: line 3 is blank; `header_row: 3` says the column headers are on that "
        "line. Set `header_row` "
        "for source 'sessions' (`sources[1]`, line 19) to the line of the column headers, or delete "
        "the blank line(s) above the header. " + ROW_HINT.format(unit="line", row=4)
    )


def test_csv_without_title_is_read_as_before_with_header_row_1(mini_study):
    path = mini_study(yaml_edit=declare(1))
    assert read_where(run(path)) == INTACT


# ------------------------------------------------------------------ XLSX
XLSX_TITLE: list[list[object]] = [["Clinic X - export of 2024-05-02"], [None, "9 records"], []]


def xlsx_rows() -> list[list[object]]:
    rows: list[list[object]] = [*XLSX_TITLE, HEADER.split(",")]
    for i, s in enumerate(SESSIONS):
        rows.append(s.split(","))
        if i == 1:
            rows.append([None, None, None])  # an empty row among the records
    return rows


def to_xlsx(row: int | None = None):
    def edit(y: str) -> str:
        y = y.replace(*TO_XLSX)
        return declare(row, "sheet: Sessions")(y) if row is not None else y

    return edit


def test_xlsx_title_rows_are_not_records_and_rows_are_excels(mini_study):
    path = mini_study(
        files={"export.xlsx": _workbook({"Sessions": xlsx_rows()})}, yaml_edit=to_xlsx(4)
    )
    res = run(path)
    assert read_where(res) == [(n + 3 + (n > 3), p) for n, p in INTACT]
    acc = res.accounting()
    assert acc.loc[acc["table"] == "exposures", ["source_sheet", "rows_read"]].values.tolist() == [
        ["Sessions", 9]
    ]
    assert rows_read(res) == 9


def test_xlsx_title_rows_undeclared_say_where_the_header_is(mini_study):
    path = mini_study(
        files={"export.xlsx": _workbook({"Sessions": xlsx_rows()})}, yaml_edit=to_xlsx()
    )
    assert error(path) == (
        "export.xlsx (sheet 'Sessions'): column(s) not found: patient_id <- 'id', start_date <- "
        "'date', dose_mg <- 'dose'. The file has: 'Clinic X - export of 2024-05-02', '', ''. "
        + ROW_HINT.format(unit="row", row=4)
    )


def test_xlsx_header_row_past_the_end_or_blank(mini_study):
    workbook = _workbook({"Sessions": xlsx_rows()})
    path = mini_study(files={"export.xlsx": workbook}, yaml_edit=to_xlsx(20))
    where = f"{raw(path, 'export.xlsx')}, sheet 'Sessions'"
    assert error(path) == (
        f"{where}: `header_row: 20` but the sheet has only 14 row(s). Set `header_row` "
        "for source 'sessions' (`sources[1]`, line 19) to the row of the column headers. "
        + ROW_HINT.format(unit="row", row=4)
    )
    path = mini_study(files={"export.xlsx": workbook}, yaml_edit=to_xlsx(3))
    assert error(path) == (
        f"{where}: row 3 is blank; `header_row: 3` says the column headers are on that row (the "
        "next non-blank row is row 4). Set `header_row` "
        "for source 'sessions' (`sources[1]`, line 19) to the row of the column "
        "headers, or delete the blank row(s) above the header. "
        + ROW_HINT.format(unit="row", row=4)
    )


# ------------------------------------------------------------------ the study file
@pytest.mark.parametrize(
    ("file", "fmt"),
    [("sessions.parquet", "parquet"), ("sessions.sav", "spss"), ("sessions.xpt", "sas")],
)
def test_header_row_is_refused_where_it_has_no_meaning(mini_study, file, fmt):
    path = mini_study(yaml_edit=lambda y: declare(1)(y).replace("sessions.csv", file))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert str(exc.value).endswith(
        f"  - `sources[1]` (line 19): `header_row` applies to CSV and XLSX sources only (this "
        f"source is {fmt}; its columns are named in the file): remove the key"
    )


@pytest.mark.parametrize("value", ["0", "-2"])
def test_header_row_below_1_is_refused(mini_study, value):
    path = mini_study(
        yaml_edit=lambda y: declare(1)(y).replace("header_row: 1", f"header_row: {value}")
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "`sources[1].header_row` (line 22)" in str(exc.value)
    assert "greater than or equal to 1" in str(exc.value)


def test_header_row_default_is_1(mini_study):
    config = StudyConfig.load(mini_study())
    assert [s.header_row for s in config.sources] == [1] * 5


def test_error_keeps_its_words_when_the_file_has_no_header_below(mini_study):
    """No row holds the wanted headers: the column mapping is what to fix, as before."""
    path = mini_study(files={"sessions.csv": titled(SESSIONS, ["a,b,c"]).replace(b"id,", b"ID,")})
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value).endswith(
        "Fix `sources[1].columns.patient_id`, line 22; `sources[1].columns.start_date`, line 22; "
        "`sources[1].columns.dose_mg`, line 22: name the header as it appears in the file."
    )
