"""``header_row``: the text below title lines, the lines of the file kept by both CSV paths,
and the search for the row that holds the declared headers."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

import analysis.clean.csv_records as records
from analysis.clean.header_row import SEARCHED_ROWS, find_header_row, text_from_line
from analysis.clean.read import read_raw
from analysis.errors import SourceError

BODY = "id,date\nP1,2020-01-10\n\nP2,2020-01-11\n"


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_text_from_line_cuts_the_lines_an_editor_shows_above(end):
    text = end.join(["Title", "", "id,date", "P1,x"]) + end
    assert text_from_line(text, 1, "f.csv") == text
    assert text_from_line(text, 3, "f.csv") == end.join(["id,date", "P1,x"]) + end
    assert text_from_line(text, 4, "f.csv") == "P1,x" + end


@pytest.mark.parametrize(("text", "lines"), [("a\nb\n", 2), ("a\nb", 2), ("a\r\n\r\n", 2)])
def test_text_from_line_past_the_end(text, lines):
    with pytest.raises(SourceError) as exc:
        text_from_line(text, 3, "f.csv")
    assert str(exc.value) == (
        f"f.csv: `header_row: 3` but the file has only {lines} line(s). Set `header_row` for "
        "this source to the line of the column headers, or export the file again."
    )


@pytest.mark.parametrize("header_line", [1, 4])
def test_both_csv_paths_number_the_lines_of_the_file(header_line, monkeypatch):
    fast = records.read_csv_text(BODY, ",", where="f.csv", header_line=header_line)
    monkeypatch.setattr(records, "_one_record_a_line", lambda *a, **k: None)
    slow = records.read_csv_text(BODY, ",", where="f.csv", header_line=header_line)
    assert fast.index.tolist() == slow.index.tolist() == [header_line + 1, header_line + 3]
    assert fast.attrs["file_records"] == slow.attrs["file_records"] == 2
    pd.testing.assert_frame_equal(fast, slow, check_index_type=False)


def test_read_raw_csv_below_title_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfExport; 2024-05-02\n#,\n" + BODY.encode())
    df = read_raw(path, fmt="csv", header_row=3)
    assert df.columns.tolist() == ["id", "date"]
    assert df.index.tolist() == [4, 6]
    assert df.attrs["file_records"] == 2
    assert df.attrs["plain_text"] is True  # the title's '#' is not a cell


def _workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_read_raw_xlsx_below_title_rows(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(_workbook([["Export"], [], ["id", 2024], ["P1", 1], [], ["P2", 2]]))
    df = read_raw(path, fmt="xlsx", header_row=3)
    assert df.columns.tolist() == ["id", "2024"]
    assert df.index.tolist() == [4, 6]
    assert df.attrs["file_records"] == 2


def test_find_header_row_in_csv_and_xlsx(tmp_path):
    csv_path = tmp_path / "f.csv"
    csv_path.write_text('Export\n"a";b\nid ;"date"\nP1;x\n', encoding="utf-8")
    find = {"fmt": "csv", "wanted": {"id", "date"}}
    assert find_header_row(csv_path, header_row=1, **find) == 3
    assert find_header_row(csv_path, header_row=1, delimiter=",", **find) is None
    assert find_header_row(csv_path, header_row=3, **find) is None  # already right
    xlsx_path = tmp_path / "f.xlsx"
    xlsx_path.write_bytes(_workbook([["Export"], [], ["id", 2024], ["P1", 1]]))
    find = {"fmt": "xlsx", "wanted": {"id", "2024"}}
    assert find_header_row(xlsx_path, header_row=1, **find) == 3
    assert find_header_row(xlsx_path, header_row=1, sheet="Other", **find) is None


def test_find_header_row_looks_only_near_the_top(tmp_path):
    path = tmp_path / "f.csv"
    lines = ["x"] * (SEARCHED_ROWS - 1) + ["id,date", "P1,x"]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert find_header_row(path, fmt="csv", wanted={"id", "date"}, header_row=1) == SEARCHED_ROWS
    path.write_text("x\n" + "\n".join(lines), encoding="utf-8")
    assert find_header_row(path, fmt="csv", wanted={"id", "date"}, header_row=1) is None


def test_find_header_row_never_raises(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(b"not a workbook")
    assert find_header_row(path, fmt="xlsx", wanted={"id"}, header_row=1) is None
    assert find_header_row(tmp_path / "none.csv", fmt="csv", wanted={"id"}, header_row=1) is None
