"""Unit tests of analysis.stats.tests: equality with scipy / statsmodels on the same data."""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.special import gammaln
from statsmodels.stats.contingency_tables import Table

from analysis.stats.ffh import EXACT_MAX_N
from analysis.stats.tests import (
    FFH_EXACT,
    RELATIVE_TOLERANCE,
    anova_oneway,
    chi2_test,
    cochran_armitage_trend,
    fisher_exact_2x2,
    fisher_exact_2x2_pvalues,
    fisher_exact_rxc,
    kruskal,
    mann_whitney,
    smd_categorical,
    smd_from_summary,
    standardized_mean_difference,
    t_test,
)

TOL = 1e-10
RNG = np.random.default_rng(20240611)
TABLES_2X2: list[list[list[int]]] = [
    [[3, 1], [1, 3]],
    [[2, 15], [10, 3]],
    [[0, 5], [5, 0]],
    [[12, 5], [7, 7]],
    [[0, 0], [4, 6]],
    [[1, 0], [0, 1]],
    [[20, 30], [25, 25]],
    [[5, 5], [5, 5]],
    [[0, 12], [3, 9]],
] + [RNG.integers(0, 25, size=(2, 2)).tolist() for _ in range(40)]


def _brute_force_ffh(table: np.ndarray) -> float:
    """Fisher-Freeman-Halton p-value by listing every table cell by cell (independent of the
    column-wise network algorithm under test)."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)

    def log_fact(x: object) -> float:
        return float(np.sum(gammaln(np.asarray(x, dtype=float) + 1)))

    const = log_fact(rows) + log_fact(cols) - log_fact(rows.sum())
    observed = const - log_fact(table)
    n_rows, n_cols = table.shape
    total = 0.0
    # Fill the first (rows - 1) x (cols - 1) block; the last row and column are determined.
    ranges = [
        range(0, min(rows[i], cols[j]) + 1) for i in range(n_rows - 1) for j in range(n_cols - 1)
    ]
    for cells in itertools.product(*ranges):
        block = np.array(cells).reshape(n_rows - 1, n_cols - 1)
        last_col = rows[:-1] - block.sum(axis=1)
        if (last_col < 0).any():
            continue
        top = np.column_stack([block, last_col])
        last_row = cols - top.sum(axis=0)
        if (last_row < 0).any():
            continue
        full = np.vstack([top, last_row])
        log_p = const - log_fact(full)
        if log_p <= observed + math.log1p(RELATIVE_TOLERANCE):
            total += math.exp(log_p)
    return total


# --------------------------------------------------------------------------- Fisher 2x2


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("table", TABLES_2X2)
def test_fisher_2x2_equals_scipy(table: list, alternative: str) -> None:
    res = fisher_exact_2x2(table, alternative)
    ref = stats.fisher_exact(table, alternative=alternative)
    assert res.p_value == pytest.approx(ref.pvalue, abs=TOL)
    np.testing.assert_equal(res.sample_odds_ratio, ref.statistic)
    cond = stats.contingency.odds_ratio(table, kind="conditional")
    ci = cond.confidence_interval(alternative=alternative)
    np.testing.assert_allclose(
        [res.conditional_odds_ratio, res.ci_low, res.ci_high],
        [cond.statistic, ci.low, ci.high],
        rtol=TOL,
    )


def test_fisher_2x2_names_both_odds_ratios() -> None:
    res = fisher_exact_2x2([[2, 15], [10, 3]])
    assert res.sample_odds_ratio == pytest.approx(2 * 3 / (15 * 10), rel=TOL)
    assert res.conditional_odds_ratio != pytest.approx(res.sample_odds_ratio, rel=1e-3)
    assert res.method == "fisher exact"
    assert fisher_exact_2x2([[2, 15], [10, 3]], "less").method == (
        "fisher exact (one-sided, alternative=less)"
    )


def test_fisher_2x2_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"fisher_exact_2x2: table must have shape \(2, 2\); "
        r"found shape \(2, 3\). Use fisher_exact_rxc",
    ):
        fisher_exact_2x2([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match=r"unknown alternative 'two.sided'"):
        fisher_exact_2x2([[1, 2], [3, 4]], "two.sided")
    with pytest.raises(ValueError, match=r"table\[0, 1\] = 2.5"):
        fisher_exact_2x2([[1.0, 2.5], [3.0, 4.0]])


def test_fisher_2x2_pvalues_equal_scipy_one_table_at_a_time() -> None:
    # Many tables at once must give scipy.stats.fisher_exact's two-sided p-value of each table,
    # bit for bit: small and huge counts, tables on either side of the mode, at the mode, and
    # with a zero row or column (p = 1).
    rng = np.random.default_rng(7)
    tables = [
        rng.integers(0, scale, size=(2, 2)) for scale in (4, 30, 2_000, 400_000) for _ in range(150)
    ]
    tables += [np.array(t) for t in TABLES_2X2]
    tables += [
        np.array(t)
        for t in ([[0, 0], [3, 4]], [[3, 0], [3, 0]], [[5, 5], [5, 5]], [[9, 0], [0, 9]])
    ]
    stacked = np.array(tables)
    got = fisher_exact_2x2_pvalues(stacked)
    want = np.array([stats.fisher_exact(t).pvalue for t in tables])
    np.testing.assert_array_equal(got, want)
    assert (got[-4:-1] == 1.0).all()
    assert fisher_exact_2x2_pvalues(np.empty((0, 2, 2))).shape == (0,)


def test_fisher_2x2_pvalues_errors_name_the_table() -> None:
    with pytest.raises(ValueError, match=r"shape \(k, 2, 2\); found shape \(2, 3\)"):
        fisher_exact_2x2_pvalues([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match=r"\(table 1\): every cell .* table\[1, 0\] = -1.0"):
        fisher_exact_2x2_pvalues([[[1, 2], [3, 4]], [[1, 2], [-1, 4]]])


# --------------------------------------------------------------------------- Fisher r x c


@pytest.mark.parametrize("table", TABLES_2X2)
def test_ffh_on_2x2_equals_scipy_fisher_two_sided(table: list) -> None:
    res = fisher_exact_rxc(table)
    assert res.p_value == pytest.approx(stats.fisher_exact(table).pvalue, abs=TOL)
    assert res.method == FFH_EXACT


SMALL_TABLES = [
    np.array(t)
    for t in (
        [[1, 2, 0], [3, 0, 4]],
        [[5, 3, 2], [1, 4, 6], [7, 2, 1]],
        [[0, 5, 3], [6, 1, 2], [2, 4, 0]],
        [[2, 0, 1, 3], [1, 4, 0, 2], [0, 1, 5, 1]],
        [[8, 2], [1, 5], [3, 3]],
        [[4, 4, 4], [4, 4, 4]],
        [[3, 0, 0, 0, 1], [0, 2, 1, 0, 2]],
    )
] + [RNG.integers(0, 5, size=(int(RNG.integers(2, 4)), int(RNG.integers(2, 5)))) for _ in range(25)]
SMALL_TABLES = [t for t in SMALL_TABLES if (t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all()]


@pytest.mark.parametrize("table", SMALL_TABLES, ids=lambda t: "x".join(map(str, t.shape)))
def test_ffh_equals_brute_force_enumeration(table: np.ndarray) -> None:
    assert fisher_exact_rxc(table).p_value == pytest.approx(_brute_force_ffh(table), abs=TOL)


def test_ffh_is_invariant_to_transposition_and_permutation() -> None:
    job = np.array([[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]])
    p = fisher_exact_rxc(job).p_value
    assert fisher_exact_rxc(job.T).p_value == pytest.approx(p, abs=TOL)
    assert fisher_exact_rxc(job[[2, 0, 3, 1]][:, [1, 3, 0, 2]]).p_value == pytest.approx(p, abs=TOL)


def test_ffh_drops_empty_rows_and_columns() -> None:
    table = np.array([[3, 0, 1], [0, 0, 0], [1, 0, 4]])
    assert fisher_exact_rxc(table).p_value == pytest.approx(
        stats.fisher_exact([[3, 1], [1, 4]]).pvalue, abs=TOL
    )
    assert fisher_exact_rxc([[0, 0], [3, 4]]).p_value == 1.0
    assert fisher_exact_rxc(pd.DataFrame({"a": [1, 2], "b": [3, 0]})).p_value == pytest.approx(
        stats.fisher_exact([[1, 3], [2, 0]]).pvalue, abs=TOL
    )


def test_ffh_handles_2x4_with_300_subjects() -> None:
    table = np.array([[40, 35, 30, 45], [35, 40, 45, 30]])
    res = fisher_exact_rxc(table, max_tables=1_000_000)
    assert res.method == FFH_EXACT
    assert 0.0 < res.p_value < 1.0
    # Same table, brute force over the 3 free cells of row 1 (the 4th is determined).
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    log_fact = lambda x: gammaln(np.asarray(x, dtype=float) + 1)  # noqa: E731
    a, b, c = np.meshgrid(*(np.arange(k + 1) for k in cols[:3]), indexing="ij")
    d = rows[0] - a - b - c
    ok = (d >= 0) & (d <= cols[3])
    first = np.stack([a[ok], b[ok], c[ok], d[ok]], axis=1)
    log_p = (
        log_fact(rows).sum()
        + log_fact(cols).sum()
        - log_fact(rows.sum())
        - log_fact(first).sum(axis=1)
        - log_fact(cols - first).sum(axis=1)
    )
    observed = (
        log_fact(rows).sum() + log_fact(cols).sum() - log_fact(rows.sum()) - log_fact(table).sum()
    )
    expected = np.exp(log_p[log_p <= observed + math.log1p(RELATIVE_TOLERANCE)]).sum()
    assert res.p_value == pytest.approx(expected, abs=TOL)


MODERATE = np.array([[8, 3, 5, 2], [2, 7, 4, 6], [5, 5, 1, 7]])


def test_monte_carlo_is_reproducible_and_close_to_exact() -> None:
    exact = fisher_exact_rxc(MODERATE).p_value
    first = fisher_exact_rxc(MODERATE, method="monte_carlo", seed=11, n_resamples=20_000)
    again = fisher_exact_rxc(MODERATE, method="monte_carlo", seed=11, n_resamples=20_000)
    other = fisher_exact_rxc(MODERATE, method="monte_carlo", seed=12, n_resamples=20_000)
    assert first == again
    # its Monte Carlo error stated, as when it is the exact test's fallback (it was not)
    se = (first.p_value * (1 - first.p_value) / 20_000) ** 0.5
    assert first.method == (
        f"fisher-freeman-halton monte carlo (B=20000, seed=11; Monte Carlo SE of p "
        f"{f'{se:.6f}'.rstrip('0')})"
    )
    assert abs(first.p_value - exact) < 0.01
    assert abs(other.p_value - exact) < 0.01
    assert first.p_value != other.p_value
    # (1 + hits) / (B + 1): a multiple of 1 / (B + 1)
    hits = first.p_value * 20_001 - 1
    assert hits == pytest.approx(round(hits), abs=1e-6)


def test_falls_back_to_monte_carlo_beyond_the_cap_only_with_a_seed() -> None:
    res = fisher_exact_rxc(MODERATE, max_tables=10, seed=5, n_resamples=5_000)
    se = (res.p_value * (1 - res.p_value) / 5_000) ** 0.5
    shown = f"{se:.6f}".rstrip("0").rstrip(".")
    assert res.method == (
        "fisher-freeman-halton monte carlo (B=5000, seed=5; the exact enumeration would pass 10 "
        f"partial tables; Monte Carlo SE of p {shown})"
    )
    with pytest.raises(
        ValueError,
        match=r"fisher_exact_rxc: exact enumeration of this 3x4 table \(n=55\) needs more than "
        r"max_tables=10 partial tables. Pass seed=<int> to use the Monte-Carlo p-value "
        r"\(B=100000\), or raise max_tables.",
    ):
        fisher_exact_rxc(MODERATE, max_tables=10)


def test_above_the_size_limit_a_seeded_test_is_monte_carlo_and_says_why() -> None:
    exact = fisher_exact_rxc(MODERATE, seed=3)
    assert exact.method == "fisher-freeman-halton exact"  # n = 55, under EXACT_MAX_N
    assert EXACT_MAX_N == 10_000
    small_limit = fisher_exact_rxc(MODERATE, seed=3, max_exact_n=54, n_resamples=20_000)
    assert small_limit.method.startswith(
        "fisher-freeman-halton monte carlo (B=20000, seed=3; n = 55 > 54, the exact test's size "
        "limit; Monte Carlo SE of p "
    )
    assert abs(small_limit.p_value - exact.p_value) < 0.01
    # without a seed the limit does not apply (the p-value could not be reproduced)
    assert fisher_exact_rxc(MODERATE, max_exact_n=54).method == "fisher-freeman-halton exact"


def test_a_million_subjects_stay_in_bounded_time_and_memory() -> None:
    # the enumeration stops at its work cap before holding all compositions (once: > 5 GB)
    big = np.array([[25_000, 140_000, 390_000, 430_000], [500, 2_000, 6_000, 6_500]])
    res = fisher_exact_rxc(big, seed=1, max_exact_n=None, max_tables=200_000, n_resamples=2_000)
    assert "the exact enumeration would pass 200,000 partial tables" in res.method
    quick = fisher_exact_rxc(big, seed=1, n_resamples=2_000)
    assert "n = 1000000 > 10000" in quick.method


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "monte_carlo"}, r"method='monte_carlo' needs a seed"),
        ({"method": "simulate"}, r"unknown method 'simulate'; expected 'exact' or 'monte_carlo'"),
        ({"seed": 1.5}, r"seed must be an integer"),
        ({"n_resamples": 0, "seed": 1}, r"n_resamples must be a positive integer; found 0"),
    ],
)
def test_ffh_argument_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fisher_exact_rxc(MODERATE, **kwargs)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            [1, 2, 3],
            r"table must be a 2-D table of counts \(rows x columns\); found an array with "
            r"shape \(3,\)",
        ),
        ([[1, -2], [3, 4]], r"table\[0, 1\] = -2.0"),
        ([[1, float("nan")], [3, 4]], r"table\[0, 1\] = nan. Pass counts, not proportions"),
        ([["a", 1], [2, 3]], r"it could not be read as numbers"),
    ],
)
def test_table_validation_messages(table: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fisher_exact_rxc(table)


def test_inputs_are_not_mutated() -> None:
    table = MODERATE.copy()
    frame = pd.DataFrame(MODERATE)
    fisher_exact_rxc(table)
    fisher_exact_rxc(frame)
    chi2_test(table)
    np.testing.assert_array_equal(table, MODERATE)
    pd.testing.assert_frame_equal(frame, pd.DataFrame(MODERATE))
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 5.0, 4.0, 1.0])
    mann_whitney(x, y)
    t_test(x, y)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(y, [2.0, 5.0, 4.0, 1.0])


# --------------------------------------------------------------------------- chi-square

CHI2_TABLES = [
    [[762, 327, 468], [484, 239, 477]],
    [[12, 7], [5, 7]],
    [[29, 13], [7, 7], [7, 21]],
    [[83, 90, 129, 70], [3, 3, 7, 12]],
    [[1, 9], [8, 2]],
]


@pytest.mark.parametrize("table", CHI2_TABLES)
def test_chi2_equals_scipy(table: list) -> None:
    res = chi2_test(table)
    ref = stats.chi2_contingency(table, correction=False)
    assert (res.statistic, res.df, res.p_value) == pytest.approx(
        (ref.statistic, ref.dof, ref.pvalue), abs=TOL
    )
    assert res.method == "pearson_chi2 no continuity correction"
    if np.shape(table) == (2, 2):
        res = chi2_test(table, correction=True)
        ref = stats.chi2_contingency(table, correction=True)
        assert (res.statistic, res.p_value) == pytest.approx((ref.statistic, ref.pvalue), abs=TOL)
        assert res.method == "pearson_chi2 yates continuity correction"


def test_chi2_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"chi2_test: row\(s\) \[1\] and column\(s\) \[\] of the "
        r"table are entirely zero",
    ):
        chi2_test([[1, 2], [0, 0], [3, 4]])
    with pytest.raises(
        ValueError,
        match=r"Yates continuity correction is defined for 2x2 tables "
        r"only; found shape \(3, 2\). Pass correction=False.",
    ):
        chi2_test([[1, 2], [5, 1], [3, 4]], correction=True)
    with pytest.raises(ValueError, match=r"at least 2 rows and 2 columns; found shape \(1, 3\)"):
        chi2_test([[1, 2, 3]])


# --------------------------------------------------------------------------- trend

TREND = np.array([[83, 90, 129, 70], [3, 3, 7, 12]])


@pytest.mark.parametrize("scores", [None, [0, 1, 2, 5], [0, 0, 0, 1]])
def test_trend_equals_weighted_regression_of_r_prop_trend_test(scores: list | None) -> None:
    # R: prop.trend.test fits lm(freq ~ score, weights = n / p / (1 - p)) and reports the
    # regression sum of squares of score. The same fit with statsmodels:
    x, n = TREND[0], TREND.sum(axis=0)
    s = np.arange(1, 5.0) if scores is None else np.asarray(scores, dtype=float)
    p = x.sum() / n.sum()
    fit = sm.WLS(x / n, sm.add_constant(s), weights=n / p / (1 - p)).fit()
    res = cochran_armitage_trend(TREND, scores)
    assert res.statistic == pytest.approx(fit.ess, rel=TOL)
    assert res.p_value == pytest.approx(stats.chi2.sf(fit.ess, 1), rel=TOL)
    assert res.z**2 == pytest.approx(res.statistic, rel=TOL)
    assert res.df == 1.0


def test_trend_differs_from_the_permutation_form_by_n_minus_1_over_n() -> None:
    # statsmodels' linear-by-linear association test uses the hypergeometric variance.
    n_total = TREND.sum()
    ref = Table(TREND).test_ordinal_association(
        row_scores=np.array([1.0, 0.0]), col_scores=np.arange(1, 5.0)
    )
    res = cochran_armitage_trend(TREND)
    assert res.statistic * (n_total - 1) / n_total == pytest.approx(ref.zscore**2, rel=TOL)
    assert res.z < 0  # the proportion falls with the score


def test_trend_method_strings() -> None:
    assert cochran_armitage_trend(TREND).method == "cochran-armitage trend (scores 1..4)"
    assert cochran_armitage_trend(TREND, [0, 1, 2, 5]).method == (
        "cochran-armitage trend (scores 0, 1, 2, 5)"
    )


def test_trend_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"table must have 2 rows \(events, non-events\) and at "
        r"least 2 ordered columns; found shape \(4, 2\)",
    ):
        cochran_armitage_trend(TREND.T)
    with pytest.raises(
        ValueError,
        match=r"scores must be 4 finite numbers, one per column; found "
        r"\[1, 2, 3\]",
    ):
        cochran_armitage_trend(TREND, [1, 2, 3])
    with pytest.raises(ValueError, match=r"no subject has the event \(0 of 20\)"):
        cochran_armitage_trend([[0, 0], [10, 10]])
    with pytest.raises(ValueError, match=r"same score"):
        cochran_armitage_trend(TREND, [1, 1, 1, 1])


# --------------------------------------------------------------------------- location tests

X = RNG.integers(1, 6, size=23).astype(float)  # ordinal, many ties
Y = RNG.integers(2, 7, size=31).astype(float)


def test_mann_whitney_equals_scipy_asymptotic_with_continuity() -> None:
    res = mann_whitney(X, Y)
    ref = stats.mannwhitneyu(
        X, Y, use_continuity=True, alternative="two-sided", method="asymptotic"
    )
    assert (res.statistic, res.p_value) == pytest.approx((ref.statistic, ref.pvalue), abs=TOL)
    assert res.method == "wilcoxon-mann-whitney (normal approximation, continuity correction)"


def test_kruskal_t_test_anova_equal_scipy() -> None:
    z = RNG.normal(3, 2, size=17)
    res = kruskal(X, Y, z)
    ref = stats.kruskal(X, Y, z)
    assert (res.statistic, res.p_value, res.df) == pytest.approx((ref.statistic, ref.pvalue, 2))
    assert res.method == "kruskal-wallis"
    res = t_test(X, z)
    ref = stats.ttest_ind(X, z, equal_var=False)
    assert (res.statistic, res.p_value, res.df) == pytest.approx(
        (ref.statistic, ref.pvalue, ref.df), abs=TOL
    )
    assert res.method == "welch t-test"
    res = anova_oneway(X, Y, z)
    ref = stats.f_oneway(X, Y, z)
    assert (res.statistic, res.p_value) == pytest.approx((ref.statistic, ref.pvalue), abs=TOL)
    assert (res.df, res.df_denominator) == (2.0, float(X.size + Y.size + z.size - 3))
    assert res.method == "one-way anova"
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.p_value = 0.5  # type: ignore[misc]


def test_location_test_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"mann_whitney: x has 1 missing value\(s\) \(NaN\) out of "
        r"3; drop them before testing and report them as n_missing",
    ):
        mann_whitney([1, np.nan, 2], [3, 4])
    with pytest.raises(ValueError, match=r"every value in x and y is the same \(2\)"):
        mann_whitney([2, 2], [2, 2, 2])
    with pytest.raises(
        ValueError, match=r"mann_whitney: y has 0 value\(s\); at least 1 are needed"
    ):
        mann_whitney([1, 2], [])
    with pytest.raises(ValueError, match=r"t_test: y has 1 value\(s\); at least 2 are needed"):
        t_test([1, 2, 3], [4])
    with pytest.raises(ValueError, match=r"kruskal: at least 2 groups are needed; found 1"):
        kruskal([1, 2, 3])
    with pytest.raises(ValueError, match=r"anova_oneway: group 1 contains infinite values"):
        anova_oneway([1, 2, 3], [1, np.inf])


# --------------------------------------------------------------------------- standardized differences


def test_continuous_smd_uses_average_variance() -> None:
    a = np.array([4.1, 5.0, 6.2, 5.5, 4.8])
    b = np.array([6.0, 7.1, 5.9, 8.2])
    expected = abs(a.mean() - b.mean()) / math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    res = standardized_mean_difference(a, b)
    assert res.smd == pytest.approx(expected, rel=TOL)
    assert standardized_mean_difference(b, a).smd == pytest.approx(expected, rel=TOL)
    assert res.method == "standardized mean difference (pooled sd = sqrt((s1^2 + s2^2) / 2))"
    assert smd_from_summary(a.mean(), a.std(ddof=1), b.mean(), b.std(ddof=1)) == res


def test_categorical_smd_reduces_to_the_binary_formula() -> None:
    p1, p2 = 0.3, 0.45
    expected = abs(p1 - p2) / math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    assert smd_categorical([1 - p1, p1], [1 - p2, p2]).smd == pytest.approx(expected, rel=TOL)
    assert smd_categorical([p1, 1 - p1], [p2, 1 - p2]).smd == pytest.approx(expected, rel=TOL)


def test_categorical_smd_is_mahalanobis_and_level_order_free() -> None:
    p1 = np.array([0.2, 0.5, 0.3])
    p2 = np.array([0.4, 0.4, 0.2])
    t, c = p1[1:], p2[1:]
    cov = (np.diag(t) - np.outer(t, t) + np.diag(c) - np.outer(c, c)) / 2
    expected = math.sqrt((t - c) @ np.linalg.inv(cov) @ (t - c))
    res = smd_categorical(p1, p2)
    assert res.smd == pytest.approx(expected, rel=TOL)
    assert smd_categorical(p1[[2, 0, 1]], p2[[2, 0, 1]]).smd == pytest.approx(expected, rel=1e-9)
    # A level empty in both groups changes nothing (generalized inverse, as R tableone).
    assert smd_categorical([0.2, 0.5, 0.0, 0.3], [0.4, 0.4, 0.0, 0.2]).smd == pytest.approx(
        expected, rel=1e-9
    )
    assert res.method == "standardized difference, multinomial (Yang & Dalton 2012)"


def test_smd_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"smd_categorical: p1 must be proportions in \[0, 1\] "
        r"summing to 1; found sum 11. Divide counts by the group total",
    ):
        smd_categorical([5, 6], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"p1 has 3 levels and p2 has 2"):
        smd_categorical([0.2, 0.3, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"both standard deviations are 0"):
        standardized_mean_difference([1, 1, 1], [2, 2])
    with pytest.raises(ValueError, match=r"standard deviations must be >= 0"):
        smd_from_summary(1.0, -1.0, 2.0, 1.0)
