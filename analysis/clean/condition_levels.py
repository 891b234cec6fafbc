"""The level of a group declared by conditions (``groups.<name>.conditions``, ``otherwise``),
with missing values taken into account.

A patient gets the first level whose conditions hold. ``otherwise`` is for a patient whom every
condition rules out; one whose missing value leaves a condition open (an age band with the age
missing) cannot be ruled out, so gets no level: put in ``otherwise``, a patient of unknown age
was counted as an adult, with no message. A condition on a column that is missing is open; one
that fails on another, known column rules the level out whatever the missing value is. The run
warns of every patient so left without a level (:func:`open_level_warnings`).

A group whose conditions test a column's missingness (``op: is_missing``) says itself where a
patient missing it goes: its other conditions on that column then fail on a missing value (are
not open), wherever that level stands in the order. (Until 2026-12-07 a level ``unknown`` for
``is_missing`` listed after the ``==`` levels was never reached: the patients stayed without a
level and every table by the group stopped.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.clean.derive import ON_MISSINGNESS, evaluate_conditions
from analysis.clean.shared_text import Shareable

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig
    from analysis.studyfile.design import Group

#: operators that are decided on a missing value too


def condition_levels(data: pd.DataFrame, group: Group) -> pd.Series:
    """Each row's level by ``group.conditions`` in order, else ``group.otherwise`` when every
    condition is ruled out; missing where a condition is left open by a missing value and no
    earlier one holds."""
    values = pd.Series(group.otherwise, index=data.index, dtype=object)
    decided = pd.Series(False, index=data.index)
    placed = _missing_placed(group)
    for when in group.conditions or []:
        holds = evaluate_conditions(data, when.where) & ~decided
        values = values.mask(holds, when.level)
        decided |= holds
        open_ = _open(data, when.where, placed) & ~decided
        values = values.mask(open_, None)
        decided |= open_
    return values


def _missing_placed(group: Group) -> set[str]:
    """The columns whose missingness a condition of the group tests: a patient missing one is
    placed by that condition, not left open by the others."""
    return {c.column for w in group.conditions or [] for c in w.where if c.op in ON_MISSINGNESS}


def _open(data: pd.DataFrame, where: list, placed: set[str]) -> pd.Series:
    """Rows where the conditions ``where`` neither hold nor fail: none fails on a known value,
    and one is on a missing value of a column whose missingness no condition places."""
    failed = pd.Series(False, index=data.index)
    missing = pd.Series(False, index=data.index)
    for cond in where:
        if cond.op in ON_MISSINGNESS or cond.column in placed:
            failed |= ~evaluate_conditions(data, [cond])
            continue
        absent = data[cond.column].isna()
        failed |= ~absent & ~evaluate_conditions(data, [cond])
        missing |= absent
    return missing & ~failed


def open_level_warnings(patients: pd.DataFrame, config: StudyConfig) -> list[str]:
    """A warning per group declared by conditions that left included patients without a
    level for a missing value, and per group ``from_column`` whose map does not list the value
    of included patients (counted, not shown: the column may hold any text)."""
    out: list[str] = []
    for name, group in config.groups.items():
        rule = group.from_column
        if rule is not None and name in patients and rule.column in patients:
            # a value the map does not list: no level, as documented, but never in silence
            unmapped = patients[rule.column].notna() & patients[name].isna()
            if unmapped.any():
                out.append(
                    Shareable(
                        f"groups.{name}: {int(unmapped.sum())} included patient(s) have a value of "
                        f"`{rule.column}` that `from_column.map` does not list, and no level. A "
                        f"table by `{name}` stops until the map lists it (docs/config.md, `groups`) "
                        f"or they are left out (a `population` with `where: [{{column: {name}, op: "
                        f"not_missing}}]`)."
                    )
                )
        if not group.conditions or name not in patients:
            continue
        placed = _missing_placed(group)
        columns = sorted(
            {c.column for w in group.conditions for c in w.where if c.op not in ON_MISSINGNESS}
            - placed
        )
        gaps = patients[columns].isna().any(axis=1) & patients[name].isna()
        if gaps.any():
            # the columns missing for those patients, not every column the conditions read
            lacking = [c for c in columns if patients.loc[gaps, c].isna().any()]
            otherwise = "; they are not put in `otherwise`" if group.otherwise is not None else ""
            out.append(
                Shareable(
                    f"groups.{name}: {int(gaps.sum())} included patient(s) have no level, a value its "
                    f"conditions read ({', '.join(f'`{c}`' for c in lacking)}) being missing"
                    f"{otherwise}. A table by `{name}` stops until they have a level (a condition "
                    f"`{{column: {lacking[0]}, op: is_missing}}` for it, at any place in the list), "
                    f"are left out (a `population` with `where: [{{column: {name}, op: "
                    f"not_missing}}]`) or the value is completed in the export."
                )
            )
    return out


__all__ = ["condition_levels", "open_level_warnings"]
