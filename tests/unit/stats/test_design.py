"""The one design matrix (``analysis.stats.design``): treatment coding against an explicit
reference, complete cases counted, and every model of the package built on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.brant import brant_test
from analysis.stats.design import design_matrix, per_unit
from analysis.stats.regression import fit_logistic, fit_proportional_odds

LEVELS = ["low", "mid", "high"]


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 120
    return pd.DataFrame(
        {
            "grade": pd.Categorical(rng.choice(LEVELS, n), categories=LEVELS, ordered=True),
            "arm": pd.Categorical(rng.choice(["a", "b", "c"], n), categories=["a", "b", "c", "d"]),
            "flag": rng.random(n) < 0.4,
            "age_years": rng.normal(50, 10, n).round(),
            "event": (rng.random(n) < 0.3).astype(int),
        }
    )


def test_treatment_coding_against_the_reference_with_every_exclusion_counted():
    data = _data()
    data.loc[[0, 1], "age_years"] = np.nan
    data.loc[2, "grade"] = np.nan
    d = design_matrix(data, ["arm", "flag", "age_years"], outcome="grade", reference={"arm": "b"})
    assert list(d.X.columns) == ["arm[a]", "arm[c]", "flag[yes]", "age_years"]
    assert [t.contrast for t in d.terms] == ["a vs b", "c vs b", "yes vs no", "per year"]
    assert d.references == {"arm": "b", "flag": "no"}
    assert d.dropped_levels == {"arm": ["d"]}  # declared, no complete case: no column
    assert (d.n_missing_outcome, d.n_missing_covariates) == (1, 2)
    assert d.missing_by_covariate == {"arm": 0, "flag": 0, "age_years": 2}
    assert len(d.X) == len(data) - 3 and d.y is not None and len(d.y) == len(d.X)
    assert d.groups == {
        "arm": ["arm[a]", "arm[c]"],
        "flag": ["flag[yes]"],
        "age_years": ["age_years"],
    }
    expected = (data.loc[d.X.index, "arm"].astype(str) == "c").astype(float)
    np.testing.assert_array_equal(d.X["arm[c]"].to_numpy(), expected.to_numpy())


def test_without_an_outcome_only_covariates_decide_the_complete_cases():
    data = _data()
    data.loc[[3, 4], "arm"] = np.nan
    d = design_matrix(data, ["arm", "age_years"], reference={"arm": None})
    assert d.y is None and len(d.X) == len(data) - 2
    assert d.references == {"arm": "a"} and d.n_missing_outcome == 0


@pytest.mark.parametrize(
    ("change", "covariates", "reference", "message"),
    [
        ({"arm": "a"}, ["arm", "age_years"], None, r"covariate `arm` is constant among the 120"),
        ({}, ["age_years"], {"age_years": "40"}, r"numeric covariate `age_years`; numeric"),
        ({}, ["arm"], {"arm": "d"}, r"reference level 'd' of `arm` has no subject"),
        ({}, ["arm", "arm"], None, r"\['arm'\] are listed more than once"),
        ({}, ["age_years", "age_days"], None, r"are collinear among the 120 complete cases"),
    ],
)
def test_designs_a_model_cannot_take_are_refused_by_name(change, covariates, reference, message):
    data = _data().assign(**change).assign(age_days=lambda f: f["age_years"] * 365.25)
    with pytest.raises(ValueError, match=message):
        design_matrix(data, covariates, outcome="grade", reference=reference)


def test_per_unit_words_the_effect_of_a_numeric_covariate():
    assert per_unit("age_years") == "per year"
    assert per_unit("n_sessions") == "per session"
    assert per_unit("dose_mg") == "per mg"
    assert per_unit("score") == "per unit"
    assert per_unit("score", {"score": "point"}) == "per point"


def test_models_and_the_brant_test_fit_the_design_matrix():
    data = _data()
    po = fit_proportional_odds(data, outcome="grade", covariates=["arm", "age_years"])
    assert list(po.odds_ratios.index) == list(po.design.X.columns)
    assert po.levels == LEVELS and len(po.cut_points) == 2
    row = po.odds_ratios.loc["arm[b]"]
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert np.log(row["ci_high"] / row["estimate"]) == pytest.approx(1.959963984540054 * row["se"])
    brant = brant_test(po.y, po.design.X, po.design.groups)
    assert set(brant.per_covariate) == {"arm", "age_years"}
    assert brant.per_covariate["arm"][1] == 2  # (J - 2) x 2 columns
    logit = fit_logistic(data, outcome="event", covariates=["flag", "age_years"])
    assert list(logit.odds_ratios.index) == ["flag[yes]", "age_years"]
    assert logit.intercept is not None and logit.y.sum() == data["event"].sum()
