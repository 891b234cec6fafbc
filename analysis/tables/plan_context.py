"""What every table builder of the plan shares: the study and its cleaned data (``Context``),
footnotes added to a built table, grouping columns that can be used, constant covariates, and
conditions in words."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.clean.derive import evaluate_conditions
from analysis.studyfile.plan import (
    TableSpec,
)
from analysis.studyfile.plan_defaults import level_label, variable_label
from analysis.tables.render import TableResult
from analysis.words import and_list, in_sentence

if TYPE_CHECKING:
    from analysis.clean.stage import CleanResult
    from analysis.studyfile.config import StudyConfig


EXPOSURE_ID_SEP = "#"


@dataclasses.dataclass(frozen=True)
class Context:
    """What every builder needs: the study, its cleaned data and the plan's choices."""

    config: StudyConfig
    result: CleanResult

    @property
    def options(self) -> Any:
        return self.config.analysis.options

    @property
    def seed(self) -> int:
        return self.config.seed_for("exact-tests")

    @property
    def units(self) -> dict[str, str]:
        return {"n_exposures": self.config.exposure.singular, **self.config.analysis.labels.units}

    def label(self, name: str) -> str:
        return variable_label(self.config, name)

    def level_labels(self, name: str, values: pd.Series) -> dict[str, str]:
        """``{level: words}`` for the levels of column ``name`` seen in ``values``."""
        seen = (
            values.cat.categories
            if isinstance(values.dtype, pd.CategoricalDtype)
            else values.dropna().unique()
        )
        return {str(v): level_label(self.config, name, str(v)) for v in seen}

    def subjects(self, spec: TableSpec) -> pd.DataFrame:
        p = self.result.patients
        if spec.population is None:
            return p
        return p.loc[evaluate_conditions(p, self.config.subgroups[spec.population].where)]

    def events(self, subjects: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
        ae = self.result.tables["adverse_events"]
        if spec.population is not None:
            ae = ae.loc[ae["patient_id"].isin(subjects["patient_id"])]
        where = getattr(spec, "where", [])
        return ae.loc[evaluate_conditions(ae, where)] if where else ae


_OP_WORDS = {
    "==": "is",
    "!=": "is not",
    ">=": "is at least",
    ">": "is above",
    "<=": "is at most",
    "<": "is below",
    "in": "is one of",
    "not_in": "is none of",
}


def condition_words(ctx: Context, where: list[Any]) -> str:
    """Conditions in words: "action taken is treatment discontinued"."""
    parts = []
    for c in where:
        what = in_sentence(ctx.label(c.column))
        if c.op in ("is_missing", "not_missing"):
            parts.append(f"{what} is {'missing' if c.op == 'is_missing' else 'recorded'}")
            continue
        values = c.value if isinstance(c.value, list) else [c.value]
        shown = ", ".join(ctx.config.analysis.labels.levels.get(c.column, {}).get(str(v), str(v))
                          for v in values)  # fmt: skip
        parts.append(f"{what} {_OP_WORDS[c.op]} {shown}")
    return " and ".join(parts)


def with_notes(table: TableResult, notes: list[str], *, name: str | None = None) -> TableResult:
    """``table`` with extra footnotes (and, when ``name`` differs, its ARD table renamed)."""
    changes: dict[str, Any] = {}
    if notes:
        changes["footnotes"] = (*table.footnotes, *notes)
    if name is not None and name != table.name:
        changes["name"] = name
        changes["frame"] = table.frame.assign(table=name)
    return dataclasses.replace(table, **changes, _displayed={}) if changes else table


def usable_by(
    data: pd.DataFrame, by: list[str], label: Callable[[str], str]
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Grouping columns with at least two populated levels; empty levels removed; footnotes."""
    kept: list[str] = []
    notes: list[str] = []
    for col in by:
        present = [str(v) for v in pd.unique(data[col].dropna())]
        if len(present) >= 2:
            data, dropped = without_empty_levels(data, col, label)
            notes += dropped
        if len(present) < 2:
            notes.append(
                f"Not split by {in_sentence(label(col))}: every analysed patient is "
                f"{present[0] if present else 'missing'!r}."
            )
            continue
        kept.append(col)
    return data, kept, notes


def without_empty_levels(
    data: pd.DataFrame, col: str, label: Callable[[str], str]
) -> tuple[pd.DataFrame, list[str]]:
    """``data`` with the declared levels of column ``col`` that no patient has removed (a
    column without a patient is not shown), and the footnote that says which; ``data`` as it
    is when every level has a patient, the column is not categorical or no level has one."""
    s = data[col]
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return data, []
    present = {str(v) for v in pd.unique(s.dropna())}
    empty = [str(c) for c in s.cat.categories if str(c) not in present]
    if not empty or not present:
        return data, []
    note = (
        f"{label(col)}: {'level' if len(empty) == 1 else 'levels'} "
        f"{and_list(empty)} without any patient not shown."
    )
    return data.assign(**{col: s.cat.remove_unused_categories()}), [note]


def constant_covariates(data: pd.DataFrame, outcome: str, covariates: list[str]) -> dict[str, str]:
    """Covariates with a single value among the complete cases -> that value."""
    complete = data[[outcome, *covariates]].dropna()
    out = {}
    for cov in covariates:
        values = _first_two(complete[cov])
        if len(values) < 2:
            out[cov] = str(values[0]) if len(values) else "missing"
    return out


def _first_two(s: pd.Series) -> list[object]:
    """The first two distinct values of ``s`` as Python objects, in order of appearance (as
    ``pd.unique(s.astype(object))`` gives them); a categorical column from its codes, without
    a Python object per row."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        present = pd.unique(codes)[:2]
        return [s.cat.categories[c] for c in present]
    return list(pd.unique(s.astype(object))[:2])
