"""De-duplication across the tables: the patient table first, then each child table as it comes.

Duplicate patients are merged (conflicting ones removed); then each child table loses its
orphan records (no patient, or a patient removed) and its duplicate records. A child table needs
only the de-duplicated patients, so when a second process validates some tables
(``two_process``) the command de-duplicates the patients and the tables it holds while it waits
for the others. The logs are kept in the stage's order whatever the order of the work: the
patients', then each child table's (``TABLES_ORDER``); what is done early is exactly what would
be done later (the same functions on the same frames; ``tests/unit/clean/test_two_process.py``
compares the whole stage in one process and in two).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.clean import identity, patient_records
from analysis.clean.columns import TABLES_ORDER
from analysis.clean.duplicates import (
    deduplicate_patients,
    drop_duplicate_records,
    drop_orphans,
    duplicate_records,
    orphan_log,
)
from analysis.clean.merged_values import with_fills
from analysis.clean.per_patient import KEY, IdLookup, PatientKeys
from analysis.clean.per_table import TableLogs
from analysis.clean.step import Step
from analysis.studyfile.config import StudyConfig

#: how patient keys are made (``PatientKeys.of``); a test replaces it to run the stage by id
patient_keys = PatientKeys.of


@dataclass
class ChildDone:
    """A child table de-duplicated: its records (for the exposures when near-duplicates are
    flagged next: all, with ``rows`` the positions kept), and the logs of the steps."""

    data: pd.DataFrame
    logs: TableLogs
    rows: np.ndarray | None = None


@dataclass
class Deduplicated:
    """The patients de-duplicated, what the child tables need of them, and the child tables
    done so far."""

    step: Step  # the patients' de-duplication (its data: the patients, without keys)
    patients: pd.DataFrame  # with the integer patient key when the ids allow one
    conflicts: pd.DataFrame
    removed: dict[str, tuple[str, str]]  # patient id -> (step, reason) of the patients removed
    keys: PatientKeys | None
    lookups: dict[str, IdLookup] = field(default_factory=dict)  # from the id checks
    children: dict[str, ChildDone] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        patients: pd.DataFrame,
        excluded: list[pd.DataFrame],
        lookups: dict[str, IdLookup] | None = None,
        required: list[str] | None = None,
    ) -> Deduplicated:
        """``patients`` (validated) de-duplicated; ``excluded``: the exclusion logs so far (those
        of the patient table are read: a patient whose every record was excluded is removed,
        a patient with a record excluded beside one kept is a conflict); ``lookups``: where the
        id checks found each child table's ids (``identity.check_ids``), so that its records
        are keyed without looking their ids up again (each taken out of the dict when used, so
        that its arrays are freed); ``required``: the patient table's required columns,
        checked on the merged records (``patient_records``)."""
        step, conflicts = deduplicate_patients(patients)
        step, conflicts = patient_records.settle(step, conflicts, excluded, required or [])
        kept_ids = set(step.data["patient_id"])
        removed = identity.excluded_patients([*excluded, step.excluded], kept_ids)
        for pid in conflicts.get("patient_id", []):
            removed[pid] = ("conflict", "conflicting duplicate patient records")
        keys = patient_keys(step.data)
        keyed = step.data if keys is None else keys.patients
        return cls(step, keyed, conflicts, removed, keys, {} if lookups is None else lookups)

    @cached_property
    def kept_ids(self) -> pd.Index:
        """The patient ids, indexed once for the child tables matched by id (no keys)."""
        return pd.Index(self.patients["patient_id"].to_numpy(dtype=object))

    def add(self, table: str, records: pd.DataFrame, config: StudyConfig) -> None:
        """``records`` of child ``table`` (validated) de-duplicated."""
        logs = TableLogs()
        lookup = self.lookups.pop(table, None)  # used once: its arrays freed with it
        df = records if self.keys is None else self.keys.key(records, lookup)
        close = table == "exposures" and config.exposure.min_interval_days is not None
        conflict = config.cleaning.conflicting_records
        if KEY in df:  # orphans found by key; one copy of the table for all steps
            orphan = df[KEY].to_numpy() < 0
            logs.excluded.append(orphan_log(df, table, orphan, self.removed))
            if close:
                rows, logged, fills = duplicate_records(
                    df, table, among=~orphan, on_conflict=conflict
                )
                logs.excluded.append(logged)
                logs.audit.append(fills.audit)
                self.children[table] = ChildDone(with_fills(df, fills), logs, rows)
                return
            df = logs.keep(drop_duplicate_records(df, table, among=~orphan, on_conflict=conflict))
        else:
            df = logs.keep(drop_orphans(df, table, self.kept_ids, self.removed))
            df = logs.keep(drop_duplicate_records(df, table, on_conflict=conflict))
        self.children[table] = ChildDone(df, logs)


def early(
    excluded: list[pd.DataFrame],
    valid: dict[str, pd.DataFrame],
    config: StudyConfig,
    lookups: dict[str, IdLookup] | None = None,
) -> Deduplicated | None:
    """The patients and the child tables of ``valid`` (the validated tables at hand)
    de-duplicated; None without the patient table. ``lookups``: as for ``Deduplicated.of``."""
    if "patients" not in valid:
        return None
    done = Deduplicated.of(valid["patients"], excluded, lookups, required_columns(config))
    for table in TABLES_ORDER[1:]:
        if table in valid:
            done.add(table, valid[table], config)
    return done


def required_columns(config: StudyConfig) -> list[str]:
    """The patient table's required columns (checked on the merged records)."""
    return [c for c, spec in config.columns_for("patients").items() if spec.required]


__all__ = ["ChildDone", "Deduplicated", "early", "patient_keys", "required_columns"]
