"""Per-group reference implementations of the de-duplication steps (the code before they
were vectorised), kept to cross-check ``analysis.clean.duplicates`` on random and scaled data."""

from __future__ import annotations

import pandas as pd

from analysis.clean.columns import DUPLICATE_KEYS
from analysis.clean.duplicates import _visits_hint
from analysis.clean.step import (
    AUDIT_COLUMNS,
    LOG_COLUMNS,
    Step,
    audit_rows,
    concat_rows,
    log_rows,
    where,
)

_NOT_VALUES = {"patient_id", "source_file", "source_sheet", "source_row", "_source"}


def deduplicate_patients(data: pd.DataFrame) -> tuple[Step, pd.DataFrame]:
    """Merge agreeing duplicate patient rows; exclude every row of ids whose rows disagree.

    Returns the step and a table of conflicts (``patient_id, columns, rows``) for the report.
    """
    dup_mask = data["patient_id"].duplicated(keep=False)
    if not dup_mask.any():
        return Step(data), pd.DataFrame(columns=["patient_id", "columns", "rows"])
    keep_parts = [data.loc[~dup_mask]]
    excluded, conflicts, audit = [], [], []
    for pid, grp in data.loc[dup_mask].groupby("patient_id", sort=False):
        cols = [c for c in grp.columns if c not in _NOT_VALUES]
        differing = [c for c in cols if grp[c].dropna().astype(str).nunique() > 1]
        places = "; ".join(where(grp, i) for i in grp.index)
        if differing:
            detail = ", ".join(
                f"{c}: " + " vs ".join(repr(v) for v in grp[c].astype(str)) for c in differing
            )
            sources = sorted(set(grp["_source"].astype(str))) if "_source" in grp else []
            msg = (
                f"patient_id {pid!r} appears in {len(grp)} rows with conflicting values ({detail}); "
                f"all rows excluded. Correct the export so one record remains."
            ) + (
                f" The rows come from different sources ({', '.join(sources)}): if each centre "
                "numbers its patients on its own, give the sources of each centre an `id_prefix` "
                "in the study file."
                if len(sources) > 1
                else ""
            )
            if len(sources) == 1:  # visit rows of one source: the words of `per_patient`
                kinds = {
                    c: "date"
                    if pd.api.types.is_datetime64_any_dtype(data[c])
                    else "number"
                    if pd.api.types.is_numeric_dtype(data[c])
                    and not pd.api.types.is_bool_dtype(data[c])
                    else ""
                    for c in cols
                }
                msg += _visits_hint(sources[0], differing, kinds)
            excluded.append(log_rows(grp, "patients", "conflict", msg))
            conflicts.append(
                {
                    "patient_id": pid,
                    "columns": ", ".join(differing),
                    "rows": places,
                    "sources": len(sources),
                }
            )
            continue
        first = grp.index[0]
        merged = grp.iloc[[0]].copy()
        for c in cols:
            non_null = grp[c].dropna()
            if len(non_null) and pd.isna(merged.at[first, c]):
                merged.at[first, c] = non_null.iloc[0]
                value = grp[c].astype(str)[non_null.index[0]]
                message = (
                    f"`{c}` was missing in this record; filled with {value!r} from its "
                    f"duplicate at {where(grp, non_null.index[0])}"
                )
                blank = pd.Series("", index=[first])
                audit.append(
                    audit_rows(grp.loc[[first]], "patients", c, "duplicate", blank, "corrected",
                               pd.Series(message, index=[first]))
                )  # fmt: skip
        filled = not merged.loc[first].equals(grp.loc[first])
        keep_parts.append(merged)
        rest = grp.iloc[1:]
        for label in rest.index:
            lacking = any(pd.isna(grp.at[label, c]) and grp[c].notna().any() for c in cols)
            how = (
                "no value differs; values missing in that record filled from its duplicates, "
                "see the audit log"
                if filled
                else "no value differs; values missing in this record"
                if lacking
                else "same values"
            )
            excluded.append(
                log_rows(
                    rest.loc[[label]],
                    "patients",
                    "duplicate",
                    f"duplicate of {where(grp, first)} ({how})",
                )
            )
    kept = pd.concat(keep_parts).sort_index()
    step = Step(kept, concat_rows(excluded, LOG_COLUMNS), concat_rows(audit, AUDIT_COLUMNS))
    return step, pd.DataFrame(conflicts)


def drop_duplicate_records(data: pd.DataFrame, table: str) -> Step:
    """Keep the first record of each duplicate key (``schema.DUPLICATE_KEYS``); log the others,
    with the values each differs in from the kept record (``conflicting_records: keep_first``),
    found record by record; a value the kept record lacks is taken from the first later
    duplicate that has it, with an audit row."""
    keys = DUPLICATE_KEYS[table]
    dup = data.duplicated(keys, keep="first")
    if not dup.any():
        return Step(data)
    first_idx = data.loc[~data.duplicated(keys, keep="first")].set_index(keys).index
    firsts = pd.Series(data.loc[~dup].index, index=first_idx)
    bad = data.loc[dup]
    values = [c for c in data.columns if c not in _NOT_VALUES and c not in keys]
    text = {c: data[c].astype(str) for c in values}
    kept = data.loc[~dup].copy()
    reasons, audit = [], []
    for label, r in zip(bad.index, bad[keys].itertuples(index=False), strict=True):
        first = firsts.loc[tuple(r)]
        gave = False
        for c in values:
            if pd.isna(kept.at[first, c]) and pd.notna(data.at[label, c]):
                kept.at[first, c] = data.at[label, c]
                gave = True
                audit.append(
                    audit_rows(
                        data.loc[[first]],
                        table,
                        c,
                        "duplicate",
                        pd.Series("", index=[first]),
                        "corrected",
                        pd.Series(
                            f"`{c}` was missing in this record; filled with "
                            f"{text[c][label]!r} from its duplicate at {where(data, label)}",
                            index=[first],
                        ),
                    )
                )
        # compared with the record kept as merged so far (its values filled before)
        differ = [
            f"{c} {text[c][label]!r} vs {str(kept.at[first, c])!r}"
            for c in values
            if pd.notna(data.at[label, c])
            and pd.notna(kept.at[first, c])
            and text[c][label] != str(kept.at[first, c])
        ]
        reasons.append(
            f"duplicate of {where(data, first)} (same {', '.join(keys)})"
            + (
                f"; its other values differ ({'; '.join(differ)}): the first record kept"
                if differ
                else ""
            )
            + (
                "; values missing in the record kept were filled from this one, see the audit log"
                if gave
                else ""
            )
        )
    reasons_s = pd.Series(reasons, index=bad.index)
    return Step(
        kept,
        log_rows(bad, table, "duplicate", reasons_s),
        concat_rows(audit, AUDIT_COLUMNS),
    )
