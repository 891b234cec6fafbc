"""What calamine does not give of a worksheet, read from its XML: error cells, formulas saved
without their result, merged ranges, and the number cells shown as a percentage.

calamine reads an error cell (``#DIV/0!``) and a formula saved without its result as empty
cells; the reader puts their text back so that they are flagged as unreadable, not taken for
blanks. A merged range is returned for ``xlsx_merged`` to fill.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from analysis.clean.xlsx_hidden import hidden_rows
from analysis.clean.xlsx_merged import merged_ranges
from analysis.clean.xlsx_sheet import NS, column_number, sheet_part

_CELL_REF = re.compile(r"\$?([A-Z]+)\$?(\d+)")


def uses_1904_dates(path: Path) -> bool:
    """Whether the workbook at ``path`` counts its serial days from 1904-01-01 (its
    ``<workbookPr date1904="1"/>``, Excel for Mac's default until 2011) rather than from
    1899-12-30: the same number is a day four years and one day later. calamine reads a date
    cell by it; a bare number in a date column is counted by the reader (``date_numbers``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return False
    pr = root.find(f"{{{NS['m']}}}workbookPr")
    return pr is not None and (pr.get("date1904") or "").strip().lower() in ("1", "true")


#: the text given to a formula cell saved without its result (calamine reads it as empty)
FORMULA_WITHOUT_VALUE = "#FORMULA-WITHOUT-VALUE"


def xlsx_sheet_marks(path: Path, sheet: str) -> SheetMarks:
    """What calamine does not give of one sheet: its error cells (:func:`_xlsx_error_cells`),
    its merged ranges (``xlsx_merged.merged_ranges``) and its cells formatted as a percentage
    (:func:`_percent_cells`), and its hidden rows (``xlsx_hidden.hidden_rows``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read(sheet_part(zf, sheet))
            percent = _percent_styles(zf)
    except (KeyError, StopIteration, zipfile.BadZipFile, ElementTree.ParseError):
        return SheetMarks()
    hidden = hidden_rows(xml)
    styled = any(f' s="{s}"'.encode() in xml for s in percent)
    if b't="e"' not in xml and b"<f" not in xml and b"<mergeCell " not in xml and not styled:
        return SheetMarks(hidden=hidden)
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return SheetMarks(hidden=hidden)
    shown = _percent_cells(root, percent) if styled else set()
    return SheetMarks(_xlsx_error_cells(root), merged_ranges(root), shown, hidden)


@dataclass(frozen=True)
class SheetMarks:
    """What :func:`xlsx_sheet_marks` finds: error cells (row, column) -> text, merged ranges,
    cells shown as a percentage, hidden rows (rows and columns numbered from 1)."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    ranges: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    percent: set[tuple[int, int]] = field(default_factory=set)
    hidden: set[int] = field(default_factory=set)


#: Excel's built-in number formats that show a number times 100 with "%" (``0%``, ``0.00%``)
_PERCENT_FORMATS = {"9", "10"}


def _percent_styles(zf: zipfile.ZipFile) -> set[str]:
    """The cell styles (indexes into ``cellXfs`` of ``xl/styles.xml``) whose number format
    shows a percentage: a built-in one, or a format code with ``%`` outside quoted text and
    not escaped (``0.0%``; ``0.0"%"`` and ``0.0\\%`` print the sign without scaling)."""
    try:
        root = ElementTree.fromstring(zf.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return set()
    codes = {
        f.get("numFmtId", ""): f.get("formatCode", "") for f in root.iter(f"{{{NS['m']}}}numFmt")
    }
    scaled = set(_PERCENT_FORMATS)
    for fmt_id, code in codes.items():
        bare = re.sub(r'"[^"]*"|\\.', "", code)
        if "%" in bare:
            scaled.add(fmt_id)
    xfs = root.find(f"{{{NS['m']}}}cellXfs")
    if xfs is None:
        return set()
    return {
        str(i)
        for i, xf in enumerate(xfs.iter(f"{{{NS['m']}}}xf"))
        if (xf.get("numFmtId") or "0") in scaled
    }


def _percent_cells(root: ElementTree.Element, styles: set[str]) -> set[tuple[int, int]]:
    """(row, column) of the number cells whose style shows a percentage: Excel shows 0.0005 in
    a ``0.00%`` cell as 0.05%, and calamine gives the 0.0005."""
    return {
        where
        for where, cell in _positioned_cells(root)
        if cell.get("s") in styles and cell.get("t") in (None, "n")
    }


def _xlsx_error_cells(root: ElementTree.Element) -> dict[tuple[int, int], str]:
    """``(row, column) -> "#DIV/0!"`` for the error cells of one sheet (its XML ``root``), and
    the formula cells saved without a result (calamine reads both as empty).

    A formula cell whose saved result is empty text (``t="str"``, an empty ``<v>``: Excel's
    ``=IF(D42="","",D42/3)`` filled down a template past the records) shows an empty cell and
    is one: blank, as calamine reads it. Without a result is a formula with no ``<v>`` or an
    empty ``<v>`` of no text type (a script's workbook: openpyxl writes ``<v></v>``), which no
    program has computed."""
    found = {}
    for (row, column), cell in _positioned_cells(root):
        value = cell.find("m:v", NS)
        formula = cell.find("m:f", NS)
        if cell.get("t") == "e" and value is not None and value.text:
            text = value.text
        elif formula is not None and _without_result(cell.get("t"), value):
            # a formula whose result was never saved (written by a script, not by Excel)
            text = f"{FORMULA_WITHOUT_VALUE} ={formula.text or ''}"
        else:
            continue
        found[(row, column)] = text
    return found


def _positioned_cells(
    root: ElementTree.Element,
) -> Iterator[tuple[tuple[int, int], ElementTree.Element]]:
    """Each ``<c>`` of a worksheet's XML with its (row, column), numbered from 1. The file
    format makes a row's ``r`` and a cell's ``r`` optional (some exporters leave them out): a
    row without one follows the row before it, a cell without one the cell before it in its
    row, as Excel and calamine place them. Skipping such cells read their error values and
    unsaved formulas as blanks, with no audit row."""
    row = 0
    for row_element in root.iter(f"{{{NS['m']}}}row"):
        given = (row_element.get("r") or "").strip()
        row = int(given) if given.isdigit() else row + 1
        column = 0
        for cell in row_element.iter(f"{{{NS['m']}}}c"):
            m = _CELL_REF.fullmatch((cell.get("r") or "").strip().upper())
            if m is not None:  # an address given is the cell's place, and its row's
                row, column = int(m.group(2)), column_number(m.group(1))
                yield (row, column), cell
            else:
                column += 1
                yield (row, column), cell


def _without_result(kind: str | None, value: ElementTree.Element | None) -> bool:
    """Whether a formula cell of type ``kind`` (its ``t``) with ``<v>`` element ``value`` was
    saved without its result: no ``<v>``, or an empty one that is not text (a saved text
    result may be empty: ``=IF(A2="","",…)`` shows a blank cell)."""
    if value is None:
        return True
    return not value.text and kind not in ("str", "inlineStr", "s")


__all__ = ["FORMULA_WITHOUT_VALUE", "SheetMarks", "uses_1904_dates", "xlsx_sheet_marks"]
