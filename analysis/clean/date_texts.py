"""Text dates beyond ISO and the source's ``date_order``, as CSV exports write them: the same
date followed by a time (``27/08/2020 00:00``, what a spreadsheet saved as CSV gives; ``8/27/2020
3:45 PM`` with a 12-hour clock), a month by its name (``16NOV2020`` as SAS's DATE9. writes it,
``01-Jan-2021``, ``23 September 2020``, ``September 23, 2020``, ``1 de enero de 2021``; with a
two-digit year, ``01-JAN-21`` as Oracle's DD-MON-RR and ``16NOV20`` as SAS's DATE7. write it,
its century chosen as for numeric dates, by the study's last year), compact ISO ``20200926`` (as
text, or a number cell no declared count reads), and a number written as text counted as the
source declares (``date_numbers``). Each is tried only after the usual forms fail
(``date_values``), once per distinct text, so the dates that read before read alike and as
fast. A month name is unambiguous, so it is read whatever
``date_order`` says; day-first and month-first numbers keep needing ``date_order``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import numbers
import re
from collections.abc import Callable

import pandas as pd

from analysis.clean.date_numbers import PLAUSIBLE_DAYS, number_date, number_in_text

#: a date, then a time of day ``H:MM`` or ``HH:MM:SS`` after ``T`` or one space, on a 24-hour
#: clock or a 12-hour one (``3:45 PM``, ``03:45:00 p.m.``)
_WITH_TIME = re.compile(r"(.+?)[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([ap])\.?m\.?)?", re.I)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
#: ``16NOV2020``, ``01-Jan-2021``, ``23 September 2020``, ``1 de enero de 2021``, ``3.Mar.2021``
#: (and a two-digit year: ``01-jan-21``, ``16nov20``)
_DAY_NAME_YEAR = re.compile(r"(\d{1,2})([ ./-]?)(?:de )?([^\W\d_]+)\.?\2(?:de )?(\d{4}|\d{2})")
#: ``September 23, 2020``, ``Sep 23 2020``
_NAME_DAY_YEAR = re.compile(r"([^\W\d_]+)\.? (\d{1,2}),? (\d{4})")

_ENGLISH = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_SPANISH = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
#: month names and abbreviations (English, Spanish), lower case -> month number
MONTHS: dict[str, int] = {
    **{name[:3]: i for i, name in enumerate(_ENGLISH, 1)},
    **{name[:3]: i for i, name in enumerate(_SPANISH, 1)},
    **{name: i for i, name in enumerate(_ENGLISH, 1)},
    **{name: i for i, name in enumerate(_SPANISH, 1)},
    "sept": 9,
    "set": 9,
    "setiembre": 9,
}


def date_part(text: str) -> str:
    """``text`` without a valid time of day after its date (``27/08/2020 00:00`` gives
    ``27/08/2020``); ``text`` itself when it has none."""
    found = _WITH_TIME.fullmatch(text)
    if found is None:
        return text
    _, hour, minute, second, half = found.groups()
    hours = range(1, 13) if half else range(24)
    if int(hour) not in hours or int(minute) > 59 or (second is not None and int(second) > 59):
        return text
    return found.group(1)


def short_named_year(text: str) -> bool:
    """True for a date with its month by name and a two-digit year (``01-JAN-21``), a time
    after it or not: its century is assumed (audited, ``dates.parse_dates``)."""
    found = _DAY_NAME_YEAR.fullmatch(date_part(text).lower())
    return found is not None and len(found.group(4)) == 2 and found.group(3) in MONTHS


def read_other_text(
    text: str,
    ordered: Callable[[str], pd.Timestamp | None],
    count: str | None,
    century: Callable[[int], int | None],
) -> pd.Timestamp | None:
    """The day of a text none of the usual forms read (None: no date). ``ordered`` reads a
    date of the source's ``date_order`` (and ISO); ``count`` is the ``date_numbers`` the source
    declares, which a number written as text follows (an 8-digit one it does not read is tried
    as ``YYYYMMDD``); ``century`` gives the year of a two-digit one (None: unknown). A time
    after the date is read as its day (a time other than midnight keeps its day, as ISO
    date-times do)."""
    number = number_in_text(text)
    if number is not None:
        return number_date(number, count) or _compact(text)
    date = date_part(text)
    if date is not text:
        return ordered(date) or _named(date, century) or _compact(date)
    return _named(text, century)


def compact_number(value: numbers.Real | decimal.Decimal) -> pd.Timestamp | None:
    """A number cell of eight digits as ``YYYYMMDD`` (``20200926``, as a database or a
    spreadsheet column typed as a number holds it), when its source's count of days reads no
    plausible day from it (None: not one)."""
    number = float(value)
    if not (number.is_integer() and 10_000_000 <= number <= 99_999_999):
        return None  # NaN is not an integer
    return _compact(str(int(number)))


def _compact(text: str) -> pd.Timestamp | None:
    """``YYYYMMDD`` (eight digits, a valid day of a plausible year), else None."""
    found = _COMPACT.fullmatch(text)
    return None if found is None else _day(*map(int, found.groups()))


def _named(text: str, century: Callable[[int], int | None]) -> pd.Timestamp | None:
    """A date with its month by name, day first or month first (None: not one, or a
    two-digit year whose century is unknown)."""
    low = text.lower()
    found = _DAY_NAME_YEAR.fullmatch(low)
    if found is not None:
        day, _, name, year = found.groups()
    else:
        found = _NAME_DAY_YEAR.fullmatch(low)
        if found is None:
            return None
        name, day, year = found.groups()
    month = MONTHS.get(name)
    full = century(int(year)) if len(year) == 2 else int(year)
    return None if month is None or full is None else _day(full, month, int(day))


def _day(year: int, month: int, day: int) -> pd.Timestamp | None:
    """That day, or None when it does not exist (31 February) or is not plausible."""
    try:
        ts = pd.Timestamp(dt.datetime(year, month, day))
    except ValueError:
        return None
    return ts if PLAUSIBLE_DAYS[0] <= ts <= PLAUSIBLE_DAYS[1] else None


__all__ = ["MONTHS", "compact_number", "date_part", "read_other_text", "short_named_year"]
