"""Ratios (odds, hazard) near 1 print with the decimals that keep a CI limit that is not 1 from
printing as 1, and the estimate from printing as a limit: "1.01 (1.00–1.02)" read as if the CI
touched 1 when it was 0.996–1.018 (the minoxidil age odds ratio per year)."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.ard import ard_frame
from analysis.figures.forest import plot_forest, ratio_text
from analysis.stats.design import Term
from analysis.tables.model_text import Words, model_layout
from analysis.tables.render import fmt_ratio, ratio_digits
from analysis.tables.time_to_event import _cox_layout


@pytest.mark.parametrize(
    ("est", "lo", "hi", "shown"),
    [
        (1.5, 0.9, 2.5, "1.50 (0.90–2.50)"),  # far from 1: two decimals as before
        (1.0070, 0.9963, 1.0178, "1.007 (0.996–1.018)"),  # lower limit printed 1.00 at 2
        (0.9817, 0.9630, 1.0008, "0.982 (0.963–1.001)"),  # upper limit printed 1.00 at 2
        (1.0004, 0.9996, 1.0012, "1.0004 (0.9996–1.0012)"),  # 1.000 at 3: one more
        (1.2348, 1.2341, 1.6, "1.235 (1.234–1.600)"),  # estimate printed as its lower limit
        (1.0, 1.0, 1.0, "1.00 (1.00–1.00)"),  # exactly 1: nothing to tell apart
        (1.004, 0.98, 1.03, "1.00 (0.98–1.03)"),  # only the estimate near 1: as before
    ],
)
def test_fmt_ratio_tells_a_limit_from_one_and_from_the_estimate(est, lo, hi, shown):
    assert fmt_ratio(est, lo, hi) == shown
    assert ratio_text(est, lo, hi) == shown  # the forest plot's column prints it alike


def test_ratio_digits_has_a_ceiling_and_ignores_missing():
    assert ratio_digits(1.0, 1.0 - 1e-12, 1.0 + 1e-12) == 6
    assert ratio_digits(float("nan"), 0.99, 1.01) == 2
    assert fmt_ratio(1.2, float("nan"), float("nan")) == "1.20"


def _model_frame(context: str, estimate: float, lo: float, hi: float) -> pd.DataFrame:
    base = {"table": "m", "context": context, "variable": "age_years", "level": "",
            "reference": "", "group": "overall"}  # fmt: skip
    return ard_frame([
        {**base, "stat": "estimate", "value": estimate, "method": "odds ratio; per year"},
        {**base, "stat": "ci_low", "value": lo, "method": "Wald 95% CI; per year"},
        {**base, "stat": "ci_high", "value": hi, "method": "Wald 95% CI; per year"},
        {**base, "stat": "p_value", "value": 0.231, "method": "Wald z; per year"},
    ])  # fmt: skip


def test_odds_ratio_per_year_in_the_model_table():
    frame = _model_frame("logistic_regression", 1.0070, 0.9963, 1.0178)
    term = Term("age_years", "age_years", "per year", "per year")
    out = model_layout(frame, [term], 0.05, Words({"age_years": "Age, years"}), ())
    assert out.iloc[0].tolist() == ["Age, years (per year)", "1.007 (0.996–1.018)", "0.231"]


def test_hazard_ratio_per_year_in_the_cox_table():
    frame = _model_frame("cox_regression", 0.9817, 0.9630, 1.0008)
    out = _cox_layout(
        frame, {"age_years": "Age, years (per year)"}, {"age_years": ("age_years", "", "")}
    )
    assert out.iloc[0]["HR (95% CI)"] == "0.982 (0.963–1.001)"


def test_forest_plot_prints_the_limit_apart_from_one():
    frame = _model_frame("proportional_odds", 1.0070, 0.9963, 1.0178)
    with mpl.rc_context({"figure.max_open_warning": 0}):
        fig, ax = plt.subplots()
        try:
            plot_forest(frame, ax=ax)
            texts = [t.get_text() for t in ax.texts]
        finally:
            plt.close(fig)
    assert "1.007 (0.996–1.018)" in texts and "1.01 (1.00–1.02)" not in texts
