"""The clean stage: raw sources -> validated, derived analysis tables + exclusion log + flow.

Over 400 lines as one job: the stage read top to bottom, each step a call into its module.

``clean_study(config)`` is pure (reads raw files, returns a ``CleanResult``);
``analysis.clean.outputs.write_clean_outputs`` writes it under ``paths.processed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean import both_cores, dedupe_tables, derive, identity, two_process
from analysis.clean.accounting import account, require_balanced
from analysis.clean.age_from_birth import age_from_birth
from analysis.clean.columns import TABLES_ORDER, unavailable_columns, unread_columns
from analysis.clean.condition_levels import open_level_warnings
from analysis.clean.contract import validate_analysis_tables
from analysis.clean.date_cells import swapped_cells_warning
from analysis.clean.day0_checks import (
    require_day0,
    require_day0_of_included,
    require_times_after_day0,
    unexposed_warnings,
)
from analysis.clean.dedupe_tables import Deduplicated, required_columns
from analysis.clean.discontinued_audit import (
    blank_discontinued,
    contradicted_discontinued,
    undated_discontinuations,
)
from analysis.clean.duplicates import (
    cross_source_warning,
    excluded_records,
    flag_close_exposures,
)
from analysis.clean.excel_text import excel_text_warning
from analysis.clean.flow import apply_inclusion, flow_warnings, with_subgroups
from analysis.clean.id_index import IdIndex
from analysis.clean.ordering import finalise_table
from analysis.clean.pace import Pace
from analysis.clean.per_patient import IdLookup
from analysis.clean.per_table import ReadTable, TableLogs, ValidTable
from analysis.clean.period_overlaps import flag_overlapping_periods
from analysis.clean.plausibility import check_chronology
from analysis.clean.short_rows import short_rows_warning
from analysis.clean.step import AUDIT_COLUMNS, LOG_COLUMNS, Step
from analysis.clean.vocabularies import unmapped_message
from analysis.clean.workbook_kinds import unchecked_workbook_warnings
from analysis.clean.xlsx_hidden import hidden_rows_warning
from analysis.clean.xlsx_merged import merged_across_warning
from analysis.errors import UnknownNameError, UnmappedValuesError
from analysis.studyfile.config import StudyConfig
from analysis.synthetic import unmarked_twin_warning
from analysis.write.parquet_ahead import ParquetAhead

Progress = Callable[[str], None]


class Tables(dict[str, pd.DataFrame]):
    """The analysis tables by name; a name the study does not have is an error that lists the
    names there are (``result.tables["adverse_event"]`` was a bare ``KeyError``)."""

    def __missing__(self, name: str) -> pd.DataFrame:
        raise UnknownNameError(
            f"no analysis table {name!r} in this study; its tables are {list(self)}"
        )


@dataclass(frozen=True)
class CleanResult:
    """Analysis-ready tables and the record of everything removed or changed."""

    tables: dict[str, pd.DataFrame]
    exclusions: pd.DataFrame
    audit: pd.DataFrame
    flow: pd.DataFrame
    raw_counts: pd.DataFrame
    conflicts: pd.DataFrame
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.tables, Tables):
            object.__setattr__(self, "tables", Tables(self.tables))

    @property
    def patients(self) -> pd.DataFrame:
        return self.tables["patients"]

    def accounting(self) -> pd.DataFrame:
        """Per raw file and sheet: records in the file (``rows_read``, counted from the file
        itself), kept, logged, and whether they add up (``analysis.clean.accounting``).
        Counted once (the tables of a result are not replaced); each call gets a copy."""
        counted = self.__dict__.get("_accounting")
        if counted is None:
            counted = account(self.raw_counts, self.tables, self.exclusions)
            object.__setattr__(self, "_accounting", counted)  # a cache, not a field
        return counted.copy()


class _Logs:
    """The exclusion and audit rows of every step, in the order the steps ran."""

    def __init__(self) -> None:
        self.excluded: list[pd.DataFrame] = []
        self.audit: list[pd.DataFrame] = []

    def keep(self, step: Step) -> pd.DataFrame:
        """The step's data; its excluded records and audit rows go to the logs."""
        self.excluded.append(step.excluded)
        self.audit.append(step.audit)
        return step.data

    def extend(self, logs: TableLogs) -> None:
        """The rows of one phase of one table (``per_table``), after those so far."""
        self.excluded.extend(logs.excluded)
        self.audit.extend(logs.audit)


@dataclass
class _Read:
    """What reading gives that the stage keeps to its end: the file record counts."""

    counts: list[pd.DataFrame]


def _table_work(config: StudyConfig) -> dict[str, int]:
    """Each table's work for the progress display: the bytes of its sources."""
    from analysis.clean.source_size import source_bytes

    work: dict[str, int] = {}
    for source in config.sources:
        work[source.table] = work.get(source.table, 0) + source_bytes(config, source)
    return work


def _frame(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def clean_study(
    config: StudyConfig, *, progress: Progress | None = None, ahead: ParquetAhead | None = None
) -> CleanResult:
    """Read every source, clean, de-duplicate, derive and apply the inclusion criteria.

    ``ahead``: given by a caller that writes the result next (``retro clean``,
    ``Study.write_clean``), the largest final table's Parquet file is encoded on the second
    core while the tables are checked (large studies on two cores or more;
    ``analysis.write.parquet_ahead``).

    Raises
    ------
    SourceError
        A raw file cannot be read as configured, or its patient ids do not link to the patient
        table (stops the run).
    PipelineError
        The records of a raw file are not all kept or logged (``analysis.clean.accounting``).
    UnmappedValuesError
        Labels no vocabulary covers (lists all of them, across every table).
    """
    pace = Pace(progress or (lambda _msg: None), work=_table_work(config) if progress else None)
    say, log = pace.say, _Logs()
    read, tables, id_warnings, done, lookups = _read_sources(config, log, pace)
    say("de-duplicating")
    screened_ids = set(tables["patients"]["patient_id"])
    patients, conflicts, removed = _deduplicate(tables, config, log, done, lookups)
    # patients none of whose records could be used (each lacking a required value or unreadable,
    # found while reading or on the merged record): in the export, out of the flow; the others
    # removed so far are the conflicts, a step of the flow
    unread_ids = {pid for pid, (step, _) in removed.items() if step != "conflict"}
    unread = len(unread_ids)
    deduped = patients  # the child tables now hold no other patient
    say("checking ages and the order of dates")
    checked = check_chronology({**tables, "patients": patients}, config)
    tables = {t: log.keep(checked[t]) for t in TABLES_ORDER}
    say("deriving analysis variables")
    if "is_discontinued" not in unread_columns(config, "patients"):  # else no flag to read
        log.audit.append(blank_discontinued(tables["patients"]))
        tables["patients"], changed = contradicted_discontinued(
            tables["patients"], config.cleaning.discontinued_no_with_date
        )
        log.audit.append(changed)
    patients, tables["adverse_events"] = _derive(tables["patients"], tables, config)
    log.audit.append(undated_discontinuations(patients))
    patients = log.keep(age_from_birth(patients, config.exposure.day0_words))
    # the groups that read patient columns, once every column has its final value
    patients = derive.add_groups(patients, tables["concomitant"], config, "columns")
    say("applying inclusion criteria")
    missing_warnings: list[str] = []
    patients, flow = apply_inclusion(
        patients,
        config,
        len(screened_ids | unread_ids),
        conflicts,
        removed,
        log.excluded,
        unread,
        warnings=missing_warnings,
    )
    require_day0_of_included(patients, config.exposure)
    require_times_after_day0(patients, config.exposure)
    kept: dict[str, np.ndarray | None] = {}  # the rows of each table kept, taken when finalised
    for table in TABLES_ORDER[1:]:
        kept[table], logged = excluded_records(tables[table], table, deduped, patients, removed)
        log.excluded.append(logged)
    tables["patients"] = patients
    sizes = {t: len(df) for t, df in tables.items()}
    finalised = {
        k: partial(finalise_table, k, v, without=_unread(k, v, config), rows=kept.get(k))
        for k, v in tables.items()
    }
    threads = both_cores.threads_for(sum(sizes.values()))
    tables = both_cores.each(finalised, sizes, threads)
    if ahead is not None and threads > 1:
        ahead.start(tables, own=both_cores.own)
    validate_analysis_tables(tables, config)
    audit = _frame(log.audit, AUDIT_COLUMNS)
    result = CleanResult(
        tables=tables,
        exclusions=_frame(log.excluded, LOG_COLUMNS),
        audit=audit,
        flow=with_subgroups(flow, patients, config),
        raw_counts=pd.concat(read.counts, ignore_index=True)[
            ["table", "source_file", "source_sheet", "rows_read"]
        ],
        conflicts=conflicts,
        warnings=(
            *id_warnings,
            *cross_source_warning(conflicts),
            *flow_warnings(flow),
            *unexposed_warnings(patients, config.exposure),
            *missing_warnings,
            *open_level_warnings(patients, config),
            *swapped_cells_warning(audit),
            *hidden_rows_warning(audit),
            *short_rows_warning(audit),
            *excel_text_warning(audit),
            *merged_across_warning(audit),
            *unchecked_workbook_warnings(config),
            *_twin_warnings(config),
        ),
    )
    require_balanced(result.accounting())
    return result


def _read_sources(
    config: StudyConfig, log: _Logs, pace: Pace
) -> tuple[_Read, dict[str, pd.DataFrame], list[str], Deduplicated | None, dict[str, IdLookup]]:
    """Each table read (``per_table.read_phase``), the ids and labels checked across tables,
    each table validated (``per_table.validate_phase``); large studies share the tables with a
    second process (``two_process``): the command prepares the id checks of its own tables
    (``id_index``) before the others' ids come, and de-duplicates the patients and its own
    tables while it waits for the rest (``dedupe_tables.early``). The logs go to ``log`` in
    the order of one process: every table's reading, the id checks, every table's validation.
    Returns what was read, the validated tables, the id warnings, the de-duplication done
    and where the id checks found each child table's ids (``identity.check_ids``)."""

    lookups: dict[str, IdLookup] = {}  # where the id checks found each table's ids
    prepared: list[IdIndex] = []  # the id checks of the command's tables, with a second process

    def prepare(reads: dict[str, ReadTable]) -> None:
        if "patients" in reads:
            index = IdIndex(reads["patients"].ids)
            for table, r in reads.items():
                if table != "patients" and not r.ids.empty:
                    index.add(table, r.ids)
            prepared.append(index)

    def check(reads: dict[str, ReadTable]) -> tuple[list[str], pd.DataFrame]:
        warned, audit, found = identity.check_ids(
            {t: r.ids for t, r in reads.items()}, config.cleaning, *prepared
        )
        lookups.update(found)
        _stop_on_unmapped({t: r.unmapped for t, r in reads.items()}, config)
        return warned, audit

    def meanwhile(reads: dict[str, ReadTable], valid: dict[str, ValidTable]) -> Deduplicated | None:
        excluded = [f for r in reads.values() for f in r.logs.excluded]
        excluded += [f for v in valid.values() for f in v.logs.excluded]
        tables = {t: v.data for t, v in valid.items()}
        return dedupe_tables.early(excluded, tables, config, lookups)

    reads, (id_warnings, id_audit), valid, done = two_process.read_and_validate(
        config, pace, check, meanwhile, prepare=prepare
    )
    for r in reads.values():
        log.extend(r.logs)
    log.audit.append(id_audit)
    for v in valid.values():
        log.extend(v.logs)
    read = _Read(counts=[r.counts for r in reads.values()])
    return read, {t: v.data for t, v in valid.items()}, id_warnings, done, lookups


def _stop_on_unmapped(unmapped: dict[str, pd.DataFrame], config: StudyConfig) -> None:
    """Stop, listing every label no vocabulary covers (all tables), when the study says so."""
    found = pd.concat([u for u in unmapped.values() if len(u)] or [pd.DataFrame()])
    found = found.reset_index(drop=True)
    if len(found) and config.cleaning.on_unmapped == "error":
        raise UnmappedValuesError(unmapped_message(found), found.drop(columns="record_index"))


def _deduplicate(
    tables: dict[str, pd.DataFrame],
    config: StudyConfig,
    log: _Logs,
    done: Deduplicated | None,
    lookups: dict[str, IdLookup],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[str, str]]]:
    """Duplicate patients merged (conflicts removed), orphan and duplicate records of the other
    tables dropped, exposures too close together flagged (``tables`` is updated in place);
    ``done``: what was de-duplicated while a second process worked, the rest is done here;
    ``lookups``: where the id checks found each child table's ids.
    Returns the patients, the conflicts and ``{patient_id: (step, reason)}`` of those removed."""
    if done is None:
        done = Deduplicated.of(tables["patients"], log.excluded, lookups, required_columns(config))
    log.keep(done.step)
    rows: np.ndarray | None = None  # the exposures kept, when not taken yet
    for table in TABLES_ORDER[1:]:
        if table not in done.children:
            done.add(table, tables[table], config)
        child = done.children[table]
        log.extend(child.logs)
        tables[table] = child.data
        if table == "exposures":
            rows = child.rows
    e = config.exposure
    if e.min_interval_days is not None:
        flagged = flag_close_exposures(
            tables["exposures"], e.min_interval_days, e.singular, rows=rows
        )
        tables["exposures"] = log.keep(flagged)
    elif e.kind == "periods":
        tables["exposures"] = log.keep(flag_overlapping_periods(tables["exposures"], e.singular))
    tables["patients"] = done.patients
    return done.patients, done.conflicts, done.removed


def _derive(
    patients: pd.DataFrame, tables: dict[str, pd.DataFrame], config: StudyConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The derived patient variables and adverse-event flags, as the named ``add_*`` steps.
    The events' flags need only day 0 and the end of exposure: on large studies they are found
    on the second core while the other patient variables are derived (``both_cores``; counting
    each event's exposures is NumPy's sorts and searches, outside the interpreter lock)."""
    d, e = config.derive, config.exposure
    exposures, assessments = tables["exposures"], tables["assessments"]
    assessed = bool(config.sources_for("assessments"))  # no response without assessments
    patients = (
        patients.pipe(derive.add_exposure_summary, exposures, e)
        .pipe(derive.add_day0, e)
        .pipe(derive.add_followup, exposures, assessments, d, tables["adverse_events"])
        .pipe(derive.add_exposure_end, e, d)
    )

    def rest(summary: pd.DataFrame) -> pd.DataFrame:
        out = (
            summary.pipe(derive.add_schedule, exposures, d)
            .pipe(_if, assessed, derive.add_response, assessments, d)
            .pipe(derive.add_groups, tables["concomitant"], config, "overlap")
            .pipe(derive.add_baseline_severity, config)
        )
        require_day0(out, e)
        return out

    aes = tables["adverse_events"]
    own = both_cores.own  # the frames the other thread reads too
    flags = partial(derive.add_ae_flags, own(aes), own(patients), own(exposures), e)
    sizes = {"patients": len(patients), "events": len(exposures) + len(aes)}
    threads = both_cores.threads_for(sum(len(t) for t in tables.values()))
    calls: dict[str, Callable[[], pd.DataFrame]] = {
        "patients": partial(rest, patients),
        "events": flags,
    }
    done = both_cores.each(calls, sizes, threads)
    patients, aes = done["patients"], done["events"]
    patients = (
        patients.pipe(derive.add_ae_summary, aes)
        .pipe(derive.add_time_to_event, d, e)
        .pipe(_if, assessed, derive.add_first_improvement, assessments, d)
    )
    return patients, aes


def _if(
    data: pd.DataFrame, condition: bool, step: Callable[..., pd.DataFrame], *args: Any
) -> pd.DataFrame:
    """``step(data, *args)`` when ``condition``, else ``data`` (a step the study has no data for)."""
    return step(data, *args) if condition else data


def _twin_warnings(config: StudyConfig) -> list[str]:
    """A warning when raw files written by ``retro synth`` are not marked synthetic."""
    warning = unmarked_twin_warning(config)
    return [warning] if warning else []


def _unread(table: str, df: pd.DataFrame, config: StudyConfig) -> list[str]:
    """The optional columns of ``table`` in ``df`` that no source reads, and the derived ones
    made from them (they would be empty or made of nothing: the analysis table leaves them
    out; ``columns.unavailable_columns``)."""
    gone = unavailable_columns(config, table)
    return [c for c in df.columns if c in gone]


__all__ = ["CleanResult", "clean_study"]
