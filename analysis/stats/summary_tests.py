"""Tests computed from per-group summaries (sizes, means, SDs, rank sums): the one implementation
of Welch's t-test, one-way ANOVA and the Kruskal-Wallis test.

Tables compute group summaries on the engine (one pass over the data) and test from them; the
sample versions in :mod:`analysis.stats.tests` (``t_test``, ``anova_oneway``, ``kruskal``)
summarise their samples and call these, so there is one formula per test. Each equals scipy and
R to floating-point precision (``tests/unit/tables/test_baseline.py`` and
``tests/validation/test_stats_reference_values.py``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from analysis.errors import ArgumentError
from analysis.stats.results import ANOVA, KRUSKAL, WELCH, TestResult


def welch_summary(n1: float, m1: float, s1: float, n2: float, m2: float, s2: float) -> TestResult:
    """Welch two-sample t-test from group sizes, means and SDs (two-sided).

    Welch (1947), Welch-Satterthwaite degrees of freedom; equals ``scipy.stats.ttest_ind(...,
    equal_var=False)`` and R ``t.test``.
    """
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    if v1 + v2 == 0:  # as stats.tests.t_test says it (R's t.test: "data are essentially constant")
        raise ArgumentError(
            "welch_summary: both groups have zero variance; the t statistic is undefined."
        )
    t = (m1 - m2) / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    return TestResult(float(2 * sps.t.sf(abs(t), df)), WELCH, float(t), float(df))


def anova_summary(n: ArrayLike, mean: ArrayLike, sd: ArrayLike) -> TestResult:
    """One-way ANOVA F-test from group sizes, means and SDs (Fisher 1925); equals
    ``scipy.stats.f_oneway`` and R ``anova(lm(y ~ group))``."""
    n_, mean_, sd_ = (np.asarray(a, dtype=float) for a in (n, mean, sd))
    big_n, k = n_.sum(), len(n_)
    grand = (n_ * mean_).sum() / big_n
    between = (n_ * (mean_ - grand) ** 2).sum() / (k - 1)
    within = ((n_ - 1) * sd_**2).sum() / (big_n - k)
    f = between / within
    return TestResult(
        float(sps.f.sf(f, k - 1, big_n - k)), ANOVA, float(f), float(k - 1), float(big_n - k)
    )


def kruskal_summary(n: ArrayLike, rank_sum: ArrayLike, ties: ArrayLike) -> TestResult:
    """Kruskal-Wallis H (tie-corrected, chi-square approximation) from per-group sizes and rank
    sums (ranks over all groups, ties averaged) and the sizes of the tie groups; equals
    ``scipy.stats.kruskal`` and R ``kruskal.test`` (Kruskal & Wallis 1952)."""
    n_, r_, t_ = (np.asarray(a, dtype=float) for a in (n, rank_sum, ties))
    big_n = n_.sum()
    h = 12.0 / (big_n * (big_n + 1)) * (r_**2 / n_).sum() - 3 * (big_n + 1)
    h /= 1 - (t_**3 - t_).sum() / (big_n**3 - big_n)
    return TestResult(float(sps.chi2.sf(h, len(n_) - 1)), KRUSKAL, float(h), float(len(n_) - 1))
