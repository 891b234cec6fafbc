"""Standardized differences between two groups (balance of baseline characteristics): for a
continuous variable from means and SDs, for a categorical one over all its levels (Yang & Dalton
2012)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from analysis.errors import ArgumentError
from analysis.stats._inputs import sample as _sample
from analysis.stats.results import SMD_CATEGORICAL, SMD_CONTINUOUS, SMDResult


def smd_from_summary(mean1: float, sd1: float, mean2: float, sd2: float) -> SMDResult:
    """Absolute standardized mean difference from group means and SDs.

    ``|mean1 - mean2| / sqrt((sd1^2 + sd2^2) / 2)``; see :func:`standardized_mean_difference`.
    """
    func = "smd_from_summary"
    values = {"mean1": mean1, "sd1": sd1, "mean2": mean2, "sd2": sd2}
    bad = {k: v for k, v in values.items() if not math.isfinite(float(v))}
    if bad:
        raise ArgumentError(f"{func}: inputs must be finite numbers; found {bad}.")
    if sd1 < 0 or sd2 < 0:
        raise ArgumentError(
            f"{func}: standard deviations must be >= 0; found sd1={sd1}, sd2={sd2}."
        )
    pooled = math.sqrt((sd1**2 + sd2**2) / 2.0)
    if pooled == 0.0:
        raise ArgumentError(
            f"{func}: both standard deviations are 0, so the standardized difference is "
            "undefined; the variable is constant within each group."
        )
    return SMDResult(abs(mean1 - mean2) / pooled, SMD_CONTINUOUS)


def standardized_mean_difference(x1: ArrayLike, x2: ArrayLike) -> SMDResult:
    """Absolute standardized mean difference of a continuous variable between two groups.

    ``d = |m1 - m2| / sqrt((s1^2 + s2^2) / 2)`` with sample SDs (n - 1 denominator), the
    definition of Austin (2009) and Yang & Dalton (2012), and of R ``tableone``.

    References
    ----------
    Austin PC. Balance diagnostics for comparing the distribution of baseline covariates
    between treatment groups in propensity-score matched samples. Stat Med 2009;28:3083-3107.
    Yang D, Dalton JE. A unified approach to measuring the effect size between two groups using
    SAS. SAS Global Forum 2012, paper 335-2012.
    """
    func = "standardized_mean_difference"
    a = _sample(x1, "x1", func, min_size=2)
    b = _sample(x2, "x2", func, min_size=2)
    return smd_from_summary(
        float(a.mean()), float(a.std(ddof=1)), float(b.mean()), float(b.std(ddof=1))
    )


def smd_categorical(p1: ArrayLike, p2: ArrayLike) -> SMDResult:
    """Absolute standardized difference of a categorical variable (any number of levels).

    Yang & Dalton (2012): with ``T`` and ``C`` the level proportions of the two groups without
    the first (reference) level, and ``S = (S1 + S2) / 2`` where ``Sg`` is the multinomial
    covariance ``diag(p) - p p'`` of those levels,
    ``d = sqrt((T - C)' S^-1 (T - C))``. For two levels this is
    ``|p1 - p2| / sqrt((p1 (1 - p1) + p2 (1 - p2)) / 2)``. ``S^-1`` is the Moore-Penrose inverse
    (tolerance ``sqrt(machine epsilon)``), as R ``tableone`` (``MASS::ginv``), so levels empty
    in both groups are harmless.

    Parameters
    ----------
    p1, p2 : array-like
        Proportions of each level in groups 1 and 2, same level order, each summing to 1.

    References
    ----------
    Yang D, Dalton JE. A unified approach to measuring the effect size between two groups using
    SAS. SAS Global Forum 2012, paper 335-2012.
    """
    func = "smd_categorical"
    a = _sample(p1, "p1", func, min_size=2)
    b = _sample(p2, "p2", func, min_size=2)
    if a.size != b.size:
        raise ArgumentError(
            f"{func}: p1 has {a.size} levels and p2 has {b.size}; pass the proportions of the "
            "same levels in the same order."
        )
    for name, p in (("p1", a), ("p2", b)):
        if (p < 0).any() or (p > 1).any() or abs(p.sum() - 1.0) > 1e-8:
            raise ArgumentError(
                f"{func}: {name} must be proportions in [0, 1] summing to 1; found sum "
                f"{p.sum():.10g}. Divide counts by the group total (excluding missing)."
            )
    t, c = a[1:], b[1:]
    cov = (np.diag(t) - np.outer(t, t) + np.diag(c) - np.outer(c, c)) / 2.0
    diff = t - c
    inv = np.linalg.pinv(cov, rcond=float(np.sqrt(np.finfo(np.float64).eps)))
    d2 = float(diff @ inv @ diff)
    return SMDResult(math.sqrt(max(d2, 0.0)), SMD_CATEGORICAL)
