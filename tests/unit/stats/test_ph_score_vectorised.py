"""The PH score test (``_km.ph_score_test``), every death row at once, against the loop over
death times and tied deaths it replaced (kept here as the reference)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats import _km


def reference(time, event, x, beta, strata, *, transform="km"):
    """``ph_score_test`` as it was: a Python step per death time and per tied death."""
    n, p = x.shape
    g_all = _km.ph_time_transform(time, event, transform)
    g_all = g_all - g_all[event == 1].mean()
    xc = x - x.mean(axis=0)
    risk = np.exp(xc @ beta)
    score = np.zeros(p)
    info = np.zeros((2 * p, 2 * p))
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        rows = rows[np.argsort(time[rows], kind="stable")]
        t, e, xs, w, g = time[rows], event[rows], xc[rows], risk[rows], g_all[rows]
        wx = w[:, None] * xs
        wxx = wx[:, :, None] * xs[:, None, :]
        s0 = np.cumsum(w[::-1])[::-1]
        s1 = np.cumsum(wx[::-1], axis=0)[::-1]
        s2 = np.cumsum(wxx[::-1], axis=0)[::-1]
        for u in np.unique(t[e == 1]):
            start = int(np.searchsorted(t, u, side="left"))
            dead = (t == u) & (e == 1)
            d = int(dead.sum())
            d0, d1, d2 = w[dead].sum(), wx[dead].sum(axis=0), wxx[dead].sum(axis=0)
            mean_sum, var_sum = np.zeros(p), np.zeros((p, p))
            for k in range(d):
                f = k / d
                den = s0[start] - f * d0
                mean = (s1[start] - f * d1) / den
                mean_sum += mean
                var_sum += (s2[start] - f * d2) / den - np.outer(mean, mean)
            gu = g[dead][0]
            score += gu * (xs[dead].sum(axis=0) - mean_sum)
            info[:p, :p] += var_sum
            info[:p, p:] += gu * var_sum
            info[p:, :p] += gu * var_sum
            info[p:, p:] += gu * gu * var_sum
    full = np.concatenate([np.zeros(p), score])
    per_cov = np.empty(p)
    for j in range(p):
        block = [*range(p), p + j]
        u = full[block]
        per_cov[j] = u @ np.linalg.solve(info[np.ix_(block, block)], u)
    return per_cov, float(full @ np.linalg.solve(info, full))


def _data(seed: int, n: int, distinct_times: int, p: int, n_strata: int):
    rng = np.random.default_rng(seed)
    time = rng.integers(1, distinct_times + 1, n).astype(float)
    event = (rng.random(n) < 0.6).astype(int)
    x = np.column_stack(
        [rng.integers(0, 2, n).astype(float) for _ in range(p - 1)] + [rng.normal(size=n)]
    )
    beta = rng.normal(scale=0.3, size=p)
    strata = rng.integers(0, n_strata, n)
    return time, event, x, beta, strata


@pytest.mark.parametrize("transform", ["km", "rank", "identity", "log"])
@pytest.mark.parametrize(
    ("seed", "n", "distinct_times", "p", "n_strata"),
    [(0, 300, 40, 2, 1), (1, 2000, 15, 3, 2), (2, 6000, 500, 2, 3), (3, 50, 50, 1, 1)],
)
def test_every_death_row_at_once_equals_the_loop(seed, n, distinct_times, p, n_strata, transform):
    args = _data(seed, n, distinct_times, p, n_strata)
    ours = _km.ph_score_test(*args, transform=transform)
    ref = reference(*args, transform=transform)
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-9, atol=0)
    assert ours[1] == pytest.approx(ref[1], rel=1e-9)


def test_a_stratum_without_deaths_adds_nothing():
    time, event, x, beta, strata = _data(5, 500, 30, 2, 2)
    event[strata == 1] = 0
    ours = _km.ph_score_test(time, event, x, beta, strata)
    ref = reference(time, event, x, beta, strata)
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-9)
    assert ours[1] == pytest.approx(ref[1], rel=1e-9)
