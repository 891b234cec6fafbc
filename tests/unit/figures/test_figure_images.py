"""Image regression tests: the flow diagram, the response bars, the Kaplan–Meier curves (each
stopped where too few remain at risk) and the adverse events by session (the tail pooled) of
the reference study, compared with committed baseline PNGs.

Tolerance: ``compare_images`` computes the RMS of the per-pixel difference on the 0-255 scale
over every pixel and channel. Re-rendering in the same environment gives RMS 0 (the matplotlib
wheel bundles its FreeType, and the fonts are matplotlib's bundled DejaVu Sans). ``TOL = 1.0``
leaves room for anti-aliasing noise from another Agg/FreeType build, yet fails on the smallest
real change we measured: one digit of one flow-box count (40 -> 41 excluded) gives RMS 1.32;
one patient moved to another response grade gives RMS 7.4 (both checked below).

Regenerate the baselines (after an intended change, and LOOK at them) with

    RETRO_UPDATE_BASELINES=1 .venv/bin/pytest tests/unit/figures/test_figure_images.py
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images

from analysis.figures import (
    figure_theme,
    flow_counts,
    plot_ae_by_exposure,
    plot_flow_diagram,
    plot_km,
    plot_response_by_sex_therapy,
    save_figure,
)
from analysis.figures.study_figures import flow_reasons

BASELINE_DIR = Path(__file__).parent / "baseline_images"
TOL = 1.0
UPDATE = os.environ.get("RETRO_UPDATE_BASELINES") == "1"


class _StudyLike:
    def __init__(self, config) -> None:
        self.config = config


def _flow(clean, config) -> Figure:
    fig = Figure(figsize=(7.2, 4.4))
    ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
    counts = flow_counts(clean, reasons=flow_reasons(_StudyLike(config=config)))  # type: ignore[arg-type]
    plot_flow_diagram(counts, ax=ax)
    return fig


def _response(clean, config) -> Figure:
    fig = Figure(figsize=(3.5, 3.1), layout="constrained")
    plot_response_by_sex_therapy(
        clean.patients, within_labels={"combined": "Combined therapy"}, ax=fig.add_subplot()
    )
    return fig


def _km(clean, config) -> Figure:
    fig = Figure(figsize=(3.5, 3.3), layout="constrained")
    plot_km(clean.patients, time="time_to_discontinuation_months", event="is_discontinued",
            by="therapy_group", min_at_risk=(0.10, 10), ax=fig.add_subplot(),
            ylabel="Proportion still on treatment")  # fmt: skip
    return fig


def _ae_by_exposure(clean, config) -> Figure:
    from analysis.tables.ae_detail import ae_by_exposure

    t = clean.tables
    ard = ae_by_exposure(t["adverse_events"], t["exposures"], noun="session").frame
    fig = Figure(figsize=(3.5, 2.9), layout="constrained")
    plot_ae_by_exposure(ard, noun="session", ax=fig.add_subplot())
    return fig


# name -> (draw, dpi): 7.2 x 4.4 in at 90 dpi = 648 x 396 px; 3.5 x 3.1 in at 170 dpi = 595 x 527
CASES: dict[str, tuple[Callable[..., Figure], int]] = {
    "flow_diagram": (_flow, 90),
    "response_by_sex_therapy": (_response, 170),
    "km_discontinuation": (_km, 170),
    "ae_by_exposure": (_ae_by_exposure, 170),
}


def _render(name: str, clean, config, out_dir: Path) -> Path:
    draw, dpi = CASES[name]
    with figure_theme():
        fig = draw(clean, config)
        (path,) = save_figure(fig, name, out_dir, formats=("png",), dpi=dpi)
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_figure_matches_baseline(name, reference_clean, reference_config, tmp_path):
    actual = _render(name, reference_clean, reference_config, tmp_path)
    expected = BASELINE_DIR / f"{name}.png"
    if UPDATE:
        BASELINE_DIR.mkdir(exist_ok=True)
        shutil.copyfile(actual, expected)
    assert expected.exists(), f"no baseline {expected}; run with RETRO_UPDATE_BASELINES=1"
    assert expected.stat().st_size < 150_000
    result = compare_images(str(expected), str(actual), tol=TOL)
    assert result is None, result


def test_tolerance_catches_a_changed_grade(reference_clean, reference_config, tmp_path):
    """The tolerance is tight enough to see one patient moved to another response grade."""
    patients = reference_clean.patients.copy()
    who = patients.index[
        (patients["therapy_group"] == "monotherapy")
        & (patients["sex"] == "female")
        & (patients["response_12m"] == "worsening")
    ][0]
    patients.loc[who, "response_12m"] = "stabilization"

    class _Clean:
        pass

    changed = _Clean()
    changed.patients = patients  # type: ignore[attr-defined]
    actual = _render("response_by_sex_therapy", changed, reference_config, tmp_path)
    expected = BASELINE_DIR / "response_by_sex_therapy.png"
    result = compare_images(str(expected), str(actual), tol=TOL)
    assert result is not None and "Image files did not match" in result


def test_tolerance_catches_a_changed_flow_count(reference_clean, reference_config, tmp_path):
    """One digit of one count in the flow diagram is above the tolerance."""
    counts = flow_counts(reference_clean, reasons=flow_reasons(_StudyLike(config=reference_config)))  # type: ignore[arg-type]
    counts.loc[counts["label"] == "follow-up < 6 months", "n"] = 41
    with figure_theme():
        fig = Figure(figsize=(7.2, 4.4))
        plot_flow_diagram(counts, ax=fig.add_axes((0.005, 0.005, 0.99, 0.99)))
        (actual,) = save_figure(
            fig, "flow", tmp_path, formats=("png",), dpi=CASES["flow_diagram"][1]
        )
    result = compare_images(str(BASELINE_DIR / "flow_diagram.png"), str(actual), tol=TOL)
    assert result is not None and "Image files did not match" in result
