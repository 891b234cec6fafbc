"""The summary figures of one study, drawn from its cleaned data and ARD, written to disk."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.figures.adverse_events import plot_ae_by_session, plot_ae_incidence
from analysis.figures.flow import criterion_reason, flow_counts, flow_figure
from analysis.figures.forest import plot_forest
from analysis.figures.response import plot_response_by_sex_therapy
from analysis.figures.schedule import plot_schedule_year1
from analysis.figures.survival import plot_km
from analysis.figures.theme import DOUBLE_COLUMN_IN, SINGLE_COLUMN_IN, figure_theme, save_figure

if TYPE_CHECKING:
    from analysis.study import Study

log = logging.getLogger(__name__)

FIGURE_STEMS = (
    "flow_diagram",
    "response_by_sex_therapy",
    "ae_incidence",
    "ae_by_session",
    "schedule_year1",
    "km_discontinuation",
    "forest_response",
)
#: Figures drawn from tables of the study (the others need only the cleaned data).
FIGURES_FROM_TABLES = ("ae_incidence", "ae_by_session", "forest_response")
_THERAPY_LABELS = {"combined": "Combined therapy"}


def flow_reasons(study: Study) -> dict[str, str]:
    """Short exclusion reasons of the inclusion criteria, from their conditions in the YAML."""
    return {f"inclusion:{c.id}": criterion_reason(c.where) for c in study.config.inclusion}


def _draw(study: Study, stem: str) -> Figure | None:
    """One figure of the study (``None`` when its input table is not available)."""
    clean = study.clean
    if stem == "flow_diagram":  # places its boxes itself, over the whole figure, taller if need be
        counts = flow_counts(clean, reasons=flow_reasons(study))
        return flow_figure(counts, width=DOUBLE_COLUMN_IN, height=4.4)
    tables = study.tables
    plans: dict[str, tuple[float, float, Callable[[Axes], object]]] = {
        "response_by_sex_therapy": (
            SINGLE_COLUMN_IN,
            3.1,
            lambda ax: plot_response_by_sex_therapy(
                clean.patients, within_labels=_THERAPY_LABELS, ax=ax
            ),
        ),
        "ae_incidence": (
            SINGLE_COLUMN_IN,
            3.2,
            lambda ax: plot_ae_incidence(tables["ae_incidence"].frame, by="sex", ax=ax),
        ),
        "ae_by_session": (
            SINGLE_COLUMN_IN,
            2.9,
            lambda ax: plot_ae_by_session(tables["ae_by_session"].frame, ax=ax),
        ),
        "schedule_year1": (
            SINGLE_COLUMN_IN,
            2.5,
            lambda ax: plot_schedule_year1(
                clean.patients, levels=study.config.derive.schedule_months, ax=ax
            ),
        ),
        "km_discontinuation": (
            SINGLE_COLUMN_IN,
            3.3,
            lambda ax: plot_km(
                clean.patients,
                time="time_to_discontinuation_months",
                event="is_discontinued",
                by="therapy_group",
                conf_type=str(_options(study).get("km_conf_type", "log")),
                labels=_THERAPY_LABELS,
                ax=ax,
            ),
        ),
        "forest_response": (
            DOUBLE_COLUMN_IN,
            2.3,
            lambda ax: plot_forest(
                tables["po_model"].frame, xlabel="Odds ratio of a better response (95% CI)", ax=ax
            ),
        ),
    }
    if stem == "forest_response" and "po_model" not in tables:
        log.warning(
            "figure forest_response skipped: the study has no 'po_model' table "
            "(analysis.tables.models not available)."
        )
        return None
    width, height, draw = plans[stem]
    fig = Figure(figsize=(width, height), layout="constrained")
    draw(fig.add_subplot())
    return fig


def _options(study: Study) -> dict[str, object]:
    from analysis.tables.study import options

    return options(study.config)


def draw_figures(study: Study, stems: Sequence[str] = FIGURE_STEMS) -> dict[str, Figure]:
    """Draw the summary figures ``stems`` of ``study`` (in memory; ``save_figures`` writes them).

    Stems as in ``FIGURE_STEMS``; every number comes from ``study.clean`` or, for
    ``FIGURES_FROM_TABLES``, the study's tables (ARD). ``forest_response`` is skipped with a
    logged warning when the study has no ``po_model`` table.
    """
    unknown = sorted(set(stems) - set(FIGURE_STEMS))
    if unknown:
        raise ValueError(f"unknown figure(s) {unknown}; the figures are {list(FIGURE_STEMS)}")
    figures: dict[str, Figure] = {}
    with figure_theme():
        for stem in stems:
            fig = _draw(study, stem)
            if fig is not None:
                figures[stem] = fig
    return figures


def save_figures(
    figures: dict[str, Figure], out_dir: str | Path, *, formats: tuple[str, ...]
) -> dict[str, list[Path]]:
    """Write drawn figures as ``<out_dir>/<stem>.<format>`` (byte-identical run to run);
    returns ``{stem: [paths]}``."""
    with figure_theme():
        return {
            stem: save_figure(fig, stem, out_dir, formats=formats) for stem, fig in figures.items()
        }


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
    "FIGURES_FROM_TABLES",
    "FIGURE_STEMS",
    "draw_figures",
    "figures_dir",
    "flow_reasons",
    "make_figures",
    "save_figures",
]
