"""Each table of the analysis plan built by the existing builders of ``analysis.tables``.

One function per table ``kind``; each restricts the subjects to the table's ``population``, the
events to its ``where``, passes the plan's options and labels, and turns what would stop a
model or a grouped table (a constant covariate, an empty ``by`` level) into a footnote.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.ard import concat_ard
from analysis.derive import evaluate_conditions
from analysis.plan import (
    AeByExposureTable,
    AeDurationTable,
    AeIncidenceTable,
    AeSeverityTable,
    BaselineTable,
    FrequenciesTable,
    LogisticTable,
    ProportionalOddsTable,
    ResponseTable,
    TableSpec,
    TimeToEventTable,
)
from analysis.plan_defaults import variable_label
from analysis.tables import models
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration, ae_severity
from analysis.tables.baseline import baseline_table
from analysis.tables.render import TableResult
from analysis.tables.response import response_table
from analysis.tables.time_to_event import time_to_event_table

if TYPE_CHECKING:
    from analysis.config import StudyConfig
    from analysis.pipeline import CleanResult

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
        what = ctx.label(c.column).lower()
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
        s = data[col]
        present = [str(v) for v in pd.unique(s.dropna())]
        if isinstance(s.dtype, pd.CategoricalDtype):
            empty = [str(c) for c in s.cat.categories if str(c) not in present]
            if empty and len(present) >= 2:
                data = data.assign(**{col: s.cat.remove_unused_categories()})
                notes.append(
                    f"{label(col)}: level(s) {', '.join(empty)} without any patient not shown."
                )
        if len(present) < 2:
            notes.append(
                f"Not split by {label(col).lower()}: every analysed patient is "
                f"{present[0] if present else 'missing'!r}."
            )
            continue
        kept.append(col)
    return data, kept, notes


def constant_covariates(data: pd.DataFrame, outcome: str, covariates: list[str]) -> dict[str, str]:
    """Covariates with a single value among the complete cases -> that value."""
    complete = data[[outcome, *covariates]].dropna()
    out = {}
    for cov in covariates:
        values = pd.unique(complete[cov].astype(object))
        if len(values) < 2:
            out[cov] = str(values[0]) if len(values) else "missing"
    return out


def _model(ctx: Context, name: str, spec: ProportionalOddsTable | LogisticTable) -> TableResult:
    data = ctx.subjects(spec)
    if isinstance(spec, LogisticTable) and not isinstance(spec.outcome, str):
        term = spec.outcome.ae_term
        col = models.subjects_with_term(data, ctx.events(data, spec), term)
        data = data.assign(**{col.name: col.to_numpy()})
        outcome = str(col.name)
        outcome_words = f"{term} (at least one event)"
    else:
        outcome = str(spec.outcome)
        outcome_words = ctx.label(outcome)
    covariates = list(spec.covariates)
    dropped = constant_covariates(data, outcome, covariates)
    covariates = [c for c in covariates if c not in dropped]
    if not covariates:
        raise ValueError(f"every covariate is constant among the analysed patients {dropped}")
    n = len(data[[outcome, *spec.covariates]].dropna())
    notes = [
        f"{ctx.label(c)} (`{c}`) dropped from the covariates: every one of the {n} complete "
        f"cases is {v!r}, so it has no contrast to estimate."
        for c, v in dropped.items()
    ]
    reference = {k: v for k, v in spec.reference.items() if k in covariates}
    common = {
        "outcome": outcome,
        "covariates": covariates,
        "reference": reference or None,
        "alpha": ctx.options.alpha,
        "table": name,
        "units": ctx.units,
        "labels": {c: ctx.label(c) for c in [*covariates, outcome]},
    }
    if isinstance(spec, LogisticTable):
        title = spec.title or f"Logistic regression of {outcome_words.lower()}"
        t = models.logistic_model(data, title=title, **common)
    else:
        t = models.proportional_odds(data, **common)
        title = spec.title or f"Proportional-odds model of {outcome_words.lower()}"
        t = dataclasses.replace(t, title=title)
    return with_notes(t, notes)


def _baseline(ctx: Context, name: str, spec: BaselineTable) -> TableResult:
    data, by, notes = usable_by(ctx.subjects(spec), [spec.by] if spec.by else [], ctx.label)
    b = by[0] if by else None
    t = baseline_table(
        data,
        by=b,
        variables={v: ctx.label(v) for v in spec.variables if v != b},
        categorical=spec.categorical,
        categorical_test=ctx.options.categorical_test,
        continuous_test=ctx.options.continuous_test,
        seed=ctx.seed,
        table=name.removesuffix(f"_{b}") if b else name,
    )
    if spec.title:
        t = dataclasses.replace(t, title=spec.title)
    return with_notes(t, notes, name=name)


def _levels_of_numbers(values: pd.Series) -> pd.Series:
    """A numeric exposure column as ordered levels ("0.21", "0.5", "1"), for grouping."""
    if not pd.api.types.is_numeric_dtype(values):
        return values
    shown = values.round(2).map(lambda v: None if pd.isna(v) else f"{v:g}")
    order = [f"{v:g}" for v in sorted(values.round(2).dropna().unique())]
    return pd.Series(pd.Categorical(shown, categories=order, ordered=True), index=values.index)


def exposure_subjects(
    patients: pd.DataFrame, exposures: pd.DataFrame, events: pd.DataFrame, by: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patient-exposures as subjects (id ``patient_id#exposure_number``, the patient's groups)
    and the events with the same id from their ``exposure_number``."""

    def key(frame: pd.DataFrame) -> pd.Series:
        number = frame["exposure_number"].astype("Int64").astype("string")
        return frame["patient_id"].astype("string") + EXPOSURE_ID_SEP + number

    ids = patients["patient_id"]
    # a `by` column of the exposures table (the dose of the period) is the period's own value
    own = [c for c in by if c in exposures.columns and c not in patients.columns]
    periods = exposures.loc[
        exposures["patient_id"].isin(ids), ["patient_id", "exposure_number", *own]
    ]
    periods = periods.assign(**{c: _levels_of_numbers(periods[c]) for c in own})
    from_patients = [c for c in by if c not in own]
    subjects = periods.merge(patients[["patient_id", *from_patients]], on="patient_id", how="left")
    subjects = subjects.assign(patient_id=key(subjects).to_numpy())[["patient_id", *by]]
    events = events.loc[events["exposure_number"].notna()]
    return subjects.reset_index(drop=True), events.assign(patient_id=key(events).to_numpy())


def _ae_incidence(ctx: Context, name: str, spec: AeIncidenceTable) -> TableResult:
    subjects = ctx.subjects(spec)
    events = ctx.events(subjects, spec)
    if spec.unit == "exposures":
        exposures = ctx.result.tables["exposures"]
        subjects, events = exposure_subjects(subjects, exposures, events, list(spec.by))
        subjects, by, notes = usable_by(subjects, list(spec.by), ctx.label)
        notes.append(
            f"Unit of analysis: patient-{ctx.config.exposure.singular} "
            f"({ctx.config.exposure.plural_noun} of each patient counted apart); N = "
            f"{len(subjects)} {ctx.config.exposure.plural_noun}."
        )
    else:
        subjects, by, notes = usable_by(subjects, list(spec.by), ctx.label)
    if spec.where:
        notes.append(f"Events counted: those whose {condition_words(ctx, spec.where)}.")
    vocab = ctx.config.vocabularies.get(spec.term)
    t = ae_incidence(
        subjects,
        events,
        by=by,
        term=spec.term,
        categories=vocab.categories if vocab else None,
        terms=vocab.levels if vocab else None,
        ci=ctx.options.ci_method,
        alpha=ctx.options.alpha,
        test=ctx.options.ae_test,
        seed=ctx.seed,
        unit=ctx.config.exposure.plural_noun if spec.unit == "exposures" else "patients",
    )
    title = spec.title
    if title is None and spec.unit == "exposures":
        title = f"Adverse events: patient-{ctx.config.exposure.plural_noun} with at least one event"
    if title:
        t = dataclasses.replace(t, title=title)
    return with_notes(t, notes, name=name)


def _ae_severity(ctx: Context, name: str, spec: AeSeverityTable) -> TableResult:
    subjects = ctx.subjects(spec)
    events = ctx.events(subjects, spec)
    subjects, by, notes = usable_by(subjects, list(spec.by), ctx.label)
    t = ae_severity(subjects, events, by=by, test=ctx.options.ae_test, seed=ctx.seed)
    if spec.title:
        t = dataclasses.replace(t, title=spec.title)
    return with_notes(t, notes, name=name)


def _ae_by_exposure(ctx: Context, name: str, spec: AeByExposureTable) -> TableResult:
    subjects = ctx.subjects(spec)
    exposures = ctx.result.tables["exposures"]
    if spec.population is not None:
        exposures = exposures.loc[exposures["patient_id"].isin(subjects["patient_id"])]
    t = ae_by_exposure(
        ctx.events(subjects, spec),
        exposures,
        term=spec.term,
        max_exposure=spec.max_exposure,
        ci=ctx.options.ci_method,
        alpha=ctx.options.alpha,
        noun=ctx.config.exposure.singular,
    )
    title = spec.title or f"Adverse events by {ctx.config.exposure.singular} number"
    return with_notes(dataclasses.replace(t, title=title), [], name=name)


def _ae_duration(ctx: Context, name: str, spec: AeDurationTable) -> TableResult:
    subjects = ctx.subjects(spec)
    t = ae_duration(ctx.events(subjects, spec), term=spec.term)
    if spec.title:
        t = dataclasses.replace(t, title=spec.title)
    return with_notes(t, [], name=name)


def _response(ctx: Context, name: str, spec: ResponseTable) -> TableResult:
    d = ctx.config.derive
    t = response_table(
        ctx.subjects(spec),
        by=spec.by,
        within=spec.within,
        outcome=d.response_column,
        improvement_levels=tuple(d.improvement_levels),
        ci=ctx.options.ci_method,
        alpha=ctx.options.alpha,
        trend_test=ctx.options.response_trend_test,
        seed=ctx.seed,
    )
    within = f" within {ctx.label(spec.within).lower()}" if spec.within else ""
    title = spec.title or f"{ctx.label(d.response_column)} by {ctx.label(spec.by).lower()}{within}"
    t = dataclasses.replace(t, title=title)
    return with_notes(t, [], name=name)


def _time_to_event(ctx: Context, name: str, spec: TimeToEventTable) -> TableResult:
    data = ctx.subjects(spec)
    covariates = dict(spec.covariates)
    dropped = constant_covariates(data, spec.time, list(covariates))
    notes = [
        f"{ctx.label(c)} (`{c}`) dropped from the Cox model: every analysed patient is {v!r}."
        for c, v in dropped.items()
    ]
    t = time_to_event_table(
        data,
        time=spec.time,
        event=spec.event,
        by=spec.by,
        covariates={k: v for k, v in covariates.items() if k not in dropped} or None,
        times=ctx.options.km_times_months,
        conf_type=ctx.options.km_conf_type,
        alpha=ctx.options.alpha,
        title=spec.title or f"{ctx.label(spec.time)} (Kaplan–Meier)",
        name=name,
        origin=ctx.config.exposure.day0_words,
    )
    return with_notes(t, notes)


def _frequencies(ctx: Context, name: str, spec: FrequenciesTable) -> TableResult:
    from analysis.stats.proportions import proportion_ci

    data, by, notes = usable_by(ctx.subjects(spec), [spec.by] if spec.by else [], ctx.label)
    b = by[0] if by else None
    data = data.assign(**{v: data[v].astype("string") for v in spec.variables if v != b})
    t = baseline_table(
        data,
        by=b,
        variables={v: ctx.label(v) for v in spec.variables if v != b},
        categorical=[v for v in spec.variables if v != b],
        categorical_test="none",
        seed=ctx.seed,
        table=name,
    )
    f = t.frame
    wide = f.loc[f["stat"].isin(["n", "N"])].pivot_table(
        index=["table", "variable", "group", "level"], columns="stat", values="value"
    )
    rows = []
    method = ""
    for (table, var, group, level), r in wide.dropna().iterrows():
        ci = proportion_ci(
            int(r["n"]), int(r["N"]), method=ctx.options.ci_method, alpha=ctx.options.alpha
        )
        method = ci.method
        for stat, value in (("ci_low", ci.ci_low), ("ci_high", ci.ci_high)):
            rows.append(
                {
                    "table": table,
                    "variable": var,
                    "group": group,
                    "level": level,
                    "stat": stat,
                    "value": 100 * value if np.isfinite(value) else np.nan,
                    "method": ci.method,
                }
            )
    from analysis.ard import ard_frame

    frame = concat_ard([f, ard_frame(rows)]) if rows else f
    notes.append(
        f"n (%) of patients with each level among those with a value; {ctx.options.ci_level}% CI "
        f"of the percentage: {method or ctx.options.ci_method}."
    )
    title = spec.title or "Frequencies of " + ", ".join(ctx.label(v) for v in spec.variables)
    t = dataclasses.replace(t, frame=frame, title=title, _displayed={})
    return with_notes(t, notes, name=name)


BUILDERS: dict[str, Callable[[Context, str, Any], TableResult]] = {
    "baseline": _baseline,
    "ae_incidence": _ae_incidence,
    "ae_severity": _ae_severity,
    "ae_by_exposure": _ae_by_exposure,
    "ae_duration": _ae_duration,
    "response": _response,
    "proportional_odds": _model,
    "logistic": _model,
    "time_to_event": _time_to_event,
    "frequencies": _frequencies,
}


def build_table(
    config: StudyConfig, result: CleanResult, name: str, spec: TableSpec
) -> TableResult:
    """One table of the plan; a failure is a ``PipelineError`` naming the table and its key."""
    from analysis.errors import PipelineError

    ctx = Context(config, result)
    if ctx.subjects(spec).empty:
        return _no_patients(name, spec)
    try:
        table = BUILDERS[spec.kind](ctx, name, spec)
    except (ValueError, KeyError) as exc:
        cause = str(exc).strip("'\"").rstrip(".")
        raise PipelineError(
            f"table {name!r} (kind {spec.kind}) cannot be built: {cause}. Change its settings "
            f"under `analysis.tables.{name}` in the study file, or remove it."
        ) from exc
    return relabelled(table, config)


def relabelled(table: TableResult, config: StudyConfig) -> TableResult:
    """``table`` displayed in the plan's words: level labels (``labels.levels``) in cells and
    column heads, variable labels for code names left in row texts ("HR therapy_group: ...").
    The ARD keeps the codes."""
    from analysis.relabel import relabel_frame

    words = config.analysis.labels
    levels = {lv: text for per_column in words.levels.values() for lv, text in per_column.items()}
    names = {c: variable_label(config, c) for c in (*words.variables, *config.groups)}
    if not levels and not names:
        return table
    layout = table.layout
    return dataclasses.replace(
        table,
        layout=lambda frame: relabel_frame(layout(frame), levels=levels, names=names),
        _displayed={},
    )


def _no_patients(name: str, spec: TableSpec) -> TableResult:
    """The table of an empty population: no numbers, a footnote saying why (the run's warnings
    name the inclusion step or subgroup that left nobody)."""
    from analysis.ard import ard_frame

    where = f"subgroup '{spec.population}'" if spec.population else "the included cohort"
    note = f"No patient in {where}: nothing to analyse (see the warnings of the run)."
    return TableResult(
        name=name,
        title=spec.title or name.replace("_", " ").capitalize(),
        frame=ard_frame([]),
        layout=lambda _frame: pd.DataFrame({"": ["No patients"]}),
        footnotes=(note,),
    )


__all__ = ["build_table", "constant_covariates", "exposure_subjects", "usable_by"]
