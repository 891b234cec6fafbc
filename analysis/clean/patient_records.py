"""What the de-duplication of the patient table leaves to settle: a patient's records seen together.

Duplicate patient records are compared and merged (``duplicates.deduplicate_patients``). Two
kinds of patient are only known once that is done:

- a patient whose merged record still lacks a required value. A record lacking one is kept
  while reading when its id is on another record too (``cells.require_values``, ``merged``), so
  that its values are compared with the other's; the check is made here, on the merged record,
  and every record of the patient is excluded (step ``missing``) when a value is still missing;
- a patient with a record excluded while reading or validating (a label no vocabulary covers, a
  date that cannot be read, an id's record refused) beside a record kept. The excluded record
  cannot be compared with the kept one, and keeping the one that is left would take it for the
  patient's only record: another sex or another age would be lost without a word. Every record
  of the patient is excluded as a conflict, as duplicates that disagree are, the reason naming
  the record that could not be used. This is settled first: a kept record lacking a required
  value beside one excluded is a conflict too, not a patient "missing in every record".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.duplicates import locations
from analysis.clean.step import LOG_COLUMNS, Step, concat_rows, log_rows


def settle(
    step: Step, conflicts: pd.DataFrame, excluded: list[pd.DataFrame], required: list[str]
) -> tuple[Step, pd.DataFrame]:
    """``step`` (the patients' de-duplication) and ``conflicts`` (its table of conflicting ids)
    with the two kinds of patient of the module doc removed: their records logged (the kept
    record, and the duplicates merged into it under their new reason), their filled values'
    audit rows dropped, the patients with a record excluded added to ``conflicts``.
    ``excluded``: the exclusion logs of reading and validating (every table's); ``required``:
    the patient table's required columns."""
    # a record excluded beside one kept first: the kept one may lack a required value the
    # excluded one gave (a sex no vocabulary covers), and "missing in every record" would be
    # untrue of it
    step, conflicts = _partly_excluded(step, conflicts, excluded)
    return _required_on_merged(step, [c for c in required if c in step.data]), conflicts


def _required_on_merged(step: Step, required: list[str]) -> Step:
    data = step.data
    if not required or data.empty:
        return step
    missing = np.column_stack([data[c].isna().to_numpy() for c in required])
    lacking = missing.any(axis=1)
    if not lacking.any():
        return step
    merged = set(step.excluded["patient_id"])  # ids with duplicates merged into the kept row
    reasons: dict[Any, str] = {}
    for pid, row in zip(data["patient_id"].to_numpy()[lacking], missing[lacking], strict=True):
        names = ", ".join(f"`{c}`" for c, m in zip(required, row, strict=True) if m)
        reasons[pid] = (
            f"required value missing in every record of the patient: {names}"
            if pid in merged
            # one record, complete when read: a check set the value missing (the audit log)
            else f"required value missing: {names} (set missing by a check; see the audit log)"
        )
    return _remove(step, reasons, "missing")


def _partly_excluded(
    step: Step, conflicts: pd.DataFrame, excluded: list[pd.DataFrame]
) -> tuple[Step, pd.DataFrame]:
    frames = [
        f.loc[(f["table"] == "patients") & f["patient_id"].notna()]
        for f in excluded
        if len(f) and "table" in f
    ]
    log = concat_rows(frames, LOG_COLUMNS)
    if log.empty:
        return step, conflicts
    # the few logged ids looked for among the kept (not the kept ids hashed: a million at scale)
    kept = step.data["patient_id"]
    both = set(kept.loc[kept.isin(set(log["patient_id"]))])
    log = log.loc[log["patient_id"].isin(both)]
    if log.empty:
        return step, conflicts
    reasons: dict[Any, str] = {}
    unusable: dict[Any, list[str]] = {}
    files: dict[Any, set[str]] = {}
    columns = ["patient_id", "source", "sheet", "row", "step", "reason"]
    for pid, source, sheet, row, st, why in log[columns].itertuples(index=False):
        place = _place(source, sheet, row)
        unusable.setdefault(pid, []).append(place)
        files.setdefault(pid, set()).add(str(source))
        if pid not in reasons:
            reasons[pid] = (
                f"patient_id {pid!r} has another record that could not be used ({place}, "
                f"excluded at step {st!r}: {why}); its values cannot be compared with this "
                "record's, so every record of the patient is excluded. Correct the export so "
                "one record remains."
            )
    data = step.data
    rows = data.loc[data["patient_id"].isin(list(reasons))]
    places = dict(zip(rows["patient_id"], locations(rows), strict=True))
    file_of = dict(zip(rows["patient_id"], rows["source_file"].astype(str), strict=True))
    more = [
        {
            "patient_id": pid,
            "columns": "(a record that could not be used)",
            "rows": "; ".join([places[pid], *unusable[pid]]),
            "sources": len(files[pid] | {file_of[pid]}),
        }
        for pid in rows["patient_id"]
    ]
    step = _remove(step, reasons, "conflict")
    if conflicts.empty:
        return step, pd.DataFrame(more)
    return step, pd.concat([conflicts, pd.DataFrame(more)], ignore_index=True)


def _remove(step: Step, reasons: dict[Any, str], name: str) -> Step:
    """``step`` without the patients of ``reasons`` (id -> reason): their kept records logged
    and their merged duplicates' log rows given step ``name`` and that reason too; the audit
    rows of values filled into those records dropped."""
    data = step.data
    out = data["patient_id"].isin(list(reasons)).to_numpy()
    gone = data.loc[out]
    logged = log_rows(gone, "patients", name, gone["patient_id"].map(reasons).astype(object))
    merged = step.excluded["patient_id"].isin(list(reasons)).to_numpy()
    earlier = step.excluded.copy()
    if merged.any():
        earlier.loc[merged, "step"] = name
        earlier.loc[merged, "reason"] = earlier.loc[merged, "patient_id"].map(reasons)
    audit = step.audit
    if len(audit):
        audit = audit.loc[~audit["patient_id"].isin(list(reasons)).to_numpy()]
    return Step(
        data.loc[~out], concat_rows([earlier, logged], LOG_COLUMNS), audit.reset_index(drop=True)
    )


def _place(source: object, sheet: object, row: object) -> str:
    """A log row's record in the words of ``step.where`` (the log's sheet is text: a record
    of a CSV file has "", "None" or "nan" there)."""
    shown = "" if sheet is None or str(sheet) in ("", "None", "nan", "<NA>") else str(sheet)
    return f"{source}{f', sheet {shown!r}' if shown else ''}, row {row}"


__all__ = ["settle"]
