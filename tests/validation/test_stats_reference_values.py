"""analysis.stats against published numbers and R's printed output, each with its source.

Tolerances follow the number of digits the source prints (half a unit in the last digit).
"""

from __future__ import annotations

import pytest

from analysis.stats.proportions import odds_ratio, proportion_ci, risk_difference
from analysis.stats.tests import (
    anova_oneway,
    chi2_test,
    cochran_armitage_trend,
    fisher_exact_2x2,
    fisher_exact_rxc,
    kruskal,
    mann_whitney,
    smd_categorical,
    t_test,
)

HALF_4DP = 5e-5

# --------------------------------------------------------------------------- one proportion

# Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
# methods. Stat Med 1998;17:857-872, Table I (95% intervals, 4 decimals). Method 3 = Wilson,
# method 4 = Wilson with continuity correction, method 5 = Clopper-Pearson. The same rows are
# asserted in the test suite of the R package ratesci (github.com/petelaud/ratesci, tests/testthat).
NEWCOMBE_1998_TABLE_I = {
    (81, 263): {
        "wilson": (0.2553, 0.3662),
        "wilson_cc": (0.2535, 0.3682),
        "clopper_pearson": (0.2527, 0.3676),
    },
    (15, 148): {
        "wilson": (0.0624, 0.1605),
        "wilson_cc": (0.0598, 0.1644),
        "clopper_pearson": (0.0578, 0.1617),
    },
    (0, 20): {
        "wilson": (0.0, 0.1611),
        "wilson_cc": (0.0, 0.2005),
        "clopper_pearson": (0.0, 0.1684),
    },
    (1, 29): {
        "wilson": (0.0061, 0.1718),
        "wilson_cc": (0.0018, 0.1963),
        "clopper_pearson": (0.0009, 0.1776),
    },
}


@pytest.mark.parametrize(
    ("n", "N", "method", "expected"),
    [
        (n, N, method, expected)
        for (n, N), by_method in NEWCOMBE_1998_TABLE_I.items()
        for method, expected in by_method.items()
    ],
)
def test_single_proportion_newcombe_1998_table_i(
    n: int, N: int, method: str, expected: tuple[float, float]
) -> None:
    low, high = proportion_ci(n, N, method=method)
    assert (low, high) == pytest.approx(expected, abs=HALF_4DP)


def test_agresti_coull_r_rsurveillance_binom_agresti() -> None:
    # R package RSurveillance, ?binom.agresti "Example output" (rdrr.io/cran/RSurveillance/man/
    # binom.agresti.html): binom.agresti(25, 200) -> lower 0.08558957, upper 0.1785444; and
    # binom.agresti(seq(10, 100, 10), 200): 10/200 -> 0.02626810 0.09069269 (R prints 7
    # significant digits, hence the relative tolerance).
    assert tuple(proportion_ci(25, 200, method="agresti_coull")) == pytest.approx(
        (0.08558957, 0.1785444), rel=5e-7
    )
    assert tuple(proportion_ci(10, 200, method="agresti_coull")) == pytest.approx(
        (0.02626810, 0.09069269), rel=5e-7
    )


# --------------------------------------------------------------------------- two proportions

# Newcombe RG. Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Stat Med 1998;17:873-890, Table II, method 10 (hybrid score,
# no continuity correction), examples (a)-(h). Example (a), 56/70 - 48/80, has difference 0.2000
# and interval 0.0524 to 0.3339 (not 0.1833, 0.0334 to 0.3183 as once quoted to us: 56/70 - 48/80
# is 0.2 exactly). Examples (a), (b), (g) are also SAS PROC FREQ output in a WUSS 2016 paper
# (lexjansen.com/wuss/2016/127_Final_Paper_PDF.pdf, p. 9).
NEWCOMBE_1998_TABLE_II_METHOD_10 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_1998_TABLE_II_METHOD_10)
def test_newcombe_1998_table_ii_method_10(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    res = risk_difference(*counts)
    assert (res.ci_low, res.ci_high) == pytest.approx(expected, abs=HALF_4DP)


def test_newcombe_example_a_difference_is_0_2() -> None:
    assert risk_difference(56, 70, 48, 80).estimate == pytest.approx(0.2, abs=1e-12)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe 1998 Table II method 1 (Wald), example (a); SAS PROC FREQ (WUSS 2016, p. 9).
        ((56, 70, 48, 80), (0.0575, 0.3425)),
        # Same paper, HIV trial example 84/101 vs 89/105 (SAS PROC FREQ output).
        ((84, 101, 89, 105), (-0.1162, 0.0843)),
    ],
)
def test_wald_risk_difference_sas_output(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    res = risk_difference(*counts, method="wald")
    assert (res.ci_low, res.ci_high) == pytest.approx(expected, abs=HALF_4DP)


def test_newcombe_hiv_trial_sas_output() -> None:
    # WUSS 2016 (as above): 84/101 vs 89/105, Newcombe score interval -0.1177 to 0.0851.
    res = risk_difference(84, 101, 89, 105)
    assert (res.ci_low, res.ci_high) == pytest.approx((-0.1177, 0.0851), abs=HALF_4DP)


# --------------------------------------------------------------------------- Fisher


def test_fisher_tea_tasting_r_output() -> None:
    # R: TeaTasting <- matrix(c(3, 1, 1, 3), nrow = 2); fisher.test(TeaTasting) prints
    # p-value = 0.4857, 95 percent CI 0.2117329 621.9337505, odds ratio 6.408309; and with
    # alternative = "greater": p-value = 0.2429, CI 0.3135693 Inf (R's ?fisher.test example;
    # printed output reproduced in several R tutorials, e.g. an "R cheat sheet" README on GitHub).
    two_sided = fisher_exact_2x2([[3, 1], [1, 3]])
    assert two_sided.p_value == pytest.approx(0.4857, abs=HALF_4DP)
    assert two_sided.conditional_odds_ratio == pytest.approx(6.408309, rel=5e-6)
    assert two_sided.sample_odds_ratio == 9.0
    assert two_sided.ci_low == pytest.approx(0.2117329, rel=2e-5)
    # R finds the upper limit with uniroot()'s default tolerance (about 1e-4 on the 1/psi
    # scale), so its printed 621.93 is ~0.7% below the exact root 626.24 that scipy returns.
    assert two_sided.ci_high == pytest.approx(621.9337505, rel=0.01)
    greater = fisher_exact_2x2([[3, 1], [1, 3]], "greater")
    assert greater.p_value == pytest.approx(0.2429, abs=HALF_4DP)
    assert greater.ci_low == pytest.approx(0.3135693, rel=2e-5)
    assert greater.ci_high == float("inf")
    exact_or = odds_ratio(3, 4, 1, 4, method="exact")
    assert exact_or.estimate == pytest.approx(6.408309, rel=5e-6)


def test_fisher_freeman_halton_job_satisfaction_r_documentation() -> None:
    # R ?fisher.test example (Agresti 2002, p. 57, Job satisfaction):
    # Job <- matrix(c(1,2,1,0, 3,3,6,1, 10,10,14,9, 6,7,12,11), 4, 4); fisher.test(Job)
    # "# 0.7827" in the help page; printed "p-value = 0.7827" (algstat README; R-help).
    job = [[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]]
    res = fisher_exact_rxc(job)
    assert res.p_value == pytest.approx(0.7827, abs=HALF_4DP)
    assert res.method == "fisher-freeman-halton exact"
    # The help page adds: simulate.p.value = TRUE, B = 1e5 is "also close to 0.78".
    mc = fisher_exact_rxc(job, method="monte_carlo", seed=2024, n_resamples=100_000)
    assert mc.p_value == pytest.approx(0.78, abs=0.01)


# --------------------------------------------------------------------------- chi-square


def test_chisq_party_by_gender_r_documentation() -> None:
    # R ?chisq.test example (Agresti 2007, p. 39):
    # M <- as.table(rbind(c(762, 327, 468), c(484, 239, 477))); chisq.test(M)
    # X-squared = 30.07, df = 2, p-value = 2.954e-07.
    res = chi2_test([[762, 327, 468], [484, 239, 477]])
    assert res.statistic == pytest.approx(30.07, abs=0.005)
    assert res.df == 2
    assert res.p_value == pytest.approx(2.954e-07, abs=5e-11)


def test_chisq_yates_r_documentation() -> None:
    # R ?chisq.test: x <- matrix(c(12, 5, 7, 7), ncol = 2); chisq.test(x)$p.value  # 0.4233
    # (default correct = TRUE, i.e. Yates; matrix() fills by column).
    res = chi2_test([[12, 7], [5, 7]], correction=True)
    assert res.p_value == pytest.approx(0.4233, abs=HALF_4DP)


def test_prop_test_smokers_r_output() -> None:
    # R ?prop.test / ?prop.trend.test data: smokers <- c(83, 90, 129, 70);
    # patients <- c(86, 93, 136, 82); prop.test(smokers, patients):
    # "4-sample test for equality of proportions without continuity correction",
    # X-squared = 12.6, df = 3, p-value = 0.005585 (printed at matstat.org/content_en/R-course/
    # proptest.html). With k > 2 groups prop.test is Pearson's chi-square on the 2 x k table.
    res = chi2_test([[83, 90, 129, 70], [3, 3, 7, 12]])
    assert res.statistic == pytest.approx(12.6, abs=0.05)
    assert res.df == 3
    assert res.p_value == pytest.approx(0.005585, abs=5e-7)


# --------------------------------------------------------------------------- trend


def test_prop_trend_test_smokers_r_output() -> None:
    # R: prop.trend.test(smokers, patients) -> X-squared = 8.2249, df = 1, p-value = 0.004132
    # (R's ?prop.trend.test example; output as printed in R-help, Rui Barradas, 8 Sep 2023).
    res = cochran_armitage_trend([[83, 90, 129, 70], [3, 3, 7, 12]])
    assert res.statistic == pytest.approx(8.2249, abs=HALF_4DP)
    assert res.df == 1
    assert res.p_value == pytest.approx(0.004132, abs=5e-7)


# --------------------------------------------------------------------------- location tests

# R datasets::sleep, extra by group (Cushny & Peebles); R datasets::PlantGrowth.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_sleep_r_output() -> None:
    # R: t.test(extra ~ group, data = sleep) -> t = -1.8608, df = 17.776, p-value = 0.07939
    # (R's ?t.test example; output reproduced in many tutorials).
    res = t_test(SLEEP_1, SLEEP_2)
    assert res.statistic == pytest.approx(-1.8608, abs=HALF_4DP)
    assert res.df == pytest.approx(17.776, abs=5e-4)
    assert res.p_value == pytest.approx(0.07939, abs=5e-6)


def test_wilcoxon_sleep_r_output() -> None:
    # R: wilcox.test(extra ~ group, data = sleep) -> "Wilcoxon rank sum test with continuity
    # correction", W = 25.5, p-value = 0.06933 (ties, so R uses the normal approximation).
    res = mann_whitney(SLEEP_1, SLEEP_2)
    assert res.statistic == 25.5
    assert res.p_value == pytest.approx(0.06933, abs=5e-6)


def test_kruskal_hollander_wolfe_r_documentation() -> None:
    # R ?kruskal.test example (Hollander & Wolfe 1973, p. 116):
    # Kruskal-Wallis chi-squared = 0.77143, df = 2, p-value = 0.68
    res = kruskal([2.9, 3.0, 2.5, 2.6, 3.2], [3.8, 2.7, 4.0, 2.4], [2.8, 3.4, 3.7, 2.2, 2.0])
    assert res.statistic == pytest.approx(0.77143, abs=5e-6)
    assert res.df == 2
    assert res.p_value == pytest.approx(0.68, abs=0.005)


def test_anova_plant_growth_r_output() -> None:
    # R: summary(aov(weight ~ group, data = PlantGrowth)) -> Df 2, 27; F value 4.846;
    # Pr(>F) 0.0159 (RPubs "One Way Anova procedure", rstudio-pubs-static 174031).
    ctrl = [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14]
    trt1 = [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69]
    trt2 = [6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26]
    res = anova_oneway(ctrl, trt1, trt2)
    assert (res.df, res.df_denominator) == (2, 27)
    assert res.statistic == pytest.approx(4.846, abs=5e-4)
    assert res.p_value == pytest.approx(0.0159, abs=5e-5)


# --------------------------------------------------------------------------- standardized differences


def test_categorical_smd_r_tableone_output() -> None:
    # R tableone::CreateTableOne(..., test = FALSE); print(tab, smd = TRUE), as posted in the
    # Stack Overflow question "Standardised mean differences for categorical variables"
    # (no. 72203772; mirrored at techqa.club): n = 656 per group,
    # age_group 19-49 28/25, 50-64 63/69, 65-74 110/110, 75-84 195/202, 85+ 259/249,
    # Under 19 1/1 -> SMD 0.048; gender = Male 324/322 -> SMD 0.006.
    group_0 = [28, 63, 110, 195, 259, 1]
    group_1 = [25, 69, 110, 202, 249, 1]
    res = smd_categorical([c / 656 for c in group_0], [c / 656 for c in group_1])
    assert res.smd == pytest.approx(0.048, abs=5e-4)
    male = smd_categorical([324 / 656, 332 / 656], [322 / 656, 334 / 656])
    assert male.smd == pytest.approx(0.006, abs=5e-4)
