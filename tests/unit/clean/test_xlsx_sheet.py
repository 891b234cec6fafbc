"""A worksheet read by ``xlsx_sheet`` is the frame pandas reads: ``pd.ExcelFile(path,
engine="calamine").parse(sheet, header=None, dtype=object, keep_default_na=False,
na_values=[""])`` is the reference (only an empty cell missing, as the CSV reader reads), on
generated workbooks (text, missing-value texts, a byte-order mark, whole and fractional floats, integers,
booleans, dates, date-times, times of day, blank cells and rows); the column conversion is
checked against pandas' per-cell conversion on random cells, huge and non-finite floats too."""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.io.excel._calamine import CalamineReader

from analysis.clean.xlsx_sheet import (
    NA_CELLS,
    convert_cell,
    converted_column,
    read_sheet,
    sheet_cells,
)
from tests.unit.clean._same_cells import same_cell

TEXTS = st.one_of(
    st.sampled_from(["", " ", "NA", "N/A", "null", "nan", "None", "#N/A", "\ufeffid", "\ufeff",
                     "0", "1", "1.0", "TRUE", "a,b", "Dolor de cabeza", "2020-01-31"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6),
)  # fmt: skip
DATES = st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31))
DATETIMES = st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31))
FLOATS = st.one_of(
    st.floats(-1e18, 1e18, allow_nan=False),
    st.integers(-(2**53), 2**53).map(float),
    st.sampled_from([0.0, -0.0, 0.5, 1e20, -1e20, 2.0**63, -(2.0**63), 9.2e18, 1e300]),
)
# what a workbook cell can hold, as openpyxl writes it
WRITTEN = st.one_of(
    TEXTS,
    FLOATS,
    st.integers(-(2**40), 2**40),
    st.booleans(),
    DATES,
    DATETIMES.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)),
    st.times().map(lambda t: t.replace(microsecond=0)),
    st.none(),
)


def _same(a: object, b: object) -> bool:
    """Same cell, and a time stamp of the same unit."""
    return same_cell(a, b) and getattr(a, "unit", None) == getattr(b, "unit", None)


def _frames_equal(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert ours.shape == ref.shape
    assert ours.columns.equals(ref.columns) and ours.index.equals(ref.index)
    assert list(ours.dtypes) == list(ref.dtypes)
    for c in ref.columns:
        for a, b in zip(ours[c], ref[c], strict=True):
            assert _same(a, b), (c, a, b)


def _workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c).value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _both(content: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    with pd.ExcelFile(io.BytesIO(content), engine="calamine") as book:
        ref = book.parse(
            "Sheet", header=None, dtype=object, keep_default_na=False, na_values=NA_CELLS
        )
        ours = read_sheet(book.book.get_sheet_by_name("Sheet"))
        written = book.book.get_sheet_by_name("Sheet").to_python(skip_empty_area=False)
    return ours, _own_flags(ref, written)


def _own_flags(ref: pd.DataFrame, written: list[list[object]]) -> pd.DataFrame:
    """pandas' frame with each TRUE, FALSE, 1 and 0 as written: pandas' parser keeps one object
    per equal cell of a column and in Python ``1 == True``, so it swaps them
    (pandas-dev/pandas#60088); the reference keeps the rest of pandas' reading."""
    out = ref.copy()
    for i, row in enumerate(written[: len(out)]):
        for j, cell in enumerate(row[: out.shape[1]]):
            want = convert_cell(cell)
            if type(want) in (bool, int) and type(out.iat[i, j]) in (bool, int):
                out.iat[i, j] = want
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(WRITTEN, min_size=0, max_size=5), min_size=0, max_size=12))
def test_read_sheet_is_pandas_read_excel(rows: list[list[object]]) -> None:
    ours, ref = _both(_workbook(rows))
    _frames_equal(ours, ref)


@pytest.mark.parametrize(
    "rows",
    [
        [],  # an empty sheet: pandas gives an empty frame
        [[None, None], [None, "x"]],  # leading blank rows and columns
        [["id"], [None], ["P1"], [" "], ["P2"]],  # one column with blank rows: rows kept
        [["\ufeffPatient ID", "Dose"], ["P1", 2.0], ["P2", 2.5], [None, None], ["P3", True]],
        [["id", "flag"], ["P1", True], ["P2", 1], ["P3", 1.0], ["P4", 0], ["P5", False]],
        [["id", "d"], ["P1", dt.date(2020, 1, 31)], ["P2", dt.datetime(2020, 1, 31, 8, 30)]],
        [["id", "t"], ["P1", dt.time(8, 30)], ["P2", "NA"], ["P3", ""], ["P4", "n/a"]],
    ],
    ids=[
        "empty",
        "blank-corner",
        "one-column-blank-rows",
        "bom-fractions",
        "bool-and-ints",
        "dates",
        "times-na-texts",
    ],
)
def test_read_sheet_on_written_cases(rows: list[list[object]]) -> None:
    ours, ref = _both(_workbook(rows))
    _frames_equal(ours, ref)


#: the texts pandas reads as missing by default; a study's vocabulary may map each of them
NA_TEXTS = ["None", "NA", "N/A", "n/a", "null", "NULL", "nan", "NaN", "<NA>", "-nan", "#NA"]


@pytest.mark.parametrize(
    "cells",
    [
        [True, 1, 1.0, 0, False, 2.5],
        [0, 1, False, True, 0.0, 1.0],
        [1.0, True, False, 0],
        [False, False, 0, True, 1, 1],
    ],
    ids=["true-first", "zero-first", "float-first", "false-first"],
)
def test_read_sheet_keeps_booleans_apart_from_ones_and_zeros(cells: list[object]) -> None:
    """One TRUE or FALSE in a column of numbers changes no 1 or 0 of it, in either order."""
    rows: list[list[object]] = [["id", "n"]] + [[f"P{i}", c] for i, c in enumerate(cells)]
    ours, _ = _both(_workbook(rows))
    got = ours[1].tolist()[1:]
    assert [type(v) for v in got] == [type(convert_cell(c)) for c in cells]
    assert got == [convert_cell(c) for c in cells]


def test_read_sheet_keeps_booleans_apart_in_uneven_rows() -> None:
    """Rows of uneven length (converted cell by cell) keep TRUE apart from 1 too."""

    class _Sheet:
        def to_python(self, **_kwargs: object) -> list[list[object]]:
            return [["id", "n", "x"], ["P1", 1.0], ["P2", True, "x"], ["P3", 0.0], ["P4", False]]

    got = read_sheet(_Sheet())[1].tolist()
    assert [type(v) for v in got[1:]] == [int, bool, int, bool]
    assert got[1:] == [1, True, 0, False]


def test_read_sheet_keeps_missing_value_texts_as_written() -> None:
    """ "None" (no action taken), "NA" (not applicable): text, as the CSV reader keeps them;
    only an empty cell is missing. pandas' default read them all as missing, silently."""
    rows: list[list[object]] = [["id", "action"]]
    rows += [[f"P{i}", text] for i, text in enumerate(NA_TEXTS)] + [["P99", None]]
    ours, _ = _both(_workbook(rows))
    assert ours[1].tolist()[1:-1] == NA_TEXTS
    assert ours.iat[-1, 1] is None or pd.isna(ours.iat[-1, 1])  # the empty cell


CELLS = st.one_of(
    TEXTS,
    FLOATS,
    st.sampled_from([math.inf, -math.inf, math.nan]),
    st.integers(),
    st.booleans(),
    DATES,
    DATETIMES,
    st.timedeltas(dt.timedelta(days=-9999), dt.timedelta(days=9999)),
    st.times(),
    st.none(),
)


def _converted_by_pandas(value: object) -> object:
    """pandas' own conversion of a cell, or the type of the error it raises."""
    reader = CalamineReader.__new__(CalamineReader)

    class _Sheet:
        def to_python(self, **_kwargs: object) -> list[list[object]]:
            return [[value]]

    try:
        return reader.get_sheet_data(_Sheet())[0][0]
    except (ValueError, OverflowError) as err:
        return type(err)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=30))
def test_converted_column_is_pandas_cell_conversion(values: list[object]) -> None:
    expected = [_converted_by_pandas(v) for v in values]
    raises = [e for e in expected if isinstance(e, type) and issubclass(e, Exception)]
    column = np.empty(len(values), dtype=object)
    column[:] = values
    if raises:  # infinity or NaN: pandas stops the read, and so does the column conversion
        with pytest.raises((ValueError, OverflowError)):
            converted_column(column)
        return
    converted_column(column)
    for got, want, given_ in zip(column, expected, values, strict=True):
        assert _same(got, want), (given_, got, want)
        assert _same(convert_cell(given_), want)


def test_sheet_cells_of_uneven_rows_converts_cell_by_cell() -> None:
    """calamine gives a rectangle; rows of uneven length are converted one cell at a time."""

    class _Sheet:
        def to_python(self, **_kwargs: object) -> list[list[object]]:
            return [["id", 2.0], ["P1"], ["P2", dt.date(2020, 1, 1), 0.5]]

    got = sheet_cells(_Sheet())
    assert got == [["id", 2], ["P1"], ["P2", pd.Timestamp("2020-01-01"), 0.5]]
    assert type(got[0][1]) is int and type(got[2][1]) is pd.Timestamp
