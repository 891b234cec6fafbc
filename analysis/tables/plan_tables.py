"""Each table of the analysis plan built by the existing builders of ``analysis.tables``.

One function per table ``kind``; each restricts the subjects to the table's ``population``, the
events to its ``where``, passes the plan's options and labels, and turns what would stop a
model or a grouped table (a constant covariate, an empty ``by`` level) into a footnote.

Over 400 lines as one job: the one dispatch from a plan's table kinds to their builders, each
entry a few lines of the same shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.ard import concat_ard
from analysis.clean.derive import not_applicable_rules
from analysis.errors import ArgumentError
from analysis.privacy import check_shown
from analysis.studyfile.design import rule_columns
from analysis.studyfile.plan import (
    BaselineTable,
    CoxTable,
    FrequenciesTable,
    KmFigure,
    LogisticTable,
    ProportionalOddsTable,
    ResponseTable,
    TableSpec,
    TimeToEventTable,
)
from analysis.studyfile.plan_defaults import effective_plan, level_label, marked_level
from analysis.tables import models
from analysis.tables.after_day0 import after_day0_notes
from analysis.tables.baseline import baseline_table
from analysis.tables.immortal_time import immortal_time_note
from analysis.tables.plan_ae import (
    build_ae_by_exposure,
    build_ae_duration,
    build_ae_incidence,
    build_ae_severity,
    exposure_subjects,
)
from analysis.tables.plan_context import (
    Context,
    constant_covariates,
    usable_by,
    with_notes,
    without_empty_levels,
)
from analysis.tables.render import TableResult
from analysis.tables.response import response_table
from analysis.tables.survival_data import survival_data
from analysis.tables.time_rules import in_months_label, teae_window_words, time_rule_note
from analysis.tables.time_to_event import cox_table, time_to_event_table
from analysis.words import counted, in_sentence, without_unit

SEX = "sex"  # the canonical sex column of the patient table

if TYPE_CHECKING:
    from analysis.clean.stage import CleanResult
    from analysis.studyfile.config import StudyConfig


def _model(ctx: Context, name: str, spec: ProportionalOddsTable | LogisticTable) -> TableResult:
    data = ctx.subjects(spec)
    notes: list[str] = []
    if isinstance(spec, LogisticTable) and not isinstance(spec.outcome, str):
        term = spec.outcome.ae_term
        vocab = ctx.config.vocabularies.get("ae_term")
        one_sex = vocab.sex_specific.get(term) if vocab is not None else None
        if one_sex is not None and SEX in data:
            # an event of one sex: its denominator is that sex, as in the adverse-event tables
            data = data.loc[data[SEX].astype("string") == one_sex]
            notes.append(
                f"Population: {in_sentence(level_label(ctx.config, SEX, one_sex))} patients only "
                f"({len(data)}): {term} is an event of one sex (`sex_specific` of the "
                "vocabulary `ae_term`)."
            )
        col = models.subjects_with_term(data, ctx.events(data, spec), term)
        data = _model_columns(data, spec.covariates).assign(**{col.name: col.to_numpy()})
        outcome = str(col.name)
        outcome_words = f"{term} (at least one treatment-emergent event)"
    else:
        outcome = str(spec.outcome)
        outcome_words = ctx.label(outcome)
    if not isinstance(spec.outcome, str) or outcome == "has_teae":
        notes.append(f"Treatment-emergent events: {teae_window_words(ctx.config)}.")
    covariates = list(spec.covariates)
    dropped = constant_covariates(data, outcome, covariates)
    covariates = [c for c in covariates if c not in dropped]
    if not covariates:
        raise ArgumentError(f"every covariate is constant among the analysed patients {dropped}")
    n = len(data[[outcome, *spec.covariates]].dropna())
    notes += [
        f"{ctx.label(c)} dropped from the covariates: every one of the {n} complete "
        f"cases is {v!r}, so it has no contrast to estimate."
        for c, v in dropped.items()
    ]
    notes += after_day0_notes(ctx.config, covariates, ctx.label, over_time=False)
    reference = {k: v for k, v in spec.reference.items() if k in covariates}
    common = {
        "outcome": outcome,
        "covariates": covariates,
        "reference": reference or None,
        "alpha": ctx.options.alpha,
        "table": name,
        "units": ctx.units,
        "labels": {c: ctx.label(c) for c in [*covariates, outcome]},
        "level_labels": {c: ctx.level_labels(c, data[c]) for c in [*covariates, outcome]},
    }
    if isinstance(spec, LogisticTable):
        title = spec.title or f"Logistic regression of {in_sentence(outcome_words)}"
        t = models.logistic_model(data, title=title, **common)
    else:
        t = models.proportional_odds(data, **common)
        title = spec.title or f"Proportional-odds model of {in_sentence(outcome_words)}"
        t = dataclasses.replace(t, title=title)
    return with_notes(t, notes)


def _model_columns(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """The columns of ``data`` a model of an added outcome reads (its covariates), so that
    adding the outcome copies those, not every column of the patient table; all of ``data``
    when a covariate is not among them (the model then says which)."""
    if all(c in data.columns for c in covariates):
        return data[list(dict.fromkeys(covariates))]
    return data


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
        not_tested=_not_tested(ctx, spec.variables, b, spec.not_tested),
        by_label=ctx.label(b) if b else None,
        not_applicable=not_applicable_rules(ctx.config),
    )
    if spec.title:
        t = dataclasses.replace(t, title=spec.title)
    return with_notes(t, notes, name=name)


def _not_tested(
    ctx: Context, variables: list[str], by: str | None, declared: dict[str, str]
) -> dict[str, str]:
    """Variables of a baseline or frequencies table shown without a test or SMD, and why: those
    the grouping's own rule is derived from (``groups.<by>``); by sex, those with levels of one
    sex (vocabulary ``sex_specific``); then the table's own (``declared``)."""
    out: dict[str, str] = {}
    group = ctx.config.groups.get(by) if by else None
    if group is not None and by:
        words = in_sentence(ctx.label(by))
        for col in rule_columns(ctx.config.groups, by):
            if col in variables:
                out[col] = f"defines the groups ({words} is derived from these variables)"
    if by == SEX:
        for col in variables:
            found = ctx.config.vocabulary_for(col)
            if found is not None and found[1].sex_specific:
                of_one = ", ".join(f"{lv} ({sex})" for lv, sex in found[1].sex_specific.items())
                out[col] = f"partly determined by sex: levels of one sex, {of_one}"
    return {**out, **declared}


def _response(ctx: Context, name: str, spec: ResponseTable) -> TableResult:
    d = ctx.config.derive
    # a level of `by` or `within` without a patient is not a column, as in the other tables
    data, notes = ctx.subjects(spec), []
    for col in (spec.by, spec.within):
        if col is not None and col in data.columns:
            data, dropped = without_empty_levels(data, col, ctx.label)
            notes += dropped
    t = response_table(
        data,
        by=spec.by,
        within=spec.within,
        outcome=d.response_column,
        improvement_levels=tuple(d.improvement_levels),
        marked_level=marked_level(ctx.config),
        ci=ctx.options.ci_method,
        alpha=ctx.options.alpha,
        trend_test=spec.trend_test or ctx.options.response_trend_test,
        seed=ctx.seed,
    )
    within = f" within {in_sentence(ctx.label(spec.within))}" if spec.within else ""
    title = (
        spec.title or f"{ctx.label(d.response_column)} by {in_sentence(ctx.label(spec.by))}{within}"
    )
    t = dataclasses.replace(t, title=title)
    return with_notes(t, notes, name=name)


def _time_to_event(ctx: Context, name: str, spec: TimeToEventTable) -> TableResult:
    floor = ctx.options.km_min_at_risk
    # the note on where the curves stop describes a Kaplan–Meier figure of these patients
    drawn = any(
        isinstance(f, KmFigure)
        and (f.time, f.event, f.by, f.population)
        == (spec.time, spec.event, spec.by, spec.population)
        for f in effective_plan(ctx.config).figures
    )
    data, prepared = survival_data(
        ctx.config, ctx.subjects(spec), time=spec.time, event=spec.event,
        censor_at_months=spec.censor_at_months,
    )  # fmt: skip
    t = time_to_event_table(
        data,
        time=spec.time,
        event=spec.event,
        by=spec.by,
        times=ctx.options.km_times_months,
        conf_type=ctx.options.km_conf_type,
        alpha=ctx.options.alpha,
        title=spec.title or f"{in_months_label(ctx.label(spec.time))} (Kaplan–Meier)",
        name=name,
        origin=ctx.config.exposure.day0_words,
        curve_floor=(floor.fraction, floor.minimum) if drawn else None,
        level_names=ctx.config.analysis.labels.levels.get(spec.by, {}),
        time_note=time_rule_note(ctx.config, data, time=spec.time, event=spec.event),
    )
    immortal = immortal_time_note(ctx.config, spec.time)
    notes = [
        *prepared,
        *([immortal] if immortal else []),
        *after_day0_notes(ctx.config, [spec.by], ctx.label),
    ]
    if notes:
        t = with_notes(t, notes)
    if spec.covariates:
        t = with_notes(t, ["Hazard ratios (Cox model): in the table that follows."])
    return t


def _cox(ctx: Context, name: str, spec: CoxTable) -> TableResult:
    data, prepared = survival_data(
        ctx.config, ctx.subjects(spec), time=spec.time, event=spec.event,
        censor_at_months=spec.censor_at_months,
    )  # fmt: skip
    covariates = dict(spec.covariates)
    dropped = constant_covariates(data, spec.time, list(covariates))
    notes = prepared[-1:] if spec.censor_at_months is not None else []  # HRs have no unit
    notes += [
        f"{ctx.label(c)} (`{c}`) dropped from the Cox model: every analysed patient is {v!r}."
        for c, v in dropped.items()
    ]
    kept = {k: v for k, v in covariates.items() if k not in dropped}
    if not kept:
        raise ArgumentError(f"every covariate is constant among the analysed patients {dropped}")
    notes += after_day0_notes(ctx.config, [spec.by, *kept], ctx.label)
    t = cox_table(
        data,
        time=spec.time,
        event=spec.event,
        covariates=kept,
        alpha=ctx.options.alpha,
        title=spec.title
        or f"Cox proportional-hazards model of {in_sentence(without_unit(ctx.label(spec.time)))}",
        name=name,
        by=spec.by,
        units=ctx.units,
    )
    return with_notes(t, notes)


def _frequencies(ctx: Context, name: str, spec: FrequenciesTable) -> TableResult:
    from analysis.stats.proportions import proportion_ci

    data, by, notes = usable_by(ctx.subjects(spec), [spec.by] if spec.by else [], ctx.label)
    b = by[0] if by else None
    # every variable summarised as categories: a categorical keeps its vocabulary's order
    data = data.assign(
        **{
            v: data[v].astype("string")
            for v in spec.variables
            if v != b and not isinstance(data[v].dtype, pd.CategoricalDtype)
        }
    )
    t = baseline_table(
        data,
        by=b,
        variables={v: ctx.label(v) for v in spec.variables if v != b},
        categorical=[v for v in spec.variables if v != b],
        categorical_test="none",
        seed=ctx.seed,
        table=name,
        not_tested=_not_tested(ctx, spec.variables, b, spec.not_tested),
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

    frame = concat_ard([f, ard_frame(rows, context="categorical_summary")]) if rows else f
    notes.append(
        f"{ctx.options.ci_level}% CIs of the percentages ({method or ctx.options.ci_method}) "
        "are not shown; they are in the analysis results data (ard.csv)."
    )
    title = spec.title or "Frequencies of " + ", ".join(ctx.label(v) for v in spec.variables)
    t = dataclasses.replace(t, frame=frame, title=title, _displayed={})
    return with_notes(t, notes, name=name)


BUILDERS: dict[str, Callable[[Context, str, Any], TableResult]] = {
    "baseline": _baseline,
    "ae_incidence": build_ae_incidence,
    "ae_severity": build_ae_severity,
    "ae_by_exposure": build_ae_by_exposure,
    "ae_duration": build_ae_duration,
    "response": _response,
    "proportional_odds": _model,
    "logistic": _model,
    "time_to_event": _time_to_event,
    "cox": _cox,
    "frequencies": _frequencies,
}


def build_table(
    config: StudyConfig, result: CleanResult, name: str, spec: TableSpec
) -> TableResult:
    """One table of the plan; a failure is a ``PipelineError`` naming the table and its key."""
    from analysis.errors import PipelineError

    ctx = Context(config, result)
    check_shown(name, spec, result.tables, config)  # no identifier, date or free text shown
    population = ctx.subjects(spec)
    if population.empty:
        return _no_patients(name, spec, config)
    try:
        table = BUILDERS[spec.kind](ctx, name, spec)
    except (ValueError, KeyError) as exc:
        cause = str(exc).strip("'\"").rstrip(".")
        raise PipelineError(
            f"table {name!r} (kind {spec.kind}) cannot be built: {cause}. Change its settings "
            f"under {config.key_at('analysis', 'tables', name)} in the study file, or remove it."
        ) from exc
    if spec.population is not None:  # the reader is told whom the table counts
        table = with_notes(table, [_population_note(config, spec.population, len(population))])
    return relabelled(table, config, _columns(result))


def _population_note(config: StudyConfig, population: str, n: int) -> str:
    """The footnote of a table restricted to a subgroup: its label and size."""
    label = config.subgroups[population].label
    return f'Population: the subgroup "{label}", {counted(n, "patient")} of the included cohort.'


def relabelled(table: TableResult, config: StudyConfig, columns: Iterable[str] = ()) -> TableResult:
    """``table`` displayed in the plan's words (:mod:`analysis.studyfile.labels`): level labels
    in cells and column heads, column labels for code names left in row texts ("HR
    therapy_group: ...") and for code names in the title and footnotes (``columns``: the
    analysis tables' columns, beside those the study file names). The ARD keeps the codes."""
    from analysis.studyfile.labels import column_words, declared_levels, level_words
    from analysis.tables.relabel import relabel_frame, relabel_note

    levels = {**_toolkit_rows(), **level_words(config)}
    names = column_words(config, columns)
    by_column = {
        col: {lv: level_label(config, col, lv) for lv in lvs}
        for col, lvs in declared_levels(config).items()
    }
    layout, notes_of = table.layout, table.notes_of

    def words(notes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(relabel_note(n, levels, names) for n in notes)

    return dataclasses.replace(
        table,
        title=relabel_note(table.title, levels, names),
        footnotes=words(table.footnotes),
        layout=lambda frame: relabel_frame(
            layout(frame), levels=levels, names=names, by_column=by_column
        ),
        notes_of=None if notes_of is None else (lambda frame: words(notes_of(frame))),
        _displayed={},
    )


def _toolkit_rows() -> dict[str, str]:
    """The rows the table builders add of their own, as the study's levels are shown: with a
    capital first letter ("any adverse event" -> "Any adverse event")."""
    from analysis.clean.derive import NOT_APPLICABLE
    from analysis.tables.adverse_events import ANY, SERIOUS
    from analysis.tables.ae_severity import NONE_LEVEL, NOT_RECORDED_LEVEL
    from analysis.tables.response import ANY_LEVEL

    rows = (ANY, SERIOUS, ANY_LEVEL, NONE_LEVEL, NOT_RECORDED_LEVEL, NOT_APPLICABLE)
    return {row: row[:1].upper() + row[1:] for row in rows}


def _columns(result: CleanResult) -> list[str]:
    """Every column of the analysis tables (the code names a table could show)."""
    return list(dict.fromkeys(c for t in result.tables.values() for c in t.columns))


def _no_patients(name: str, spec: TableSpec, config: StudyConfig) -> TableResult:
    """The table of an empty population: no numbers, a footnote saying why (the run's warnings
    name the inclusion step or subgroup that left nobody)."""
    from analysis.ard import ard_frame

    where = (
        f'the subgroup "{config.subgroups[spec.population].label}"'
        if spec.population
        else "the included cohort"
    )
    note = f"No patient in {where}: nothing to analyse (see the warnings of the run)."
    return TableResult(
        name=name,
        title=spec.title or name.replace("_", " ").capitalize(),
        frame=ard_frame([]),
        layout=lambda _frame: pd.DataFrame({"": ["No patients"]}),
        footnotes=(note,),
    )


__all__ = ["build_table", "constant_covariates", "exposure_subjects", "usable_by"]
