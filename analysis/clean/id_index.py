"""The patient table's ids as the id checks use them (``identity.check_ids``): folded, indexed,
and where each child table's ids are among them, worked out as each table's ids come.

A large study reads the patient table and some child tables in the command while a second
process reads the others (``two_process``); the command prepares the checks of its own tables
(:class:`IdIndex`) before the others' ids arrive, instead of waiting idle and doing it all
after. ``check_ids`` gives the same with or without it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.clean.identity_rules import IdStyle, fold_ids, id_style


@dataclass(frozen=True)
class PatientIds:
    """The ids of the patient table: in order, the first id of each folded key, the groups of
    ids sharing a folded key (in order of first appearance), and how they are written."""

    records: pd.DataFrame
    ids: list[str]
    first: dict[str, str]
    groups: list[list[str]]

    @classmethod
    def of(cls, records: pd.DataFrame) -> PatientIds:
        ids = [str(p) for p in pd.unique(records["patient_id"])]
        folded = fold_ids(ids)
        first = dict(zip(reversed(folded), reversed(ids), strict=True))
        by_fold: dict[str, list[str]] = {}
        if len(first) < len(ids):
            shared = {f for f, n in Counter(folded).items() if n > 1}
            for p, f in zip(ids, folded, strict=True):
                if f in shared:
                    by_fold.setdefault(f, []).append(p)
        return cls(records, ids, first, list(by_fold.values()))

    @cached_property
    def style(self) -> IdStyle:
        """How the ids are written (for the suggested ``cleaning.ids`` of a message)."""
        return id_style(self.ids)

    def match(self, ids: pd.Series) -> pd.Series:
        """The first patient id equal to each of ``ids`` after folding (None: none)."""
        distinct = pd.unique(ids)
        folded = fold_ids([str(v) for v in distinct])
        first = {v: self.first.get(f) for v, f in zip(distinct, folded, strict=True)}
        return ids.map(first)


class IdIndex:
    """What ``identity.check_ids`` needs of the patient table (its ids folded and indexed) and
    where each child table's ids are among them (positions, -1: no patient)."""

    def __init__(self, patients: pd.DataFrame) -> None:
        self.known = PatientIds.of(patients)  # its records: the id_records this was made of
        self.patient_ids = pd.Index(self.known.ids)
        self._at: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}

    def add(self, table: str, ids: pd.DataFrame) -> None:
        """Where the ids of child ``table`` (its ``identity.id_records``) are."""
        at = self.patient_ids.get_indexer(ids["patient_id"].to_numpy(dtype=object))
        self._at[table] = (ids, at)

    def at(self, table: str, ids: pd.DataFrame) -> np.ndarray:
        """:meth:`add`'s positions of ``ids``, found now unless added before (the same frame)."""
        done = self._at.get(table)
        if done is None or done[0] is not ids:
            self.add(table, ids)
            done = self._at[table]
        return done[1]


__all__ = ["IdIndex", "PatientIds"]
