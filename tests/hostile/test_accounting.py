"""Hostile files for the accounting: records in the file = records kept + records logged, and
every ``source_row`` is the line (CSV) or row (XLSX) a person sees for the record.

Each case asserts the exact outcome: a located error, or where every record of the file went.
"""

from __future__ import annotations

import pandas as pd
import pytest

import analysis.clean.read as readers
from analysis.clean import per_table
from analysis.clean.cells import strip_text
from analysis.errors import ConfigError, PipelineError, SourceError
from analysis.studyfile.config import StudyConfig
from tests.hostile.test_files import TO_XLSX, _workbook, run

HEADER = "id,date,dose"
SESSIONS = [
    "P1,2020-01-10,0.1",
    "P1,2020-04-10,0.1",
    "P1,2020-07-10,0.1",
    "P2,2020-01-15,0.1",
    "P2,2020-04-15,0.1",
    "P3,2020-03-01,0.1",
    "P4,2020-02-01,0.1",
    "P4,2020-05-01,0.1",
    "P4,2020-08-01,0.1",
]
#: (line, patient) of every record of the intact sessions.csv (header = line 1)
INTACT = [(n, line.split(",")[0]) for n, line in enumerate(SESSIONS, start=2)]
SOURCE = "    file: sessions.csv\n"
MULTILINE = (SOURCE, SOURCE + "    multiline_cells: true\n")


def sessions(lines: list[str], end: str = "\n") -> bytes:
    return (end.join([HEADER, *lines]) + end).encode()


def edited(index: int, line: str) -> list[str]:
    return [line if i == index else s for i, s in enumerate(SESSIONS)]


def read_where(res, table: str = "exposures") -> list[tuple[int, str]]:
    """``(source_row, patient_id)`` of every record of ``table``, kept or logged."""
    kept = res.tables[table][["source_row", "patient_id"]].astype(object).values.tolist()
    ex = res.exclusions.loc[res.exclusions["table"] == table, ["row", "patient_id"]]
    return sorted((int(r), str(p)) for r, p in [*kept, *ex.astype(object).values.tolist()])


def rows_read(res, table: str = "exposures") -> int:
    acc = res.accounting()
    assert acc["balanced"].all(), acc
    return int(acc.loc[acc["table"] == table, "rows_read"].sum())


def error(path) -> str:
    with pytest.raises(SourceError) as exc:
        run(path)
    return str(exc.value)


def raw(path, name: str = "sessions.csv") -> str:
    return str(path.parent.parent / "raw" / name)


STRAY = 'A stray quote character (") is the usual cause: remove it, or double it ("") if it belongs'
HINT = (
    "set `multiline_cells: true` for source 'sessions' (`sources[1]`, line 19) in the study file."
)


# ------------------------------------------------------------------ 1. stray quotes
def test_two_stray_quotes_ten_lines_apart_stop_the_run(mini_study):
    """The seen failure: ten records read as one, a patient lost, later rows off by ten."""
    patients = ["id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason"]
    patients += [f"P{i},F,{40 + i},Ludwig I,2021-01-10,no,," for i in range(1, 13)]
    patients[3] = 'P3,F,43,"Ludwig I,2021-01-10,no,,'  # line 4, the quote at column 9
    patients[12] = 'P12,F,52,Ludwig I,2021-01-10,no,,"'  # line 13, closes it
    path = mini_study(files={"patients.csv": "\n".join(patients) + "\n"})
    assert error(path) == (
        f"{raw(path, 'patients.csv')}: 1 record(s) span several lines: lines 4-13: an opening "
        "quote at line 4 column 9 is closed only at line 13; 10 lines read as one record. "
        f"{STRAY} to the value. If cells of this file really hold line breaks, "
        + HINT.replace("'sessions' (`sources[1]`, line 19)", "'patients' (`sources[0]`, line 10)")
    )


@pytest.mark.parametrize(
    ("index", "line", "column"),
    [
        (2, '"P1,2020-07-10,0.1', 1),  # before the id
        (2, 'P1,"2020-07-10,0.1', 4),  # before a middle cell
        (2, 'P1,2020-07-10,"0.1', 15),  # before the last cell
    ],
    ids=["first-cell", "middle-cell", "last-cell"],
)
def test_stray_opening_quote_is_located(mini_study, index, line, column):
    lines = edited(index, line)
    lines[5] = 'P3,2020-03-01,0.1"'  # a quote inside a cell (line 7) closes it
    path = mini_study(files={"sessions.csv": sessions(lines)})
    message = error(path)
    assert message.startswith(
        f"{raw(path)}: 1 record(s) span several lines: lines 4-7: an opening quote at line 4 "
        f"column {column} is closed only at line 7; 4 lines read as one record. {STRAY}"
    )
    assert message.endswith(HINT)


def test_quote_inside_a_value_is_part_of_the_value(mini_study):
    path = mini_study(files={"sessions.csv": sessions(edited(1, 'P1,2020-04-10,0"1'))})
    res = run(path)
    assert read_where(res) == INTACT
    audit = res.audit.loc[res.audit["column"] == "dose_mg"]
    assert audit[["row", "value", "action"]].values.tolist() == [[3, '0"1', "set_missing"]]


def test_quote_never_closed_before_the_end_of_the_file(mini_study):
    path = mini_study(files={"sessions.csv": sessions(edited(3, 'P2,"2020-01-15,0.1'))})
    assert error(path) == (
        f"{raw(path)}: an opening quote at line 5 column 4 is never closed: the file ends inside "
        f"that quoted cell (lines 5-10 would be read as one value). {STRAY} to the value, or add "
        "the missing closing quote."
    )


def test_quote_open_on_the_last_line(mini_study):
    path = mini_study(files={"sessions.csv": sessions(edited(8, 'P4,2020-08-01,"0.1'))})
    assert error(path) == (
        f"{raw(path)}: an opening quote at line 10 column 15 is never closed: the file ends "
        f"inside that quoted cell (it is on the last line). {STRAY} to the value, or add the "
        "missing closing quote."
    )


def test_stray_quote_swallowing_a_long_file_is_located(mini_study):
    many = [f"P1,2020-01-10,{i}" for i in range(9000)]  # over the csv cell limit of 131,072
    path = mini_study(files={"sessions.csv": sessions(['P1,"2020-01-10,0.1', *many, 'P1,"x",1'])})
    message = error(path)
    assert message.startswith(
        f"{raw(path)}: lines 2-6959: an opening quote at line 2 column 4 is still open after "
        f"6958 lines, too long for one cell (field larger than field limit (131072)). {STRAY}"
    )


def test_many_records_spanning_lines_are_all_counted(mini_study):
    lines = ['P1,"2020-01-10,0.1', 'x,y",1'] * 7  # 7 records of 2 lines each
    message = error(mini_study(files={"sessions.csv": sessions(lines)}))
    assert ": 7 record(s) span several lines: lines 2-3: " in message
    assert (
        "; lines 10-11: an opening quote at line 10 column 4 is closed only at line 11" in message
    )
    assert "lines 12-13" not in message and "; and 2 more. A stray quote" in message


# ------------------------------------------------------------------ 2. cells with line breaks
NOTED = [
    "id,date,dose,note",
    'P1,2020-01-10,0.1,"itch,',
    'scalp red"',
    "P1,2020-04-10,0.1,",
    'P2,2020-01-15,0.1,"first line',
    "",
    'after a blank line"',
    "P4,2020-02-01,0.1,ok",
]


def test_line_breaks_in_cells_stop_the_run_unless_declared(mini_study):
    path = mini_study(files={"sessions.csv": "\n".join(NOTED) + "\n"})
    assert error(path) == (
        f"{raw(path)}: 2 record(s) span several lines: lines 2-3: an opening quote at line 2 "
        "column 19 is closed only at line 3; 2 lines read as one record; lines 5-7: an opening "
        "quote at line 5 column 19 is closed only at line 7; 3 lines read as one record. "
        f"{STRAY} to the value. If cells of this file really hold line breaks, {HINT}"
    )


@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_declared_line_breaks_keep_the_record_at_its_first_line(mini_study, end):
    path = mini_study(files={"sessions.csv": end.join(NOTED) + end}, yaml_edit=_multiline)
    res = run(path)
    assert read_where(res) == [(2, "P1"), (4, "P1"), (5, "P2"), (8, "P4")]
    assert rows_read(res) == 4


def _multiline(y: str) -> str:
    return y.replace(*MULTILINE)


def test_multiline_cells_is_for_csv_sources_only(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace(*TO_XLSX).replace(*_xlsx_multiline()))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "`multiline_cells` applies to CSV sources only (this source is xlsx" in str(exc.value)


def _xlsx_multiline() -> tuple[str, str]:
    return "    sheet: Sessions\n", "    sheet: Sessions\n    multiline_cells: true\n"


# ------------------------------------------------------------------ 3. line endings
@pytest.mark.parametrize("end", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_line_endings(mini_study, end):
    res = run(mini_study(files={"sessions.csv": sessions(SESSIONS, end)}))
    assert read_where(res) == INTACT
    assert rows_read(res) == 9


def test_mixed_line_endings(mini_study):
    text = HEADER + "\r\n" + "\n".join(SESSIONS[:4]) + "\r" + "\r\n".join(SESSIONS[4:]) + "\n"
    assert read_where(run(mini_study(files={"sessions.csv": text.encode()}))) == INTACT


def test_characters_python_calls_line_breaks_are_not_lines(mini_study):
    """U+2028, form feed, U+001C and NEL break lines for str.splitlines, not for an editor."""
    text = sessions(edited(0, "P1,2020-01-10,0.1\u2028\x0c\x1c\x85"))
    res = run(mini_study(files={"sessions.csv": text}))
    assert read_where(res) == INTACT


# ------------------------------------------------------------------ 4. blank lines
def test_blank_lines_in_the_middle_are_not_records(mini_study):
    lines = [*SESSIONS[:3], "", "   ", ",,", " , ,\t", *SESSIONS[3:], "", ""]
    res = run(mini_study(files={"sessions.csv": sessions(lines)}))
    assert read_where(res) == [(n if n < 5 else n + 4, p) for n, p in INTACT]
    assert rows_read(res) == 9


def test_blank_first_line(mini_study):
    path = mini_study(files={"sessions.csv": sessions(SESSIONS).replace(b"id,", b"\nid,", 1)})
    assert error(path) == (
        f"{raw(path)}: line 1 is blank; the column headers must be on line 1 unless `header_row` "
        "says otherwise. Set `header_row` "
        "for source 'sessions' (`sources[1]`, line 19) to the line of the column headers, or "
        "delete the blank line(s) above the header. The header seems to be on line 2: set "
        "`header_row: 2` for source 'sessions' (`sources[1].header_row` in the study file; the "
        "lines above it are then skipped as titles)."
    )


@pytest.mark.parametrize("body", [[], ["", "  ", ",,"]], ids=["header-only", "header-blanks"])
def test_header_without_records(mini_study, body):
    path = mini_study(files={"sessions.csv": sessions(body)})
    assert error(path) == (
        "sessions.csv: has a header but no records. If the export is truncated or the wrong "
        "file, export it again."
    )


def test_a_record_of_empty_quoted_cells_is_a_record(mini_study):
    res = run(mini_study(files={"sessions.csv": sessions(edited(4, '"","",""'))}))
    ex = res.exclusions.loc[res.exclusions["table"] == "exposures"]
    missing = ex.loc[ex["row"] == 6]
    assert missing[["step", "reason"]].values.tolist() == [
        ["missing", "required value missing: `patient_id`, `start_date`"]
    ]
    assert rows_read(res) == 9


# ------------------------------------------------------------------ 5. field counts
def test_trailing_delimiters_are_ignored_and_shift_nothing(mini_study):
    """A first record longer than the header made pandas take the ids as its index."""
    lines = [s + "," for s in SESSIONS[:2]] + [s + ",,  ," for s in SESSIONS[2:]]
    res = run(mini_study(files={"sessions.csv": sessions(lines)}))
    assert read_where(res) == INTACT
    assert res.tables["exposures"]["dose_mg"].eq(0.1).all()


def test_trailing_delimiter_in_header_and_records(mini_study):
    text = "id,date,dose,\n" + "".join(s + ",\n" for s in SESSIONS)
    assert read_where(run(mini_study(files={"sessions.csv": text}))) == INTACT


@pytest.mark.parametrize(
    ("index", "line", "found"),
    [
        (0, "P1,2020-01-10,0,1", "line 2 has 4 fields (extra: '1')"),  # the first record
        (5, "P3,2020-03-01,0,1,,x", "line 7 has 6 fields (extra: '1', 'x')"),
    ],
    ids=["first-record", "middle-record"],
)
def test_record_longer_than_the_header(mini_study, index, line, found):
    path = mini_study(files={"sessions.csv": sessions(edited(index, line))})
    assert error(path) == (
        f"{raw(path)}: 1 record(s) have more fields than the header (line 1 has 3): {found}. "
        "Their values cannot be matched to the columns. Usually a value holds the delimiter ',' "
        "without quotes (e.g. a decimal comma): put that value in quotes or fix the line in the "
        "file. (Empty extra fields, delimiters at the end of a line, are ignored.)"
    )


def test_record_shorter_than_the_header_stops_the_read_unless_declared(mini_study):
    """Read by position, a field missing in the middle shifts later values under the wrong
    header: a short record is refused, or with `short_rows: blank` read with empty trailing
    cells and flagged in the audit (it was padded silently)."""
    files = {"sessions.csv": sessions(edited(1, "P1,2020-04-10"))}
    with pytest.raises(SourceError, match=r"line 3 has 2 fields \('P1,2020-04-10'\)"):
        run(mini_study(files=files))
    edit = lambda y: y.replace(SOURCE, SOURCE + "    short_rows: blank\n")  # noqa: E731
    res = run(mini_study(files=files, yaml_edit=edit))
    assert read_where(res) == INTACT
    kept = res.tables["exposures"].set_index("source_row")
    assert pd.isna(kept.loc[3, "dose_mg"]) and kept.loc[2, "dose_mg"] == 0.1
    flagged = res.audit.loc[res.audit["check"] == "short_row"]
    assert flagged[["row", "column", "action"]].values.tolist() == [[3, "dose_mg", "flagged"]]


# ------------------------------------------------------------------ 6. byte-order marks
@pytest.mark.parametrize("declared", [None, "utf-8"], ids=["detected", "declared-utf-8"])
def test_byte_order_mark(mini_study, declared):
    edit = (lambda y: y.replace(SOURCE, SOURCE + "    encoding: utf-8\n")) if declared else None
    path = mini_study(files={"sessions.csv": b"\xef\xbb\xbf" + sessions(SESSIONS)}, yaml_edit=edit)
    assert read_where(run(path)) == INTACT


# ------------------------------------------------------------------ 7. workbooks
def test_xlsx_blank_rows_between_records_keep_excel_row_numbers(mini_study):
    rows: list[list[object]] = [["id", "date", "dose"]]
    for i, s in enumerate(SESSIONS):
        rows.append(s.split(","))
        if i in (1, 4):
            rows += [[None, None, None], ["  ", None, " "]]  # an empty and a white-space row
    path = mini_study(files={"export.xlsx": _workbook({"Sessions": rows})}, yaml_edit=_to_xlsx)
    res = run(path)
    assert read_where(res) == [(n + 2 * (n > 3) + 2 * (n > 6), p) for n, p in INTACT]
    assert rows_read(res) == 9


def test_xlsx_header_below_blank_rows(mini_study):
    rows = [[None, None, None], ["", " ", None], ["id", "date", "dose"], ["P1", "2020-01-10", 0.1]]
    path = mini_study(files={"export.xlsx": _workbook({"Sessions": rows})}, yaml_edit=_to_xlsx)
    assert error(path) == (
        f"{raw(path, 'export.xlsx')}, sheet 'Sessions': row 1 is blank; the column headers must "
        "be on row 1 unless `header_row` says otherwise (the next non-blank row is row 3). Set "
        "`header_row` "
        "for source 'sessions' (`sources[1]`, line 19) to the row of the column headers, or delete the blank "
        "row(s) above the header. The header seems to be on row 3: set `header_row: 3` for "
        "source 'sessions' (`sources[1].header_row` in the study file; the rows above it are "
        "then skipped as titles)."
    )


def _to_xlsx(y: str) -> str:
    return y.replace(*TO_XLSX)


# ------------------------------------------------------------------ 8. the accounting itself
def test_a_reader_that_drops_a_record_stops_the_run(mini_study, monkeypatch):
    read_csv = readers._read_csv
    monkeypatch.setattr(readers, "_read_csv", lambda *a, **k: read_csv(*a, **k).iloc[1:])
    path = mini_study()
    with pytest.raises(SourceError) as exc:
        run(path)
    assert str(exc.value) == (
        "patients.csv: the file holds 4 records but the reader returned 3; the run stops rather "
        "than lose or invent a record. This is a defect of the reader, not of your data: report "
        "it with the file's format."
    )


def test_a_record_lost_after_reading_stops_the_run(mini_study, monkeypatch):
    read_source = readers.read_source

    def lossy(config, source):
        out = read_source(config, source)
        return out.iloc[:-1] if source.name == "sessions" else out

    monkeypatch.setattr(readers, "read_source", lossy)
    with pytest.raises(PipelineError) as exc:
        run(mini_study())
    assert str(exc.value) == (
        "stage 'clean': the records do not add up: sessions.csv, table 'exposures': the file "
        "holds 9 record(s), the analysis tables keep 7 and the exclusion log holds 1 (1 record(s) "
        "unaccounted for). Every record of a file must be kept or logged with its reason, so the "
        "run stops and writes nothing. This is a defect of the pipeline, not of the data: report "
        "it with the study file."
    )


def test_a_record_invented_by_a_step_stops_the_run(mini_study, monkeypatch):
    def inventive(df, trimmed=()):
        out = strip_text(df, trimmed=trimmed)
        return (
            pd.concat([out, out.iloc[:1]], ignore_index=True)
            if (out["_source"] == "aes").any()
            else out
        )

    monkeypatch.setattr(per_table, "strip_text", inventive)  # read phase of each table
    with pytest.raises(PipelineError) as exc:
        run(mini_study())
    message = str(exc.value)
    assert "aes.csv, table 'adverse_events': the file holds 4 record(s), the analysis " in message
    assert "(1 record(s) too many)" in message


def test_retro_clean_stops_on_a_stray_quote_and_writes_nothing(mini_study):
    from typer.testing import CliRunner

    from analysis.run.cli import app

    path = mini_study(files={"sessions.csv": sessions(edited(3, 'P2,"2020-01-15,0.1'))})
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 2
    assert "an opening quote at line 5 column 4 is never closed" in " ".join(res.output.split())
    assert "Traceback" not in res.output
    assert not (path.parent.parent / "processed").exists()
