"""The clean stage: raw sources -> validated, derived analysis tables + exclusion log + flow.

``clean_study(config)`` is pure (reads raw files, returns a ``CleanResult``);
``analysis.clean.outputs.write_clean_outputs`` writes it under ``paths.processed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.clean import derive, identity
from analysis.clean.accounting import account, read_table_counted, require_balanced
from analysis.clean.cells import flag_unreadable_cells, require_values, strip_text
from analysis.clean.columns import TABLES_ORDER
from analysis.clean.contract import validate_analysis_tables
from analysis.clean.dates import parse_dates
from analysis.clean.dose import parse_dose_text
from analysis.clean.duplicates import (
    deduplicate_patients,
    drop_duplicate_records,
    drop_orphans,
    flag_close_exposures,
)
from analysis.clean.numbers import parse_numbers
from analysis.clean.plausibility import check_chronology, check_file_dates
from analysis.clean.step import AUDIT_COLUMNS, LOG_COLUMNS, Step, audit_rows, log_rows
from analysis.clean.value_checks import apply_range_checks, check_stop_after_start
from analysis.clean.vocabularies import handle_unmapped, map_vocabularies, unmapped_message
from analysis.errors import PipelineError, UnmappedValuesError
from analysis.studyfile.config import StudyConfig

Progress = Callable[[str], None]


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

    @property
    def patients(self) -> pd.DataFrame:
        return self.tables["patients"]

    def accounting(self) -> pd.DataFrame:
        """Per raw file and sheet: records in the file (``rows_read``, counted from the file
        itself), kept, logged, and whether they add up (``analysis.clean.accounting``)."""
        return account(self.raw_counts, self.tables, self.exclusions)


def _collect(step: Step, excluded: list[pd.DataFrame], audit: list[pd.DataFrame]) -> pd.DataFrame:
    excluded.append(step.excluded)
    audit.append(step.audit)
    return step.data


def _frame(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def clean_study(config: StudyConfig, *, progress: Progress | None = None) -> CleanResult:
    """Read every source, clean, de-duplicate, derive and apply the inclusion criteria.

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
    say = progress or (lambda _msg: None)
    excluded: list[pd.DataFrame] = []
    audit: list[pd.DataFrame] = []
    tables: dict[str, pd.DataFrame] = {}
    counts = []
    unmapped = []
    ids: dict[str, pd.DataFrame] = {}
    for table in TABLES_ORDER:
        say(f"reading {table}")
        df, counted = read_table_counted(config, table)
        counts.append(counted)
        columns = config.columns_for(table)
        df = _collect(flag_unreadable_cells(df, table, columns), excluded, audit)
        df = strip_text(df)
        df = _collect(identity.normalise_ids(df, table, config.cleaning.ids), excluded, audit)
        ids[table] = identity.id_records(df)
        df = _collect(require_values(df, table, columns), excluded, audit)
        step, report = map_vocabularies(df, table, config)
        unmapped.append(report)
        tables[table] = step.data
    id_warnings, id_audit = identity.check_ids(ids, config.cleaning)
    audit.append(id_audit)
    unmapped_all = pd.concat([u for u in unmapped if len(u)] or [pd.DataFrame()], ignore_index=True)
    if len(unmapped_all) and config.cleaning.on_unmapped == "error":
        raise UnmappedValuesError(
            unmapped_message(unmapped_all), unmapped_all.drop(columns="record_index")
        )
    for table, report in zip(TABLES_ORDER, unmapped, strict=True):
        df = handle_unmapped(Step(tables[table]), report, table, "exclude")
        df = _collect(df, excluded, audit)
        say(f"validating {table}")
        df = _collect(parse_dates(df, table, config), excluded, audit)
        df = _collect(check_file_dates(df, table, config), excluded, audit)
        decimals: dict[str, str | None] = {s.name: s.decimal for s in config.sources}
        df = _collect(
            parse_numbers(df, table, config.columns_for(table), decimals=decimals),
            excluded,
            audit,
        )
        df = _collect(apply_range_checks(df, table, config), excluded, audit)
        if "stop_date" in df:
            df = _collect(check_stop_after_start(df, table), excluded, audit)
        if table == "exposures":
            df = _collect(
                parse_dose_text(df, table, config.exposure.dose_frequency, decimals=decimals),
                excluded,
                audit,
            )
        tables[table] = df

    say("de-duplicating")
    step, conflicts = deduplicate_patients(tables["patients"])
    patients = _collect(step, excluded, audit)
    screened_ids = set(tables["patients"]["patient_id"])
    kept_ids = set(patients["patient_id"])
    removed = identity.excluded_patients(excluded, kept_ids)
    for pid in conflicts.get("patient_id", []):
        removed[pid] = ("conflict", "conflicting duplicate patient records")
    for table in TABLES_ORDER[1:]:
        df = _collect(drop_orphans(tables[table], table, kept_ids, removed), excluded, audit)
        tables[table] = _collect(drop_duplicate_records(df, table), excluded, audit)
    e = config.exposure
    if e.min_interval_days is not None:
        tables["exposures"] = _collect(
            flag_close_exposures(tables["exposures"], e.min_interval_days, e.singular),
            excluded,
            audit,
        )

    say("checking ages and the order of dates")
    checked = check_chronology({**tables, "patients": patients}, config)
    patients = _collect(checked["patients"], excluded, audit)
    for table in TABLES_ORDER[1:]:
        tables[table] = _collect(checked[table], excluded, audit)

    say("deriving analysis variables")
    patients, tables["adverse_events"] = _derive(patients, tables, config)
    audit.append(_undated_discontinuations(patients))

    say("applying inclusion criteria")
    flow_rows = [
        {
            "step": "screened",
            "label": "Patients in the clinic exports (unique ids)",
            "n_excluded": 0,
            "n_remaining": len(screened_ids),
        }
    ]
    if len(conflicts):
        flow_rows.append(
            {
                "step": "conflict",
                "label": "Conflicting duplicate patient records",
                "n_excluded": len(conflicts),
                "n_remaining": len(patients),
            }
        )
    for crit in config.inclusion:
        ok = derive.evaluate_conditions(patients, crit.where)
        out = patients.loc[~ok]
        step_name = f"inclusion:{crit.id}"
        excluded.append(log_rows(out, "patients", step_name, f"not met: {crit.label}"))
        for pid in out["patient_id"]:
            removed[pid] = (step_name, f"not met: {crit.label}")
        patients = patients.loc[ok]
        flow_rows.append(
            {
                "step": step_name,
                "label": crit.label,
                "n_excluded": int((~ok).sum()),
                "n_remaining": len(patients),
            }
        )
    kept_ids = set(patients["patient_id"])
    for table in TABLES_ORDER[1:]:
        tables[table] = _collect(
            drop_orphans(tables[table], table, kept_ids, removed), excluded, audit
        )
    flow = pd.DataFrame(flow_rows)
    warnings = [*id_warnings, *_flow_warnings(flow)]
    for name, sub in config.subgroups.items():
        if not sub.in_flow:
            continue
        n = int(derive.evaluate_conditions(patients, sub.where).sum())
        flow = pd.concat(
            [
                flow,
                pd.DataFrame(
                    [
                        {
                            "step": f"subgroup:{name}",
                            "label": sub.label,
                            "n_excluded": pd.NA,
                            "n_remaining": n,
                        }
                    ]
                ),
            ]
        )
    tables["patients"] = patients
    tables = {k: _finalise(k, _drop_unread(k, v, config)) for k, v in tables.items()}
    validate_analysis_tables(tables, config)
    result = CleanResult(
        tables=tables,
        exclusions=_frame(excluded, LOG_COLUMNS),
        audit=_frame(audit, AUDIT_COLUMNS),
        flow=flow.reset_index(drop=True),
        raw_counts=pd.concat(counts, ignore_index=True)[
            ["table", "source_file", "source_sheet", "rows_read"]
        ],
        conflicts=conflicts,
        warnings=tuple(warnings),
    )
    require_balanced(result.accounting())
    return result


def _derive(
    patients: pd.DataFrame, tables: dict[str, pd.DataFrame], config: StudyConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The derived patient variables and adverse-event flags, as the named ``add_*`` steps."""
    d, e = config.derive, config.exposure
    exposures, assessments = tables["exposures"], tables["assessments"]
    assessed = bool(config.sources_for("assessments"))  # no response without assessments
    patients = (
        patients.pipe(derive.add_exposure_summary, exposures, e)
        .pipe(derive.add_day0, e)
        .pipe(derive.add_followup, exposures, assessments, d, tables["adverse_events"])
        .pipe(derive.add_exposure_end, e, d)
        .pipe(derive.add_schedule, exposures, d)
        .pipe(_if, assessed, derive.add_response, assessments, d)
        .pipe(derive.add_groups, tables["concomitant"], config)
        .pipe(derive.add_baseline_severity, config)
    )
    if len(patients) and patients["day0_date"].isna().all():
        where = (
            "no patient has a row in table 'exposures'"
            if e.day0 == "first_exposure"
            else f"column {e.day0!r} is empty for every patient"
        )
        raise PipelineError(
            f"stage 'clean': day 0 (exposure.day0 = {e.day0!r}) cannot be derived: {where}. "
            "Check the exposure sources and their column mapping, or set exposure.day0 to a "
            "date column of the patient table."
        )
    aes = derive.add_ae_flags(tables["adverse_events"], patients, exposures, e)
    patients = (
        patients.pipe(derive.add_ae_summary, aes)
        .pipe(derive.add_time_to_event, d)
        .pipe(_if, assessed, derive.add_first_improvement, assessments, d)
    )
    return patients, aes


def _if(
    data: pd.DataFrame, condition: bool, step: Callable[..., pd.DataFrame], *args: Any
) -> pd.DataFrame:
    """``step(data, *args)`` when ``condition``, else ``data`` (a step the study has no data for)."""
    return step(data, *args) if condition else data


def _undated_discontinuations(patients: pd.DataFrame) -> pd.DataFrame:
    """An audit row per discontinued patient whose stop date was taken as the end of exposure."""
    undated = patients.loc[
        patients["is_discontinued"].fillna(False).astype(bool)
        & patients["discontinuation_date"].isna()
    ]
    end = undated["exposure_end_date"].dt.strftime("%Y-%m-%d").fillna("")
    msgs = end.map(
        lambda v: (
            f"discontinued without a discontinuation_date; time to discontinuation runs to the "
            f"end of exposure ({v})"
            if v
            else "discontinued without a discontinuation_date or an end of exposure; time to "
            "discontinuation is missing"
        )
    )
    values = pd.Series("", index=undated.index)
    return audit_rows(
        undated, "patients", "discontinuation_date", "imputed", values, "derived", msgs
    )


def _flow_warnings(flow: pd.DataFrame) -> list[str]:
    """A warning for every inclusion step that leaves nobody."""
    out = []
    for r in flow.itertuples():
        if str(r.step).startswith("inclusion:") and r.n_remaining == 0:
            out.append(
                f"inclusion step '{str(r.step).removeprefix('inclusion:')}' ({r.label}) excludes "
                f"every remaining patient ({r.n_excluded}); the cohort is empty. Check the "
                "criterion and the columns it uses."
            )
    return out


_LEADING = {
    "patients": ["patient_id"],
    "exposures": ["patient_id", "exposure_number", "start_date"],
    "adverse_events": ["patient_id", "exposure_number", "onset_date", "ae_term"],
    "concomitant": ["patient_id", "drug", "start_date"],
    "assessments": ["patient_id", "assessment_date"],
}


def _drop_unread(table: str, df: pd.DataFrame, config: StudyConfig) -> pd.DataFrame:
    """Without the optional columns of ``table`` that no source reads (they would be empty)."""
    read = {c for s in config.sources_for(table) for c in [*s.columns, *s.constants]}
    if "dose_text" in read:
        read.add("dose_mg")  # parsed from the text
    unread = [
        c
        for c, spec in config.columns_for(table).items()
        if not spec.required and c not in read and c in df
    ]
    return df.drop(columns=unread)


def _finalise(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Sorted, stable column order, no helper columns."""
    out = df.drop(columns=["_source"], errors="ignore")
    if table == "exposures":
        out = out.sort_values(["patient_id", "start_date", "source_row"], kind="stable")
        out["exposure_number"] = out.groupby("patient_id").cumcount().add(1).astype("int64")
    lead = [c for c in _LEADING[table] if c in out]
    prov = ["source_file", "source_sheet", "source_row"]
    rest = [c for c in out.columns if c not in lead and c not in prov]
    out = out[lead + rest + prov]
    sort_cols = [c for c in lead if c in out]
    out = out.sort_values(sort_cols, kind="stable", na_position="first").reset_index(drop=True)
    out["patient_id"] = out["patient_id"].astype("string")
    out["source_row"] = out["source_row"].astype("int64")
    return out


__all__ = ["CleanResult", "clean_study"]
