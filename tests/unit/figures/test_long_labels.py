"""Long labels fit the room a figure gives them, and what the font cannot draw is said.

A study that named its therapy groups "Combined therapy: topical minoxidil 5% + oral
finasteride 1 mg, or PRP/laser" got response bars squeezed to slivers under group labels that
ran into each other (matplotlib: "constrained_layout not applied because axes sizes collapsed to
zero"); its age bands cut the KM legend and the AE figure's axis label at the figure's edge; the
forest plot's x ticks overprinted. A label in Japanese was drawn as empty boxes, with one raw
Python warning per character and per drawing."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.figures.fit_labels import fit, shorten, text_width_in  # noqa: E402
from analysis.figures.font_check import relayed, right_to_left  # noqa: E402
from analysis.figures.response import extra_height_in, plot_response_by_sex_therapy  # noqa: E402
from analysis.figures.survival import plot_km  # noqa: E402
from analysis.figures.theme import figure_theme  # noqa: E402

LONG = "Combined therapy: topical minoxidil 5% + oral finasteride 1 mg, or PRP/laser"


def test_fit_breaks_at_spaces_into_lines_no_wider_than_asked():
    text = fit(LONG, 1.0)
    lines = text.split("\n")
    assert len(lines) > 2
    assert " ".join(lines) == LONG  # nothing lost, broken only at spaces
    assert all(text_width_in(line) <= 1.0 for line in lines)


def test_a_label_that_fits_is_unchanged_and_a_long_word_is_cut_with_a_hyphen():
    assert fit("Female", 1.0) == "Female"
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    lines = fit(word, 0.6).split("\n")
    assert len(lines) > 1
    assert all(line.endswith("-") for line in lines[:-1])
    assert "".join(line.rstrip("-") for line in lines) == word
    assert all(text_width_in(line) <= 0.6 for line in lines)


def test_shorten_keeps_one_line_with_an_ellipsis():
    short = shorten(LONG, 1.2)
    assert "\n" not in short
    assert short.endswith("…")
    assert LONG.startswith(short[:-1])
    assert text_width_in(short) <= 1.2
    assert shorten("Male", 1.2) == "Male"


def _patients() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 80
    return pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n),
            "therapy_group": rng.choice(["monotherapy", "combined"], n),
            "response_12m": pd.Categorical(
                rng.choice(["worsening", "stabilization", "improvement"], n),
                categories=["worsening", "stabilization", "improvement"],
                ordered=True,
            ),
            "is_response_assessable": True,
        }
    )


def _laid_out(fig: Figure) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.draw_without_rendering()
    return list(caught)


def test_response_bars_keep_their_width_under_long_group_labels():
    with figure_theme():
        fig = Figure(figsize=(3.5, 3.1), layout="constrained")
        ax = fig.add_subplot()
        plot_response_by_sex_therapy(
            _patients(),
            within_labels={"combined": LONG, "monotherapy": "Monotherapy"},
            level_labels={"female": "Femme — mujer — woman", "male": "Homme"},
            ax=ax,
        )
        fig.set_figheight(3.1 + extra_height_in(ax))
        caught = _laid_out(fig)
    assert not [w for w in caught if "collapsed" in str(w.message)]
    # the axes keep most of the figure's width, and the group labels do not overlap
    assert ax.get_position().width * fig.get_figwidth() > 2.4
    boxes = [a.get_window_extent() for a in ax.texts if LONG[:8] in a.get_text() or
             a.get_text() == "Monotherapy"]  # fmt: skip
    assert len(boxes) == 2
    left, right = sorted(boxes, key=lambda b: b.x0)
    assert left.x1 < right.x0
    assert extra_height_in(ax) > 0  # the long label's lines made the figure taller


def test_km_legend_and_risk_table_fit_a_single_column():
    rng = np.random.default_rng(2)
    n = 60
    data = pd.DataFrame(
        {
            "t": rng.exponential(20, n).round(1) + 0.1,
            "e": rng.integers(0, 2, n),
            "g": rng.choice(["a", "b"], n),
        }
    )
    long_b = "Older adults aged fifty-five and over at the start of the treatment"
    with figure_theme():
        fig = Figure(figsize=(3.5, 3.3), layout="constrained")
        ax = fig.add_subplot()
        plot_km(data, time="t", event="e", by="g", labels={"a": "Young", "b": long_b}, ax=ax)
        caught = _laid_out(fig)
        assert not [w for w in caught if "collapsed" in str(w.message)]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        risk_names = [a.get_text() for a in ax.texts if a.get_text().startswith("Older")]
    assert any("\n" in text for text in legend)  # the long name in lines, in full
    assert " ".join(legend[1].split()) == f"{long_b} (n={(data['g'] == 'b').sum()})"
    assert risk_names and all(name.endswith("…") for name in risk_names)  # one line each
    assert ax.get_position().width * fig.get_figwidth() > 1.6  # the names at risk: 1.3 in


def test_missing_glyphs_become_one_warning_naming_the_figure_and_the_fix():
    with figure_theme():
        fig = Figure(figsize=(3.5, 2.0))
        fig.add_subplot().set_title("痛み 痛み")
        caught = _laid_out(fig)
    assert len([w for w in caught if "Glyph" in str(w.message)]) >= 2  # matplotlib's own
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        relayed("ae_incidence", caught, fig)
    texts = [str(w.message) for w in said]
    assert len(texts) == 1
    assert "figure 'ae_incidence'" in texts[0]
    assert "2 character(s) of its labels (痛み)" in texts[0]
    assert "fonts-noto-cjk" in texts[0]


def test_other_warnings_pass_through_and_right_to_left_labels_are_named():
    fig = Figure()
    fig.add_subplot().set_title("ذكر / זכר")
    other = warnings.WarningMessage(UserWarning("something else"), UserWarning, "x.py", 1)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        relayed("km", [other], fig)
    texts = [str(w.message) for w in said]
    assert texts[0] == "something else"
    assert "figure 'km': 1 label(s) in a right-to-left script" in texts[1]
    assert right_to_left(["Male", "ذكر", "Female", "ذكر"]) == ["ذكر"]


def test_the_cli_prints_python_warnings_as_its_own_without_source_lines(capsys):
    from analysis.run.cli_errors import plain_warnings

    before = warnings.showwarning
    try:
        plain_warnings()
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = warnings.showwarning  # the one plain_warnings set
            warnings.warn("figure 'km': 1 label(s) in a right-to-left script", stacklevel=1)
    finally:
        warnings.showwarning = before
    err = capsys.readouterr().err
    assert "warning: figure 'km': 1 label(s) in a right-to-left script" in err
    assert "UserWarning" not in err
    assert ".py:" not in err
