"""One worksheet as ``pandas.read_excel(engine="calamine", header=None, dtype=object,
keep_default_na=False, na_values=[""])`` reads it, with the cells converted a column at a time.

Only an empty cell is missing. A text cell is kept as written, "NA", "None", "N/A", "null" and
"nan" too, as the CSV reader keeps it (``keep_default_na=False``): pandas' default reads such
texts as missing, and a study whose vocabulary maps "None" (no action taken) or "NA" (not
applicable) to a level lost them without a trace. What a text means is the study's to say
(vocabularies, number and date parsing), the same for a workbook and a CSV export.

pandas converts every cell of the sheet in Python (``CalamineReader.get_sheet_data``): a float
holding a whole number becomes an ``int``, a date or date-time a ``Timestamp``, a duration a
``Timedelta``; other cells are kept. On a sheet of 282,701 rows and 5 columns that takes 1.0 s,
against 0.24 s for calamine to give the cells. Here the cells of each column are grouped by
type (``map(type, ...)``, in C); the whole floats of a column become ints at once and each
distinct date or duration is converted once. The frame is then built by pandas' own parser,
with the arguments ``read_excel`` gives it, so that the byte-order mark and an empty sheet are
read as pandas reads them. One difference: pandas' parser keeps one object per equal cell of a
column, and ``0 == False``, ``1 == True`` in Python, so a TRUE cell made every 1 of its column
True (and a 0 every FALSE 0, or the other way round); here the TRUE and FALSE cells are hidden
from the parser and each cell keeps its own type. ``tests/unit/clean/test_xlsx_sheet.py``
compares the frames on generated workbooks.
"""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from pandas.errors import EmptyDataError
from pandas.io.parsers import TextParser

#: the XML namespaces of a workbook's parts
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}

#: a float at or beyond this size is converted as pandas converts it, one cell at a time
_INT64_SAFE = 2.0**63


def convert_cell(value: Any) -> Any:
    """One cell as pandas' calamine reader converts it (``get_sheet_data``): the reference."""
    if isinstance(value, float):
        whole = int(value)
        return whole if whole == value else value
    if isinstance(value, date):
        return pd.Timestamp(value)
    if isinstance(value, timedelta):
        return pd.Timedelta(value)
    return value


def _kind(kind: type) -> str | None:
    """How :func:`convert_cell` converts the cells of type ``kind`` (the same tests in the
    same order): ``"float"``, ``"date"``, ``"timedelta"``, or None (kept: text, int, bool,
    time of day)."""
    if issubclass(kind, float):
        return "float"
    if issubclass(kind, date):
        return "date"
    if issubclass(kind, timedelta):
        return "timedelta"
    return None


def _whole_floats(column: np.ndarray, at: np.ndarray) -> None:
    """The float cells at ``at`` converted in place: whole numbers that int64 holds become
    ints at once; fractions are kept; infinities, NaN and larger numbers go through
    :func:`convert_cell` (which raises for infinity and NaN, as pandas does)."""
    values = column[at].astype(np.float64)
    small = np.isfinite(values) & (np.abs(values) < _INT64_SAFE)
    whole = small & (values == np.trunc(values))
    column[at[whole]] = values[whole].astype(np.int64).astype(object)
    for i in at[~small]:
        column[i] = convert_cell(column[i])


def _distinct_once(column: np.ndarray, at: np.ndarray, box: type) -> None:
    """The cells at ``at`` converted in place with ``box``, each distinct value once."""
    codes, distinct = pd.factorize(column[at])
    boxed = np.empty(len(distinct), dtype=object)
    boxed[:] = [box(v) for v in distinct]
    column[at] = boxed[codes]


def converted_column(column: np.ndarray) -> None:
    """Every cell of ``column`` (an object array) as :func:`convert_cell` gives it, in place."""
    _convert(column)


def _convert(column: np.ndarray) -> np.ndarray:
    """:func:`converted_column`; returns where the TRUE and FALSE cells are (converting
    changes no cell to or from a bool)."""
    types = np.fromiter(map(type, column), dtype=object, count=len(column))
    for kind in pd.unique(types):
        how = _kind(kind)
        if how is None:
            continue
        at = np.flatnonzero(types == kind)
        if how == "float":
            _whole_floats(column, at)
        else:
            _distinct_once(column, at, pd.Timestamp if how == "date" else pd.Timedelta)
    flag: type = bool  # compared cell by cell, as ``kind`` above
    return np.flatnonzero(types == flag)


def sheet_cells(sheet: Any) -> list[list[Any]]:
    """The rows of a calamine sheet, each cell converted as pandas converts it."""
    return _cells(sheet, keep_flags=False)[0]


class _Flag:
    """A TRUE or FALSE cell while pandas' parser reads the sheet (:func:`read_sheet`). The
    parser keeps one object per equal cell (``sanitize_objects``) and in Python ``0 == False``
    and ``1 == True``: whichever comes first in a column stood for all, so one TRUE turned
    every 1 of its column into True and one 0 every FALSE into 0 (pandas-dev/pandas#60088).
    A marker is equal only to itself."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value


_FLAGS = {True: _Flag(True), False: _Flag(False)}


def _cells(sheet: Any, keep_flags: bool) -> tuple[list[list[Any]], list[int]]:
    """``(rows, flagged)``: :func:`sheet_cells`; with ``keep_flags`` each TRUE or FALSE cell
    is a :class:`_Flag` and ``flagged`` lists the columns holding one."""
    rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    if not rows:
        return rows, []
    width = len(rows[0])
    if len(set(map(len, rows))) > 1:  # calamine gives a rectangle; else cell by cell
        out = [[convert_cell(v) for v in row] for row in rows]
        if not keep_flags:
            return out, []
        flagged: set[int] = set()
        for row in out:
            for j, v in enumerate(row):
                if type(v) is bool:
                    row[j] = _FLAGS[v]
                    flagged.add(j)
        return out, sorted(flagged)
    cells = np.empty((len(rows), width), dtype=object)
    cells[:] = rows
    flagged_columns = []
    for j in range(width):
        column = cells[:, j]
        at = _convert(column)
        if keep_flags and len(at):
            column[at] = [_FLAGS[v] for v in column[at]]
            flagged_columns.append(j)
    converted: list[list[Any]] = cells.tolist()
    return converted, flagged_columns


#: the only cell read as missing: an empty one (a text such as "NA" or "None" is kept)
NA_CELLS = [""]


def read_sheet(sheet: Any) -> pd.DataFrame:
    """The frame ``pd.ExcelFile(path, engine="calamine").parse(name, header=None,
    dtype=object, keep_default_na=False, na_values=NA_CELLS)`` gives for ``sheet``
    (``CalamineWorkbook.get_sheet_by_name(name)``): every text kept as written, and every
    TRUE, FALSE, 1 and 0 as the sheet holds it (pandas may swap them: :class:`_Flag`)."""
    data, flagged = _cells(sheet, keep_flags=True)
    if not data:
        return pd.DataFrame()
    try:
        parser = TextParser(
            data,
            header=None,
            dtype=object,
            skip_blank_lines=False,
            keep_default_na=False,
            na_values=NA_CELLS,
        )
        frame: pd.DataFrame = parser.read()
    except EmptyDataError:
        return pd.DataFrame()
    for j in flagged:  # each TRUE and FALSE back (see _Flag)
        column = frame.iloc[:, j].to_numpy(dtype=object, copy=True)
        at = [i for i, v in enumerate(column) if type(v) is _Flag]
        column[at] = [column[i].value for i in at]
        frame.isetitem(j, column)
    return frame


def sheet_part(book: zipfile.ZipFile, sheet: str | None) -> str:
    """The member of the open workbook ``book`` holding worksheet ``sheet`` (None: the first
    sheet), as the workbook's relations name it. Raises ``KeyError``, ``StopIteration`` or
    ``ElementTree.ParseError`` when the workbook does not say."""
    listed = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    rid = next(
        s.get(f"{{{NS['r']}}}id")
        for s in listed.iter(f"{{{NS['m']}}}sheet")
        if sheet is None or s.get("name") == sheet
    )
    target = next(r.get("Target") for r in rels if r.get("Id") == rid) or ""
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def column_number(letters: str) -> int:
    """The number of a column from its letters: ``A`` 1, ``Z`` 26, ``AA`` 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


__all__ = [
    "NA_CELLS",
    "NS",
    "column_number",
    "convert_cell",
    "converted_column",
    "read_sheet",
    "sheet_cells",
    "sheet_part",
]
