"""Table 1: summaries from the engine and tests from the summaries equal direct computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis.stats.summary_tests import anova_summary, kruskal_summary, welch_summary
from analysis.tables.baseline import baseline_table
from tests.conftest import ard_value as v

RNG = np.random.default_rng(3)
N = 300
DATA = pd.DataFrame(
    {
        "patient_id": [f"p{i}" for i in range(N)],
        "sex": pd.Categorical(RNG.choice(["female", "male"], N), categories=["female", "male"]),
        "centre": pd.Categorical(RNG.choice(["A", "B", "C"], N), categories=["A", "B", "C", "D"]),
        "age_years": np.where(RNG.random(N) < 0.05, np.nan, RNG.normal(45, 12, N).round()),
        "score": RNG.integers(0, 8, N).astype(float),
        "has_x": RNG.random(N) < 0.3,
    }
)
VARS = {"age_years": "Age", "centre": "Centre", "score": "Score", "has_x": "X"}


def test_continuous_summaries_match_pandas_and_numpy():
    f = baseline_table(DATA, by="sex", variables=VARS).frame
    x = DATA.loc[DATA.sex == "female", "age_years"].dropna()
    assert v(f, "age_years", "", "sex=female", "mean") == pytest.approx(x.mean(), abs=1e-10)
    assert v(f, "age_years", "", "sex=female", "sd") == pytest.approx(x.std(ddof=1), abs=1e-10)
    q1, med, q3 = np.percentile(x, [25, 50, 75])  # linear interpolation, R type 7
    assert v(f, "age_years", "", "sex=female", "q1") == pytest.approx(q1)
    assert v(f, "age_years", "", "sex=female", "median") == pytest.approx(med)
    assert v(f, "age_years", "", "sex=female", "q3") == pytest.approx(q3)
    assert v(f, "age_years", "", "overall", "n_missing") == DATA.age_years.isna().sum()


def test_welch_from_summary_equals_scipy_on_the_data():
    f = baseline_table(DATA, by="sex", variables=VARS, continuous_test="welch").frame
    a = DATA.loc[DATA.sex == "female", "age_years"].dropna()
    b = DATA.loc[DATA.sex == "male", "age_years"].dropna()
    ref = sps.ttest_ind(a, b, equal_var=False)
    assert v(f, "age_years", "", "sex=*", "p_value") == pytest.approx(ref.pvalue, abs=1e-10)
    assert v(f, "age_years", "", "sex=*", "statistic") == pytest.approx(ref.statistic, abs=1e-10)
    res = welch_summary(len(a), a.mean(), a.std(), len(b), b.mean(), b.std())
    assert (res.p_value, res.method) == (pytest.approx(ref.pvalue, abs=1e-12), "welch t-test")
    assert res.df == pytest.approx(ref.df)


def test_anova_and_kruskal_equal_scipy():
    groups = [DATA.loc[DATA.centre == c, "score"].to_numpy() for c in "ABC"]
    n = np.array([len(g) for g in groups], float)
    res = anova_summary(
        n, np.array([g.mean() for g in groups]), np.array([g.std(ddof=1) for g in groups])
    )
    ref = sps.f_oneway(*groups)
    assert (res.p_value, res.statistic) == (
        pytest.approx(ref.pvalue, abs=1e-12),
        pytest.approx(ref.statistic),
    )
    f = baseline_table(
        DATA, by="centre", variables={"score": "Score"}, continuous_test="kruskal"
    ).frame
    kw = sps.kruskal(*groups)
    assert v(f, "score", "", "centre=*", "p_value") == pytest.approx(kw.pvalue, abs=1e-10)
    assert v(f, "score", "", "centre=*", "statistic") == pytest.approx(kw.statistic, abs=1e-10)
    allv = np.concatenate(groups)
    ranks = sps.rankdata(allv)
    sums = np.array(
        [
            ranks[: len(groups[0])].sum(),
            ranks[len(groups[0]) : len(groups[0]) + len(groups[1])].sum(),
            ranks[len(groups[0]) + len(groups[1]) :].sum(),
        ]
    )
    _, ties = np.unique(allv, return_counts=True)
    assert kruskal_summary(n, sums, ties).p_value == pytest.approx(kw.pvalue)


def test_categorical_counts_chi2_and_empty_levels():
    f = baseline_table(DATA, by="sex", variables=VARS).frame
    tab = pd.crosstab(DATA.sex, DATA.centre)
    assert v(f, "centre", "B", "sex=male", "n") == tab.loc["male", "B"]
    assert v(f, "centre", "D", "overall", "n") == 0  # declared level kept
    ref = sps.chi2_contingency(tab.to_numpy(), correction=False)
    assert v(f, "centre", "", "sex=*", "p_value") == pytest.approx(ref.pvalue, abs=1e-10)
    method = f[(f.variable == "centre") & (f.stat == "p_value")]["method"].iloc[0]
    assert method == "pearson_chi2 no continuity correction"


def test_boolean_is_one_row_and_fisher_when_chosen():
    f = baseline_table(DATA, by="sex", variables=VARS, tests_by_variable={"has_x": "fisher"}).frame
    n_f = int(DATA.loc[DATA.sex == "female", "has_x"].sum())
    assert v(f, "has_x", "yes", "sex=female", "n") == n_f
    tab = pd.crosstab(DATA.sex, DATA.has_x).to_numpy()[:, ::-1]
    ref = sps.fisher_exact(tab)
    assert v(f, "has_x", "", "sex=*", "p_value") == pytest.approx(ref.pvalue, abs=1e-10)


def test_smd_continuous_pooled_sd():
    f = baseline_table(DATA, by="sex", variables=VARS).frame
    a = DATA.loc[DATA.sex == "female", "age_years"].dropna()
    b = DATA.loc[DATA.sex == "male", "age_years"].dropna()
    smd = abs(a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2)
    assert v(f, "age_years", "", "sex=*", "smd") == pytest.approx(smd, abs=1e-10)


def test_welch_with_three_groups_is_refused_not_switched():
    with pytest.raises(ValueError) as exc:
        baseline_table(DATA, by="centre", variables={"score": "Score"}, continuous_test="welch")
    assert str(exc.value) == (
        "`score` by `centre` has 3 groups: the Welch t-test compares two; "
        "choose continuous_test='anova' or 'kruskal' (in a study file: "
        "`analysis.options.continuous_test`)."
    )


def test_group_n_add_up_and_input_unchanged():
    before = DATA.copy(deep=True)
    f = baseline_table(DATA, by="sex", variables=VARS).frame
    ns = f[(f.variable == "N")]
    assert ns[ns.group != "overall"]["value"].sum() == ns[ns.group == "overall"]["value"].iloc[0]
    pd.testing.assert_frame_equal(DATA, before)


def test_footnote_names_every_test():
    t = baseline_table(DATA, by="sex", variables=VARS)
    assert t.footnotes[1] == (
        "Tests: Welch's t-test for Age; Score. Pearson's χ² test (no continuity correction) for "
        "Centre; X."
    )


def test_the_first_note_describes_only_the_kinds_of_row_the_table_has():
    """A table of categorical variables alone says nothing of means and quartiles (the
    minoxidil reasons-for-stopping table did), one of continuous variables alone nothing of
    n (%); a yes/no variable is shown as n (%)."""
    both = baseline_table(DATA, by="sex", variables=VARS).footnotes[0]
    assert both.startswith("Categorical: n (%) of non-missing values; continuous: mean (SD)")
    (only_levels, *_) = baseline_table(DATA, by="sex", variables={"centre": "Centre"}).footnotes
    assert only_levels == "Categorical: n (%) of non-missing values."
    (yes_no, *_) = baseline_table(DATA, by="sex", variables={"has_x": "X"}).footnotes
    assert yes_no == only_levels
    (numbers, *_) = baseline_table(DATA, by="sex", variables={"age_years": "Age"}).footnotes
    assert numbers.startswith("Continuous: mean (SD) and median [Q1, Q3]")
    assert "n (%)" not in numbers


def test_a_variable_not_tested_is_not_tested_by_three_groups():
    """A baseline table by a three-level group stopped on the variable the groups are derived
    from ("has 3 groups: the Welch t-test compares two"), a variable it shows untested."""
    import pandas as pd

    from analysis.tables.baseline import baseline_table

    data = pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(9)],
            "age_years": [20.0, 30, 35, 42, 45, 48, 55, 61, 70],
            "weight": [60.0, 72, 80, 65, 90, 70, 75, 82, 68],
            "band": pd.Categorical(["young"] * 3 + ["middle"] * 3 + ["old"] * 3),
        }
    )
    table = baseline_table(
        data,
        by="band",
        variables={"age_years": "Age", "weight": "Weight"},
        continuous_test="kruskal",
        not_tested={"age_years": "defines the groups"},
    )
    tested = table.frame.loc[table.frame["stat"] == "p_value", "variable"]
    assert list(tested) == ["weight"]
    welch = baseline_table(
        data[["patient_id", "age_years", "band"]],
        by="band",
        variables={"age_years": "Age"},
        continuous_test="welch",
        not_tested={"age_years": "defines the groups"},
    )
    assert (welch.frame["stat"] != "p_value").all()
