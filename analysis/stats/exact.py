"""Fisher's exact test for 2x2 tables: one table (p-value, conditional odds ratio and its
interval), or the p-values of many tables at once for adverse-event tables. The r x c
(Fisher-Freeman-Halton) test is in ``stats/ffh.py``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis.errors import ArgumentError
from analysis.stats._inputs import check_alpha as _check_alpha
from analysis.stats._inputs import count_table as _count_table
from analysis.stats.results import FISHER_EXACT, FisherResult

#: Relative tolerance when comparing table probabilities with the observed one: a table counts
#: as "at most as probable" if ``P <= P_obs * (1 + 1e-7)``, R ``fisher.test``'s factor, so
#: tables tied with the observed one are counted despite rounding. (The 2x2 test below is
#: ``scipy.stats.fisher_exact``, whose factor is ``1 + 1e-14``: the two agree to ~1e-13.)
RELATIVE_TOLERANCE = 1e-7


# --------------------------------------------------------------------------- Fisher 2x2

_ALTERNATIVES = ("two-sided", "less", "greater")


def fisher_exact_2x2(
    table: ArrayLike,
    alternative: str = "two-sided",
    *,
    alpha: float = 0.05,
    odds_ratio: bool = True,
) -> FisherResult:
    """Fisher's exact test for a 2x2 table.

    The p-value is ``scipy.stats.fisher_exact``: two-sided, the sum of the hypergeometric
    probabilities of all tables with the observed margins that are at most as probable as the
    observed one (scipy's relative tolerance 1e-14; R ``fisher.test`` uses 1e-7, which moves
    the p-value by ~1e-13 at most where a table ties the observed one).

    Parameters
    ----------
    table : array-like, shape (2, 2)
        Counts ``[[a, b], [c, d]]``; rows are groups, the first column the event.
    alternative : {"two-sided", "less", "greater"}
        Alternative hypothesis about the odds ratio.
    alpha : float
        ``1 - confidence level`` of the conditional interval.
    odds_ratio : bool
        Compute the conditional odds ratio and its interval (default). Tables that show only the
        p-value pass False: the interval's root-finding grows with N (seconds per table at
        10,000 subjects) while the p-value stays fast; the odds-ratio fields are then NaN.

    Returns
    -------
    FisherResult
        p-value; ``sample_odds_ratio = ad / bc`` (scipy's statistic, the unconditional MLE);
        ``conditional_odds_ratio`` and its exact conditional interval (R ``fisher.test``'s
        estimate, from ``scipy.stats.contingency.odds_ratio(kind="conditional")``).

    References
    ----------
    Fisher RA. On the interpretation of chi-square from contingency tables, and the calculation
    of P. J R Stat Soc 1922;85:87-94.
    Agresti A. Categorical Data Analysis. 3rd ed. Wiley; 2013. Section 3.5.
    """
    func = "fisher_exact_2x2"
    if alternative not in _ALTERNATIVES:
        raise ArgumentError(
            f"{func}: unknown alternative {alternative!r}; expected one of {list(_ALTERNATIVES)}."
        )
    alpha = _check_alpha(alpha, func)
    counts = _count_table(table, func, shape=(2, 2))
    res = stats.fisher_exact(counts, alternative=alternative)
    if odds_ratio:
        cond = stats.contingency.odds_ratio(counts, kind="conditional")
        ci = cond.confidence_interval(confidence_level=1.0 - alpha, alternative=alternative)
        estimate, low, high = float(cond.statistic), float(ci.low), float(ci.high)
    else:
        estimate = low = high = float("nan")
    method = FISHER_EXACT
    if alternative != "two-sided":
        method = f"{FISHER_EXACT} (one-sided, alternative={alternative})"
    return FisherResult(
        p_value=float(res.pvalue),
        sample_odds_ratio=float(res.statistic),
        conditional_odds_ratio=estimate,
        ci_low=low,
        ci_high=high,
        method=method,
        alternative=alternative,
        alpha=alpha,
    )


def fisher_exact_2x2_pvalues(tables: ArrayLike) -> NDArray:
    """Two-sided Fisher exact p-values of many 2x2 tables at once.

    The same algorithm and the same hypergeometric evaluations as ``scipy.stats.fisher_exact``
    (scipy 1.17, ``_stats_py.fisher_exact``: the probability of the observed table, the tail
    beyond it, and a binary search for the first table on the other side of the mode that is at
    most as probable, relative tolerance 1e-14), run in lockstep over all tables: each step is
    one vectorised ``scipy.stats.hypergeom`` call instead of one call per table and step. The
    p-values equal ``fisher_exact_2x2(table).p_value`` exactly (tested). It earns its place in
    ``benchmarks/bench_tables.py`` (``fisher_diagnostic``), which times it against scipy's
    ``fisher_exact`` one table at a time in the same run and checks equal values: on the 36
    comparisons of the 1,000,000-patient AE table, 0.010 s instead of 0.088 s (8.5x, median of 7
    runs, 2 shared cores).

    Parameters
    ----------
    tables : array-like of shape (k, 2, 2)
        Counts ``[[a, b], [c, d]]`` per table; rows are groups, the first column the event.
    """
    func = "fisher_exact_2x2_pvalues"
    c = np.asarray(tables, dtype=np.float64)
    if c.ndim != 3 or c.shape[1:] != (2, 2):
        raise ArgumentError(
            f"{func}: expected an array of 2x2 tables, shape (k, 2, 2); found shape {c.shape}."
        )
    bad = (~np.isfinite(c) | (c < 0) | (c != np.round(c))).any(axis=(1, 2))
    if bad.any():  # the first bad table, its cells named
        k = int(np.argmax(bad))
        _count_table(c[k], f"{func} (table {k})", shape=(2, 2))
    c = c.astype(np.int64)
    hyper = stats.hypergeom
    a, b, cc, d = c[:, 0, 0], c[:, 0, 1], c[:, 1, 0], c[:, 1, 1]
    n1, n2, n = a + b, cc + d, a + cc
    m = n1 + n2
    p = np.ones(len(c))
    # scipy: a zero row or column sum gives p = 1
    todo = (n1 > 0) & (n2 > 0) & (n > 0) & (b + d > 0)
    idx = np.nonzero(todo)[0]
    if idx.size == 0:
        return p
    a, m, n1, n = a[idx], m[idx], n1[idx], n[idx]
    mode = ((n + 1) * (n1 + 1) / (m + 2)).astype(np.int64)  # scipy: int(float quotient)
    pexact = hyper.pmf(a, m, n1, n)
    pmode = hyper.pmf(mode, m, n1, n)
    gamma = 1 + 1e-14
    out = np.ones(len(idx))
    at_mode = np.abs(pexact - pmode) / np.maximum(pexact, pmode) <= 1e-14
    lower = ~at_mode & (a < mode)
    upper = ~at_mode & ~lower
    if lower.any():
        i = np.nonzero(lower)[0]
        plower = hyper.cdf(a[i], m[i], n1[i], n[i])
        far = hyper.pmf(n[i], m[i], n1[i], n[i]) > pexact[i] * gamma
        guess = _search_pmf(-pexact[i] * gamma, mode[i], n[i], m[i], n1[i], n[i], sign=-1.0)
        tail = hyper.sf(guess, m[i], n1[i], n[i])
        out[i] = np.where(far, plower, plower + tail)
    if upper.any():
        i = np.nonzero(upper)[0]
        pupper = hyper.sf(a[i] - 1, m[i], n1[i], n[i])
        far = hyper.pmf(0, m[i], n1[i], n[i]) > pexact[i] * gamma
        guess = _search_pmf(pexact[i] * gamma, np.zeros_like(mode[i]), mode[i], m[i], n1[i], n[i])
        tail = hyper.cdf(guess, m[i], n1[i], n[i])
        out[i] = np.where(far, pupper, pupper + tail)
    p[idx] = np.minimum(out, 1.0)
    return p


def _search_pmf(
    target: NDArray,
    lo: NDArray,
    hi: NDArray,
    m: NDArray,
    n1: NDArray,
    n: NDArray,
    *,
    sign: float = 1.0,
) -> NDArray:
    """scipy's ``_binary_search_for_binom_tst`` on ``sign * pmf`` for many searches at once:
    per search, the ``x`` in ``[lo, hi]`` with ``f(x) <= target < f(x + 1)``."""
    lo, hi = lo.copy(), hi.copy()
    found = np.full(len(lo), -1, dtype=np.int64)
    active = lo < hi
    while active.any():
        i = np.nonzero(active)[0]
        mid = lo[i] + (hi[i] - lo[i]) // 2
        val = sign * stats.hypergeom.pmf(mid, m[i], n1[i], n[i])
        below, above = val < target[i], val > target[i]
        lo[i[below]] = mid[below] + 1
        hi[i[above]] = mid[above] - 1
        hit = ~below & ~above
        found[i[hit]] = mid[hit]
        active = (lo < hi) & (found < 0)
    rest = np.nonzero(found < 0)[0]
    if rest.size:
        val = sign * stats.hypergeom.pmf(lo[rest], m[rest], n1[rest], n[rest])
        found[rest] = np.where(val <= target[rest], lo[rest], lo[rest] - 1)
    return found
