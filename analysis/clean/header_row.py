"""The header on a row below title rows (``header_row``), and where it seems to be when the
declared headers are not found.

Clinic exports may carry title rows above the header ("Clinic X - export of 2024-05-02", a
blank row). A source declares the row of its header as a person sees it (``header_row``: the
line in a text editor, the row in Excel; 1 by default). The rows above it are neither header
nor records: they are not read, not counted, and every record keeps its row in the file.

When a source's headers are not found, or its file cannot be read as declared (a title line
makes every CSV record look longer than the "header"), :func:`find_header_row` looks for them
in the first :data:`SEARCHED_ROWS` rows of the file, so that the error can name the row to
declare. The check that no header is named twice lives here too (:func:`check_unique_headers`).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.clean.decode import decode_text
from analysis.errors import SourceError

#: rows of a file (from row 1) searched for the declared headers when they are not found
SEARCHED_ROWS = 30

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what editors and the csv tokenizers break a line on
_DELIMITERS = (",", ";", "\t", "|")


def text_from_line(text: str, line: int, where: str) -> str:
    """``text`` from its line ``line`` on (the header; lines numbered as an editor numbers
    them): the lines above are titles, not records.

    Raises
    ------
    SourceError
        When the file has fewer than ``line`` lines.
    """
    if line == 1:
        return text
    for n, found in enumerate(_LINE_BREAK.finditer(text), start=2):
        if n == line and found.end() < len(text):  # a final line break starts no line
            return text[found.end() :]
    parts = _LINE_BREAK.split(text)
    n = len(parts) - (parts[-1] == "")
    raise SourceError(
        f"{where}: `header_row: {line}` but the file has only {n} line(s). Set `header_row` for "
        f"this source to the line of the column headers, or export the file again."
    )


def blank_header_message(where: str, row: int, *, unit: str, next_filled: int | None) -> str:
    """The error for a header row that is blank (``unit``: "line" or "row")."""
    if row == 1:
        said = f"the column headers must be on {unit} 1 unless `header_row` says otherwise"
    else:
        said = f"`header_row: {row}` says the column headers are on that {unit}"
    first = f" (the next non-blank {unit} is {unit} {next_filled})" if next_filled else ""
    return (
        f"{where}: {unit} {row} is blank; {said}{first}. Set `header_row` for this source to the "
        f"{unit} of the column headers, or delete the blank {unit}(s) above the header."
    )


def header_at(filled: Sequence[bool], header_row: int, where: str) -> None:
    """Stop when the sheet's row ``header_row`` (``filled``: whether each row from row 1 holds
    a non-blank cell) is missing or blank."""
    if header_row > len(filled):
        raise SourceError(
            f"{where}: `header_row: {header_row}` but the sheet has only {len(filled)} row(s). "
            f"Set `header_row` for this source to the row of the column headers."
        )
    if not filled[header_row - 1]:
        below = (r for r, f in enumerate(filled, start=1) if f and r > header_row)
        raise SourceError(
            blank_header_message(where, header_row, unit="row", next_filled=next(below, None))
        )


def find_header_row(
    path: Path,
    *,
    fmt: str,
    wanted: set[str],
    header_row: int,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> int | None:
    """The first row (1-based, as a person sees it) of the first :data:`SEARCHED_ROWS` of a CSV
    or XLSX file holding every ``wanted`` header, when row ``header_row`` does not; else None.

    Used on the way to an error only: a file that cannot be read gives None, so that the error
    being raised is the one the user sees.
    """
    try:
        rows = _top_rows(path, fmt, sheet, encoding, delimiter)
    except Exception:  # noqa: BLE001 - a hint must never replace the error it adds to
        return None
    holds = [any(wanted <= set(cells) for cells in row) for row in rows]
    if not wanted or (header_row <= len(holds) and holds[header_row - 1]):
        return None
    return next((r for r, found in enumerate(holds, start=1) if found), None)


def _top_rows(
    path: Path, fmt: str, sheet: str | None, encoding: str | None, delimiter: str | None
) -> list[list[list[str]]]:
    """The first rows of the file, each as its stripped cells split every way it may be (a CSV
    line by the declared delimiter, else by each usual one; a sheet's row as it is)."""
    if fmt == "csv":
        text, _ = decode_text(path, encoding)
        lines = _LINE_BREAK.split(text.removeprefix("\ufeff"), maxsplit=SEARCHED_ROWS)
        splits = (delimiter,) if delimiter else _DELIMITERS
        return [
            [[c.strip() for c in next(csv.reader([line], delimiter=d), [])] for d in splits]
            for line in lines[:SEARCHED_ROWS]
        ]
    if fmt == "xlsx":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(str(path))
        name = sheet if sheet is not None else book.sheet_names[0]
        sheet_rows = book.get_sheet_by_name(name).to_python(
            skip_empty_area=False, nrows=SEARCHED_ROWS
        )
        return [[[_cell_text(c) for c in row]] for row in sheet_rows]
    return []


def _cell_text(value: Any) -> str:
    """A header cell as the XLSX reader names it (a whole float as an int, as pandas reads it)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def check_unique_headers(header: list[str], where: str) -> None:
    """A header named twice would be read from one column only (or break the reader)."""
    positions: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(header, start=1):
        if h:
            positions[h].append(i)
    dups = {h: p for h, p in positions.items() if len(p) > 1}
    if dups:
        detail = "; ".join(
            f"{h!r} in columns " + ", ".join(f"{i} ({_column_letter(i)})" for i in p)
            for h, p in dups.items()
        )
        raise SourceError(
            f"{where}: duplicated header: {detail}. Rename one of them in the file so every "
            f"header is unique (and map the one you mean under `columns`)."
        )


__all__ = [
    "SEARCHED_ROWS",
    "blank_header_message",
    "find_header_row",
    "header_at",
    "text_from_line",
]
