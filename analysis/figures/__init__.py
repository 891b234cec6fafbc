"""Summary figures: ``plot_*(data, *, ..., ax=None) -> Axes``, their numbers from pure functions.

Each plot has a pure companion that returns the numbers it draws (``flow_counts``,
``response_distribution``, ``ae_incidence_points``, ``ae_by_exposure_lines``,
``schedule_counts``, ``number_at_risk``, ``forest_rows``), so they can be tested without
pixels. The house style applies only inside ``with figure_theme():``; ``save_figure`` writes
byte-identical PNG/SVG/PDF files; ``make_figures(study)`` draws the set of one study.
"""

from __future__ import annotations

from analysis.figures.adverse_events import (
    ae_by_exposure_lines,
    ae_incidence_points,
    plot_ae_by_exposure,
    plot_ae_incidence,
)
from analysis.figures.flow import criterion_reason, flow_counts, flow_figure, plot_flow_diagram
from analysis.figures.forest import forest_rows, n_analysed, plot_forest
from analysis.figures.response import plot_response_by_sex_therapy, response_distribution
from analysis.figures.schedule import plot_schedule_year1, schedule_counts
from analysis.figures.study_figures import figure_stems, make_figures
from analysis.figures.survival import number_at_risk, plot_km
from analysis.figures.theme import (
    DOUBLE_COLUMN_IN,
    ROLE_COLORS,
    SINGLE_COLUMN_IN,
    color_for,
    figure_theme,
    new_figure,
    save_figure,
)

__all__ = [
    "DOUBLE_COLUMN_IN",
    "ROLE_COLORS",
    "SINGLE_COLUMN_IN",
    "ae_by_exposure_lines",
    "ae_incidence_points",
    "color_for",
    "criterion_reason",
    "figure_theme",
    "flow_counts",
    "flow_figure",
    "forest_rows",
    "n_analysed",
    "figure_stems",
    "make_figures",
    "new_figure",
    "number_at_risk",
    "plot_ae_by_exposure",
    "plot_ae_incidence",
    "plot_flow_diagram",
    "plot_forest",
    "plot_km",
    "plot_response_by_sex_therapy",
    "plot_schedule_year1",
    "response_distribution",
    "save_figure",
    "schedule_counts",
]
