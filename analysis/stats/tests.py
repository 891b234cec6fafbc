"""Hypothesis tests and standardized differences for baseline, adverse-event and response tables.

Pure functions on small aggregated counts (contingency tables) or on the values of one variable
per group. Every result carries a ``method`` string: the exact text written to the ARD ``method``
column and to table footnotes. Inputs are never modified.

Where a function claims parity with R, the R call is named in its docstring and a test in
``tests/unit`` or ``tests/validation`` proves it.

Over 400 lines as one job: the tests share their ``method`` wording and their small-table
conventions, and the tables choose among them by name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.special import gammaln

from analysis.stats.results import (
    ANOVA,
    CHI2_PLAIN,
    CHI2_YATES,
    FFH_EXACT,
    FISHER_EXACT,
    KRUSKAL,
    MANN_WHITNEY,
    SMD_CATEGORICAL,
    SMD_CONTINUOUS,
    WELCH,
    FisherResult,
    SMDResult,
    TestResult,
    TrendTestResult,
)
from analysis.stats.summary_tests import anova_summary, kruskal_summary, welch_summary

__all__ = [
    "RELATIVE_TOLERANCE",
    "FFH_EXACT",
    "FISHER_EXACT",
    "CHI2_PLAIN",
    "CHI2_YATES",
    "MANN_WHITNEY",
    "KRUSKAL",
    "WELCH",
    "ANOVA",
    "SMD_CONTINUOUS",
    "SMD_CATEGORICAL",
    "TestResult",
    "FisherResult",
    "TrendTestResult",
    "SMDResult",
    "fisher_exact_2x2",
    "fisher_exact_rxc",
    "chi2_test",
    "cochran_armitage_trend",
    "mann_whitney",
    "kruskal",
    "t_test",
    "anova_oneway",
    "standardized_mean_difference",
    "smd_from_summary",
    "smd_categorical",
]

#: Relative tolerance when comparing table probabilities with the observed one: a table counts
#: as "at most as probable" if ``P <= P_obs * (1 + 1e-7)``. R ``fisher.test`` (2x2 case) and
#: ``scipy.stats.fisher_exact`` use the same factor, so tables tied with the observed one are
#: counted despite rounding.
RELATIVE_TOLERANCE = 1e-7
_LOG_TOLERANCE = math.log1p(RELATIVE_TOLERANCE)


def _count_table(table: ArrayLike, func: str, *, shape: tuple[int, int] | None = None) -> NDArray:
    """A validated copy of ``table`` as int64; every problem cell is named in the message."""
    try:
        arr = np.array(table, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{func}: table must be a 2-D table of counts (rows x columns); it could not be read "
            f"as numbers ({exc})."
        ) from None
    if arr.ndim != 2:
        raise ValueError(
            f"{func}: table must be a 2-D table of counts (rows x columns); found an array with "
            f"shape {arr.shape}. Pass e.g. pd.crosstab(...) or a list of rows."
        )
    if shape is not None and arr.shape != shape:
        raise ValueError(
            f"{func}: table must have shape {shape}; found shape {arr.shape}. "
            + (
                "Use fisher_exact_rxc for larger tables."
                if func == "fisher_exact_2x2"
                else "Check which rows and columns were passed."
            )
        )
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        cells = ", ".join(
            f"table[{i}, {j}] = {float(arr[i, j])!r}" for i, j in zip(*np.nonzero(bad), strict=True)
        )
        raise ValueError(
            f"{func}: every cell must be a non-negative whole number of subjects; found {cells}. "
            "Pass counts, not proportions, and fill structural zeros with 0 rather than NaN."
        )
    return arr.astype(np.int64)


def _sample(values: ArrayLike, name: str, func: str, *, min_size: int = 1) -> NDArray:
    try:
        arr = np.array(values, dtype=np.float64, copy=True).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{func}: {name} must be numeric; it could not be read ({exc}).") from None
    n_missing = int(np.count_nonzero(np.isnan(arr)))
    if n_missing:
        raise ValueError(
            f"{func}: {name} has {n_missing} missing value(s) (NaN) out of {arr.size}; drop "
            "them before testing and report them as n_missing, so that no subject is lost "
            "silently."
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{func}: {name} contains infinite values; fix or drop them first.")
    if arr.size < min_size:
        raise ValueError(f"{func}: {name} has {arr.size} value(s); at least {min_size} are needed.")
    return arr


def _groups(groups: Sequence[ArrayLike], func: str, *, min_size: int) -> list[NDArray]:
    if len(groups) < 2:
        raise ValueError(f"{func}: at least 2 groups are needed; found {len(groups)}.")
    return [_sample(g, f"group {i}", func, min_size=min_size) for i, g in enumerate(groups)]


def _check_alpha(alpha: float, func: str) -> float:
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(
            f"{func}: alpha must be strictly between 0 and 1 (0.05 for a 95% interval); "
            f"found {alpha!r}."
        )
    return float(alpha)


def _log_factorial(x: ArrayLike) -> Any:
    return gammaln(np.asarray(x, dtype=np.float64) + 1.0)


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
    observed one (relative tolerance 1e-7), as in R ``fisher.test``.

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
        raise ValueError(
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
    p-values equal ``fisher_exact_2x2(table).p_value`` exactly (tested); an incidence table with
    36 comparisons takes ~5 ms instead of ~100 ms.

    Parameters
    ----------
    tables : array-like of shape (k, 2, 2)
        Counts ``[[a, b], [c, d]]`` per table; rows are groups, the first column the event.
    """
    func = "fisher_exact_2x2_pvalues"
    c = np.asarray(tables, dtype=np.float64)
    if c.ndim != 3 or c.shape[1:] != (2, 2):
        raise ValueError(
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


# --------------------------------------------------------------------------- Fisher r x c


class _BudgetExceeded(Exception):
    """The exact enumeration would exceed ``max_tables`` partial tables."""


def _compositions(total: int, caps: NDArray) -> NDArray:
    """All integer vectors ``x`` with ``0 <= x <= caps`` and ``sum(x) == total`` (one a row)."""
    caps_arr = np.asarray(caps, dtype=np.int64)
    width = caps_arr.size
    tail = np.concatenate([np.cumsum(caps_arr[::-1])[::-1], [0]])  # tail[i] = sum(caps[i:])
    if total > tail[0]:
        out = np.empty((0, width), dtype=np.int64)
    else:
        parts = np.zeros((1, 0), dtype=np.int64)
        remaining = np.array([total], dtype=np.int64)
        for i in range(width - 1):
            low = np.maximum(0, remaining - tail[i + 1])
            high = np.minimum(caps_arr[i], remaining)
            sizes = high - low + 1
            idx = np.repeat(np.arange(remaining.size), sizes)
            offsets = np.arange(idx.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            values = low[idx] + offsets
            parts = np.column_stack([parts[idx], values])
            remaining = remaining[idx] - values
        out = np.column_stack([parts, remaining])
    return out


def _spread(total: int, caps: NDArray) -> NDArray:
    """The most even split of ``total`` under ``caps`` (majorization-minimal vector)."""
    out = []
    rem = int(total)
    ordered = np.sort(caps)
    for i, cap in enumerate(ordered):
        left = ordered.size - i
        share = rem // left
        if cap <= share:
            out.append(int(cap))
            rem -= int(cap)
        else:
            extra = rem - share * left
            out.extend([share + 1] * extra + [share] * (left - extra))
            break
    return np.asarray(out, dtype=np.int64)


def _concentrate(total: int, caps: NDArray) -> NDArray:
    """The most concentrated split of ``total`` under ``caps`` (majorization-maximal vector)."""
    out = []
    rem = int(total)
    for cap in np.sort(caps)[::-1]:
        take = min(int(cap), rem)
        out.append(take)
        rem -= take
    return np.asarray(out, dtype=np.int64)


def _completion_bounds(rows: NDArray, cols: NDArray) -> tuple[float, float]:
    """Lower and upper bounds of ``-sum(log x!)`` over all tables with margins ``rows, cols``.

    Two relaxations (each column, or each row, filled on its own within the other margin as
    caps) both give valid bounds; the tighter of each pair is returned. ``-sum(log x!)`` is
    Schur-concave, so its extremes under one linear constraint with caps are at the most
    concentrated and the most even split.
    """
    lb_cols = ub_cols = lb_rows = ub_rows = 0.0
    for c in cols:
        lb_cols -= float(_log_factorial(_concentrate(c, rows)).sum())
        ub_cols -= float(_log_factorial(_spread(c, rows)).sum())
    for r in rows:
        lb_rows -= float(_log_factorial(_concentrate(r, cols)).sum())
        ub_rows -= float(_log_factorial(_spread(r, cols)).sum())
    return max(lb_cols, lb_rows), min(ub_cols, ub_rows)


def _first_occurrences(codes: NDArray) -> NDArray:
    """Positions where each code of a ``pd.factorize`` result (first-appearance order) first occurs."""
    running_max = np.maximum.accumulate(codes)
    return np.flatnonzero(np.diff(running_max, prepend=-1) > 0)


def _ffh_exact_p(table: NDArray, max_tables: int) -> float:
    """Exact Fisher-Freeman-Halton p-value by network enumeration (raises ``_BudgetExceeded``).

    The table is filled column by column (smallest column totals first). A node is the vector
    of row totals still to fill, sorted, because the completions of a node do not depend on the
    order of its rows; it is stored as one integer key. Each path into a node carries its
    partial value ``-sum(log x!)`` and a multiplicity; paths into the same node with the same
    value are merged. At each node, bounds on the completions decide whether all of them
    (closed-form sum) or none are at most as probable as the observed table, and only undecided
    paths are expanded. The last two columns are handled at once: for each node the completion
    values are sorted and each path's share found by binary search. This is the scheme of
    Mehta & Patel (1983) with simpler bounds.
    """
    if table.shape[0] > table.shape[1]:
        table = table.T
    rows = np.sort(table.sum(axis=1))
    cols = np.sort(table.sum(axis=0))
    n = int(rows.sum())
    n_rows = int(rows.size)
    # log P(table) = const - sum(log x!)  (hypergeometric probability given both margins)
    const = float(_log_factorial(rows).sum() + _log_factorial(cols).sum() - _log_factorial(n))
    threshold = -float(_log_factorial(table).sum()) + _LOG_TOLERANCE
    # A node's key: its sorted row totals read as digits in base max(row total) + 1.
    radix = int(rows.max()) + 1
    if n_rows * math.log2(radix) >= 62:
        raise _BudgetExceeded  # keys would overflow int64; such tables are far too large anyway
    powers = radix ** np.arange(n_rows, dtype=np.int64)
    work = 0
    p_value = 0.0

    keys: NDArray = np.array([int(rows @ powers)], dtype=np.int64)
    past: NDArray = np.zeros(1)
    mult: NDArray = np.ones(1)
    for j in range(cols.size - 1):
        remaining_cols = cols[j:]
        log_fact_cols = float(_log_factorial(remaining_cols).sum())
        codes, uniq_keys = pd.factorize(keys)
        uniq = (np.asarray(uniq_keys)[:, None] // powers[None, :]) % radix
        lower = np.empty(len(uniq))
        upper = np.empty(len(uniq))
        log_total = np.empty(len(uniq))
        for k, w in enumerate(uniq):
            lower[k], upper[k] = _completion_bounds(w, remaining_cols)
            log_total[k] = float(_log_factorial(w.sum()) - _log_factorial(w).sum() - log_fact_cols)
        all_in = past + upper[codes] <= threshold
        if all_in.any():
            p_value += float(
                np.sum(mult[all_in] * np.exp(const + past[all_in] + log_total[codes[all_in]]))
            )
        keep = ~all_in & (past + lower[codes] <= threshold)
        if not keep.any():
            return min(1.0, p_value)
        past, mult, codes = past[keep], mult[keep], codes[keep]

        if j == cols.size - 2:
            # Last two columns: a composition of column j fixes column j + 1.
            sortable = codes.astype(np.uint16) if len(uniq) <= 65536 else codes
            order = np.argsort(sortable, kind="stable")
            live, starts, counts = np.unique(codes[order], return_index=True, return_counts=True)
            for k, lo, size in zip(live, starts, counts, strict=True):
                w = uniq[k]
                comps = _compositions(int(cols[j]), w)
                work += comps.shape[0]
                if work > max_tables:
                    raise _BudgetExceeded
                values = -(
                    _log_factorial(comps).sum(axis=1) + _log_factorial(w - comps).sum(axis=1)
                )
                values.sort()
                top = values[-1]
                cumulative = np.cumsum(np.exp(values - top))
                idx = order[lo : lo + size]
                pos = np.searchsorted(values, threshold - past[idx], side="right")
                hit = pos > 0
                p_value += float(
                    np.sum(
                        mult[idx][hit]
                        * np.exp(const + past[idx][hit] + top)
                        * cumulative[pos[hit] - 1]
                    )
                )
            return min(1.0, p_value)

        # Expand every surviving path by every way of filling column j.
        sizes = np.zeros(len(uniq), dtype=np.int64)
        offsets = np.zeros(len(uniq), dtype=np.int64)
        child_keys_parts, comp_values_parts = [], []
        filled = 0
        for k in np.unique(codes):
            w = uniq[k]
            comps = _compositions(int(cols[j]), w)
            child_keys_parts.append(np.sort(w - comps, axis=1) @ powers)
            comp_values_parts.append(-_log_factorial(comps).sum(axis=1))
            offsets[k], sizes[k] = filled, comps.shape[0]
            filled += comps.shape[0]
        n_children = sizes[codes]
        total = int(n_children.sum())
        work += total
        if work > max_tables:
            raise _BudgetExceeded
        child_keys = np.concatenate(child_keys_parts)
        comp_values = np.concatenate(comp_values_parts)
        parent = np.repeat(np.arange(codes.size), n_children)
        flat = np.arange(total) + np.repeat(
            offsets[codes] - (np.cumsum(n_children) - n_children), n_children
        )
        keys = child_keys[flat]
        past = past[parent] + comp_values[flat]
        mult = mult[parent]
        del parent, flat, child_keys, comp_values
        # Merge paths that reach the same node with the same value (equal within 1e-9 on the
        # log scale, far below the comparison tolerance): their futures are identical.
        key_codes, _ = pd.factorize(keys)
        value_codes, value_uniq = pd.factorize(np.round(past * 1e9).astype(np.int64))
        group, _ = pd.factorize(key_codes * len(value_uniq) + value_codes)
        heads = _first_occurrences(group)
        mult = np.bincount(group, weights=mult, minlength=heads.size)
        keys, past = keys[heads], past[heads]
    raise AssertionError("unreachable: the loop returns at the last two columns")


def _ffh_monte_carlo_p(table: NDArray, n_resamples: int, seed: int) -> float:
    """Monte-Carlo p-value from random tables with the observed margins (Patefield 1981)."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    threshold = -float(_log_factorial(table).sum()) + _LOG_TOLERANCE
    dist = stats.random_table(rows, cols)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_resamples, 4_000_000 // table.size))
    hits = 0
    done = 0
    while done < n_resamples:
        size = min(chunk, n_resamples - done)
        sims = dist.rvs(size=size, method="patefield", random_state=rng)
        values = -_log_factorial(sims).sum(axis=(1, 2))
        hits += int(np.count_nonzero(values <= threshold))
        done += size
    return (1 + hits) / (n_resamples + 1)


def fisher_exact_rxc(
    table: ArrayLike,
    *,
    method: str = "exact",
    n_resamples: int = 100_000,
    seed: int | None = None,
    max_tables: int = 10_000_000,
) -> TestResult:
    """Fisher-Freeman-Halton exact test of independence for an r x c table (R ``fisher.test``).

    The p-value is the sum of the probabilities (multivariate hypergeometric, both margins
    fixed) of all tables with the observed margins whose probability is at most
    ``P_obs * (1 + 1e-7)``. Rows or columns that are entirely zero are dropped (they do not
    change the set of tables); a table left with fewer than 2 rows or columns has p = 1.

    ``method="exact"`` enumerates the tables with a network algorithm (column by column, in log
    space, with bounds that settle whole subtrees at once). If that would create more than
    ``max_tables`` partial tables it falls back to the Monte-Carlo p-value, which needs
    ``seed``. ``method="monte_carlo"`` always simulates: ``n_resamples`` random tables with the
    observed margins (Patefield's algorithm, as R ``r2dtable``) and
    ``p = (1 + #{P_sim <= P_obs (1 + 1e-7)}) / (B + 1)``, as R
    ``fisher.test(simulate.p.value = TRUE, B = B)``. R compares with a tolerance of 64 machine
    epsilons instead; exact ties count under both.

    Parameters
    ----------
    table : array-like, 2-D
        Counts, groups by levels.
    method : {"exact", "monte_carlo"}
    n_resamples : int
        Number of simulated tables ``B`` for the Monte-Carlo p-value.
    seed : int, optional
        Seed of the simulation; required whenever the Monte-Carlo p-value is used, so every
        reported p-value can be reproduced. It is written into the method string.
    max_tables : int
        Work cap of the exact enumeration: the number of partial tables it may generate
        (about 100 bytes each while held). The default keeps peak memory under about 1 GB and
        the run time to a few seconds; 2 x k and 3 x k tables with a few hundred subjects, and
        the 4 x 4 Job-satisfaction table of R's help page, stay far below it.

    Returns
    -------
    TestResult
        ``method`` is ``"fisher-freeman-halton exact"`` or
        ``"fisher-freeman-halton monte carlo (B=<n_resamples>, seed=<seed>)"``.

    References
    ----------
    Freeman GH, Halton JH. Note on an exact treatment of contingency, goodness of fit and other
    problems of significance. Biometrika 1951;38:141-149.
    Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r x c
    contingency tables. J Am Stat Assoc 1983;78:427-434.
    Patefield WM. Algorithm AS 159: an efficient method of generating random r x c tables with
    given row and column totals. Appl Stat 1981;30:91-97.
    """
    func = "fisher_exact_rxc"
    if method not in ("exact", "monte_carlo"):
        raise ValueError(f"{func}: unknown method {method!r}; expected 'exact' or 'monte_carlo'.")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise ValueError(f"{func}: n_resamples must be a positive integer; found {n_resamples!r}.")
    if n_resamples < 1:
        raise ValueError(f"{func}: n_resamples must be a positive integer; found {n_resamples!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise ValueError(
            f"{func}: seed must be an integer (it is written into the method string); "
            f"found {seed!r}."
        )
    counts = _count_table(table, func)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    monte_carlo_label = f"fisher-freeman-halton monte carlo (B={n_resamples}, seed={seed})"
    if method == "monte_carlo" and seed is None:
        raise ValueError(
            f"{func}: method='monte_carlo' needs a seed so that the p-value can be "
            "reproduced; pass seed=<int>."
        )
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return TestResult(1.0, FFH_EXACT if method == "exact" else monte_carlo_label)
    if method == "exact":
        try:
            return TestResult(_ffh_exact_p(counts, max_tables), FFH_EXACT)
        except _BudgetExceeded:
            if seed is None:
                raise ValueError(
                    f"{func}: exact enumeration of this {counts.shape[0]}x{counts.shape[1]} "
                    f"table (n={int(counts.sum())}) needs more than max_tables={max_tables} "
                    "partial tables. Pass seed=<int> to use the Monte-Carlo p-value "
                    f"(B={n_resamples}), or raise max_tables."
                ) from None
    assert seed is not None
    return TestResult(_ffh_monte_carlo_p(counts, n_resamples, int(seed)), monte_carlo_label)


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
        raise ValueError(
            f"{func}: the table needs at least 2 rows and 2 columns; found shape {counts.shape}."
        )
    empty_rows = np.flatnonzero(counts.sum(axis=1) == 0).tolist()
    empty_cols = np.flatnonzero(counts.sum(axis=0) == 0).tolist()
    if empty_rows or empty_cols:
        raise ValueError(
            f"{func}: row(s) {empty_rows} and column(s) {empty_cols} of the table are entirely "
            "zero, so their expected counts are 0 and the chi-square statistic is undefined. "
            "Drop the empty levels first, or use fisher_exact_rxc."
        )
    if correction and counts.shape != (2, 2):
        raise ValueError(
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
        raise ValueError(
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
            raise ValueError(
                f"{func}: scores must be {k} finite numbers, one per column; found {list(scores)}."
            )
        label = f"cochran-armitage trend (scores {', '.join(f'{v:g}' for v in s)})"
    x = counts[0].astype(np.float64)
    n = counts.sum(axis=0).astype(np.float64)
    total = n.sum()
    p = x.sum() / total
    if p in (0.0, 1.0):
        raise ValueError(
            f"{func}: {'no' if p == 0.0 else 'every'} subject has the event "
            f"({int(x.sum())} of {int(total)}), so the trend test is undefined."
        )
    sum_ns = float(np.sum(n * s))
    spread = float(np.sum(n * s * s) - sum_ns**2 / total)
    if spread <= 0.0:
        raise ValueError(
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
        raise ValueError(
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
        raise ValueError(f"{func}: every value is the same; the rank test is undefined.")
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
        raise ValueError(f"{func}: both groups have zero variance; the t statistic is undefined.")
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
        raise ValueError(
            f"{func}: {total} observations in {len(samples)} groups leave no residual degrees of "
            "freedom; at least one group needs 2 or more values."
        )
    if all(np.var(s) == 0.0 for s in samples):
        raise ValueError(f"{func}: every group has zero variance; the F statistic is undefined.")
    sds = [s.std(ddof=1) if s.size > 1 else 0.0 for s in samples]
    return anova_summary([s.size for s in samples], [s.mean() for s in samples], sds)


# --------------------------------------------------------------------------- standardized differences


def smd_from_summary(mean1: float, sd1: float, mean2: float, sd2: float) -> SMDResult:
    """Absolute standardized mean difference from group means and SDs.

    ``|mean1 - mean2| / sqrt((sd1^2 + sd2^2) / 2)``; see :func:`standardized_mean_difference`.
    """
    func = "smd_from_summary"
    values = {"mean1": mean1, "sd1": sd1, "mean2": mean2, "sd2": sd2}
    bad = {k: v for k, v in values.items() if not math.isfinite(float(v))}
    if bad:
        raise ValueError(f"{func}: inputs must be finite numbers; found {bad}.")
    if sd1 < 0 or sd2 < 0:
        raise ValueError(f"{func}: standard deviations must be >= 0; found sd1={sd1}, sd2={sd2}.")
    pooled = math.sqrt((sd1**2 + sd2**2) / 2.0)
    if pooled == 0.0:
        raise ValueError(
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
        raise ValueError(
            f"{func}: p1 has {a.size} levels and p2 has {b.size}; pass the proportions of the "
            "same levels in the same order."
        )
    for name, p in (("p1", a), ("p2", b)):
        if (p < 0).any() or (p > 1).any() or abs(p.sum() - 1.0) > 1e-8:
            raise ValueError(
                f"{func}: {name} must be proportions in [0, 1] summing to 1; found sum "
                f"{p.sum():.10g}. Divide counts by the group total (excluding missing)."
            )
    t, c = a[1:], b[1:]
    cov = (np.diag(t) - np.outer(t, t) + np.diag(c) - np.outer(c, c)) / 2.0
    diff = t - c
    inv = np.linalg.pinv(cov, rcond=float(np.sqrt(np.finfo(np.float64).eps)))
    d2 = float(diff @ inv @ diff)
    return SMDResult(math.sqrt(max(d2, 0.0)), SMD_CATEGORICAL)
