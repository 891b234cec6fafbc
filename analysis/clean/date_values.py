"""One date cell read: text by the source's ``date_order`` (two-digit years by the study's
last year), ISO text with or without a time or zone, the date types of any reader, and numbers
by the source's count (``date_numbers``); a date-time with a zone gives its day in the source's
``timezone``. The column-wise reading, checks and logs are ``dates.parse_dates``."""

from __future__ import annotations

import datetime as dt
import decimal
import numbers
import re

import numpy as np
import pandas as pd

from analysis.clean.cells import is_blank
from analysis.clean.date_numbers import number_date
from analysis.clean.date_texts import (
    compact_number,
    date_part,
    read_other_text,
    short_named_year,
)
from analysis.clean.numbers import other_digits

_DATE_FORMATS = {
    "DMY": ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
    "MDY": ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"],
    "YMD": ["%Y/%m/%d", "%Y.%m.%d"],
}
_ISO_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d")


_TWO_DIGIT_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2})")


def two_digit_year(text: object, order: str) -> bool:
    """True for a text date with a two-digit year (a time after it or not): of the source's
    ``DMY`` / ``MDY`` order, or with its month by name (``01-JAN-21``) in any order."""
    if not isinstance(text, str):
        return False
    text = text.strip()
    return (
        order != "YMD" and bool(_TWO_DIGIT_YEAR.fullmatch(date_part(text)))
    ) or short_named_year(text)


def parse_date_value(
    value: object,
    order: str,
    *,
    last_year: int | None = None,
    timezone: str | None = None,
    numbers: str | None = "excel",
    text_numbers: str | None = None,
) -> pd.Timestamp | None:
    """One raw cell -> a date (midnight, no time zone), or None when it holds no readable date.

    Takes what any reader gives: text (ISO ``YYYY-MM-DD`` with or without a time, or the source's
    ``date_order``), ``datetime`` / ``date`` / ``pd.Timestamp``, ``np.datetime64``,
    ``pd.Period`` and a number counted as ``numbers`` says (``date_numbers``; default a
    spreadsheet's serial day, a number in 20000..80000; None: a number is no date); a number
    written as text is counted as ``text_numbers`` says (the source's declared ``date_numbers``)
    and other text forms are those of ``date_texts`` (a time after the date, month names,
    compact ``YYYYMMDD``). A blank cell
    (:func:`is_blank`) gives None, as does a date pandas cannot hold (before 1677 or after 2262).

    A date-time with a time zone or UTC offset (a Parquet timestamp in UTC, ISO text ending in
    ``+01:00``) gives its calendar day in ``timezone`` (the source's ``timezone``); without
    one, its day as written (:func:`parse_dates` stops the run first when the time of day
    makes that ambiguous).

    A two-digit year (``12/03/68``) is read as the latest of 19yy and 20yy that is not after
    ``last_year`` (the year of the study window's end, e.g. of ``study.export_date``): with 2026,
    ``26`` is 2026 and ``27`` is 1927. Without ``last_year`` the century is unknown: None.
    """
    ts = read_date(value, order, last_year, numbers, text_numbers)
    return None if ts is None else calendar_day(ts, timezone)


def read_date(
    value: object,
    order: str,
    last_year: int | None,
    count: str | None = "excel",
    text_count: str | None = None,
) -> pd.Timestamp | None:
    """The date or date-time a cell holds, with its time zone if it has one (None: none): a
    number by ``count``, a number written as text by ``text_count`` (the declared one). Digits
    are 0-9, as for numbers (``numbers.read_number``): a text with another script's digit
    (``"٢٠٢٠٠١٠٢"``, full-width ``"２０２０-０１-０２"``) is not read."""
    if is_blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        return None
    ts: pd.Timestamp | None = None
    if isinstance(value, pd.Period):
        ts = value.to_timestamp()
    elif isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        ts = _timestamp(value)
    elif isinstance(value, numbers.Real | decimal.Decimal):
        ts = number_date(value, count) or compact_number(value)
    else:
        text = str(value).strip()
        if other_digits(text):
            return None
        ts = _parse_date_text(text, order, last_year, text_count)
    return None if ts is None or ts is pd.NaT else ts


def calendar_day(ts: pd.Timestamp, timezone: str | None) -> pd.Timestamp:
    """The calendar day of ``ts``: in ``timezone`` when ``ts`` has a zone and one is given,
    else the day on its own clock."""
    if ts.tzinfo is not None:
        ts = (ts.tz_convert(timezone) if timezone else ts).tz_localize(None)
    return ts.normalize()


def zoned_time(ts: pd.Timestamp) -> bool:
    """Whether ``ts`` carries a time zone and a time of day other than midnight: its calendar
    day then depends on the zone it is read in."""
    if ts.tzinfo is None:
        return False
    wall = ts.tz_localize(None)
    return bool(wall != wall.normalize())


def _timestamp(value: object) -> pd.Timestamp | None:
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        return None
    if ts is pd.NaT or not pd.Timestamp.min <= ts.tz_localize(None) <= pd.Timestamp.max:
        return None
    return ts.as_unit("ns")


def _parse_date_text(
    text: str, order: str, last_year: int | None, count: str | None
) -> pd.Timestamp | None:
    """ISO or the ``order``'s forms, else the other forms of ``date_texts``."""
    ts = _ordered_text(text, order, last_year)
    if ts is not None or (_ISO_DATETIME.match(text) and date_part(text) is text):
        return ts
    return read_other_text(
        text,
        lambda date: _ordered_text(date, order, last_year),
        count,
        lambda yy: _century(yy, last_year),
    )


def _century(yy: int, last_year: int | None) -> int | None:
    """The year of a two-digit one: the latest of 19yy and 20yy not after ``last_year`` (None:
    no ``last_year``, the century is unknown)."""
    if last_year is None:
        return None
    return 2000 + yy if 2000 + yy <= last_year else 1900 + yy


def _ordered_text(text: str, order: str, last_year: int | None) -> pd.Timestamp | None:
    """ISO text (a time or zone after it or not), or a date written in ``order``."""
    short = _TWO_DIGIT_YEAR.fullmatch(text) if order != "YMD" else None
    if short is not None:
        first, _, second, yy = short.groups()
        year = _century(int(yy), last_year)
        if year is None:
            return None
        day, month = (first, second) if order == "DMY" else (second, first)
        try:
            return _timestamp(dt.datetime(year, int(month), int(day)))
        except ValueError:
            return None
    for fmt in [*_ISO_FORMATS, *_DATE_FORMATS[order]]:
        try:
            return _timestamp(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    if _ISO_DATETIME.match(text):  # ISO with fractions of a second or a UTC offset
        try:
            return _timestamp(dt.datetime.fromisoformat(text))
        except ValueError:
            return None
    return None


__all__ = ["calendar_day", "parse_date_value", "read_date", "two_digit_year", "zoned_time"]
