"""The per-table work of the clean stage: one table's read phase and validate phase.

Reading a table (``read_phase``): its sources read and their records counted, unreadable cells
flagged, text stripped, ids normalised, required values checked, labels mapped. Validating it
(``validate_phase``): its unmapped labels excluded, then dates, file dates, numbers, ranges,
start/stop order and (exposures) dose text parsed and checked, (patients) the
``per_patient`` columns of a visit-level export taken over each patient's rows. Both depend
only on the study and that table, so the tables can be done in any order and in any process
(``analysis.clean.two_process``); the stage puts their logs back in its own order.

``run_tables`` does a list of tables the way a second process does them: each read then
validated, each result given as it comes, a failure as a value (``Failure``) instead of raised,
so that the stage can raise the one a single process would have raised first.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol

import pandas as pd

from analysis.clean import identity
from analysis.clean.accounting import read_table_checked
from analysis.clean.audit_ids import with_final_ids
from analysis.clean.cells import require_values, strip_text, unreadable_cells
from analysis.clean.dates import parse_dates
from analysis.clean.dose import parse_dose_text
from analysis.clean.excel_text import excel_text_audit
from analysis.clean.file_dates import check_file_dates
from analysis.clean.numbers import parse_numbers
from analysis.clean.repeated_header import drop_repeated_headers
from analysis.clean.sas_missing import special_missing_audit
from analysis.clean.short_rows import short_rows_audit
from analysis.clean.spss_missing import user_missing_audit
from analysis.clean.step import Step
from analysis.clean.value_checks import apply_range_checks, check_stop_after_start
from analysis.clean.visit_rows import combine_visit_rows
from analysis.clean.vocabularies import handle_unmapped, map_vocabularies
from analysis.clean.xlsx_hidden import hidden_rows_audit
from analysis.clean.xlsx_merged import merged_cells_audit
from analysis.studyfile.config import StudyConfig


class Reporter(Protocol):
    """What the units tell about their progress (``analysis.clean.pace.Pace`` or a relay)."""

    def say(self, message: str) -> None: ...
    def read(self, table: str, rows: int) -> None: ...
    def validated(self, table: str, rows: int) -> None: ...


@dataclass
class TableLogs:
    """The exclusion and audit rows of one phase of one table, in the order its steps ran."""

    excluded: list[pd.DataFrame] = field(default_factory=list)
    audit: list[pd.DataFrame] = field(default_factory=list)

    def keep(self, step: Step) -> pd.DataFrame:
        """The step's data; its excluded records and audit rows go to the logs."""
        self.excluded.append(step.excluded)
        self.audit.append(step.audit)
        return step.data


@dataclass
class ReadTable:
    """A table as read: ``data`` (labels mapped; ``None`` once validated), the file record
    counts, the ids as written (``identity.id_records``), the labels no vocabulary covers and
    the logs of reading."""

    table: str
    data: pd.DataFrame | None
    counts: pd.DataFrame
    ids: pd.DataFrame
    unmapped: pd.DataFrame
    logs: TableLogs


@dataclass
class ValidTable:
    """A table validated (``data``) and the logs of validating it."""

    table: str
    data: pd.DataFrame
    logs: TableLogs


@dataclass
class Failure:
    """An exception a unit raised, as a value: the phase (``read``/``validate``), the
    exception and its traceback text (the exception itself may arrive from another process
    without one)."""

    table: str
    phase: str
    error: BaseException
    trace: str


Part = ReadTable | ValidTable | Failure


def read_phase(config: StudyConfig, table: str, pace: Reporter) -> ReadTable:
    """``table`` read from its sources and checked up to its labels (see the module doc)."""
    pace.say(f"reading {table}")
    df, counted, plain, trimmed = read_table_checked(config, table)
    pace.read(table, len(df))
    logs = TableLogs()
    df, user_missing = user_missing_audit(df, table)  # SPSS codes of no value, set missing
    logs.keep(Step(df, audit=user_missing))
    df, special = special_missing_audit(df, table)  # SAS special missing values, set missing
    logs.keep(Step(df, audit=special))
    df, merged = merged_cells_audit(df, table)  # XLSX merged cells, filled as the sheet shows
    logs.keep(Step(df, audit=merged))
    df, hidden = hidden_rows_audit(df, table)  # XLSX records on hidden rows, flagged
    logs.keep(Step(df, audit=hidden))
    df = logs.keep(drop_repeated_headers(df, table))  # a header line pasted again, logged
    df, formulas = excel_text_audit(df, table)  # CSV cells ="text", read as their text
    logs.keep(Step(df, audit=formulas))
    df, short = short_rows_audit(df, table)  # CSV records read short (`short_rows: blank`)
    logs.keep(Step(df, audit=short))
    columns = config.columns_for(table)
    # a record whose required cell is unreadable is excluded with the records lacking one, once
    # its id is normalised (its log row then names the patient as the other records do)
    step, unreadable = unreadable_cells(df, table, columns, plain=plain)
    df = logs.keep(step)
    df = strip_text(df, trimmed=trimmed)
    df = logs.keep(identity.normalise_ids(df, table, config.cleaning.ids))
    df = identity.prefix_ids(df, {s.name: s.id_prefix for s in config.sources if s.id_prefix})
    logs.audit = [with_final_ids(audit, df) for audit in logs.audit]  # rows made before
    ids = identity.id_records(df)
    required = require_values(df, table, columns, merged=table == "patients", unreadable=unreadable)
    df = logs.keep(required)
    step, unmapped = map_vocabularies(df, table, config)
    return ReadTable(table, step.data, counted, ids, unmapped, logs)


def validate_phase(config: StudyConfig, read: ReadTable, pace: Reporter) -> ValidTable:
    """The table of ``read`` with its unmapped labels excluded and its values parsed and
    checked (see the module doc); ``read.data`` is released (set to None)."""
    table, mapped = read.table, read.data
    if mapped is None:
        raise ValueError(f"table {table!r} was validated already")
    read.data = None
    logs = TableLogs()
    df = logs.keep(handle_unmapped(Step(mapped), read.unmapped, table, "exclude"))
    pace.say(f"validating {table}")
    df = logs.keep(parse_dates(df, table, config))
    df = logs.keep(check_file_dates(df, table, config))
    decimals: dict[str, str | None] = {s.name: s.decimal for s in config.sources}
    written = df  # the cells as written, for the range checks' audit rows
    df = logs.keep(
        parse_numbers(
            df,
            table,
            config.columns_for(table),
            decimals=decimals,
            max_unreadable=config.cleaning.max_unreadable_fraction,
        )
    )
    df = logs.keep(apply_range_checks(df, table, config, written=written))
    del written  # its raw number columns, not needed by the steps below
    if "stop_date" in df:
        df = logs.keep(check_stop_after_start(df, table))
    df = logs.keep(combine_visit_rows(df, table, config))  # a patient's visits, one value
    if table == "exposures":
        frequency = config.exposure.dose_frequency
        df = logs.keep(parse_dose_text(df, table, frequency, decimals=decimals))
    pace.validated(table, len(mapped))
    return ValidTable(table, df, logs)


def run_tables(config: StudyConfig, tables: list[str], pace: Reporter) -> Iterator[Part]:
    """Each of ``tables`` (in the stage's order) read, then validated: yields each read (without
    its ``data``), each validated table and each failure, as they come.

    After a failed read nothing more is done (a single process would raise that failure or
    an earlier one). After a failed validation the later tables are only read: their read
    failures come first in a single process, their validations could not matter.
    """
    validating = True
    for table in tables:
        try:
            read = read_phase(config, table, pace)
        except Exception as exc:
            yield Failure(table, "read", exc, _trace(exc))
            return
        yield replace(read, data=None)
        if not validating:
            continue
        try:
            yield validate_phase(config, read, pace)
        except Exception as exc:
            yield Failure(table, "validate", exc, _trace(exc))
            validating = False


def _trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


__all__ = [
    "Failure",
    "ReadTable",
    "Reporter",
    "TableLogs",
    "Part",
    "ValidTable",
    "read_phase",
    "run_tables",
    "validate_phase",
]
