"""Both shipped studies run at ``analysis.options.alpha: 0.10``: every table heading, cell and
footnote, every figure text and caption and the report HTML say "90% CI", never "95%"; and the
numbers are 90% intervals (the AE table's Wilson CIs equal statsmodels' at alpha 0.10; the KM
figure's bands are those of the 90% Kaplan–Meier table)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.text import Text
from statsmodels.stats.proportion import proportion_confint

from analysis.figures.study_figures import draw_figures, figure_specs, save_figures
from analysis.report.html import render_report_html, report_inputs
from analysis.run.study import Study
from analysis.stats.ci_level import (
    ci_label,
    ci_level,
    fill_ci,
    label_from_methods,
    stated_levels,
)
from analysis.stats.survival import km_table
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.plan import KmFigure
from analysis.studyfile.plan_checks import check_ci_levels
from analysis.studyfile.plan_defaults import effective_plan

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[3]
STUDIES = ["dutasteride_mesotherapy", "low_dose_oral_minoxidil"]
ALPHA = 0.10
NINETY_FIVE = re.compile(r"\b95(?:\.0+)?\s?%")


def _at_alpha(path: Path, alpha: float) -> StudyConfig:
    """The study file's config with ``analysis.options.alpha`` replaced."""
    config = StudyConfig.load(path)
    options = config.analysis.options.model_copy(update={"alpha": alpha})
    plan = config.analysis.model_copy(update={"options": options})
    return config.model_copy(update={"analysis": plan})


@pytest.fixture(scope="module", params=STUDIES)
def run(request, tmp_path_factory) -> dict:
    """Tables, drawn figures and report HTML of one shipped study at alpha 0.10."""
    study = Study(_at_alpha(REPO / "studies" / f"{request.param}.yaml", ALPHA))
    figures = draw_figures(study)
    out = tmp_path_factory.mktemp(f"figures-{request.param}")
    saved = save_figures(figures, out, formats=("svg",))
    html = render_report_html(
        report_inputs(
            study,
            figures={stem: paths[0] for stem, paths in saved.items()},
            claims=None,  # the manuscript's own words (its 95% CIs) are not the tool's
            provenance={},
        )
    )
    return {"study": study, "figures": figures, "html": html}


def _table_texts(study: Study) -> dict[str, list[str]]:
    """Per table: its title, column headers, every displayed cell and its footnotes."""
    out = {}
    for name, table in study.tables.items():
        shown = table.display()
        cells = [str(v) for v in shown.to_numpy().ravel()]
        out[name] = [table.title, *map(str, shown.columns), *cells, *table.footnotes]
    return out


def _figure_texts(figures: dict) -> dict[str, list[str]]:
    return {
        stem: [t.get_text() for t in fig.findobj(Text) if t.get_text()]
        for stem, fig in figures.items()
    }


def test_ci_level_helpers():
    assert (ci_level(0.05), ci_level(0.10), ci_level(0.025), ci_level(0.01)) == (
        "95",
        "90",
        "97.5",
        "99",
    )
    assert ci_label(0.10) == "90% CI"
    assert fill_ci("Odds ratio ({ci})", 0.10) == "Odds ratio (90% CI)"
    assert fill_ci("no level here", 0.10) == "no level here"
    assert stated_levels("OR (95% CI); HR 90% Wald CI; 97.5% log CI") == ["95", "90", "97.5"]
    assert label_from_methods(["", None, "proportional odds; Wald 90% CI"]) == "90% CI"
    assert label_from_methods(["exact"]) is None
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        ci_level(1.0)


def test_tables_say_90_percent_everywhere(run):
    study = run["study"]
    kinds = {name: t.kind for name, t in effective_plan(study.config).tables.items()}
    for name, texts in _table_texts(study).items():
        hits = [t for t in texts if NINETY_FIVE.search(t)]
        assert not hits, f"{name}: {hits}"
        levels = {lv for t in texts for lv in stated_levels(t)}
        assert levels <= {"90"}, f"{name}: {levels}"
        if kinds.get(name) in {"ae_incidence", "time_to_event", "logistic", "proportional_odds"}:
            headers = [str(c) for c in study.tables[name].display().columns]
            assert any("90% CI" in h for h in headers), f"{name}: {headers}"
        methods = study.tables[name].frame["method"].astype(str)
        assert not methods.str.contains(NINETY_FIVE).any(), name


def test_figures_say_90_percent_everywhere(run):
    study, texts = run["study"], _figure_texts(run["figures"])
    for stem, words in texts.items():
        hits = [t for t in words if NINETY_FIVE.search(t) or "{ci}" in t]
        assert not hits, f"{stem}: {hits}"
    forests = [s for s, spec in figure_specs(study.config).items() if spec.kind == "forest"]
    assert forests, "each shipped study draws a forest plot"
    for stem in forests:
        ninety = [t for t in texts[stem] if "90% CI" in t]
        assert len(ninety) >= 2, f"{stem}: axis label and column head name the level: {ninety}"


def test_report_html_says_90_percent(run):
    html = run["html"]
    found = [html[max(0, m.start() - 60) : m.end() + 20] for m in NINETY_FIVE.finditer(html)]
    assert not found, found
    assert "90% CI" in html
    assert "{ci}" not in html  # the study file's captions have their level filled in
    assert {lv for lv in stated_levels(html)} == {"90"}


def test_ae_wilson_interval_is_the_90_percent_one(run):
    study = run["study"]
    names = [n for n, t in effective_plan(study.config).tables.items() if t.kind == "ae_incidence"]
    checked = 0
    for name in names:
        f = study.tables[name].frame
        wide = f.pivot_table(
            index=["variable", "level", "group"], columns="stat", values="value", aggfunc="first"
        ).dropna(subset=["n", "N", "ci_low", "ci_high"])
        wide = wide.loc[wide["N"] > 0]
        n, big_n = wide["n"].to_numpy(int), wide["N"].to_numpy(int)
        lo90, hi90 = proportion_confint(n, big_n, alpha=ALPHA, method="wilson")
        lo95, hi95 = proportion_confint(n, big_n, alpha=0.05, method="wilson")
        np.testing.assert_allclose(wide["ci_low"], 100 * lo90, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(wide["ci_high"], 100 * hi90, rtol=1e-9, atol=1e-9)
        inner = n < big_n
        assert (wide["ci_high"].to_numpy()[inner] < 100 * hi95[inner] - 1e-9).all()
        methods = set(f.loc[f["stat"].isin(["ci_low", "ci_high"]), "method"])
        assert {m for m in methods if "wilson" in m} == {"wilson 90% CI"}
        checked += len(wide)
    assert checked > 0


def _km_lower(study: Study, spec: KmFigure, alpha: float) -> set[float]:
    """The lower CI limits of the study's Kaplan–Meier table at ``alpha`` (rounded), up to where
    each curve stops (``options.km_min_at_risk``)."""
    from analysis.figures.survival import curve_stops

    d = study.clean.patients
    if d[spec.event].dtype == bool or str(d[spec.event].dtype) == "boolean":
        d = d.assign(**{spec.event: d[spec.event].astype(int)})
    options = study.config.analysis.options
    km = km_table(
        d, time=spec.time, event=spec.event, by=spec.by, conf_type=options.km_conf_type, alpha=alpha
    )
    floor = options.km_min_at_risk
    levels = sorted(km[spec.by].astype(str).unique())
    stops = curve_stops(d, time=spec.time, by=spec.by, levels=levels,
                        min_at_risk=(floor.fraction, floor.minimum))  # fmt: skip
    shown = km.loc[km["time"] <= km[spec.by].astype(str).map(stops).astype(float)]
    return set(np.round(shown["lower"].dropna().to_numpy(float), 12))


def test_km_figure_bands_are_90_percent(run):
    study, figures = run["study"], run["figures"]
    kms = {s: spec for s, spec in figure_specs(study.config).items() if isinstance(spec, KmFigure)}
    assert kms, "each shipped study draws a Kaplan–Meier figure"
    for stem, spec in kms.items():
        bands = figures[stem].findobj(PolyCollection)
        ys = {round(float(y), 12) for c in bands for p in c.get_paths() for y in p.vertices[:, 1]}
        assert _km_lower(study, spec, ALPHA) <= ys, f"{stem}: the bands are not the 90% CI"
        assert not _km_lower(study, spec, 0.05) <= ys, f"{stem}: the bands are the 95% CI"


def test_study_file_words_naming_another_level_are_an_error():
    config = _at_alpha(REPO / "studies" / "dutasteride_mesotherapy.yaml", ALPHA)
    check_ci_levels(config)  # the shipped study writes {ci}: fine at any alpha
    figures = list(config.analysis.figures)
    i = next(i for i, f in enumerate(figures) if f.kind == "forest")
    figures[i] = figures[i].model_copy(update={"xlabel": "Odds ratio (95% CI)"})
    plan = config.analysis.model_copy(update={"figures": figures})
    with pytest.raises(ValueError, match=r"figures\[\d+\]\.xlabel: says '95% CI' .* 90% CI"):
        check_ci_levels(config.model_copy(update={"analysis": plan}))
    same = _at_alpha(REPO / "studies" / "dutasteride_mesotherapy.yaml", 0.05)
    plan = same.analysis.model_copy(update={"figures": figures})
    check_ci_levels(same.model_copy(update={"analysis": plan}))  # 95% at alpha 0.05 is true
