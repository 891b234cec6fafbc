"""Response table (``analysis.tables.response``): counts, CIs and tests on the reference study,
checked against independent computations (pandas crosstab, statsmodels, scipy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from analysis.stats.tests import cochran_armitage_trend, fisher_exact_rxc
from analysis.tables.response import response_table

GRADES = ["worsening", "stabilization", "mild improvement", "marked improvement"]
MONO = "therapy_group=monotherapy"


@pytest.fixture(scope="module")
def patients(reference_clean):
    return reference_clean.patients


@pytest.fixture(scope="module")
def result(patients):
    return response_table(patients)


def _value(
    frame: pd.DataFrame, variable: str, level: str, group: str, stat: str, trend: bool = False
) -> float:
    """One value of ``frame``; ``trend``: of the trend test (context ``trend_test``, level "",
    as the exact test's), else of any other row."""
    hit = frame.loc[
        (frame["variable"] == variable)
        & (frame["level"] == level)
        & (frame["group"] == group)
        & (frame["stat"] == stat)
        & ((frame["context"] == "trend_test") == trend),
        "value",
    ]
    assert len(hit) == 1, (variable, level, group, stat, len(hit))
    return float(hit.iloc[0])


def _crosstab(patients: pd.DataFrame, stratum: str | None) -> np.ndarray:
    sub = patients.loc[patients["response_12m"].notna()]
    if stratum is not None:
        sub = sub.loc[sub["therapy_group"].astype(str) == stratum]
    tab = pd.crosstab(sub["sex"].astype(str), sub["response_12m"].astype(str))
    return tab.reindex(index=["female", "male"], columns=GRADES, fill_value=0).to_numpy()


def test_published_monotherapy_marked_and_any_improvement(result):
    f = result.frame
    assert _value(f, "marked_improvement", "marked improvement", MONO, "n") == 33
    assert _value(f, "marked_improvement", "marked improvement", MONO, "N") == 86
    assert _value(f, "marked_improvement", "marked improvement", MONO, "pct") == pytest.approx(
        100 * 33 / 86, abs=1e-12
    )
    assert round(_value(f, "marked_improvement", "marked improvement", MONO, "pct"), 1) == 38.4
    assert _value(f, "any_improvement", "any improvement", MONO, "n") == 69
    assert _value(f, "any_improvement", "any improvement", MONO, "pct") == pytest.approx(
        100 * 69 / 86, abs=1e-12
    )
    assert round(_value(f, "any_improvement", "any improvement", MONO, "pct"), 1) == 80.2
    # the grade rows carry the same marked count
    assert _value(f, "response_12m", "marked improvement", MONO, "n") == 33


@pytest.mark.parametrize(
    ("variable", "level", "n"),
    [("marked_improvement", "marked improvement", 33), ("any_improvement", "any improvement", 69)],
)
def test_wilson_ci_equals_statsmodels(result, variable, level, n):
    lo, hi = proportion_confint(n, 86, alpha=0.05, method="wilson")
    f = result.frame
    assert _value(f, variable, level, MONO, "ci_low") == pytest.approx(100 * lo, abs=1e-10)
    assert _value(f, variable, level, MONO, "ci_high") == pytest.approx(100 * hi, abs=1e-10)
    assert set(f.loc[f["stat"] == "ci_low", "method"]) == {"wilson 95% CI"}


@pytest.mark.parametrize(
    ("stratum", "group"),
    [
        ("monotherapy", "therapy_group=monotherapy;sex=*"),
        ("combined", "therapy_group=combined;sex=*"),
        (None, "sex=*"),
    ],
)
def test_ffh_and_trend_p_equal_the_stats_module_on_a_crosstab(result, patients, stratum, group):
    table = _crosstab(patients, stratum)
    ffh = fisher_exact_rxc(table)
    f = result.frame
    assert _value(f, "response_12m", "", group, "p_value") == pytest.approx(ffh.p_value, abs=1e-12)
    p_rows = f.loc[(f["group"] == group) & (f["stat"] == "p_value") & (f["level"] == "")]
    assert p_rows["context"].tolist() == ["fisher_freeman_halton", "trend_test"]
    assert p_rows["method"].tolist()[0] == "fisher-freeman-halton exact"
    trend = cochran_armitage_trend(table)
    assert _value(f, "response_12m", "", group, "p_value", trend=True) == pytest.approx(
        trend.p_value, abs=1e-12
    )
    assert _value(f, "response_12m", "", group, "statistic", trend=True) == pytest.approx(
        trend.statistic, abs=1e-12
    )
    method = (
        f.loc[(f["group"] == group) & (f["context"] == "trend_test"), "method"].unique().tolist()
    )
    assert method == ["cochran-armitage trend (scores 1..4)"]


def test_mann_whitney_trend_equals_scipy_on_grade_scores(patients):
    res = response_table(patients, trend_test="mann_whitney")
    table = _crosstab(patients, "monotherapy")
    scores = np.arange(1, 5)
    expected = sps.mannwhitneyu(
        np.repeat(scores, table[0]),
        np.repeat(scores, table[1]),
        use_continuity=True,
        alternative="two-sided",
        method="asymptotic",
    )
    f = res.frame
    group = "therapy_group=monotherapy;sex=*"
    assert _value(f, "response_12m", "", group, "p_value", trend=True) == pytest.approx(
        expected.pvalue, abs=1e-12
    )
    assert _value(f, "response_12m", "", group, "statistic", trend=True) == expected.statistic
    methods = f.loc[f["context"] == "trend_test", "method"].unique().tolist()
    assert methods == [
        "wilcoxon-mann-whitney (normal approximation, continuity correction) on grade scores 1..4"
    ]
    # a rank comparison of two groups, not a trend test: named so (it read "p for trend")
    assert "    p, ordered grades (rank-sum)" in res.display().iloc[:, 0].tolist()
    said = next(n for n in res.footnotes if n.startswith("p-values compare"))
    assert "; ordered grades compared between the two groups by rank: " in said
    assert "trend" not in said


def test_group_counts_add_up_to_stratum_and_population(result, patients):
    f = result.frame
    n_rows = f.loc[(f["variable"] == "response_12m") & (f["stat"] == "n")]
    big = f.loc[(f["variable"] == "response_12m") & (f["stat"] == "N")]
    # within every group the grades add up to N
    per_group = n_rows.groupby("group")["value"].sum()
    big_per_group = big.groupby("group")["value"].first()
    pd.testing.assert_series_equal(per_group, big_per_group, check_names=False)
    n_of = big_per_group.to_dict()
    for stratum in ("monotherapy", "combined"):
        parts = (
            n_of[f"therapy_group={stratum};sex=female"] + n_of[f"therapy_group={stratum};sex=male"]
        )
        assert parts == n_of[f"therapy_group={stratum}"]
    assert n_of["therapy_group=monotherapy"] == 86
    assert n_of["sex=female"] + n_of["sex=male"] == n_of["overall"]
    assert n_of["therapy_group=monotherapy"] + n_of["therapy_group=combined"] == n_of["overall"]
    assert n_of["overall"] == patients["response_12m"].notna().sum() == 317
    # assessable + not assessable = every subject, in every group
    miss = f.loc[f["stat"] == "n_missing"].set_index("group")["value"]
    assert miss["overall"] + n_of["overall"] == len(patients)
    assert miss["overall"] == 224


def test_input_not_mutated(patients):
    before = patients.copy(deep=True)
    response_table(patients, trend_test="mann_whitney")
    pd.testing.assert_frame_equal(patients, before)


def test_layout_columns_cells_and_footnotes(result):
    disp = result.display()
    cols = list(disp.columns)
    assert cols[:4] == [
        "Response",
        "Monotherapy, female (N=34)",
        "Monotherapy, male (N=52)",
        "Monotherapy (N=86)",
    ]
    # the adverse-event tables' names of groups (_common.group_title): a level, a stratum,
    # a level within a stratum, "Overall"
    assert cols[4:10] == [
        "Combined, female (N=91)",
        "Combined, male (N=140)",
        "Combined (N=231)",
        "Female (N=125)",
        "Male (N=192)",
        "Overall (N=317)",
    ]
    assert cols[-3:] == [
        "p-value, monotherapy (sex)",
        "p-value, combined (sex)",
        "p-value, overall (sex)",
    ]
    marked = disp.loc[disp["Response"].str.startswith("Marked improvement")].iloc[0]
    assert marked["Monotherapy (N=86)"] == "33 (38.4%) [28.8–48.9]"
    anyimp = disp.loc[disp["Response"].str.startswith("Any improvement")].iloc[0]
    assert anyimp["Monotherapy (N=86)"].startswith("69 (80.2%)")
    notes = " ".join(result.footnotes)
    assert "N = 317" in notes and "224 subjects without it (not assessable) are excluded" in notes
    assert "Fisher–Freeman–Halton exact test on the `sex` × grade table" in notes
    assert "Cochran–Armitage test for trend (scores 1–4)" in notes
    assert "Wilson score interval" in notes
    assert result.name == "response"


def _toy(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    cat = pd.CategoricalDtype(GRADES, ordered=True)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(len(rows))],
            "therapy_group": pd.Categorical([r[0] for r in rows], ["monotherapy", "combined"]),
            "sex": pd.Categorical([r[1] for r in rows], ["female", "male"]),
            "response_12m": pd.Series([r[2] for r in rows], dtype=cat),
        }
    )


def test_degenerate_strata_are_not_tested_silently():
    data = _toy(
        [
            ("monotherapy", "female", "worsening"),
            ("monotherapy", "female", "marked improvement"),
            ("combined", "female", "marked improvement"),
            ("combined", "male", "marked improvement"),
            ("combined", "male", None),
        ]
    )
    f = response_table(data).frame
    # monotherapy has one sex only: no test rows for it
    assert not f["group"].str.startswith("therapy_group=monotherapy;sex=*").any()
    # combined: every subject in one grade -> the trend test is reported as not computable
    g = "therapy_group=combined;sex=*"
    assert np.isnan(_value(f, "response_12m", "", g, "p_value", trend=True))
    method = f.loc[(f["group"] == g) & (f["context"] == "trend_test"), "method"].iloc[0]
    assert "not computable: all subjects in one grade" in method
    assert _value(f, "response_12m", "", g, "p_value") == 1.0
    # the empty stratum level male in monotherapy has N = 0 and no percentage
    assert _value(f, "response_12m", "worsening", "therapy_group=monotherapy;sex=male", "N") == 0
    assert _value(f, "response_12m", "", "therapy_group=combined;sex=male", "n_missing") == 1


def test_error_when_outcome_is_not_ordered(patients):
    data = patients.assign(response_12m=patients["response_12m"].astype(str))
    with pytest.raises(ValueError, match="`response_12m` must be an ordered categorical"):
        response_table(data)


def test_error_on_unknown_improvement_level(patients):
    with pytest.raises(ValueError, match=r"improvement level\(s\) \['mild improvment'\]"):
        response_table(patients, improvement_levels=("mild improvment", "marked improvement"))


def test_error_when_trend_test_has_more_than_two_groups(patients):
    data = patients.assign(
        sex=pd.Categorical(
            np.where(np.arange(len(patients)) % 3 == 0, "other", patients["sex"].astype(str))
        )
    )
    with pytest.raises(ValueError, match="`sex` has 3 levels with assessable subjects"):
        response_table(data)
    res = response_table(data, trend_test="none")
    assert not (res.frame["context"] == "trend_test").any()


def test_error_when_by_equals_within(patients):
    with pytest.raises(ValueError, match="`by` and `within` are both 'sex'"):
        response_table(patients, by="sex", within="sex")


def test_error_on_unknown_trend_test(patients):
    with pytest.raises(ValueError, match="response_table: trend_test='jonckheere' is not one of"):
        response_table(patients, trend_test="jonckheere")


def test_a_by_of_three_levels_names_the_study_file_option(patients):
    three = patients.loc[patients["baseline_severity"].notna()]
    with pytest.raises(
        ValueError,
        match=r"`trend_test: none` on this table, or `analysis.options.response_trend_test: none`",
    ):
        response_table(three, by="baseline_severity", within="sex")
    result = response_table(three, by="baseline_severity", within="sex", trend_test="none")
    assert "trend" not in " ".join(result.footnotes)


def test_a_group_title_keeps_the_capitals_of_its_levels():
    """An AE table by sex and centre headed "Female, centre a (N=146)": the title's first
    letter is made a capital, the rest is left as the levels are written."""
    from analysis.tables._common import group_title

    assert group_title("sex=female;centre=Centre A") == "Female, Centre A"
    assert group_title("sex=female;therapy_group=monotherapy") == "Female, monotherapy"
    assert group_title("centre=Centre A;sex=*") == "Centre A (sex)"
    assert group_title("overall") == "Overall"
