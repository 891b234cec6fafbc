"""Dates as clinic exports write them: day-first or month-first text, ISO, serial day numbers,
two-digit years, date-times with a zone; a date that cannot be read is set missing and
audited (one cell read: ``date_values``).

Over 400 lines as one job: every date column of a table parsed, checked against the window and
the source's order, in one pass (one cell's reading is ``date_values``, the evidence on the
order ``date_order_evidence``, swapped workbook cells ``date_cells``)."""

from __future__ import annotations

import datetime as dt
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
from analysis.clean.date_cells import swapped_date_cells
from analysis.clean.date_numbers import default_count, numbers_fix
from analysis.clean.date_order_evidence import (
    evidence,
    mixed_order_audit,
    order_proof,
    stop_on_wrong_order,
    wrong_orders,
)
from analysis.clean.date_values import (
    calendar_day,
    parse_date_value,
    read_date,
    two_digit_year,
    zoned_time,
)
from analysis.clean.distinct import distinct_results, map_distinct
from analysis.clean.shown_value import shown_value
from analysis.clean.step import (
    AUDIT_COLUMNS,
    LOG_COLUMNS,
    Step,
    audit_rows,
    concat_rows,
    drop_records,
    log_rows,
)
from analysis.clean.visit_rows import combined_rows
from analysis.clean.xlsx_marks import uses_1904_dates
from analysis.clean.zoned_dates import stop_if_zoned, zoned_paragraphs
from analysis.studyfile.config import StudyConfig


def _parse_column(raw: pd.Series, order: pd.Series, last_year: int | None) -> pd.Series:
    """:func:`parse_date_value` of each cell by its row's date ``order``, as ``datetime64[ns]``
    (one call per distinct (cell, order), the dates joined back)."""
    return _read_cells(raw, order, last_year).dates


@dataclass(frozen=True)
class _Cells:
    """What :func:`_read_cells` found in each cell of a date column (Series on its index)."""

    dates: pd.Series  # datetime64[ns]: the day read, NaT where none
    blank: pd.Series  # the cell is blank
    short_year: pd.Series | None  # read from text with a two-digit year (None: no cell)
    zoned_time: pd.Series | None  # a zoned date-time with a time of day (None: no cell)
    order_proof: np.ndarray | None  # date_order_evidence.order_proof of each cell (None: 0s)


#: a source's ``(timezone, count of its numbers, declared count of its numbers written as text)``
Rule = tuple[str | None, str | None, str | None]


def _cell(
    value: object, order: str, last_year: int | None, rule: Rule
) -> tuple[pd.Timestamp | None, bool, bool, bool, int]:
    """``(day, blank, short_year, zoned_time, order_proof)`` of one cell (:class:`_Cells`) by
    its source's ``rule`` (:data:`Rule`)."""
    timezone, count, text_count = rule
    proof = order_proof(value)
    ts = read_date(value, order, last_year, count, text_count)
    if ts is None:
        return None, is_blank(value), False, False, proof
    day = calendar_day(ts, timezone)
    return day, False, two_digit_year(value, order), zoned_time(ts), proof


#: the rule of a source that declares neither ``timezone`` nor ``date_numbers``, of a spreadsheet
EXCEL_RULE: Rule = (None, "excel", None)


def _read_cells(
    raw: pd.Series,
    order: pd.Series | str,
    last_year: int | None,
    rule: pd.Series | Rule = EXCEL_RULE,
) -> _Cells:
    """:func:`_cell` of every cell of ``raw`` in one pass over its distinct (cell, order)
    pairs. ``order`` one text: the order of every row (each distinct cell read once, not paired
    with its row's order). ``rule``: the :data:`Rule` of every row, or of each row as a Series
    of texts ``"<timezone>|<count>|<text count>"`` (given when the sources of the table differ
    in them)."""
    if isinstance(rule, pd.Series):
        orders = order if isinstance(order, pd.Series) else pd.Series(order, index=raw.index)
        keys = orders.astype(str) + "|" + rule.astype(str)

        def by_key(v: object, k: str) -> tuple[pd.Timestamp | None, bool, bool, bool, int]:
            o, tz, count, text_count = k.split("|")
            return _cell(v, o, last_year, (tz or None, count or None, text_count or None))

        results, groups = distinct_results(by_key, raw, keys)
    elif isinstance(order, str):
        one, fixed = order, rule
        results, groups = distinct_results(lambda v: _cell(v, one, last_year, fixed), raw)
    else:
        fixed = rule
        results, groups = distinct_results(lambda v, o: _cell(v, o, last_year, fixed), raw, order)
    parsed = pd.Series([r[0] for r in results], dtype=object)
    unique = pd.to_datetime(parsed).astype("datetime64[ns]")

    def joined(values: object) -> pd.Series:
        return pd.Series(np.asarray(values)[groups], index=raw.index)

    def flags(k: int) -> pd.Series | None:
        """The flag ``k`` of each cell; None when no distinct cell has it (the usual case:
        nothing to join back over millions of cells)."""
        found = np.array([r[k] for r in results], dtype=bool)
        return joined(found) if found.any() else None

    blank = flags(1)
    proofs = np.array([r[4] for r in results], dtype=np.int8)
    return _Cells(
        joined(unique.to_numpy()),
        pd.Series(False, index=raw.index) if blank is None else blank,
        flags(2),
        flags(3),
        proofs[groups] if proofs.any() else None,
    )


def blank_cells(raw: pd.Series) -> pd.Series:
    """:func:`is_blank` of each cell, as a boolean Series (one call per distinct cell)."""
    return pd.Series(map_distinct(is_blank, raw).astype(bool), index=raw.index)


#: the end of the reason of a date cleared on a row whose value is taken over the patient's
#: rows (a required one is then cleared, not its record excluded)
_TAKEN_OVER = "; cleared: the patient's value is taken over its other rows (`per_patient`)"


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
    counting_days = {s.name for s in config.sources if s.date_numbers is not None}
    start, end = config.date_window
    last_year = end.year if end is not None else None
    lo = pd.Timestamp(start)
    hi = pd.Timestamp(end) if end is not None else pd.Timestamp.max
    window = f"[{start:%Y-%m-%d}, {end:%Y-%m-%d}]" if end is not None else f"[{start:%Y-%m-%d}, -]"
    excluded, audit = [], []
    wrong: list[str] = []  # columns of a source mostly unreadable as declared (column_fit)
    limit = config.cleaning.max_unreadable_fraction
    drop: set[object] = set()
    rule = _table_rule(config, table, out)
    ambiguous: list[str] = []  # date-times whose day depends on an undeclared zone
    proofs: list[tuple[str, pd.Series, pd.Series]] = []  # dates of one order only, by column
    read: list[tuple[str, pd.Series, pd.Series]] = []  # each date column's cells, which read
    # the date order of every row (its sources share one) or of each row, looked up once
    order: pd.Series | str | None = table_date_order(config, table)
    workbooks = {s.name for s in config.sources if s.table == table and s.inferred_format == "xlsx"}
    for column, spec in config.columns_for(table).items():
        if spec.kind != "date" or column not in out:
            continue
        raw = out[column]
        order = out["_source"].map(orders) if order is None else order
        cells = _read_cells(raw, order, last_year, rule)
        dates, blank = cells.dates, cells.blank
        if cells.order_proof is not None:
            hits = np.flatnonzero(cells.order_proof)
            sources = out["_source"].to_numpy()[hits]
            proofs.append(
                (column, pd.Series(cells.order_proof[hits], index=sources), raw.iloc[hits])
            )
        if cells.zoned_time is not None:
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
                _other_order(
                    order,
                    last_year,
                    (lo, hi),
                    {s.name: s.inferred_format for s in config.sources},
                    out["_source"],
                    {s.name: config.key_at("sources", i) for i, s in enumerate(config.sources)},
                ),
            )
        outside = dates.notna() & ((dates < lo) | (dates > hi))
        out[column] = dates.mask(outside)
        read.append((column, raw, dates.notna() & ~outside))
        audit.append(swapped_date_cells(out, table, column, raw, dates, workbooks))
        short = None if cells.short_year is None else cells.short_year & dates.notna() & ~outside
        if short is not None and short.any():
            audit.append(
                audit_rows(
                    out.loc[short],
                    table,
                    column,
                    "two_digit_year",
                    raw[short],
                    "assumed",
                    [
                        f"`{column}` value {shown_value(v)} has a two-digit year: read as {d:%Y-%m-%d}, "
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
            audited (``check``), as is a required one its source takes over the patient's
            other rows (``per_patient``: the visit rows of one patient, one unreadable)."""
            bad = out.loc[mask]
            reasons = pd.Series(msgs, index=bad.index)
            combined = combined_rows(out, config, table, column)[mask]
            soft = combined | (not spec.required)
            if (~soft).any():
                excluded.append(log_rows(bad.loc[~soft], table, step, reasons[~soft]))
                drop.update(bad.index[~soft.to_numpy()])
            if soft.any():
                said = reasons[soft] + combined[soft].map({True: _TAKEN_OVER, False: ""})
                audit.append(
                    audit_rows(
                        bad.loc[soft], table, column, check, raw[mask][soft], "set_missing", said
                    )
                )

        if failed.any():
            reject(
                failed,
                "parse",
                "date",
                [
                    _date_message(column, v, o, last_year, numbered=source in counting_days)
                    for v, o, source in zip(
                        raw[failed],
                        _of_rows(order, failed),
                        out.loc[failed, "_source"],
                        strict=True,
                    )
                ],
            )
        if outside.any():
            reject(
                outside,
                "check",
                "date_window",
                [
                    f"`{column}` value {shown_value(v)} ({d:%Y-%m-%d}) is outside the study window "
                    f"{window}; check the year (the window is `cleaning.date_window`, its end "
                    f"by default `study.export_date`)"
                    for v, d in zip(raw[outside], dates[outside], strict=True)
                ],
            )
    declared, where = _declared_orders(config, table)
    counted = evidence(proofs)
    stop_on_wrong_order(wrong_orders(proofs, declared, where, counted))
    audit += mixed_order_audit(out, table, counted[0], read, declared, dropped=drop)
    stop_if_zoned(ambiguous)
    stop_if_unreadable(wrong, limit)
    return Step(
        drop_records(out, drop) if drop else out,
        concat_rows(excluded, LOG_COLUMNS),
        concat_rows(audit, AUDIT_COLUMNS),
    )


def _table_rule(config: StudyConfig, table: str, data: pd.DataFrame) -> pd.Series | Rule:
    """The :data:`Rule` of the sources of ``table`` when they share one, else of each row of
    ``data`` (texts ``"<timezone>|<count>|<text count>"``). Numbers written as text follow only
    a declared ``date_numbers`` (an ``xlsx`` source's default count is for its number cells).
    ``excel`` is the workbook's own date system: from 1904-01-01 in a workbook that says so."""
    rules: dict[str, Rule] = {}
    for s in config.sources:
        if s.table != table:
            continue
        count, declared = s.date_numbers or default_count(s.inferred_format), s.date_numbers
        # a workbook's serial days are of its own date system, 1900 or 1904
        xlsx = count == "excel" and s.inferred_format == "xlsx"
        if xlsx and uses_1904_dates(config.source_path(s)):
            count, declared = "excel_1904", declared and "excel_1904"
        rules[s.name] = (s.timezone, count, declared)
    if len(set(rules.values())) <= 1:
        return next(iter(rules.values()), EXCEL_RULE)
    texts = {name: "|".join(part or "" for part in rule) for name, rule in rules.items()}
    return data["_source"].map(texts)


def _other_order(
    order: pd.Series | str,
    last_year: int | None,
    window: tuple[pd.Timestamp, pd.Timestamp],
    formats: dict[str, str],
    sources: pd.Series,
    keys: dict[str, str] | None = None,
) -> Fix:
    """The ``fix`` of :func:`column_fit.unreadable_paragraphs` for dates: for numbers, the
    ``date_numbers`` that reads them inside the study ``window``; else another ``date_order``
    that reads at least 90% of the unreadable values, if one does."""

    def fix(values: pd.Series) -> str:
        # the values of one source: its format's own counts are tried first
        name = sources[values.index[0]]
        where = (keys or {}).get(name, "`sources[]`")
        counted = numbers_fix(values, window, formats.get(name), where)
        if counted:
            return counted
        declared = {order} if isinstance(order, str) else set(order[values.index])
        for other in ("DMY", "MDY", "YMD"):
            if other in declared:
                continue
            dates = _read_cells(values, other, last_year, (None, None, None)).dates
            if dates.notna().mean() >= 0.9:
                return (
                    f"{int(dates.notna().sum())} of them read as dates with `date_order: "
                    f"{other}` (declared: {', '.join(sorted(declared))}): if the file writes "
                    f"its dates that way, set `date_order: {other}` for this source "
                    f"(`sources[].date_order`)"
                )
        return ""

    return fix


def _declared_orders(config: StudyConfig, table: str) -> tuple[dict[str, str], dict[str, str]]:
    """The ``date_order`` of each source of ``table``, and how a message names the source and
    its key."""
    orders: dict[str, str] = {}
    where: dict[str, str] = {}
    for i, s in enumerate(config.sources):
        if s.table == table:
            orders[s.name] = s.date_order
            sheet = f", sheet {s.sheet!r}" if s.sheet else ""
            where[s.name] = f"source '{s.name}' ({s.file}{sheet}; `sources[{i}].date_order`)"
    return orders, where


def table_date_order(config: StudyConfig, table: str) -> str | None:
    """The ``date_order`` of every source of ``table`` when they share one (None: they differ,
    or the table has no source)."""
    found = {s.date_order for s in config.sources if s.table == table}
    return found.pop() if len(found) == 1 else None


def _of_rows(order: pd.Series | str, rows: pd.Series) -> pd.Series | list[str]:
    """The date order of the ``rows`` (a mask), from each row's or the table's one order."""
    return [order] * int(rows.sum()) if isinstance(order, str) else order[rows]


def _date_message(
    column: str, value: object, order: str, last_year: int | None, *, numbered: bool = False
) -> str:
    """The message of a date cell that could not be read (``numbered``: its source declares
    how numbers count days)."""
    if isinstance(value, dt.date | np.datetime64):  # a typed date (SAS, SPSS, Parquet, Excel)
        shown = str(value)[:10]
        return (
            f"`{column}` value {shown} is a date outside the years the analysis can hold "
            f"(1678-2261), so outside any study window; a placeholder such as 9999-12-31 "
            f"('no end') or 1582-10-15 (SPSS's day 0) stands for no date: leave it blank in the "
            f"export, or check the record"
        )
    if last_year is None and two_digit_year(value, order):
        return (
            f"`{column}` value {shown_value(value)} has a two-digit year and the study declares no "
            f"`study.export_date` to choose its century; write the year with four digits or set "
            f"`study.export_date`"
        )
    serial = (
        "; it is a number written as text: if the column holds serial days (a date that lost "
        "its format), declare the source's `date_numbers` (`excel` for a spreadsheet's, from "
        "1899-12-30), which reads them"
        if not numbered and isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip())
        else ""
    )
    return (
        f"`{column}` value {shown_value(value)} is not a date (expected ISO YYYY-MM-DD "
        f"or the source's date_order){serial}"
    )


_PLAIN_NUMBER = re.compile(r"\d{1,7}(\.\d+)?")


__all__ = ["blank_cells", "parse_date_value", "parse_dates", "table_date_order"]
