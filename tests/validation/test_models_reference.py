"""Regression tables against outside references: R ``MASS::polr``, R ``brant`` and Stata ``logit``.

Sources (found with the text search of stored public material, and files shipped with the
installed statsmodels):

[P1] UCLA OARC, "Ordinal logistic regression | R data analysis examples"
     (https://stats.idre.ucla.edu/r/dae/ordinal-logistic-regression/): ``polr(apply ~ pared +
     public + gpa, data = ologit.dta, Hess = TRUE)``. The data (400 rows) ship with statsmodels
     as ``statsmodels/miscmodels/tests/results/ologit_ucla.csv`` (sha256 below), and the R output
     (R 3.4.4, MASS ``polr``) is stored next to it in ``results_ordinal_model.py``: coefficients
     1.04769011, -0.05878572, 0.61594057; SE 0.2658, 0.2979, 0.2606; p 8.087070e-05,
     8.435464e-01, 1.811594e-02; cut-points 2.203915, 4.299363. The UCLA page prints the same
     values rounded (1.04769, -0.05879, 0.61594; 2.2039, 4.2994; residual deviance 717.0249).
[P2] R package ``brant`` 0.3-0 (Schlegel & Steenbergen), example output of ``brant(polr(Smoke ~
     Sex + Height, data = MASS::survey, Hess = TRUE))`` at https://rdrr.io/cran/brant/man/brant.html:
     polr SexMale 0.09478 (SE 0.4808), Height 0.02785 (SE 0.0243); intercepts 6.3113, 6.9224,
     7.8802; residual deviance 287.0276; "(29 observations deleted due to missingness)";
     Brant X2 / df / p: Omnibus 3.28 4 0.51; SexMale 1.58 2 0.45; Height 0.02 2 0.99.
     ``MASS::survey`` (Sex, Smoke, Height columns) is copied below from the Rdatasets CSV export
     (vincentarelbundock/Rdatasets, csv/MASS/survey.csv), 237 rows.
[P3] Spector & Mazzeo (1980) program-effectiveness data, shipped as
     ``statsmodels.datasets.spector``; Stata 11 ``logit grade gpa tuce psi`` output stored in
     statsmodels ``discrete/tests/results/results_discrete.py`` (class ``Spector``): GPA
     2.82611297201, TUCE 0.0951576702557, PSI 2.37868772835, constant -13.0213483201; SE
     1.26294114526, 0.141554207662, 1.06456430165, 4.93132462871. Rounded, these are the widely
     reprinted logit estimates of this example (Greene, Econometric Analysis, example "Probability
     models"): 2.8261, 0.0952, 2.3787, -13.0213.

Why the polr comparisons use a tolerance of 1e-3: R ``polr`` maximises with ``optim`` (BFGS,
default ``reltol`` ~1.5e-8 on the deviance) and stops slightly before the optimum; our fit has a
*higher* log-likelihood than the published R estimates on both datasets (asserted below), so the
remaining differences (up to 6e-4 in a cut-point) are R's, not ours. The task brief quoted
``public -0.0586``: that is the exact optimum (ours: -0.058683, also Stata's ``ologit``); R prints
-0.05879. The brant statistics are asserted to the 2 decimals R prints.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels
import statsmodels.api as sm
from statsmodels.miscmodels.ordinal_model import OrderedModel

from analysis.stats.brant import brant_test
from analysis.tables.models import logistic_model, proportional_odds

UCLA_CSV = (
    Path(statsmodels.__file__).parent / "miscmodels" / "tests" / "results" / "ologit_ucla.csv"
)
UCLA_SHA256 = "1d486fb3309852f8ace4dc61d88440bc40a2edc1a505cbfe54f173ea06120e20"
APPLY = ["unlikely", "somewhat likely", "very likely"]

# MASS::survey [P2]: one token per row, <Sex><Smoke><Height>; Sex F/M, Smoke N(ever) O(ccas)
# R(egul) H(eavy), "-" = NA.
SURVEY = """
    FN173 MR177.8 MO- MN160 MN165 FN172.72 MN182.88 FN157 MN175 MN167 FN156.2 MN- FN155 FN155
    MN- FN156 FN157 MN182.88 MN190.5 MN177 MN190.5 MN180.34 MN180.34 MN184 FN- MN- MN172.72
    MN175.26 MN- MN167 FO- MN180 FH166.4 MN180 MR- MO190 FN168 MN182.5 MN185 MO171 FN169
    FN154.94 MN172 FN176.5 FN180.34 MN180.34 MR180 MN170 FO168 FN165 MN200 MN190 MN170.18 MN179
    MR182 MN171 FN157.48 MN- MN177.8 MO175.26 MN187 FN167.64 FN178 FN170 FN164 MN183 FN172 FN-
    MN180 M-- FN170 MH176 FN171 FN167.64 FN165 FH170 FN165 FH165.1 FN165.1 MN185.42 MN- MN176.5
    FN- FN- MN167.64 FN167 FN162.56 FN170 MN179 FN- MN183 FN- FN165 FN168 MH179 FN- MR190
    FN166.5 MN165 FN175.26 MN187 MN170 FN159 FN175 FH163 FN170 FO172 FN- MN180 MR180.34 FN175
    MN190.5 FN170.18 MN185 FN162.56 FN158 FN159 MH193.04 FN171 MH184 MO- MO177 FN172 MN180
    MN175.26 MN180.34 FN172.72 MR178.5 FN157 FN152 MN187.96 MN178 FN- FO160.02 MN175.26 MR189
    -N172 MN182.88 MN170 FN167 FN175 FN165 FN172.72 MN180 FN172 MN185 MR187.96 MN185.42 FN165
    FN164 MN195 FN165 FR152.4 MN172.72 MN180.34 MN173 MH- FN167.64 MN187.96 MR187 FN167 MN168
    MN191.8 FO169.2 MN177 FN168 FN170 FR160.02 MN189 MN180.34 FN168 MO182.88 FR- FN165 FN157.48
    FN170 MR172.72 FN164 FR- FN162.56 MO172 FO165.1 FN162.5 MN170 MN175 MN168 FN163 MN165 MN173
    MN196 MN179.1 MN180 MO176 FN160.02 FN157.48 FN165 FN170.18 MN154.94 FO170 FN164 FO167 MN174
    FN- FN160 MR179.1 FO168 FN153.5 MN160 MN165 FN171.5 FN160 FN163 MN- MN165 FN168.9 MN170 FN-
    MN185 FN173 MN188 MH171 FN167.64 FN162.56 FN150 FN- FN- FH170.18 MN185 FR167 MO185 FN169
    MN180.34 FN165.1 FN160 FN170 MN183 FN168.5
"""
SMOKE = {"N": "Never", "O": "Occas", "R": "Regul", "H": "Heavy"}


def _survey() -> pd.DataFrame:
    tokens = SURVEY.split()
    return pd.DataFrame(
        {
            "Sex": pd.Categorical(
                [{"F": "Female", "M": "Male"}.get(t[0]) for t in tokens], ["Female", "Male"]
            ),
            "Smoke": pd.Categorical(
                [SMOKE.get(t[1]) for t in tokens], list(SMOKE.values()), ordered=True
            ),
            "Height": [np.nan if t[2:] == "-" else float(t[2:]) for t in tokens],
        }
    )


@pytest.fixture(scope="module")
def ucla() -> pd.DataFrame:
    if not UCLA_CSV.exists():
        pytest.skip(f"statsmodels test data not installed ({UCLA_CSV})")
    assert hashlib.sha256(UCLA_CSV.read_bytes()).hexdigest() == UCLA_SHA256
    data = pd.read_csv(UCLA_CSV)
    data["apply"] = pd.Categorical(data["apply"], categories=APPLY, ordered=True)
    return data


_MODEL_CONTEXTS = ("proportional_odds", "logistic_regression")


def _stat(
    frame: pd.DataFrame, variable: str, contrast: str, stat: str, context: str | None = None
) -> float:
    """``contrast`` "Male vs Female": the ARD's level "Male" with reference "Female"; a numeric
    covariate's "per unit" is its empty level; ``context`` defaults to the model's own rows."""
    level, _, reference = contrast.partition(" vs ")
    if level.startswith("per "):
        level = ""
    hit = frame.loc[
        (frame["variable"] == variable)
        & (frame["level"] == level)
        & (frame["reference"] == reference)
        & (frame["stat"] == stat)
        & (
            frame["context"].isin(_MODEL_CONTEXTS)
            if context is None
            else frame["context"] == context
        ),
        "value",
    ]
    assert len(hit) == 1, (variable, level, stat)
    return float(hit.iloc[0])


def _loglike(data: pd.DataFrame, outcome: str, x: pd.DataFrame, beta, cuts) -> float:
    """Log-likelihood of the polr parameterisation (beta, cut-points) on ``data``."""
    model = OrderedModel(data[outcome], x, distr="logit")
    cuts = np.asarray(cuts, dtype=float)
    params = np.r_[np.asarray(beta, dtype=float), cuts[0], np.log(np.diff(cuts))]
    return float(model.loglike(params))


def test_polr_ucla_coefficients_se_and_cutpoints(ucla):
    res = proportional_odds(ucla, outcome="apply", covariates=("pared", "public", "gpa"))
    f = res.frame
    r_coef = {"pared": 1.04769011, "public": -0.05878572, "gpa": 0.61594057}
    r_se = {"pared": 0.2658, "public": 0.2979, "gpa": 0.2606}
    r_p = {"pared": 8.087070e-05, "public": 8.435464e-01, "gpa": 1.811594e-02}
    r_cuts = [2.203915, 4.299363]
    beta = {v: np.log(_stat(f, v, "per unit", "estimate")) for v in r_coef}
    for v in r_coef:
        assert beta[v] == pytest.approx(r_coef[v], abs=1e-3)
        assert _stat(f, v, "per unit", "se") == pytest.approx(r_se[v], abs=6e-5)
        assert _stat(f, v, "per unit", "p_value") == pytest.approx(r_p[v], rel=1e-2)
    cuts = [
        _stat(f, "apply", "unlikely", "estimate", "cut_point"),
        _stat(f, "apply", "somewhat likely", "estimate", "cut_point"),
    ]
    assert cuts == pytest.approx(r_cuts, abs=1e-3)
    # Wald CI on the OR scale: exp(beta +/- 1.959964 se)
    lo = np.exp(beta["gpa"] - 1.959963984540054 * _stat(f, "gpa", "per unit", "se"))
    assert _stat(f, "gpa", "per unit", "ci_low") == pytest.approx(lo, rel=1e-12)
    # deviance of our estimates = R's printed residual deviance; and ours is the better optimum
    x = ucla[["pared", "public", "gpa"]]
    ours = _loglike(ucla, "apply", x, list(beta.values()), cuts)
    assert -2 * ours == pytest.approx(717.0249, abs=5e-5)
    assert ours >= _loglike(ucla, "apply", x, list(r_coef.values()), r_cuts)
    assert _stat(f, "apply", "", "n") == 400


def test_brant_on_mass_survey_equals_r_brant_package():
    data = _survey()
    assert len(data) == 237
    res = proportional_odds(data, outcome="Smoke", covariates=("Sex", "Height"))
    f = res.frame
    # "(29 observations deleted due to missingness)"
    assert _stat(f, "Smoke", "", "n") == 208
    deleted = _stat(f, "Smoke", "", "n_missing") + _stat(
        f, "Smoke", "", "n_missing", "complete_case"
    )
    assert deleted == 29
    expected = {  # X2, df, probability as printed by brant()
        "Smoke": (3.28, 4, 0.51),  # the omnibus test of all covariates
        "Sex": (1.58, 2, 0.45),
        "Height": (0.02, 2, 0.99),
    }
    for var, (x2, df, p) in expected.items():
        assert _stat(f, var, "", "statistic", "brant_test") == pytest.approx(x2, abs=0.005)
        assert _stat(f, var, "", "df", "brant_test") == df
        assert _stat(f, var, "", "p_value", "brant_test") == pytest.approx(p, abs=0.005)
    # the polr fit printed above the brant table
    b_sex = np.log(_stat(f, "Sex", "Male vs Female", "estimate"))
    b_height = np.log(_stat(f, "Height", "per unit", "estimate"))
    assert b_sex == pytest.approx(0.09478, abs=2e-4)
    assert b_height == pytest.approx(0.02785, abs=2e-5)
    # R's SEs come from optim's finite-difference Hessian at its (early) stopping point
    assert _stat(f, "Sex", "Male vs Female", "se") == pytest.approx(0.4808, rel=1e-3)
    assert _stat(f, "Height", "per unit", "se") == pytest.approx(0.0243, rel=1e-2)
    levels = ["Never", "Occas", "Regul"]  # the level below each cut
    cuts = [_stat(f, "Smoke", lv, "estimate", "cut_point") for lv in levels]
    r_cuts = [6.3113, 6.9224, 7.8802]
    assert cuts == pytest.approx(r_cuts, abs=2e-3)
    cc = data.dropna()
    x = pd.DataFrame({"SexMale": (cc["Sex"] == "Male").astype(float), "Height": cc["Height"]})
    ours = _loglike(cc, "Smoke", x, [b_sex, b_height], cuts)
    assert -2 * ours == pytest.approx(287.0276, abs=5e-5)
    assert ours >= _loglike(cc, "Smoke", x, [0.09478, 0.02785], r_cuts)


def test_brant_test_function_on_ucla_data(ucla):
    # the public function on its own: per-column tests equal joint tests of one column each
    codes = ucla["apply"].cat.codes.to_numpy()
    x = ucla[["pared", "public", "gpa"]].astype(float)
    res = brant_test(codes, x)
    table = proportional_odds(ucla, outcome="apply", covariates=("pared", "public", "gpa")).frame
    assert res.df == 3
    assert res.statistic == pytest.approx(
        _stat(table, "apply", "", "statistic", "brant_test"), rel=1e-12
    )
    assert set(res.per_covariate) == {"pared", "public", "gpa"}
    with pytest.raises(ValueError, match="J >= 3 observed levels"):
        brant_test((codes > 0).astype(int), x)


def test_logit_spector_equals_stata():
    data = sm.datasets.spector.load_pandas().data
    res = logistic_model(data, outcome="GRADE", covariates=("GPA", "TUCE", "PSI"), table="spector")
    f = res.frame
    stata = {
        "GPA": (2.82611297201, 1.26294114526),
        "TUCE": (0.0951576702557, 0.141554207662),
        "PSI": (2.37868772835, 1.06456430165),
    }
    for var, (coef, se) in stata.items():
        assert np.log(_stat(f, var, "per unit", "estimate")) == pytest.approx(coef, rel=1e-6)
        assert _stat(f, var, "per unit", "se") == pytest.approx(se, rel=1e-6)
    assert _stat(f, "GRADE", "", "estimate", "intercept") == pytest.approx(-13.0213483201, rel=1e-6)
    assert _stat(f, "GRADE", "", "se", "intercept") == pytest.approx(4.93132462871, rel=1e-6)
    # the rounded values quoted in textbooks
    rounded = [round(np.log(_stat(f, v, "per unit", "estimate")), 4) for v in stata]
    assert rounded == [2.8261, 0.0952, 2.3787]
    assert _stat(f, "GRADE", "", "n") == 32
    assert _stat(f, "GRADE", "", "events") == 11
