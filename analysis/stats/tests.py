"""Hypothesis tests and standardized differences for baseline, adverse-event and response tables.

Pure functions on small aggregated counts (contingency tables) or on the values of one variable
per group. Every result carries a ``method`` string: the exact text written to the ARD ``method``
column and to table footnotes. Inputs are never modified.

Where a function claims parity with R, the R call is named in its docstring and a test in
``tests/unit`` or ``tests/validation`` proves it.

This module is the one import for every test: Fisher 2x2 lives in :mod:`analysis.stats.exact`,
Fisher-Freeman-Halton in :mod:`analysis.stats.ffh`, the summary-statistic versions of Welch,
ANOVA and Kruskal-Wallis in :mod:`analysis.stats.summary_tests`, the result types and method
names in :mod:`analysis.stats.results`; all are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.errors import ArgumentError
from analysis.stats._inputs import count_table as _count_table
from analysis.stats._inputs import groups as _groups
from analysis.stats._inputs import sample as _sample
from analysis.stats.exact import RELATIVE_TOLERANCE, fisher_exact_2x2, fisher_exact_2x2_pvalues
from analysis.stats.ffh import fisher_exact_rxc
from analysis.stats.results import (
    ANOVA,
    CHI2_PLAIN,
    CHI2_YATES,
    EXPECTED_COUNTS,
    FFH_EXACT,
    FISHER_EXACT,
    KRUSKAL,
    MANN_WHITNEY,
    SMD_CATEGORICAL,
    SMD_CONTINUOUS,
    WELCH,
    ExpectedCounts,
    FisherResult,
    SMDResult,
    TestResult,
    TrendTestResult,
)
from analysis.stats.smd import smd_categorical, smd_from_summary, standardized_mean_difference
from analysis.stats.summary_tests import anova_summary, kruskal_summary, welch_summary

__all__ = [
    "RELATIVE_TOLERANCE",
    "FFH_EXACT",
    "FISHER_EXACT",
    "CHI2_PLAIN",
    "CHI2_YATES",
    "EXPECTED_COUNTS",
    "MANN_WHITNEY",
    "KRUSKAL",
    "WELCH",
    "ANOVA",
    "SMD_CONTINUOUS",
    "SMD_CATEGORICAL",
    "TestResult",
    "ExpectedCounts",
    "FisherResult",
    "TrendTestResult",
    "SMDResult",
    "fisher_exact_2x2",
    "fisher_exact_2x2_pvalues",
    "fisher_exact_rxc",
    "chi2_test",
    "expected_counts",
    "cochran_armitage_trend",
    "mann_whitney",
    "kruskal",
    "t_test",
    "anova_oneway",
    "standardized_mean_difference",
    "smd_from_summary",
    "smd_categorical",
]


# --------------------------------------------------------------------------- chi-square


def chi2_test(table: ArrayLike, *, correction: bool = False) -> TestResult:
    """Pearson's chi-square test of independence for an r x c table.

    Same statistic, df and p-value as R ``chisq.test(table, correct = correction)`` and
    ``scipy.stats.chi2_contingency``. The Yates continuity correction exists for 2x2 tables only;
    asking for it on a larger table is an error rather than being silently ignored.

    Parameters
    ----------
    table : array-like, 2-D
        Counts; no row or column may be entirely zero (its expected counts would be 0).
    correction : bool
        Apply Yates' continuity correction (2x2 only).

    Returns
    -------
    TestResult
        ``statistic`` (X-squared), ``df = (r - 1)(c - 1)``, ``p_value``.

    References
    ----------
    Pearson K. On the criterion that a given system of deviations from the probable ... Philos
    Mag 1900;50:157-175.
    Yates F. Contingency tables involving small numbers and the chi-square test. Suppl J R Stat
    Soc 1934;1:217-235.
    """
    func = "chi2_test"
    counts = _count_table(table, func)
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        raise ArgumentError(
            f"{func}: the table needs at least 2 rows and 2 columns; found shape {counts.shape}."
        )
    empty_rows = np.flatnonzero(counts.sum(axis=1) == 0).tolist()
    empty_cols = np.flatnonzero(counts.sum(axis=0) == 0).tolist()
    if empty_rows or empty_cols:
        raise ArgumentError(
            f"{func}: row(s) {empty_rows} and column(s) {empty_cols} of the table are entirely "
            "zero, so their expected counts are 0 and the chi-square statistic is undefined. "
            "Drop the empty levels first, or use fisher_exact_rxc."
        )
    if correction and counts.shape != (2, 2):
        raise ArgumentError(
            f"{func}: the Yates continuity correction is defined for 2x2 tables only; found "
            f"shape {counts.shape}. Pass correction=False."
        )
    res = stats.chi2_contingency(counts, correction=correction)
    return TestResult(
        p_value=float(res.pvalue),
        method=CHI2_YATES if correction else CHI2_PLAIN,
        statistic=float(res.statistic),
        df=float(res.dof),
    )


def expected_counts(table: ArrayLike) -> ExpectedCounts:
    """The expected counts under independence (row total × column total / N) of an r x c table,
    which Pearson's χ² test compares the counts with: the smallest, the cells below 5 and the
    cells in all, for Cochran's rule (no more than 20% of cells below 5, none below 1).

    Same expected counts as R ``chisq.test(table)$expected`` and
    ``scipy.stats.contingency.expected_freq``.

    References
    ----------
    Cochran WG. Some methods for strengthening the common χ² tests. Biometrics 1954;10:417-451.
    """
    counts = _count_table(table, "expected_counts")
    expected = stats.contingency.expected_freq(counts)
    return ExpectedCounts(
        min_expected=float(expected.min()),
        n_below_5=int((expected < 5).sum()),
        n_cells=int(expected.size),
        method=EXPECTED_COUNTS,
    )


# --------------------------------------------------------------------------- trend


def cochran_armitage_trend(
    table: ArrayLike, scores: Sequence[float] | None = None
) -> TrendTestResult:
    """Cochran-Armitage test for a trend in proportions across ordered groups (2 x k table).

    With events ``x_i`` out of ``n_i`` in column ``i`` (``N = sum n_i``, ``p = sum x_i / N``)
    and scores ``s_i``::

        T = sum x_i s_i - p sum n_i s_i
        V = p (1 - p) [sum n_i s_i^2 - (sum n_i s_i)^2 / N]
        X^2 = T^2 / V   (chi-square, 1 df; two-sided)

    This is the binomial-variance form, identical to R ``prop.trend.test(x, n, score)``. Some
    software (e.g. the hypergeometric/permutation form) multiplies it by ``(N - 1) / N``; that
    version is not used here.

    Parameters
    ----------
    table : array-like, shape (2, k)
        Row 0: subjects with the event per ordered group; row 1: subjects without.
    scores : sequence of float, optional
        Score of each column; default ``1..k``.

    Returns
    -------
    TrendTestResult
        ``statistic = X^2``, ``z = T / sqrt(V)``, ``df = 1``; method
        ``"cochran-armitage trend (scores 1..k)"`` with ``k`` filled in, or the scores listed.

    References
    ----------
    Cochran WG. Some methods for strengthening the common chi-square tests. Biometrics
    1954;10:417-451.
    Armitage P. Tests for linear trends in proportions and frequencies. Biometrics
    1955;11:375-386.
    """
    func = "cochran_armitage_trend"
    counts = _count_table(table, func)
    if counts.shape[0] != 2 or counts.shape[1] < 2:
        raise ArgumentError(
            f"{func}: table must have 2 rows (events, non-events) and at least 2 ordered "
            f"columns; found shape {counts.shape}. Transpose it if groups are in rows."
        )
    k = counts.shape[1]
    if scores is None:
        s = np.arange(1, k + 1, dtype=np.float64)
        label = f"cochran-armitage trend (scores 1..{k})"
    else:
        s = np.array(scores, dtype=np.float64, copy=True).ravel()
        if s.size != k or not np.isfinite(s).all():
            raise ArgumentError(
                f"{func}: scores must be {k} finite numbers, one per column; found {list(scores)}."
            )
        label = f"cochran-armitage trend (scores {', '.join(f'{v:g}' for v in s)})"
    x = counts[0].astype(np.float64)
    n = counts.sum(axis=0).astype(np.float64)
    total = n.sum()
    p = x.sum() / total
    if p in (0.0, 1.0):
        raise ArgumentError(
            f"{func}: {'no' if p == 0.0 else 'every'} subject has the event "
            f"({int(x.sum())} of {int(total)}), so the trend test is undefined."
        )
    sum_ns = float(np.sum(n * s))
    spread = float(np.sum(n * s * s) - sum_ns**2 / total)
    if spread <= 0.0:
        raise ArgumentError(
            f"{func}: all subjects are in columns with the same score, so there is no trend to "
            "test; check the table and scores."
        )
    t = float(np.sum(x * s) - p * sum_ns)
    variance = p * (1.0 - p) * spread
    z = t / math.sqrt(variance)
    statistic = z * z
    return TrendTestResult(
        p_value=float(stats.chi2.sf(statistic, 1)), method=label, statistic=statistic, z=z
    )


# --------------------------------------------------------------------------- location tests


def mann_whitney(x: ArrayLike, y: ArrayLike) -> TestResult:
    """Wilcoxon-Mann-Whitney rank-sum test, two-sided, normal approximation.

    Tie-corrected variance and continuity correction, always asymptotic: the p-value of R
    ``wilcox.test(x, y, exact = FALSE, correct = TRUE)`` (R's default also uses this when there
    are ties or ``n >= 50``; for ordinal data ties are the rule). Computed by
    ``scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True)``.

    Returns
    -------
    TestResult
        ``statistic`` is ``U`` of ``x`` (R's ``W``).

    References
    ----------
    Mann HB, Whitney DR. On a test of whether one of two random variables is stochastically
    larger than the other. Ann Math Stat 1947;18:50-60.
    Hollander M, Wolfe DA, Chicken E. Nonparametric Statistical Methods. 3rd ed. Wiley; 2014.
    Section 4.1.
    """
    func = "mann_whitney"
    a = _sample(x, "x", func)
    b = _sample(y, "y", func)
    if np.unique(np.concatenate([a, b])).size == 1:
        raise ArgumentError(
            f"{func}: every value in x and y is the same ({a[0]:g}); the rank test is undefined."
        )
    res = stats.mannwhitneyu(
        a, b, use_continuity=True, alternative="two-sided", method="asymptotic"
    )
    return TestResult(
        p_value=float(res.pvalue), method=MANN_WHITNEY, statistic=float(res.statistic)
    )


def kruskal(*groups: ArrayLike) -> TestResult:
    """Kruskal-Wallis rank test across two or more groups (tie-corrected, chi-square approx.).

    Same statistic, df and p-value as R ``kruskal.test(list(...))``.

    References
    ----------
    Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis. J Am Stat Assoc
    1952;47:583-621.
    """
    func = "kruskal"
    samples = _groups(groups, func, min_size=1)
    if np.unique(np.concatenate(samples)).size == 1:
        raise ArgumentError(f"{func}: every value is the same; the rank test is undefined.")
    ranks = stats.rankdata(np.concatenate(samples))
    bounds = np.cumsum([0, *(s.size for s in samples)])
    rank_sums = [ranks[a:b].sum() for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    ties = np.unique(np.concatenate(samples), return_counts=True)[1]
    return kruskal_summary([s.size for s in samples], rank_sums, ties)


def t_test(x: ArrayLike, y: ArrayLike) -> TestResult:
    """Welch's two-sample t-test (unequal variances, Welch-Satterthwaite df), two-sided.

    Same t, df and p-value as R ``t.test(x, y)`` (whose default is ``var.equal = FALSE``).

    References
    ----------
    Welch BL. The generalization of "Student's" problem when several different population
    variances are involved. Biometrika 1947;34:28-35.
    """
    func = "t_test"
    a = _sample(x, "x", func, min_size=2)
    b = _sample(y, "y", func, min_size=2)
    if np.var(a) == 0.0 and np.var(b) == 0.0:
        raise ArgumentError(
            f"{func}: both groups have zero variance; the t statistic is undefined."
        )
    return welch_summary(a.size, a.mean(), a.std(ddof=1), b.size, b.mean(), b.std(ddof=1))


def anova_oneway(*groups: ArrayLike) -> TestResult:
    """One-way analysis of variance (equal variances), F test.

    Same F, df and p-value as R ``anova(lm(y ~ group))`` / ``oneway.test(..., var.equal = TRUE)``.

    Returns
    -------
    TestResult
        ``statistic`` (F), ``df = k - 1``, ``df_denominator = N - k``.

    References
    ----------
    Fisher RA. Statistical Methods for Research Workers. Oliver & Boyd; 1925.
    """
    func = "anova_oneway"
    samples = _groups(groups, func, min_size=1)
    total = sum(s.size for s in samples)
    if total <= len(samples):
        raise ArgumentError(
            f"{func}: {total} observations in {len(samples)} groups leave no residual degrees of "
            "freedom; at least one group needs 2 or more values."
        )
    if all(np.var(s) == 0.0 for s in samples):
        raise ArgumentError(f"{func}: every group has zero variance; the F statistic is undefined.")
    sds = [s.std(ddof=1) if s.size > 1 else 0.0 for s in samples]
    return anova_summary([s.size for s in samples], [s.mean() for s in samples], sds)
