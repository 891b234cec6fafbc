"""Hostile corpus, class 7: small-cell suppression that holds (``--suppress-below K``).

Each case is a table built by the package on a small hand-made cohort with a cell below k,
and one channel through which that cell could be recovered: a Fisher or chi-square p-value, a
Fisher-Freeman-Halton or trend test, a risk difference or one of its CI bounds, the cell's own
percentage or Wilson CI, a margin, a level partition, two hidden cells pinned by their total, a
survival risk table, a model row, a figure label. For each, the attacker of ``_recover.py``
(every candidate count 1..k-1, each statistic recomputed with ``analysis.stats``):

- recovers the cell when that one channel is put back into the suppressed frame (so the
  channel really gives it away), and
- fails on the frame as shared (more than one candidate for every hidden cell), with the
  channel hidden or withheld, printed as ``<k`` / ``*`` / ``†`` with a footnote saying why.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis.ard import ard_frame
from analysis.stats.proportions import odds_ratio
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.baseline import baseline_table
from analysis.tables.models import logistic_model, proportional_odds
from analysis.tables.render import TableResult
from analysis.tables.response import response_table
from analysis.tables.suppress import suppress_small_cells
from analysis.tables.time_to_event import cox_table, time_to_event_table
from tests.hostile._recover import recover

matplotlib.use("Agg")
K = 5
Cell = tuple[str, str, str, str]


# ----------------------------------------------------------------------------- cohorts
def _ae_cohort(
    groups: dict[str, tuple[int, int]], *, by: str = "sex", term: str = "pain"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``{level: (N, n)}``: N subjects of ``by`` = level, n of them with one event ``term``."""
    subjects, events = [], []
    for level, (big_n, n) in groups.items():
        for i in range(big_n):
            pid = f"{level}-{i}"
            subjects.append({"patient_id": pid, by: level})
            if i < n:
                events.append({"patient_id": pid, "ae_term": term, "is_teae": True})
    return pd.DataFrame(subjects), pd.DataFrame(
        events, columns=["patient_id", "ae_term", "is_teae"]
    )


def _ae_table(groups: dict[str, tuple[int, int]], **kwargs: object) -> TableResult:
    by = str(kwargs.pop("by", "sex"))
    subjects, events = _ae_cohort(groups, by=by)
    return ae_incidence(subjects, events, by=[by], serious_flag=None, **kwargs)  # type: ignore[arg-type]


def _stratified_ae_table() -> TableResult:
    """AE by sex within therapy group; women on monotherapy: 2 of 30 with the event."""
    cells = {
        ("female", "mono"): (30, 2),
        ("female", "comb"): (60, 25),
        ("male", "mono"): (40, 12),
        ("male", "comb"): (70, 30),
    }
    subjects, events = [], []
    for (sex, therapy), (big_n, n) in cells.items():
        for i in range(big_n):
            pid = f"{sex}-{therapy}-{i}"
            subjects.append({"patient_id": pid, "sex": sex, "therapy": therapy})
            if i < n:
                events.append({"patient_id": pid, "ae_term": "pain", "is_teae": True})
    return ae_incidence(
        pd.DataFrame(subjects), pd.DataFrame(events), by=["sex", "therapy"], serious_flag=None
    )


def _grade_cohort(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """``{sex: {grade: n}}`` as subjects with an ordered response."""
    grades = ["worsening", "stabilization", "mild improvement", "marked improvement"]
    rows = [
        {"patient_id": f"{sex}-{grade}-{i}", "sex": sex, "response_12m": grade}
        for sex, per_grade in counts.items()
        for grade, n in per_grade.items()
        for i in range(n)
    ]
    out = pd.DataFrame(rows)
    out["response_12m"] = pd.Categorical(out["response_12m"], categories=grades, ordered=True)
    return out


def _response_table() -> TableResult:
    data = _grade_cohort(
        {
            "female": {
                "worsening": 2,
                "stabilization": 11,
                "mild improvement": 30,
                "marked improvement": 20,
            },
            "male": {
                "worsening": 9,
                "stabilization": 14,
                "mild improvement": 35,
                "marked improvement": 40,
            },
        }
    )
    return response_table(data, by="sex", within=None, outcome="response_12m")


def _baseline_table() -> TableResult:
    """Centre by sex: centre C has 3 women (a partition of the women into centres)."""
    rows = []
    for sex, per_centre in {
        "female": {"A": 40, "B": 30, "C": 3},
        "male": {"A": 50, "B": 45, "C": 20},
    }.items():
        for centre, n in per_centre.items():
            rows += [
                {"patient_id": f"{sex}-{centre}-{i}", "sex": sex, "centre": centre}
                for i in range(n)
            ]
    return baseline_table(pd.DataFrame(rows), by="sex", variables=["centre"])


def _pinned_table() -> TableResult:
    """4 women and 4 men with the event: the overall 8 pins both (each <5 and 4 + 4 = 8)."""
    return _ae_table({"female": (30, 4), "male": (40, 4)}, test="none")


# ----------------------------------------------------------------------------- channels
def _stat_rows(
    stats: tuple[str, ...], group: str | None = None
) -> Callable[[pd.DataFrame], pd.Series]:
    def pick(frame: pd.DataFrame) -> pd.Series:
        hit = frame["stat"].isin(stats)
        if group is not None:
            hit &= frame["group"].str.contains(group, regex=False)
        return hit

    return pick


def _cell_rows(
    group: str, stats: tuple[str, ...], level: str | None = None
) -> Callable[[pd.DataFrame], pd.Series]:
    def pick(frame: pd.DataFrame) -> pd.Series:
        hit = (frame["group"] == group) & frame["stat"].isin(stats)
        if level is not None:
            hit &= frame["level"] == level
        return hit

    return pick


# (table builder, the cell to recover, the channel put back, why the shared frame hides it)
CHANNELS: dict[
    str, tuple[Callable[[], TableResult], Cell, Callable[[pd.DataFrame], pd.Series], str]
] = {
    "fisher_p": (
        lambda: _ae_table({"female": (40, 3), "male": (50, 20)}),
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _stat_rows(("p_value",)),
        "test of a table with a hidden cell",
    ),
    "chi2_p": (
        lambda: _ae_table({"female": (60, 2), "male": (70, 30)}, test="chi2"),
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _stat_rows(("p_value",)),
        "test of a table with a hidden cell",
    ),
    "ffh_p_three_groups": (
        lambda: _ae_table({"0.5": (40, 3), "1": (45, 12), "2.5": (50, 20)}, by="dose"),
        ("ae_incidence", "ae_term", "pain", "dose=0.5"),
        _stat_rows(("p_value",)),
        "test of a table with a hidden cell",
    ),
    "stratum_p": (
        _stratified_ae_table,
        ("ae_incidence", "ae_term", "pain", "sex=female;therapy=mono"),
        _stat_rows(("p_value",), "therapy=mono;"),
        "test of a table with a hidden cell",
    ),
    "risk_difference": (
        lambda: _ae_table({"female": (40, 3), "male": (50, 20)}),
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _stat_rows(("estimate",), " vs "),
        "contrast with a hidden cell",
    ),
    "risk_difference_ci_low": (
        lambda: _ae_table({"female": (80, 4), "male": (90, 30)}),
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _stat_rows(("ci_low",), " vs "),
        "contrast with a hidden cell",
    ),
    "own_wilson_ci": (
        lambda: _ae_table({"female": (40, 3), "male": (50, 20)}, test="none"),
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _cell_rows("sex=female", ("ci_low", "ci_high"), "pain"),
        "count below 5",
    ),
    "own_percentage": (
        lambda: _ae_table({"female": (40, 3), "male": (50, 20)}, test="none"),
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _cell_rows("sex=female", ("pct",), "pain"),
        "count below 5",
    ),
    "margin_minus_other_group": (
        lambda: _ae_table({"female": (40, 3), "male": (50, 20)}, test="none"),
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _cell_rows("sex=male", ("n", "events"), "pain"),
        "hidden so that a count below 5 cannot be recovered from a total",
    ),
    "level_partition": (
        _baseline_table,
        ("baseline_sex", "centre", "C", "sex=female"),
        _cell_rows("sex=female", ("n",), "B"),
        "hidden so that a count below 5 cannot be recovered from a total",
    ),
    "total_pins_two_small_cells": (
        _pinned_table,
        ("ae_incidence", "ae_term", "pain", "sex=female"),
        _cell_rows("overall", ("n", "events"), "pain"),
        "hidden so that a count below 5 cannot be recovered from a total",
    ),
    "trend_test": (
        _response_table,
        ("response", "response_12m", "worsening", "sex=female"),
        lambda f: (f["context"] == "trend_test") & (f["stat"] == "p_value"),
        "test of a table with a hidden cell",
    ),
}


def _restore(shown: pd.DataFrame, full: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    """``shown`` with ``rows`` printed again (their values, and no marker)."""
    out = shown.copy()
    out.loc[rows, "value"] = full.loc[rows.to_numpy(), "value"].to_numpy()
    out.loc[rows, "suppressed"] = False
    out.loc[rows, "suppression"] = ""
    return out


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_a_cell_recoverable_through_one_channel_is_not_recoverable_from_what_is_shared(channel):
    build, cell, channel_rows, reason = CHANNELS[channel]
    table = build()
    full, shown = table.frame, table.shown(suppress_below=K)
    true = int(full.loc[_cell_mask(full, cell) & (full["stat"] == "n"), "value"].iloc[0])
    assert 0 < true < K
    # the channel alone gives the cell back...
    put_back = channel_rows(shown)
    assert put_back.any() and shown.loc[put_back, "suppressed"].all()
    assert shown.loc[put_back, "suppression_reason"].str.startswith(reason).all()
    leaked = recover(full, _restore(shown, full, put_back), K)
    assert leaked[cell] == [true]
    # ... and nothing shared does
    attacked = recover(full, shown, K)
    assert attacked, "no cell attacked"
    for hidden_cell, candidates in attacked.items():
        assert len(candidates) > 1, (hidden_cell, candidates)
        assert _truth(full, hidden_cell) in candidates


def _cell_mask(frame: pd.DataFrame, cell: Cell) -> pd.Series:
    return (
        (frame["table"] == cell[0])
        & (frame["variable"] == cell[1])
        & (frame["level"] == cell[2])
        & (frame["group"] == cell[3])
    )


def _truth(frame: pd.DataFrame, cell: Cell) -> int:
    group, _, stat = cell[3].partition("|")
    rows = frame.loc[_cell_mask(frame, (*cell[:3], group)) & (frame["stat"] == (stat or "n"))]
    return int(rows["value"].iloc[0])


# ----------------------------------------------------------------------------- display
def test_withheld_p_value_and_risk_difference_print_as_dagger_with_the_reason():
    table = _ae_table({"female": (40, 3), "male": (50, 20)})
    shown = table.display(suppress_below=K).iloc[0]
    assert shown["Female (N=40)"] == "<5"
    assert shown["Male (N=50)"] == "*"
    assert shown["95% CI (overall)"] == "13.0–31.8" or shown["95% CI (overall)"].count("–") == 1
    assert shown["RD male vs female (95% CI)"] == "†"
    assert shown["p-value, overall (sex)"] == "†"
    notes = table.notes(suppress_below=K)
    assert any(n.startswith("† p-value withheld (with its test statistic and SMD)") for n in notes)
    assert any(n.startswith("† risk difference and its CI withheld") for n in notes)
    # unsuppressed: the numbers are there
    plain = table.display().iloc[0]
    assert plain["Female (N=40)"] == "3 (7.5%) [3]"
    assert plain["p-value, overall (sex)"] != "†"


def test_zero_cells_are_kept_and_their_test_is_shown():
    # nobody had a rash: zeros disclose nothing about anyone and stay, with their p-value
    table = _ae_table({"female": (40, 10), "male": (50, 20)}, terms=["pain", "rash"])
    shown = table.shown(suppress_below=K)
    assert not shown["suppressed"].any()
    rash = shown.loc[shown["level"] == "rash"]
    assert rash.loc[rash["stat"] == "n", "value"].tolist() == [0, 0, 0]
    assert rash.loc[rash["stat"] == "p_value", "value"].tolist() == [1.0]
    row = table.display(suppress_below=K).set_index("Adverse event").loc["rash"]
    assert row["Female (N=40)"] == "0 (0.0%) [0]"
    assert row["p-value, overall (sex)"] == "1.000"


def test_k_of_1_hides_and_withholds_nothing():
    table = _ae_table({"female": (40, 3), "male": (50, 20)})
    shown = suppress_small_cells(table.frame, k=1)
    assert not shown["suppressed"].any()
    pd.testing.assert_series_equal(shown["value"], table.frame["value"])
    assert set(shown["suppression_reason"]) == {""}


def test_a_continuous_variable_of_a_small_group_hides_its_summary_and_withholds_its_t_test():
    rows = [{"patient_id": f"f{i}", "sex": "female", "age_years": 40.0 + i} for i in range(3)]
    rows += [{"patient_id": f"m{i}", "sex": "male", "age_years": 30.0 + i} for i in range(40)]
    table = baseline_table(pd.DataFrame(rows), by="sex", variables=["age_years"])
    shown = table.shown(suppress_below=K)
    women = shown.loc[(shown["variable"] == "age_years") & (shown["group"] == "sex=female")]
    assert women.set_index("stat").loc[["n", "mean", "sd", "min", "max"], "value"].isna().all()
    tests = shown.loc[(shown["variable"] == "age_years") & (shown["group"] == "sex=*")]
    assert set(tests["stat"]) == {"statistic", "p_value", "smd"}
    assert (tests["suppression"] == "withheld").all()
    assert table.display(suppress_below=K).iloc[-1]["p-value"] in ("†", "")


# ----------------------------------------------------------------------------- survival
def _survival_data(events_mono: int) -> pd.DataFrame:
    """Two groups of 60; the monotherapy group has ``events_mono`` events before month 12."""
    rows = []
    for group, n_events in (("monotherapy", events_mono), ("combined", 20)):
        for i in range(60):
            event = i < n_events
            rows.append(
                {
                    "therapy_group": group,
                    "months": 3.0 + (i % 8) if event else 30.0 + (i % 5),
                    "stopped": event,
                }
            )
    return pd.DataFrame(rows)


def test_a_risk_table_with_a_small_count_is_withheld_for_that_group():
    table = time_to_event_table(
        _survival_data(3 + 10), time="months", event="stopped", by="therapy_group", times=(12, 24)
    )
    full = table.frame
    # 13 events in (0, 12] but only 0 censored: the monotherapy counts at 24 months are small?
    shown = table.shown(suppress_below=20)
    mono = shown.loc[(shown["group"] == "therapy_group=monotherapy")]
    # the median and its CI, and every listed time's rows but the time itself
    rows = mono.loc[~mono["stat"].isin(["time", "n", "events"])]
    assert set(rows["context"]) == {"kaplan_meier", "kaplan_meier_at_12", "kaplan_meier_at_24"}
    assert rows["suppressed"].all()
    assert set(rows["suppression_reason"]) == {
        "survival estimates of a group with a count below 20 at a listed time"
    }
    combined = shown.loc[
        (shown["group"] == "therapy_group=combined") & (shown["context"] == "kaplan_meier_at_12")
    ]
    assert not combined["suppressed"].any()
    leaks = recover(full, shown, 20)
    assert leaks and all(len(v) > 1 for v in leaks.values())
    text = table.display(suppress_below=20).set_index("Group")
    assert text.loc["monotherapy", "S(12 months) (95% CI)"] == "†"
    assert text.loc["monotherapy", "Median, months (95% CI)"] == "†"
    assert text.loc["combined", "S(12 months) (95% CI)"].startswith("66.7% (")


def test_a_group_with_few_events_withholds_log_rank_and_cox():
    data = _survival_data(3)
    table = time_to_event_table(data, time="months", event="stopped", by="therapy_group")
    shown = table.shown(suppress_below=K)
    events = shown.loc[
        (shown["stat"] == "events") & (shown["group"] == "therapy_group=monotherapy")
    ]
    assert events["suppression"].tolist() == ["primary"]
    tests = shown.loc[shown["context"] == "log_rank"]
    assert len(tests) == 3 and (tests["suppression"] == "withheld").all()
    text = table.display(suppress_below=K).set_index("Group")
    assert text.loc["monotherapy", "Events"] == "<5"
    assert text.loc["combined", "Events"] == "20"
    assert text.iloc[0]["Log-rank p-value"] == "†"
    # the Cox model, in its own table, is protected by the groups' sizes and events
    cox = cox_table(data, time="months", event="stopped", by="therapy_group",
                    covariates={"therapy_group": "monotherapy"})  # fmt: skip
    shown = cox.shown(suppress_below=K)
    model = shown.loc[shown["context"].isin(["cox_regression", "cox_ph_test"])]
    estimates = model.loc[model["variable"] != "model"]
    assert len(estimates) == 9 and (estimates["suppression"] == "withheld").all()  # 6 + 3
    assert set(estimates["suppression_reason"]) == {
        "survival test or model of a group whose size or events are hidden"
    }
    text = cox.display(suppress_below=K)
    assert text.iloc[0]["HR (95% CI)"] == "†" and text.iloc[0]["p-value"] == "†"


# ----------------------------------------------------------------------------- models
def _binary_model_data(extra_numeric: bool = False) -> pd.DataFrame:
    rows = [{"sex": "female", "y": i < 3} for i in range(40)]
    rows += [{"sex": "male", "y": i < 20} for i in range(50)]
    out = pd.DataFrame(rows)
    if extra_numeric:
        out["age_years"] = np.arange(len(out)) % 37 + 20.0
    return out


def test_a_logistic_model_on_one_binary_covariate_is_its_2x2_table_and_is_withheld():
    table = logistic_model(_binary_model_data(), outcome="y", covariates=["sex"])
    full = table.frame
    shown_or = full.loc[(full["variable"] == "sex") & (full["stat"] == "estimate"), "value"].item()
    # the odds ratio gives the 3 women with the event back (women with the event: 1..4)
    consistent = [
        x
        for x in range(1, K)
        if math.isclose(odds_ratio(20, 50, x, 40).estimate, shown_or, rel_tol=1e-6)
    ]
    assert consistent == [3]
    assert table.source_counts == (37, 3, 30, 20)
    shown = table.shown(suppress_below=K)
    model_rows = shown.loc[shown["stat"].isin(["estimate", "ci_low", "ci_high", "p_value", "se"])]
    assert model_rows["value"].isna().all()
    assert (model_rows["suppression"] == "withheld").all()
    assert table.display(suppress_below=K).iloc[0].tolist() == ["sex: male vs female", "†", "†"]
    assert any(n.startswith("† model estimates withheld") for n in table.notes(suppress_below=K))


def test_a_model_with_a_numeric_covariate_is_kept():
    table = logistic_model(_binary_model_data(True), outcome="y", covariates=["sex", "age_years"])
    assert table.source_counts == ()
    shown = table.shown(suppress_below=K)
    assert not shown.loc[shown["stat"] == "estimate", "suppressed"].any()


def test_a_rare_outcome_level_of_a_model_hides_a_second_level_and_its_footnote_count():
    rows = [
        {"y": grade, "age_years": 20.0 + i % 30, "sex": ("female", "male")[i % 2]}
        for grade, n in {
            "worsening": 3,
            "stabilization": 20,
            "mild improvement": 40,
            "marked improvement": 45,
        }.items()
        for i in range(n)
    ]
    data = pd.DataFrame(rows)
    data["y"] = pd.Categorical(
        data["y"],
        categories=["worsening", "stabilization", "mild improvement", "marked improvement"],
        ordered=True,
    )
    table = proportional_odds(data, outcome="y", covariates=["sex", "age_years"])
    shown = table.shown(suppress_below=K)
    per_level = (shown["variable"] == "y") & (shown["stat"] == "n") & (shown["level"] != "")
    levels = shown.loc[per_level].set_index("level")
    assert levels["suppression"].to_dict() == {
        "worsening": "primary",
        "stabilization": "complementary",
        "mild improvement": "",
        "marked improvement": "",
    }
    notes = table.notes(suppress_below=K)
    assert (
        "Subjects per outcome level: worsening <5, stabilization *, mild improvement 40, marked improvement 45."
        in notes
    )


# ----------------------------------------------------------------------------- figures
def test_a_small_schedule_bar_is_not_drawn_and_is_labelled():
    from matplotlib.figure import Figure

    from analysis.figures.schedule import plot_schedule_year1

    patients = pd.DataFrame({"schedule_months_year1": [3.0] * 50 + [6.0] * 2 + [1.0] * 20})
    ax = Figure().add_subplot()
    plot_schedule_year1(patients, levels=[1, 3, 6], suppress_below=K, ax=ax)
    heights = [p.get_height() for p in ax.patches]
    labels = [t.get_text() for t in ax.texts]
    assert heights == [0.0, 50.0, 0.0]  # 2 below 5, and 20 hidden so that 72 - 50 - 20 ≠ 2
    assert labels == ["*", "50\n(69.4%)", "<5"]  # one decimal, as in the tables


def test_hidden_points_of_the_incidence_figure_are_markers_not_points():
    from matplotlib.figure import Figure

    from analysis.figures.adverse_events import ae_incidence_points, plot_ae_incidence

    table = _ae_table({"female": (40, 3), "male": (50, 20)})
    shown = table.shown(suppress_below=K)
    points = ae_incidence_points(shown, by="sex")
    assert points.set_index("level")["pct"].isna().to_dict() == {"female": True, "male": True}
    ax = Figure().add_subplot()
    plot_ae_incidence(shown, by="sex", ax=ax)
    assert sorted(t.get_text() for t in ax.texts) == ["*", "<5"]


@pytest.mark.parametrize(
    ("table_hides", "blocks"),
    [
        # 2 women worsening: with the stabilization grade (11, hiding it) one block of 13 / 63
        (frozenset(), {"female": 100 * 13 / 63}),
        # what the response table hides is not drawn either (the men's two lowest grades)
        (
            frozenset({("overall", "male", "worsening"), ("overall", "male", "stabilization")}),
            {"female": 100 * 13 / 63, "male": 100 * 23 / 98},
        ),
    ],
    ids=["small_grade", "grades_the_table_hides"],
)
def test_hidden_response_grades_are_one_withheld_block_on_top_of_the_bar(table_hides, blocks):
    from matplotlib.figure import Figure

    from analysis.figures.response import plot_response_by_sex_therapy, response_distribution

    counts = {
        "female": {
            "worsening": 2,
            "stabilization": 11,
            "mild improvement": 30,
            "marked improvement": 20,
        },
        "male": {
            "worsening": 9,
            "stabilization": 14,
            "mild improvement": 35,
            "marked improvement": 40,
        },
    }
    data = _grade_cohort(counts).assign(is_response_assessable=True)
    dist = response_distribution(data, by="sex", within=None)
    ax = Figure().add_subplot()
    plot_response_by_sex_therapy(
        dist, by="sex", within=None, suppress_below=K, hidden=table_hides, ax=ax
    )
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert sorted(round(p.get_height(), 6) for p in hatched) == sorted(
        round(h, 6) for h in blocks.values()
    )
    assert all(math.isclose(p.get_y() + p.get_height(), 100) for p in hatched)  # on top
    texts = [t.get_text() for t in ax.texts]
    assert "3%" not in texts and "17%" not in texts  # 2/63 and 11/63 are not printed
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Withheld (<5 or *)" in legend


def test_a_forest_plot_of_withheld_estimates_draws_no_point():
    from matplotlib.figure import Figure

    from analysis.figures.forest import plot_forest

    table = logistic_model(_binary_model_data(), outcome="y", covariates=["sex"])
    ax = Figure().add_subplot()
    plot_forest(table.shown(suppress_below=K), ax=ax)
    assert [t.get_text() for t in ax.texts][-1] == "withheld†"
    assert all(
        np.isnan(line.get_xdata()).all() or len(line.get_xdata()) == 0
        for line in ax.lines
        if line.get_linestyle() != "--"
    )


def test_a_kaplan_meier_figure_is_coarsened_and_stops_before_a_small_interval():
    from matplotlib.figure import Figure

    from analysis.figures.survival import CensorTicks, plot_km

    data = _survival_data(3).assign(stopped=lambda d: d["stopped"].astype(int))
    ax = Figure().add_subplot()
    plot_km(data, time="months", event="stopped", by="therapy_group", risk_times=[0, 12, 24, 36],
            suppress_below=K, ax=ax)  # fmt: skip
    assert not any(isinstance(a, CensorTicks) for a in ax.get_children())
    texts = [t.get_text() for t in ax.texts]
    assert "Log-rank p withheld†" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Monotherapy (withheld†)" in legend
    # the combined group: 20 events in (0, 12], 0 censored, then 40 at risk until censored at 30+
    steps = [line for line in ax.lines if line.get_label().startswith("Combined")]
    assert steps and list(steps[0].get_xdata()) == [0.0, 12.0, 24.0]


# ----------------------------------------------------------------------------- sharing
def test_claims_withhold_a_hidden_checks_value_verdict_and_text():
    from analysis.report.withheld import WITHHELD_TEXT, withhold_claims

    full = pd.DataFrame(
        {
            "id": ["a", "b"],
            "text": ["hematoma in 3 men", "pain in 50"],
            "expected": [3.0, 50.0],
            "computed": [3.0, 50.0],
            "passed": [True, True],
            "note": ["", ""],
        }
    )
    shown = full.assign(computed=[math.nan, 50.0], note=["computed value is NaN", ""])
    out = withhold_claims(full, shown, K)
    assert out["computed"].tolist() == [None, 50.0]
    assert out["expected"].tolist() == [None, 50.0]
    assert out["passed"].tolist() == [None, True]
    assert out["text"].tolist() == [WITHHELD_TEXT, "pain in 50"]
    assert out["note"].tolist() == [
        "withheld under suppression: the check reads a count below 5 or a cell hidden to "
        "protect one (--suppress-below 5), so its expected and computed values, its verdict and "
        "the claim's text are not shown; `retro verify` shows them to the study team",
        "",
    ]


def test_free_text_group_labels_are_left_alone():
    rows = [
        {
            "table": "t",
            "variable": "v",
            "level": "x",
            "group": "women on mono",
            "stat": "n",
            "value": 2,
        },
        {
            "table": "t",
            "variable": "v",
            "level": "x",
            "group": "women on mono",
            "stat": "N",
            "value": 30,
        },
        {
            "table": "t",
            "variable": "v",
            "level": "",
            "group": "all groups",
            "stat": "p_value",
            "value": 0.01,
        },
    ]
    out = suppress_small_cells(ard_frame(rows), k=K)
    assert out["suppression"].tolist() == ["primary", "", ""]
    assert out["value"].tolist()[2] == 0.01


def test_a_run_with_suppression_shares_the_suppressed_ard_and_keeps_the_full_one(mini_study):
    from typer.testing import CliRunner

    from analysis.run.cli import app

    path = mini_study()
    root = path.parent.parent
    # an executed notebook of an earlier, unsuppressed run in the folder meant for sharing
    stale = root / "reports" / "notebooks" / "03-adverse-events.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    res = CliRunner().invoke(app, ["run", str(path), "--suppress-below", "5", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "warning: 1 file(s) in" in said
    assert "not suppressed below 5 (notebooks/03-adverse-events.ipynb); remove them" in said
    assert "warning: --suppress-below 5 is more than the 3 patients analysed: every count is " in (
        said
    )
    shared = sorted(p.name for p in (root / "reports").rglob("ard*"))
    assert stale.is_file()  # named, never deleted
    kept = sorted(p.name for p in (root / "processed").rglob("ard*"))
    assert shared == ["ard.csv", "ard.parquet"]
    assert kept == ["ard_unsuppressed.csv", "ard_unsuppressed.parquet"]
    ard = pd.read_csv(root / "reports" / "ard.csv")
    full = pd.read_csv(root / "processed" / "ard_unsuppressed.csv")
    assert (ard["suppress_k"] == 5).all()
    counts = ard.loc[ard["stat"].isin(["n", "events", "n_risk", "n_event", "n_censor"]), "value"]
    assert not ((counts > 0) & (counts < 5)).any()  # four patients: every such count is hidden
    small = full.loc[full["stat"].isin(["n", "events"]) & full["value"].between(1, 4)]
    assert len(small) > 10
    html = (root / "reports" / "report.html").read_text(encoding="utf-8")
    assert "are withheld (†) and figures do not draw them" in html
    assert "† p-value withheld" in html or "† survival estimates withheld" in html
