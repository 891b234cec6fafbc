"""Dates as clinic exports write them: day-first or month-first text, ISO, Excel serial days,
two-digit years; a date that cannot be read is set missing and audited."""

from __future__ import annotations

import datetime as dt
import decimal
import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.clean.cells import is_blank
from analysis.clean.column_fit import (
    Fix,
    stop_if_unreadable,
    unreadable_paragraphs,
    with_digits,
)
from analysis.clean.columns import Column
from analysis.clean.distinct import distinct_results, map_distinct
from analysis.clean.step import (
    AUDIT_COLUMNS,
    LOG_COLUMNS,
    Step,
    audit_rows,
    concat_rows,
    drop_records,
    log_rows,
)
from analysis.clean.zoned_dates import stop_if_zoned, zoned_paragraphs
from analysis.studyfile.config import StudyConfig

_DATE_FORMATS = {
    "DMY": ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
    "MDY": ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"],
    "YMD": ["%Y/%m/%d", "%Y.%m.%d"],
}
_ISO_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d")
_EXCEL_SERIALS = (20000, 80000)  # 1954-10-03 .. 2119-01-10: the serial days of plausible dates


_TWO_DIGIT_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2})")


def two_digit_year(text: object, order: str) -> bool:
    """True for a text date of the source's ``DMY`` / ``MDY`` order with a two-digit year."""
    return (
        order != "YMD" and isinstance(text, str) and bool(_TWO_DIGIT_YEAR.fullmatch(text.strip()))
    )


def parse_date_value(
    value: object, order: str, *, last_year: int | None = None, timezone: str | None = None
) -> pd.Timestamp | None:
    """One raw cell -> a date (midnight, no time zone), or None when it holds no readable date.

    Takes what any reader gives: text (ISO ``YYYY-MM-DD`` with or without a time, or the source's
    ``date_order``), ``datetime`` / ``date`` / ``pd.Timestamp``, ``np.datetime64``,
    ``pd.Period`` and an Excel serial day number (a number in 20000..80000). A blank cell
    (:func:`is_blank`) gives None, as does a date pandas cannot hold (before 1677 or after 2262).

    A date-time with a time zone or UTC offset (a Parquet timestamp in UTC, ISO text ending in
    ``+01:00``) gives its calendar day in ``timezone`` (the source's ``timezone``); without
    one, its day as written (:func:`parse_dates` stops the run first when the time of day
    makes that ambiguous).

    A two-digit year (``12/03/68``) is read as the latest of 19yy and 20yy that is not after
    ``last_year`` (the year of the study window's end, e.g. of ``study.export_date``): with 2026,
    ``26`` is 2026 and ``27`` is 1927. Without ``last_year`` the century is unknown: None.
    """
    ts = _read_date(value, order, last_year)
    return None if ts is None else _day(ts, timezone)


def _read_date(value: object, order: str, last_year: int | None) -> pd.Timestamp | None:
    """The date or date-time a cell holds, with its time zone if it has one (None: none)."""
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
        serial = float(value)
        if _EXCEL_SERIALS[0] <= serial <= _EXCEL_SERIALS[1]:
            ts = _EXCEL_EPOCH + pd.Timedelta(days=int(serial))
    else:
        ts = _parse_date_text(str(value).strip(), order, last_year)
    return None if ts is None or ts is pd.NaT else ts


def _day(ts: pd.Timestamp, timezone: str | None) -> pd.Timestamp:
    """The calendar day of ``ts``: in ``timezone`` when ``ts`` has a zone and one is given,
    else the day on its own clock."""
    if ts.tzinfo is not None:
        ts = (ts.tz_convert(timezone) if timezone else ts).tz_localize(None)
    return ts.normalize()


def _zoned_time(ts: pd.Timestamp) -> bool:
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


def _parse_date_text(text: str, order: str, last_year: int | None) -> pd.Timestamp | None:
    short = _TWO_DIGIT_YEAR.fullmatch(text) if order != "YMD" else None
    if short is not None:
        if last_year is None:
            return None
        first, _, second, yy = short.groups()
        year = 2000 + int(yy) if 2000 + int(yy) <= last_year else 1900 + int(yy)
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


def _parse_column(raw: pd.Series, order: pd.Series, last_year: int | None) -> pd.Series:
    """:func:`parse_date_value` of each cell by its row's date ``order``, as ``datetime64[ns]``
    (one call per distinct (cell, order), the dates joined back)."""
    return _read_cells(raw, order, last_year).dates


@dataclass(frozen=True)
class _Cells:
    """What :func:`_read_cells` found in each cell of a date column (Series on its index)."""

    dates: pd.Series  # datetime64[ns]: the day read, NaT where none
    blank: pd.Series  # the cell is blank
    short_year: pd.Series  # read from text with a two-digit year
    zoned_time: pd.Series  # a date-time with a time zone and a time of day (:func:`_zoned_time`)


def _cell(
    value: object, order: str, last_year: int | None, timezone: str | None
) -> tuple[pd.Timestamp | None, bool, bool, bool]:
    """``(day, blank, short_year, zoned_time)`` of one cell (:class:`_Cells`)."""
    ts = _read_date(value, order, last_year)
    if ts is None:
        return None, is_blank(value), False, False
    return _day(ts, timezone), False, two_digit_year(value, order), _zoned_time(ts)


def _read_cells(
    raw: pd.Series,
    order: pd.Series | str,
    last_year: int | None,
    zones: pd.Series | None = None,
) -> _Cells:
    """:func:`_cell` of every cell of ``raw`` in one pass over its distinct (cell, order)
    pairs. ``order`` one text: the order of every row (each distinct cell read once, not paired
    with its row's order). ``zones``: each row's declared ``timezone`` (missing: none), given
    only when a source of the table declares one."""
    if zones is not None:
        orders = order if isinstance(order, pd.Series) else pd.Series(order, index=raw.index)
        keys = orders.astype(str) + "|" + zones.fillna("").astype(str)
        results, groups = distinct_results(
            lambda v, k: _cell(v, k.split("|")[0], last_year, k.split("|")[1] or None), raw, keys
        )
    elif isinstance(order, str):
        one = order
        results, groups = distinct_results(lambda v: _cell(v, one, last_year, None), raw)
    else:
        results, groups = distinct_results(lambda v, o: _cell(v, o, last_year, None), raw, order)
    parsed = pd.Series([r[0] for r in results], dtype=object)
    unique = pd.to_datetime(parsed).astype("datetime64[ns]")

    def joined(values: object) -> pd.Series:
        return pd.Series(np.asarray(values)[groups], index=raw.index)

    return _Cells(
        joined(unique.to_numpy()),
        *(joined(np.array([r[k] for r in results], dtype=bool)) for k in (1, 2, 3)),
    )


def blank_cells(raw: pd.Series) -> pd.Series:
    """:func:`is_blank` of each cell, as a boolean Series (one call per distinct cell)."""
    return pd.Series(map_distinct(is_blank, raw).astype(bool), index=raw.index)


def parse_dates(data: pd.DataFrame, table: str, config: StudyConfig) -> Step:
    """Parse date columns by each source's ``date_order``; keep them inside the study window.

    An unparseable required date excludes the record (step ``parse``); an unparseable
    optional date is set missing and audited. A date outside ``config.date_window`` (by default
    1901-01-01 to ``study.export_date``, or no end) is not plausible: a required one excludes
    the record (step ``check``), an optional one is set missing and audited. A date read with
    a two-digit year is audited (check ``two_digit_year``, the century assumed). A date-time with
    a time zone and a time of day stops the run unless its source declares ``timezone``
    (``zoned_dates``).
    """
    out = data.copy(deep=False)  # columns are replaced, never written into
    orders = {s.name: s.date_order for s in config.sources}
    start, end = config.date_window
    last_year = end.year if end is not None else None
    lo = pd.Timestamp(start)
    hi = pd.Timestamp(end) if end is not None else pd.Timestamp.max
    window = f"[{start:%Y-%m-%d}, {end:%Y-%m-%d}]" if end is not None else f"[{start:%Y-%m-%d}, -]"
    excluded, audit = [], []
    wrong: list[str] = []  # columns of a source mostly unreadable as declared (column_fit)
    limit = config.cleaning.max_unreadable_fraction
    drop: set[object] = set()
    zones = {s.name: s.timezone for s in config.sources if s.table == table and s.timezone}
    ambiguous: list[str] = []  # date-times whose day depends on an undeclared zone
    # the date order of every row (its sources share one) or of each row, looked up once
    order: pd.Series | str | None = table_date_order(config, table)
    for column, spec in config.columns_for(table).items():
        if spec.kind != "date" or column not in out:
            continue
        raw = out[column]
        order = out["_source"].map(orders) if order is None else order
        cells = _read_cells(raw, order, last_year, out["_source"].map(zones) if zones else None)
        dates, blank = cells.dates, cells.blank
        if cells.zoned_time.any():
            ambiguous += zoned_paragraphs(out, column, cells.zoned_time, config)
        failed = ~blank & dates.isna()
        if failed.any():
            wrong += unreadable_paragraphs(
                out,
                column,
                with_digits(raw, failed),
                blank,
                limit,
                "dates",
                _other_order(order, last_year),
            )
        outside = dates.notna() & ((dates < lo) | (dates > hi))
        out[column] = dates.mask(outside)
        short = cells.short_year & dates.notna() & ~outside
        if short.any():
            audit.append(
                audit_rows(
                    out.loc[short],
                    table,
                    column,
                    "two_digit_year",
                    raw[short],
                    "assumed",
                    [
                        f"`{column}` value {v!r} has a two-digit year: read as {d:%Y-%m-%d}, "
                        f"the latest century not after {last_year} (the year the study window "
                        f"ends); if it is wrong, write the year with four digits in the export"
                        for v, d in zip(raw[short], dates[short], strict=True)
                    ],
                )
            )

        def reject(
            mask: pd.Series,
            step: str,
            check: str,
            msgs: list[str],
            spec: Column = spec,
            column: str = column,
            raw: pd.Series = raw,
        ) -> None:
            """A required date excludes its record (``step``); an optional one is cleared and
            audited (``check``)."""
            bad = out.loc[mask]
            reasons = pd.Series(msgs, index=bad.index)
            if spec.required:
                excluded.append(log_rows(bad, table, step, reasons))
                drop.update(bad.index)
            else:
                audit.append(
                    audit_rows(bad, table, column, check, raw[mask], "set_missing", reasons)
                )

        if failed.any():
            reject(
                failed,
                "parse",
                "date",
                [
                    _date_message(column, v, o, last_year)
                    for v, o in zip(raw[failed], _of_rows(order, failed), strict=True)
                ],
            )
        if outside.any():
            reject(
                outside,
                "check",
                "date_window",
                [
                    f"`{column}` value {v!r} ({d:%Y-%m-%d}) is outside the study window "
                    f"{window}; check the year (the window is `cleaning.date_window`, its end "
                    f"by default `study.export_date`)"
                    for v, d in zip(raw[outside], dates[outside], strict=True)
                ],
            )
    stop_if_zoned(ambiguous)
    stop_if_unreadable(wrong, limit)
    return Step(
        drop_records(out, drop) if drop else out,
        concat_rows(excluded, LOG_COLUMNS),
        concat_rows(audit, AUDIT_COLUMNS),
    )


def _other_order(order: pd.Series | str, last_year: int | None) -> Fix:
    """The ``fix`` of :func:`column_fit.unreadable_paragraphs` for dates: another
    ``date_order`` that reads at least 90% of the unreadable values, if one does."""

    def fix(values: pd.Series) -> str:
        declared = {order} if isinstance(order, str) else set(order[values.index])
        for other in ("DMY", "MDY", "YMD"):
            if other in declared:
                continue
            dates = _read_cells(values, other, last_year).dates
            if dates.notna().mean() >= 0.9:
                return (
                    f"{int(dates.notna().sum())} of them read as dates with `date_order: "
                    f"{other}` (declared: {', '.join(sorted(declared))}): if the file writes "
                    f"its dates that way, set `date_order: {other}` for this source "
                    f"(`sources[].date_order`)"
                )
        return ""

    return fix


def table_date_order(config: StudyConfig, table: str) -> str | None:
    """The ``date_order`` of every source of ``table`` when they share one (None: they differ,
    or the table has no source)."""
    found = {s.date_order for s in config.sources if s.table == table}
    return found.pop() if len(found) == 1 else None


def _of_rows(order: pd.Series | str, rows: pd.Series) -> pd.Series | list[str]:
    """The date order of the ``rows`` (a mask), from each row's or the table's one order."""
    return [order] * int(rows.sum()) if isinstance(order, str) else order[rows]


def _date_message(column: str, value: object, order: str, last_year: int | None) -> str:
    """The message of a date cell that could not be read."""
    if last_year is None and two_digit_year(value, order):
        return (
            f"`{column}` value {value!r} has a two-digit year and the study declares no "
            f"`study.export_date` to choose its century; write the year with four digits or set "
            f"`study.export_date`"
        )
    return (
        f"`{column}` value {value!r} is not a date (expected ISO YYYY-MM-DD "
        f"or the source's date_order)"
    )
