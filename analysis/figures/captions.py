"""Figure captions: the plan's own, else made from the plan, its labels and options, with the
sentence that says how a figure limits what it draws and, for a subgroup, whose patients."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from analysis.figures.adverse_events import MAX_TERMS
from analysis.stats.at_risk import floor_rule_text
from analysis.stats.ci_level import fill_ci
from analysis.studyfile.plan import (
    AeByExposureFigure,
    AeByExposureTable,
    AeIncidenceFigure,
    FigureSpec,
    FlowFigure,
    KmFigure,
    ResponseBarsFigure,
    ScheduleFigure,
)
from analysis.studyfile.plan_defaults import (
    effective_plan,
    level_label,
    variable_label,
    with_cox_tables,
)
from analysis.words import in_sentence

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig


def figure_caption(config: StudyConfig, spec: FigureSpec) -> str:
    """The caption the plan gives, else one made from the plan, its labels and options; a
    figure of a subgroup (``population``) says which."""
    text = _caption(config, spec)
    name = getattr(spec, "population", None)
    if name is None:
        return text
    return f'{text} Patients of the subgroup "{config.subgroups[name].label}".'


def _caption(config: StudyConfig, spec: FigureSpec) -> str:
    """The caption the plan gives, else one made from the plan, its labels and options."""
    e, opt = config.exposure, config.analysis.options
    if spec.caption:
        return " ".join([fill_ci(spec.caption, opt.alpha), *_rule_of(config, spec)])

    def word(col: str) -> str:
        return in_sentence(variable_label(config, col))

    if isinstance(spec, FlowFigure):
        return "Flow of patients from the raw records to the analysed cohort."
    if isinstance(spec, ScheduleFigure):
        return f"Usual interval between {e.plural_noun} in the first year."
    if isinstance(spec, AeIncidenceFigure):
        table = effective_plan(config).tables.get(spec.table)
        per_exposure = getattr(table, "unit", "patients") == "exposures"
        who = f"Patient-{e.plural_noun}" if per_exposure else "Patients"
        return f"{who} with each adverse event (% with {opt.ci_label}), by {word(spec.by)}."
    if isinstance(spec, AeByExposureFigure):
        return " ".join([f"Patients with an adverse event after each {e.singular} number, for "
                         f"the adverse events with the most patients over all {e.plural_noun} "
                         f"(at most {MAX_TERMS}).", *_rule_of(config, spec)])  # fmt: skip
    if isinstance(spec, ResponseBarsFigure):
        text = (
            f"Response grades at {config.derive.response_target_month:g} months by {word(spec.by)}"
        )
        if spec.within:
            levels = plan_levels(config, spec.within)
            names = [in_sentence(level_label(config, spec.within, lv)) for lv in levels]
            text += f", within {' and '.join(names)}" if names else f", within {word(spec.within)}"
        return text + "."
    if isinstance(spec, KmFigure):
        text = f"{variable_label(config, spec.time)} by {word(spec.by)} (Kaplan–Meier)."
        return " ".join([text, *_rule_of(config, spec)])
    model = with_cox_tables(dict(effective_plan(config).tables)).get(spec.table)
    ratios = "Hazard ratios" if getattr(model, "kind", "") == "cox" else "Odds ratios"
    # every model of the toolkit gives Wald intervals and Wald p-values (its table's footnote)
    ci = f"Wald {opt.ci_label}".replace(" CI", " CIs")
    return f"{ratios} with {ci} and Wald p-values: {_model_words(config, spec.table, word)}."


def _model_words(config: StudyConfig, table: str, word: Callable[[str], str]) -> str:
    """The model a forest plot shows, in words: its table's title (first letter small), else
    "the model of <outcome label>" (a time_to_event table's Cox model included)."""
    spec = with_cox_tables(dict(effective_plan(config).tables)).get(table)
    title = getattr(spec, "title", None)
    if title:
        return in_sentence(title)
    outcome = getattr(spec, "outcome", None)
    return f"the model of {word(outcome)}" if isinstance(outcome, str) else "the model"


def _rule_of(config: StudyConfig, spec: FigureSpec) -> list[str]:
    """The sentence a figure's caption adds to state how it limits what it draws: where a
    Kaplan–Meier curve stops, how per-exposure numbers are pooled (its table's rule)."""
    if isinstance(spec, KmFigure):
        floor = config.analysis.options.km_min_at_risk
        rule = floor_rule_text(fraction=floor.fraction, minimum=floor.minimum)
        text = f"Each curve stops where fewer than {rule} remain at risk."
        if spec.risk_events:
            text += " Under the axis: patients at risk (cumulative events)."
        return [text]
    table = (
        effective_plan(config).tables.get(spec.table)
        if isinstance(spec, AeByExposureFigure)
        else None
    )
    if isinstance(table, AeByExposureTable):
        floor, noun = table.pool_below, config.exposure.singular
        rule = floor_rule_text(fraction=floor.fraction, minimum=floor.minimum)
        rule = rule.replace("of the group", f"of those who received the first {noun}")
        cap = f", and at most up to {noun} {table.max_exposure}" if table.max_exposure else ""
        return [
            f"Each {noun} number is shown while at least {rule} received it{cap}; later ones "
            "are pooled as ≥ k, with the patients who received the k-th under the tick (N)."
        ]
    return []


def plan_levels(config: StudyConfig, column: str) -> list[str]:
    if column in config.groups:
        return list(config.groups[column].levels)
    found = config.vocabulary_for(column)
    return list(found[1].levels) if found else []


__all__ = ["figure_caption", "plan_levels"]
