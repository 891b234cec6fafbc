"""Continuous tests of the baseline table with a group of one value, or without variation.
ANOVA left a group of one value out in silence (p 0.629, that of the two other groups, for
scipy's 0.861); Welch's t-test ran on 2 of 3 groups when the third had one value (its p printed
on the 3-group row); two groups of constant values stopped the table with ZeroDivisionError.
References: ``scipy.stats.f_oneway``, ``scipy.stats.kruskal`` (R ``anova(lm())``,
``kruskal.test`` give the same)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps

from analysis.stats.summary_tests import welch_summary
from analysis.tables.baseline import NOT_TESTED, baseline_table

A, B, C = [27.0, 19.5], [31.2, 22.0], [24.5]


def _three_groups() -> pd.DataFrame:
    values = [*A, *B, *C, np.nan]  # C's second patient has no value
    groups = ["A", "A", "B", "B", "C", "C"]
    return pd.DataFrame(
        {"patient_id": [f"p{i}" for i in range(6)], "g": pd.Categorical(groups), "bmi": values}
    )


def _p(t) -> float:  # noqa: ANN001
    f = t.frame
    return float(f.loc[(f["variable"] == "bmi") & (f["stat"] == "p_value"), "value"].iloc[0])


def test_anova_takes_a_group_of_one_value_as_scipy_does():
    t = baseline_table(_three_groups(), by="g", variables=["bmi"], continuous_test="anova")
    assert _p(t) == pytest.approx(sps.f_oneway(A, B, C).pvalue, rel=1e-12)  # 0.861


def test_kruskal_takes_a_group_of_one_value_as_scipy_does():
    t = baseline_table(_three_groups(), by="g", variables=["bmi"], continuous_test="kruskal")
    assert _p(t) == pytest.approx(sps.kruskal(A, B, C).pvalue, rel=1e-12)


def test_welch_on_three_groups_with_values_stops_even_when_one_has_a_single_value():
    with pytest.raises(ValueError, match="has 3 groups: the Welch t-test compares two"):
        baseline_table(_three_groups(), by="g", variables=["bmi"], continuous_test="welch")


@pytest.mark.parametrize(
    ("values", "why"),
    [
        ([5.0, 5.0, 7.0, 7.0], "no variation within either group (Welch's t-test is not defined)"),
        ([5.0, np.nan, 7.0, 8.0], "a group with a single value (Welch's t-test needs a variance"),
        ([5.0, 6.0, np.nan, np.nan], "values in one group only"),
    ],
)
def test_welch_not_computable_is_shown_untested_with_its_reason(values, why):
    data = pd.DataFrame(
        {
            "patient_id": list("abcd"),
            "sex": pd.Categorical(["f", "f", "m", "m"]),
            "x": values,
            "y": [1.0, 2.0, 3.0, 5.0],  # tested: the table has its p-value column
        }
    )
    t = baseline_table(data, by="sex", variables=["x", "y"], continuous_test="welch")
    tested = t.frame.loc[t.frame["stat"] == "p_value", "variable"].tolist()
    assert tested == ["y"]
    rows = t.layout(t.frame)
    p = dict(zip(rows["Characteristic"], rows["p-value"], strict=True))
    assert p["x, mean (SD)"] == NOT_TESTED and p["y, mean (SD)"] == "0.199"
    assert any(n.startswith(f"{NOT_TESTED} = not tested") and why in n for n in t.footnotes)


def test_anova_without_any_variance_within_groups_is_untested():
    data = pd.DataFrame(
        {"patient_id": list("abc"), "g": pd.Categorical(list("xyz")), "v": [1.0, 2, 3]}
    )
    t = baseline_table(data, by="g", variables=["v"], continuous_test="anova")
    assert any("no group with two or more values" in n for n in t.footnotes)


def test_welch_from_summaries_refuses_zero_variance_in_words():
    with pytest.raises(ValueError, match="both groups have zero variance"):
        welch_summary(3, 5.0, 0.0, 2, 7.0, 0.0)
