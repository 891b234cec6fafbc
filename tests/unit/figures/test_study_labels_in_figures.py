"""A study's labels of levels reach the figures and notes that show those levels: the response
bars showed the grade and sex codes ("Worsening", "Female") and the per-exposure AE figure the
term codes where the study named them in its own language; the proportional-odds notes gave
the codes of the response grades, labelled under ``response_grade`` and not under the derived
``response_12m``; notes quoting levels ("Any improvement = mild improvement or ...") kept the
codes."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.ard import ard_frame  # noqa: E402
from analysis.figures.adverse_events import plot_ae_by_exposure  # noqa: E402
from analysis.figures.response import plot_response_by_sex_therapy  # noqa: E402
from analysis.studyfile.plan_defaults import level_label  # noqa: E402
from analysis.tables.relabel import relabel_note  # noqa: E402

GRADES = ["worsening", "stabilization", "improvement"]
LABELS = {
    "response_grade": {"worsening": "Empeoramiento", "stabilization": "Estabilización"},
    "sex": {"female": "Mujeres", "male": "Hombres"},
    "ae_term": {"pain": "Dolor (痛み)"},
    "other": {"yes": "Sí"},
    "again": {"yes": "Oui"},
}
CONFIG = SimpleNamespace(analysis=SimpleNamespace(labels=SimpleNamespace(levels=LABELS)))


def test_a_derived_column_takes_the_labels_of_its_levels_elsewhere():
    assert level_label(CONFIG, "response_12m", "worsening") == "Empeoramiento"
    assert level_label(CONFIG, "response_12m", "improvement") == "Improvement"
    assert level_label(CONFIG, "sex", "male") == "Hombres"
    assert level_label(CONFIG, "flag", "yes") == "Yes"  # two labels elsewhere: not guessed


def test_notes_show_levels_in_the_study_words_and_no_backticks():
    levels = {"worsening": "Empeoramiento", "male": "Hombres"}
    note = "Any improvement = `improvement`; grades in order `worsening` < `improvement`."
    assert relabel_note(note, levels, {}) == (
        "Any improvement = improvement; grades in order empeoramiento < improvement."
    )
    assert relabel_note("Counted among `male` patients only.", levels, {}) == (
        "Counted among hombres patients only."
    )


def test_response_bars_show_the_labels():
    patients = pd.DataFrame(
        {
            "sex": ["female", "male", "female", "male"],
            "response_12m": pd.Categorical(
                ["worsening", "improvement", "stabilization", "improvement"],
                categories=GRADES,
                ordered=True,
            ),
            "is_response_assessable": True,
        }
    )
    fig, ax = plt.subplots()
    words = {**LABELS["response_grade"], **LABELS["sex"]}
    plot_response_by_sex_therapy(patients, within=None, level_labels=words, ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Empeoramiento", "Estabilización", "Improvement"]
    ticks = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert ticks == ["Mujeres", "Hombres"]
    plt.close(fig)


def test_the_per_exposure_figure_shows_the_terms_labels():
    rows = []
    for session, big_n in ((1, 10), (2, 8)):
        for stat, value in (("n", 2), ("N", big_n), ("pct", 20.0)):
            rows.append(
                {"table": "ae_by_exposure", "variable": "ae_term", "level": "pain",
                 "group": f"exposure_number={session}", "stat": stat, "value": value}
            )  # fmt: skip
    fig, ax = plt.subplots()
    plot_ae_by_exposure(
        ard_frame(rows, context="ae_by_exposure"),
        ax=ax,
        words=lambda column, level: LABELS[column].get(level, level),
    )
    assert [line.get_label() for line in ax.get_lines()][:1] == ["Dolor (痛み)"]
    plt.close(fig)
