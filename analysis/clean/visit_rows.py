"""A patient's value taken over the rows of an export of one row per visit (``per_patient``).

Such an export repeats the patient's columns on each visit's row, and a column such as the
visit date differs from row to row: read as the patient table, the rows of a patient are
duplicates that disagree, and every one is excluded as a conflict. A patients source's
``per_patient`` says how a column is taken over the rows of one patient of that source:
``earliest`` or ``latest`` of a date (the first and the last visit), ``lowest`` or
``highest`` of a number. Each row whose value changes has an audit row (check
``per_patient``, action ``combined``) giving the value it had and the value taken; the rows,
then agreeing, are merged as duplicates are (the first kept, the others logged as its
duplicates), and rows that still disagree in another column remain a conflict. Only the rows
of one source are combined: two sources giving a patient two last visits still disagree.
"""

from __future__ import annotations

import pandas as pd

from analysis.clean.step import AUDIT_COLUMNS, Step, audit_rows, concat_rows
from analysis.studyfile.config import Source, StudyConfig

#: each rule of ``per_patient`` as the pandas reduction that takes it
REDUCTIONS = {"earliest": "min", "latest": "max", "lowest": "min", "highest": "max"}


def combine_visit_rows(df: pd.DataFrame, table: str, config: StudyConfig) -> Step:
    """The patient table with each ``per_patient`` column of a source taken over the rows of
    each of its patients (see the module doc); ``df`` is not changed."""
    ruled = [s for s in config.sources_for(table) if s.per_patient]
    if table != "patients" or not ruled or "_source" not in df or df.empty:
        return Step(df)
    out = df.copy(deep=False)
    audits = []
    for source in ruled:
        rows = _visit_rows(df, source)
        if not len(rows):
            continue
        for column, rule in source.per_patient.items():
            if column not in out:
                continue
            new, audit = _taken(out, rows, column, rule, source, config)
            out[column] = new
            audits.append(audit)
    return Step(out, audit=concat_rows(audits, AUDIT_COLUMNS))


def combined_rows(df: pd.DataFrame, config: StudyConfig, table: str, column: str) -> pd.Series:
    """Which rows of ``df`` have their ``column`` taken over the rows of their patient: those
    of a source whose ``per_patient`` names it, whose patient has another row in it. A value
    of such a row that cannot be read is cleared (audited) rather than its record excluded:
    the patient's value comes from the other rows, as it does for a blank cell."""
    out = pd.Series(False, index=df.index)
    ruled = [s for s in config.sources_for(table) if column in s.per_patient]
    if table != "patients" or not ruled or "_source" not in df or "patient_id" not in df:
        return out
    for source in ruled:
        out.loc[_visit_rows(df, source)] = True
    return out


def _visit_rows(df: pd.DataFrame, source: Source) -> pd.Index:
    """The rows of ``df`` read from ``source`` whose patient has another row in it."""
    mine = (df["_source"] == source.name).to_numpy() & df["patient_id"].notna().to_numpy()
    ids = df["patient_id"][mine]
    return ids.index[ids.duplicated(keep=False).to_numpy()]


def _taken(
    df: pd.DataFrame,
    rows: pd.Index,
    column: str,
    rule: str,
    source: Source,
    config: StudyConfig,
) -> tuple[pd.Series, pd.DataFrame]:
    """``column`` with ``rule`` taken over each patient's ``rows``, and an audit row per value
    changed."""
    values = df.loc[rows, column]
    patients = df.loc[rows, "patient_id"]
    taken = values.groupby(patients, sort=False).transform(REDUCTIONS[rule])
    changed = (taken.notna() & (values.isna() | values.ne(taken))).to_numpy()
    if not changed.any():
        return df[column], pd.DataFrame(columns=AUDIT_COLUMNS)
    at = rows[changed]
    counts = patients.map(patients.value_counts())
    key = config.key_at("sources", config.sources.index(source), "per_patient", column)
    messages = pd.Series(
        [
            f"set to {_text(new)}, the {rule} of this patient's {n} rows in source "
            f"{source.name!r} ({key})"
            for new, n in zip(taken[changed], counts[changed], strict=True)
        ],
        index=at,
    )
    written = values[changed].map(_text)
    audit = audit_rows(df.loc[at], "patients", column, "per_patient", written, "combined", messages)
    new = df[column].copy()
    new.loc[at] = taken[changed]
    return new, audit


def _text(value: object) -> str:
    """A value as the audit log shows it: a date as YYYY-MM-DD, a missing value blank."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


__all__ = ["REDUCTIONS", "combine_visit_rows", "combined_rows"]
