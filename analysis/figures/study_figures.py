"""The summary figures of one study, drawn from its cleaned data and ARD, written to disk."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.ard import group_cols, groups_of
from analysis.clean.derive import evaluate_conditions
from analysis.errors import ArgumentError, PipelineError, RetroError
from analysis.figures.adverse_events import plot_ae_by_exposure, plot_ae_incidence
from analysis.figures.captions import figure_caption, plan_levels
from analysis.figures.flow import criterion_reason, flow_counts, flow_figure
from analysis.figures.font_check import relayed
from analysis.figures.forest import forest_rows, label_lines, plot_forest
from analysis.figures.response import extra_height_in, plot_response_by_sex_therapy
from analysis.figures.schedule import plot_schedule_year1
from analysis.figures.survival import plot_km
from analysis.figures.theme import (
    DOUBLE_COLUMN_IN,
    SINGLE_COLUMN_IN,
    SMALL_FONT_PT,
    figure_theme,
    save_figure,
)
from analysis.stats.ci_level import fill_ci
from analysis.studyfile.column_kinds import time_origin_words
from analysis.studyfile.labels import level_words
from analysis.studyfile.plan import (
    FIGURE_KINDS_FROM_TABLES,
    AeByExposureFigure,
    AeIncidenceFigure,
    FigureSpec,
    FlowFigure,
    ForestFigure,
    KmFigure,
    ResponseBarsFigure,
    ScheduleFigure,
    figure_name,
)
from analysis.studyfile.plan_defaults import (
    effective_plan,
    level_label,
    variable_label,
)
from analysis.synthetic import MARK, is_synthetic
from analysis.tables._arguments import shaped
from analysis.tables.survival_data import survival_data
from analysis.tables.time_rules import survival_axis_label
from analysis.words import counted

if TYPE_CHECKING:
    from analysis.run.study import Study
    from analysis.studyfile.config import StudyConfig

log = logging.getLogger(__name__)

#: Width and height (inches) of each figure kind.
_SIZES = {
    "flow_diagram": (DOUBLE_COLUMN_IN, 4.4),
    "response_bars": (SINGLE_COLUMN_IN, 3.1),
    "ae_incidence": (SINGLE_COLUMN_IN, 3.2),
    "ae_by_exposure": (SINGLE_COLUMN_IN, 2.9),
    "schedule": (SINGLE_COLUMN_IN, 2.5),
    "km": (SINGLE_COLUMN_IN, 3.3),
    "forest": (DOUBLE_COLUMN_IN, 2.3),
}


def flow_reasons(study: Study) -> dict[str, str]:
    """Short exclusion reasons of the inclusion criteria, from their conditions in the YAML."""
    nouns = {"n_exposures": study.config.exposure.singular}
    return {f"inclusion:{c.id}": criterion_reason(c.where, nouns) for c in study.config.inclusion}


def figure_specs(config: StudyConfig) -> dict[str, FigureSpec]:
    """The figures of the study's plan by file stem, in plan order."""
    return {figure_name(f): f for f in effective_plan(config).figures}


def figure_stems(config: StudyConfig, *, from_tables: bool | None = None) -> list[str]:
    """Stems of the plan's figures; ``from_tables`` True/False: only those drawn from a table
    of the plan / only those drawn from the cleaned data alone."""
    return [
        stem
        for stem, f in figure_specs(config).items()
        if from_tables is None or (f.kind in FIGURE_KINDS_FROM_TABLES) == from_tables
    ]


def _draw(study: Study, stem: str, spec: FigureSpec, suppress_below: int | None = None) -> Figure:
    """One figure of the study's plan (``suppress_below``: as the tables show it, see
    ``analysis.figures.suppressed``)."""
    config, clean, tables = study.config, study.clean, study.tables
    opt = config.analysis.options
    k = suppress_below
    patients = _population(config, clean.patients, spec)

    def shown(name: str) -> pd.DataFrame:
        return tables[name].shown(suppress_below=k) if k else tables[name].frame

    def draw(ax: Axes) -> object:
        if isinstance(spec, ResponseBarsFigure):
            return plot_response_by_sex_therapy(
                patients,
                by=spec.by,
                within=spec.within,
                outcome=config.derive.response_column,
                within_labels=config.analysis.labels.levels.get(spec.within or "", {}),
                level_labels={
                    **level_words(config),  # the grades, as the response table shows them
                    **config.analysis.labels.levels.get(spec.by, {}),
                },
                suppress_below=k,
                hidden=_hidden_grades(study, spec, k) if k else frozenset(),
                ax=ax,
            )
        if isinstance(spec, AeIncidenceFigure):
            frame = shown(spec.table)
            split = any(spec.by in g for g in groups_of(frame))
            # a table not split by `by` (one level only: its footnote says so) shows all patients
            by = spec.by if split else None
            words = partial(level_label, config)  # labels.levels of by and of the terms
            table = effective_plan(config).tables.get(spec.table)
            per_exposure = getattr(table, "unit", "patients") == "exposures"
            subjects = f"Patient-{config.exposure.plural_noun}" if per_exposure else "Patients"
            return plot_ae_incidence(
                frame, by=by, table=spec.table, ax=ax, words=words, subjects=subjects
            )
        if isinstance(spec, AeByExposureFigure):
            return plot_ae_by_exposure(
                shown(spec.table),
                table=spec.table,
                noun=config.exposure.singular,
                ax=ax,
                words=partial(level_label, config),  # labels.levels of the terms
            )
        if isinstance(spec, ScheduleFigure):
            return plot_schedule_year1(
                patients,
                levels=config.derive.schedule_months,
                noun=config.exposure.singular,
                suppress_below=k,
                ax=ax,
            )
        if isinstance(spec, KmFigure):
            _no_missing_by(patients, spec)
            in_months, _ = survival_data(  # the times and censoring its table shows
                config, patients, time=spec.time, event=spec.event,
                censor_at_months=spec.censor_at_months,
            )  # fmt: skip
            return plot_km(
                in_months,
                time=spec.time,
                event=spec.event,
                by=spec.by,
                conf_type=opt.km_conf_type,
                alpha=opt.alpha,
                xlabel=fill_ci(spec.xlabel, opt.alpha)
                if spec.xlabel
                else f"Months since {time_origin_words(config, spec.time).removeprefix('the ')}",
                ylabel=fill_ci(spec.ylabel, opt.alpha)
                if spec.ylabel
                else survival_axis_label(config, spec.time, spec.event),
                labels=config.analysis.labels.levels.get(spec.by, {}),
                suppress_below=k,
                min_at_risk=(opt.km_min_at_risk.fraction, opt.km_min_at_risk.minimum),
                risk_events=spec.risk_events,
                ax=ax,
            )
        assert isinstance(spec, ForestFigure)
        frame = shown(spec.table)
        return plot_forest(
            frame,
            xlabel=fill_ci(spec.xlabel, opt.alpha) if spec.xlabel else None,
            **_forest_words(config, frame),
            ax=ax,
        )

    width, height = _SIZES[spec.kind]
    if isinstance(spec, ForestFigure):  # a line per row and label line, the references included
        frame = tables[spec.table].frame
        rows = forest_rows(frame, table=spec.table, **_forest_words(config, frame))
        height = max(height, 0.9 + 0.19 * (label_lines(list(rows["label"]), width) + 1))
    if isinstance(spec, FlowFigure):
        # places its boxes itself, over the whole figure, and grows taller when rows need it
        # the cohort splits into the levels of the study's first group, if it has one
        split = next(iter(config.groups), None)
        words = (
            {lv: level_label(config, split, lv) for lv in plan_levels(config, split)}
            if split
            else {}
        )
        counts = flow_counts(clean, split=split, reasons=flow_reasons(study), split_labels=words)
        return flow_figure(counts, width=width, height=height)
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    if patients.empty:  # the run warns which inclusion step (or population) left nobody
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No patients to show", ha="center", va="center")
    else:
        draw(ax)
        if isinstance(spec, ResponseBarsFigure):  # labels of several lines: a taller figure
            fig.set_figheight(height + extra_height_in(ax))
    return fig


def _forest_words(config: StudyConfig, frame: pd.DataFrame) -> dict[str, Any]:
    """The forest plot's ``labels`` and ``level_labels``: each covariate and level as the
    study names it."""
    names = sorted(set(frame["variable"]))
    return {
        "labels": {v: variable_label(config, v) for v in names},
        "level_labels": {
            v: {str(lv): level_label(config, v, str(lv)) for lv in _ard_levels(frame, v)}
            for v in names
        },
    }


def _population(config: StudyConfig, patients: pd.DataFrame, spec: FigureSpec) -> pd.DataFrame:
    """The patients a figure draws: those of its ``population`` (a subgroup), else all."""
    name = getattr(spec, "population", None)
    if name is None:
        return patients
    return patients.loc[evaluate_conditions(patients, config.subgroups[name].where)]


def _no_missing_by(patients: pd.DataFrame, spec: KmFigure) -> None:
    """A Kaplan–Meier figure draws a curve per level of ``by``: patients without one would be
    left out unseen, so their number and the study-file way to leave them out are given."""
    missing = int(patients[spec.by].isna().sum())
    if missing:
        raise PipelineError(
            f"its `by` column `{spec.by}` is missing for {counted(missing, 'patient')}, who "
            f"would be left out of every curve unseen. To draw the others, name as the "
            f"figure's `population` a subgroup with `where: [{{column: {spec.by}, op: "
            f"not_missing}}]` (give its time_to_event table the same `population`), or give "
            f"them a level first"
        )


def _ard_levels(frame: pd.DataFrame, variable: str) -> set[str]:
    """The levels and reference levels of ``variable`` in an ARD frame."""
    rows = frame.loc[frame["variable"] == variable]
    return (set(rows["level"]) | set(rows["reference"])) - {""}


def _hidden_grades(study: Study, spec: ResponseBarsFigure, k: int) -> set[tuple[str, str, str]]:
    """``(within, by, grade)`` cells that the plan's response tables hide under suppression
    (the bars must not show what the table withholds; ``within`` is "overall" without one)."""
    keys = {spec.by, spec.within} - {None}
    outcome = study.config.derive.response_column
    out: set[tuple[str, str, str]] = set()
    for name, table in effective_plan(study.config).tables.items():
        if table.kind != "response":
            continue
        shown = study.tables[name].shown(suppress_below=k)
        rows = shown.loc[shown["suppressed"] & (shown["stat"] == "n")]
        rows = rows.loc[rows["variable"] == outcome]
        rows = rows.loc[rows["reference"] == ""] if group_cols(rows) else rows.iloc[:0]
        for items, level in zip(groups_of(rows), rows["level"], strict=True):
            if set(items) == keys and all(items.values()):
                within = items[spec.within] if spec.within else "overall"
                out.add((within, items[spec.by], str(level)))
    return out


@shaped
def draw_figures(
    study: Study, stems: Sequence[str] | None = None, *, suppress_below: int | None = None
) -> dict[str, Figure]:
    """Draw the figures ``stems`` of the study's plan (default: all of them) in memory;
    ``save_figures`` writes them. Every number comes from ``study.clean`` or, for figures of a
    table, the study's tables (ARD). ``suppress_below=k``: nothing the suppressed tables hide is
    drawn (``analysis.figures.suppressed``; the flow diagram is drawn in full)."""
    specs = figure_specs(study.config)
    stems = list(specs) if stems is None else list(stems)
    unknown = [s for s in stems if s not in specs]
    if unknown:
        raise ArgumentError(
            f"unknown figure(s) {unknown}; the figures of this study's plan "
            f"(analysis.figures) are {list(specs)}"
        )
    study.check_figures_collect(stems)
    synthetic = is_synthetic(study.config)
    with figure_theme():
        drawn = {stem: _named(study, stem, specs, suppress_below) for stem in stems}
        return {stem: mark_synthetic(fig) if synthetic else fig for stem, fig in drawn.items()}


def _named(study: Study, stem: str, specs: dict[str, FigureSpec], k: int | None) -> Figure:
    """:func:`_draw` of one figure; a figure that cannot be drawn from the data (an error the
    toolkit recognises: a ``by`` with missing values, a table that cannot be built) is named
    with its key in the study file. Other errors (a defect) are raised as they are."""
    try:
        return _draw(study, stem, specs[stem], k)
    except RetroError as exc:
        cause = str(exc).strip("'\"").rstrip(".")
        i = list(specs).index(stem)
        raise PipelineError(
            f"figure {stem!r} (`analysis.figures[{i}]`, kind {specs[stem].kind}) cannot be "
            f"drawn: {cause}. Change its settings in the study file, or remove it."
        ) from exc


def mark_synthetic(fig: Figure) -> Figure:
    """``fig`` with a small grey "Synthetic data" in its top-right corner (the figures of a
    study whose data are synthetic, ``analysis.synthetic``); gives ``fig``. A figure laid out
    by matplotlib (constrained layout) is laid out below a strip of the text's height, so the
    mark covers no legend, label or number; the flow diagram keeps that corner free itself."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        strip = SMALL_FONT_PT * 1.5 / 72 / fig.get_figheight()  # the text's height, a fraction
        engine.set(rect=(0, 0, 1, 1 - strip))
    fig.text(
        0.995,
        0.995,
        MARK,
        ha="right",
        va="top",
        fontsize=SMALL_FONT_PT,
        color="#767676",
        gid="synthetic-mark",
    )
    return fig


def save_figures(
    figures: dict[str, Figure], out_dir: str | Path, *, formats: tuple[str, ...]
) -> dict[str, list[Path]]:
    """Write drawn figures as ``<out_dir>/<stem>.<format>`` (byte-identical run to run);
    returns ``{stem: [paths]}``."""
    saved = {}
    with figure_theme():
        for stem, fig in figures.items():
            # drawn here: what the drawing warns is said once, in words, naming the figure
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                saved[stem] = save_figure(fig, stem, out_dir, formats=formats)
            relayed(stem, caught, fig)
    return saved


def figures_dir(study: Study) -> Path:
    return Path(study.reports_dir) / "figures"


def make_figures(
    study: Study,
    *,
    out_dir: str | Path | None = None,
    formats: tuple[str, ...] = ("png", "svg", "pdf"),
) -> dict[str, list[Path]]:
    """Draw every summary figure of ``study`` and write PNG (300 dpi), SVG and PDF files under
    ``study.reports_dir / "figures"`` (or ``out_dir``). Returns ``{stem: [paths]}``."""
    out = Path(out_dir) if out_dir is not None else figures_dir(study)
    return save_figures(draw_figures(study), out, formats=formats)


__all__ = [
    "draw_figures",
    "figure_caption",
    "figure_specs",
    "figure_stems",
    "figures_dir",
    "flow_reasons",
    "make_figures",
    "mark_synthetic",
    "save_figures",
]
