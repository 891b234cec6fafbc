"""Confidence intervals for one proportion and for two-group comparisons of proportions.

Pure functions on counts. Every result carries a ``method`` string: the exact text written to the
ARD ``method`` column and to table footnotes. Proportions and their limits are in proportion units
(0-1), never percent.

References
----------
Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
methods. Stat Med 1998;17:857-872.
Newcombe RG. Interval estimation for the difference between independent proportions: comparison
of eleven methods. Stat Med 1998;17:873-890.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from scipy import stats

from analysis.errors import ArgumentError

__all__ = [
    "PROPORTION_CI_METHODS",
    "RISK_DIFFERENCE_METHODS",
    "ODDS_RATIO_METHODS",
    "ProportionCI",
    "EffectEstimate",
    "proportion_ci",
    "risk_difference",
    "odds_ratio",
]

#: ``method`` argument of :func:`proportion_ci` -> ``method`` string of the result.
PROPORTION_CI_METHODS = {
    "wilson": "wilson",
    "wilson_cc": "wilson_cc",
    "clopper_pearson": "clopper_pearson",
    "agresti_coull": "agresti_coull",
    "wald": "wald",
}
#: ``method`` argument of :func:`risk_difference` -> ``method`` string of the result.
RISK_DIFFERENCE_METHODS = {
    "newcombe": "newcombe hybrid score (Newcombe 1998, method 10)",
    "wald": "wald",
}
#: ``method`` argument of :func:`odds_ratio` -> ``method`` string of the result.
ODDS_RATIO_METHODS = {
    "woolf": "woolf logit",
    "exact": "conditional mle, exact conditional ci (fisher)",
}
_HALDANE_SUFFIX = " (haldane-anscombe 0.5 added to every cell)"

#: A count of subjects: an int, a numpy integer, or a float with an integral value.
Count: TypeAlias = int | float | np.integer[Any]


@dataclass(frozen=True)
class ProportionCI:
    """A proportion ``n/N`` with its confidence interval.

    Unpacks as the interval: ``low, high = proportion_ci(3, 10)``.
    """

    estimate: float
    ci_low: float
    ci_high: float
    method: str
    alpha: float

    def __iter__(self) -> Iterator[float]:
        yield self.ci_low
        yield self.ci_high


@dataclass(frozen=True)
class EffectEstimate:
    """A two-group effect (risk difference, odds ratio) with its confidence interval."""

    estimate: float
    ci_low: float
    ci_high: float
    method: str
    alpha: float


def _check_alpha(alpha: float, func: str) -> float:
    if not isinstance(alpha, numbers.Real) or not 0.0 < float(alpha) < 1.0:
        raise ArgumentError(
            f"{func}: alpha must be a number strictly between 0 and 1 (0.05 for a 95% interval); "
            f"found {alpha!r}."
        )
    return float(alpha)


def _check_count(value: object, name: str, func: str) -> int:
    """Accept ints, numpy ints and integral floats; reject everything else with a clear message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{func}: {name} must be a whole number of subjects; found {value!r}.")
    as_float = float(value)
    if not math.isfinite(as_float) or as_float != int(as_float):
        raise ArgumentError(
            f"{func}: {name} must be a whole number of subjects; found {value!r}. "
            "Pass counts, not proportions or percentages."
        )
    if as_float < 0:
        raise ArgumentError(f"{func}: {name} must be >= 0; found {value!r}.")
    return int(as_float)


def _check_pair(n: Count, N: Count, n_name: str, N_name: str, func: str) -> tuple[int, int]:
    n_i = _check_count(n, n_name, func)
    N_i = _check_count(N, N_name, func)
    if n_i > N_i:
        raise ArgumentError(
            f"{func}: {n_name}={n_i} is larger than {N_name}={N_i}; {n_name} counts subjects with "
            f"the characteristic and must be between 0 and {N_name}. Check that the numerator and "
            "denominator were not swapped."
        )
    return n_i, N_i


def _check_method(method: str, allowed: dict[str, str], func: str) -> None:
    if method not in allowed:
        raise ArgumentError(
            f"{func}: unknown method {method!r}; expected one of {sorted(allowed)}."
        )


@functools.lru_cache(maxsize=32)
def _z(alpha: float) -> float:
    return float(stats.norm.isf(alpha / 2.0))


def _clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


def _wilson(n: int, N: int, z: float) -> tuple[float, float]:
    p = n / N
    z2 = z * z
    denom = 1.0 + z2 / N
    centre = (p + z2 / (2.0 * N)) / denom
    half = z * math.sqrt(p * (1.0 - p) / N + z2 / (4.0 * N * N)) / denom
    low = 0.0 if n == 0 else _clip01(centre - half)
    high = 1.0 if n == N else _clip01(centre + half)
    return low, high


def _wilson_cc(n: int, N: int, z: float) -> tuple[float, float]:
    # Newcombe (1998a) method 4, closed form of the continuity-corrected score interval.
    p = n / N
    q = 1.0 - p
    z2 = z * z
    denom = 2.0 * (N + z2)
    if n == 0:
        low = 0.0
    else:
        low = (2 * N * p + z2 - 1 - z * math.sqrt(z2 - 2 - 1 / N + 4 * p * (N * q + 1))) / denom
    if n == N:
        high = 1.0
    else:
        high = (2 * N * p + z2 + 1 + z * math.sqrt(z2 + 2 - 1 / N + 4 * p * (N * q - 1))) / denom
    return _clip01(low), _clip01(high)


def _clopper_pearson(n: int, N: int, alpha: float) -> tuple[float, float]:
    low = 0.0 if n == 0 else float(stats.beta.ppf(alpha / 2.0, n, N - n + 1))
    high = 1.0 if n == N else float(stats.beta.isf(alpha / 2.0, n + 1, N - n))
    return low, high


def _agresti_coull(n: int, N: int, z: float) -> tuple[float, float]:
    n_tilde = N + z * z
    p_tilde = (n + z * z / 2.0) / n_tilde
    half = z * math.sqrt(p_tilde * (1.0 - p_tilde) / n_tilde)
    return _clip01(p_tilde - half), _clip01(p_tilde + half)


def _wald(n: int, N: int, z: float) -> tuple[float, float]:
    p = n / N
    half = z * math.sqrt(p * (1.0 - p) / N)
    return _clip01(p - half), _clip01(p + half)


def proportion_ci(
    n: Count, N: Count, *, method: str = "wilson", alpha: float = 0.05
) -> ProportionCI:
    """Two-sided confidence interval for the proportion ``n / N``.

    Methods (Newcombe 1998a numbering in brackets):

    - ``"wilson"``: Wilson score interval without continuity correction [method 3]; the interval
      of R ``prop.test(n, N, correct = FALSE)``.
    - ``"wilson_cc"``: Wilson score interval with continuity correction [method 4]; the
      interval of R ``prop.test(n, N)`` whenever ``n != N / 2``.
    - ``"clopper_pearson"``: exact interval from beta quantiles [method 5]; R
      ``binom.test(n, N)``.
    - ``"agresti_coull"``: Wald interval around ``(n + z^2/2) / (N + z^2)`` (Agresti & Coull
      1998), truncated to [0, 1].
    - ``"wald"``: ``p +/- z sqrt(p (1 - p) / N)`` [method 1], truncated to [0, 1]; degenerate
      (zero width) at ``n = 0`` and ``n = N``.

    Parameters
    ----------
    n, N : int
        Subjects with the characteristic and the denominator, ``0 <= n <= N``.
    method : str
        One of the keys of :data:`PROPORTION_CI_METHODS`.
    alpha : float
        ``1 - confidence level``, split equally between the two tails.

    Returns
    -------
    ProportionCI
        ``estimate = n / N`` and ``ci_low``, ``ci_high`` in proportion units; unpacks as
        ``(ci_low, ci_high)``. The score and exact intervals put the lower limit at exactly 0
        when ``n = 0`` and the upper limit at exactly 1 when ``n = N``. ``N = 0`` gives NaN.

    References
    ----------
    Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
    methods. Stat Med 1998;17:857-872.
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat
    Assoc 1927;22:209-212.
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of
    the binomial. Biometrika 1934;26:404-413.
    Agresti A, Coull BA. Approximate is better than "exact" for interval estimation of binomial
    proportions. Am Stat 1998;52:119-126.
    """
    func = "proportion_ci"
    _check_method(method, PROPORTION_CI_METHODS, func)
    alpha = _check_alpha(alpha, func)
    n, N = _check_pair(n, N, "n", "N", func)
    label = PROPORTION_CI_METHODS[method]
    if N == 0:
        return ProportionCI(math.nan, math.nan, math.nan, label, alpha)
    z = _z(alpha)
    if method == "wilson":
        low, high = _wilson(n, N, z)
    elif method == "wilson_cc":
        low, high = _wilson_cc(n, N, z)
    elif method == "clopper_pearson":
        low, high = _clopper_pearson(n, N, alpha)
    elif method == "agresti_coull":
        low, high = _agresti_coull(n, N, z)
    else:
        low, high = _wald(n, N, z)
    return ProportionCI(n / N, low, high, label, alpha)


def risk_difference(
    n1: Count, N1: Count, n2: Count, N2: Count, *, method: str = "newcombe", alpha: float = 0.05
) -> EffectEstimate:
    """Difference of two independent proportions ``n1/N1 - n2/N2`` with a confidence interval.

    - ``"newcombe"``: hybrid score interval, Newcombe (1998b) method 10. With Wilson limits
      ``(l_i, u_i)`` for each proportion (no continuity correction),
      ``low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` and
      ``high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``. Stays inside [-1, 1] and behaves well
      with zero counts.
    - ``"wald"``: ``d +/- z sqrt(p1 (1 - p1) / N1 + p2 (1 - p2) / N2)`` (Newcombe 1998b method
      1), not truncated; degenerate when both proportions are 0 or 1.

    Parameters
    ----------
    n1, N1 : int
        Subjects with the event and denominator of group 1 (the minuend).
    n2, N2 : int
        The same for group 2.
    method : {"newcombe", "wald"}
    alpha : float
        ``1 - confidence level``.

    Returns
    -------
    EffectEstimate
        ``estimate = p1 - p2`` in proportion units; NaN everywhere if a denominator is 0.

    References
    ----------
    Newcombe RG. Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Stat Med 1998;17:873-890.
    """
    func = "risk_difference"
    _check_method(method, RISK_DIFFERENCE_METHODS, func)
    alpha = _check_alpha(alpha, func)
    n1, N1 = _check_pair(n1, N1, "n1", "N1", func)
    n2, N2 = _check_pair(n2, N2, "n2", "N2", func)
    label = RISK_DIFFERENCE_METHODS[method]
    if N1 == 0 or N2 == 0:
        return EffectEstimate(math.nan, math.nan, math.nan, label, alpha)
    p1, p2 = n1 / N1, n2 / N2
    d = p1 - p2
    z = _z(alpha)
    if method == "newcombe":
        l1, u1 = _wilson(n1, N1, z)
        l2, u2 = _wilson(n2, N2, z)
        low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    else:
        half = z * math.sqrt(p1 * (1.0 - p1) / N1 + p2 * (1.0 - p2) / N2)
        low, high = d - half, d + half
    return EffectEstimate(d, low, high, label, alpha)


def odds_ratio(
    n1: Count,
    N1: Count,
    n2: Count,
    N2: Count,
    *,
    method: str = "woolf",
    alpha: float = 0.05,
    haldane: bool = False,
) -> EffectEstimate:
    """Odds ratio of group 1 versus group 2, ``[n1 / (N1 - n1)] / [n2 / (N2 - n2)]``.

    - ``"woolf"``: sample odds ratio ``ad / bc`` with the logit (Woolf 1955) interval
      ``exp(log OR +/- z sqrt(1/a + 1/b + 1/c + 1/d))``. The interval is undefined when a cell
      is 0; ``haldane=True`` then adds 0.5 to every cell (Haldane 1956; Anscombe 1956) and the
      method string says so. Without it a zero cell raises ``ValueError``.
    - ``"exact"``: conditional maximum-likelihood estimate and exact conditional interval
      (Cornfield 1956), as R ``fisher.test`` reports them; computed by
      ``scipy.stats.contingency.odds_ratio(kind="conditional")``. Defined with zero cells
      (limits 0 or infinity).

    Parameters
    ----------
    n1, N1, n2, N2 : int
        Subjects with the event and denominators of groups 1 and 2; the 2x2 table is
        ``[[n1, N1 - n1], [n2, N2 - n2]]``.
    method : {"woolf", "exact"}
    alpha : float
        ``1 - confidence level``.
    haldane : bool
        Only for ``"woolf"``: add 0.5 to every cell when (and only when) a cell is 0.

    Returns
    -------
    EffectEstimate

    References
    ----------
    Woolf B. On estimating the relation between blood group and disease. Ann Hum Genet
    1955;19:251-253.
    Agresti A. Categorical Data Analysis. 3rd ed. Wiley; 2013. Sections 3.1.1 and 16.6.4.
    """
    func = "odds_ratio"
    _check_method(method, ODDS_RATIO_METHODS, func)
    alpha = _check_alpha(alpha, func)
    n1, N1 = _check_pair(n1, N1, "n1", "N1", func)
    n2, N2 = _check_pair(n2, N2, "n2", "N2", func)
    label = ODDS_RATIO_METHODS[method]
    a, b, c, d = n1, N1 - n1, n2, N2 - n2
    if method == "exact":
        if haldane:
            raise ArgumentError(
                f"{func}: haldane=True applies to method='woolf' only; the exact conditional "
                "interval needs no correction for zero cells. Drop haldane=True."
            )
        res = stats.contingency.odds_ratio([[a, b], [c, d]], kind="conditional")
        ci = res.confidence_interval(confidence_level=1.0 - alpha)
        return EffectEstimate(float(res.statistic), float(ci.low), float(ci.high), label, alpha)
    cells = {"n1": a, "N1 - n1": b, "n2": c, "N2 - n2": d}
    zeros = [name for name, value in cells.items() if value == 0]
    if zeros:
        if not haldane:
            raise ArgumentError(
                f"{func}: the 2x2 table [[{a}, {b}], [{c}, {d}]] has a zero cell "
                f"({', '.join(zeros)}), so the Woolf logit interval is undefined. Pass "
                "haldane=True to add 0.5 to every cell, or use method='exact'."
            )
        a_f, b_f, c_f, d_f = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        label = label + _HALDANE_SUFFIX
    else:
        a_f, b_f, c_f, d_f = float(a), float(b), float(c), float(d)
    log_or = math.log(a_f) + math.log(d_f) - math.log(b_f) - math.log(c_f)
    se = math.sqrt(1 / a_f + 1 / b_f + 1 / c_f + 1 / d_f)
    z = _z(alpha)
    return EffectEstimate(
        math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se), label, alpha
    )
