"""Dates stored as numbers: which count a source's numbers follow (``sources[].date_numbers``).

A spreadsheet stores a date as its serial day (days since 1899-12-30; since 1904-01-01 in a
workbook of the 1904 date system, Excel for Mac's former default); SAS as days since
1960-01-01 (a datetime as seconds since then); SPSS as seconds since 1582-10-14; many databases
as days since 1970-01-01. A reader that knows the column's date format gives dates; a column
left without one (an ETL step that dropped the format) gives bare numbers, and reading SAS days
as spreadsheet serials moves every date some sixty years with no message. So a number in a date
column is read only by the count its source declares, or by a spreadsheet's own (the default of
an ``xlsx`` source); in any other source it is unreadable, and when many are the run stops
naming the declaration that reads them (:func:`numbers_fix`). A number written as text (a CSV
holds no other kind) follows a declared count alike (:func:`number_in_text`), not the default
one of a spreadsheet, whose text cells are text.
"""

from __future__ import annotations

import decimal
import numbers
import re

import pandas as pd

#: count -> (what it is in words, origin, unit of one)
COUNTS: dict[str, tuple[str, pd.Timestamp, str]] = {
    "excel": ("spreadsheet serial days, from 1899-12-30", pd.Timestamp("1899-12-30"), "D"),
    "excel_1904": (
        "spreadsheet serial days of the 1904 date system, from 1904-01-01",
        pd.Timestamp("1904-01-01"),
        "D",
    ),
    "sas": ("SAS days, from 1960-01-01", pd.Timestamp("1960-01-01"), "D"),
    "sas_datetime": ("SAS seconds, from 1960-01-01", pd.Timestamp("1960-01-01"), "s"),
    "spss": ("SPSS seconds, from 1582-10-14", pd.Timestamp("1970-01-01"), "s"),
    "unix": ("days from 1970-01-01", pd.Timestamp("1970-01-01"), "D"),
}
#: SPSS counts from 1582-10-14, before the first day pandas holds: its seconds to 1970-01-01
_SPSS_TO_1970 = 12_219_379_200
#: spreadsheet serial days read as dates: 1954-10-03 .. 2119-01-10, the plausible ones (the
#: same days in the 1904 date system, whose serials are 1,462 days fewer)
_EXCEL_SERIALS = {"excel": (20000, 80000), "excel_1904": (20000 - 1462, 80000 - 1462)}
#: the days any other count may give (and compact ``YYYYMMDD`` text, ``date_texts``)
PLAUSIBLE_DAYS = (pd.Timestamp("1800-01-01"), pd.Timestamp("2200-12-31"))


#: a number written as text: an integer (a count of days) or a decimal (a date-time)
_NUMBER_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")


def number_in_text(text: str) -> int | float | None:
    """The number ``text`` writes (``"44100"``, ``"44100.5"``; a CSV holds its numbers as text),
    else None."""
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    return float(text) if "." in text else int(text)


def default_count(fmt: str | None) -> str | None:
    """The count of numbers in a date column of a source of format ``fmt`` that declares none:
    a spreadsheet's serial days for ``xlsx`` (``dates`` takes a workbook of the 1904 date system
    as ``excel_1904``); none for any other format."""
    return "excel" if fmt == "xlsx" else None


def number_date(value: object, count: str | None) -> pd.Timestamp | None:
    """The day the number ``value`` counts under ``count`` (None: not a number, no count, or
    not a plausible day)."""
    if (
        count is None
        or isinstance(value, bool)
        or not isinstance(value, numbers.Real | decimal.Decimal)
    ):
        return None
    number = float(value)
    if number != number:  # NaN
        return None
    serials = _EXCEL_SERIALS.get(count)
    if serials is not None and not serials[0] <= number <= serials[1]:
        return None
    _, origin, unit = COUNTS[count]
    if count == "spss":
        number -= _SPSS_TO_1970
    try:
        day = (origin + pd.to_timedelta(int(number // 1), unit=unit)).normalize()
    except (OverflowError, ValueError):
        return None
    return day if PLAUSIBLE_DAYS[0] <= day <= PLAUSIBLE_DAYS[1] else None


#: the counts to try first for numbers of a source of each format (its own program's first)
_FIRST = {"sas": ["sas", "sas_datetime"], "spss": ["spss"], "parquet": ["unix"]}


def numbers_fix(
    values: pd.Series,
    window: tuple[pd.Timestamp, pd.Timestamp],
    fmt: str | None = None,
    where: str = "`sources[]`",
) -> str:
    """The declaration that reads unreadable ``values`` when they are numbers: the count under
    which at least 90% of them fall inside the study ``window``, the counts of the format
    ``fmt`` of their source (SAS days for a SAS file) tried first ("" if they are not numbers).
    Numbers written as text (a CSV's) count as numbers. ``where``: the source's key and line.
    """
    cells = [number_in_text(v.strip()) if isinstance(v, str) else v for v in values]
    cells = [v for v in cells if isinstance(v, numbers.Real | decimal.Decimal)]
    if not cells or len(cells) < 0.9 * len(values):
        return ""
    first = _FIRST.get(fmt or "", [])
    for count in [*first, *(c for c in COUNTS if c not in first)]:
        words = COUNTS[count][0]
        days = [number_date(v, count) for v in cells]
        inside = [d for d in days if d is not None and window[0] <= d <= window[1]]
        if len(inside) >= 0.9 * len(cells):
            return (
                f"they are numbers, and {len(inside)} of them read as dates from "
                f"{min(inside):%Y-%m-%d} to {max(inside):%Y-%m-%d} as {words}: if the file "
                f"stores its dates that way (a column left without its date format), set "
                f"`date_numbers: {count}` for this source (under {where} in the study file)"
            )
    return (
        "they are numbers, and no count of days or seconds reads them as dates inside the "
        "study window: export the column with its date format"
    )


__all__ = [
    "COUNTS",
    "PLAUSIBLE_DAYS",
    "default_count",
    "number_date",
    "number_in_text",
    "numbers_fix",
]
