"""Private helpers of ``analysis.stats.survival``: input checks, Kaplan-Meier arithmetic on event
tables and the Cox PH score test, by R ``survival`` rules.

The Kaplan-Meier functions work on the small aggregated table (time, n_risk, n_event, n_censor),
so the counts can come from any engine; the score test needs subject rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata

from analysis.errors import ArgumentError, RetroError

CONF_TYPES = ("log", "log-log", "plain")
CONF_LABELS = {
    "log": "log CI (R survfit default conf.type='log')",
    "log-log": "log-log CI (R conf.type='log-log'; lifelines default)",
    "plain": "plain CI (R conf.type='plain'), clipped to [0, 1]",
}


class SurvivalInputError(RetroError, ValueError):
    """Time / event / grouping columns unusable for a survival analysis; lists every problem."""


# R survival's quantile.survfit default tolerance for "the curve is flat at exactly p".
QUANTILE_TOL = float(np.sqrt(np.finfo(float).eps))


def risk_set_sums(w: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For rows sorted by time, the sums over each row's risk set (that row and every later
    one) of the weights ``w``, of ``w x`` and of ``w x x'``: reverse cumulative sums, shapes
    (n,), (n, p) and (n, p, p). Shared by the Efron fit and the PH score test."""
    wx = w[:, None] * x
    s0 = np.cumsum(w[::-1])[::-1]
    s1 = np.cumsum(wx[::-1], axis=0)[::-1]
    s2 = np.cumsum((wx[:, :, None] * x[:, None, :])[::-1], axis=0)[::-1]
    return s0, s1, s2


def event_table(time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """Counts at each distinct observed time (events and censorings), as in ``survfit$time``."""
    order = np.argsort(time, kind="stable")
    t, e = time[order], event[order]
    times, first, counts = np.unique(t, return_index=True, return_counts=True)
    n_event = np.add.reduceat(e, first) if len(t) else np.array([], dtype=int)
    n_risk = len(t) - first
    return pd.DataFrame(
        {
            "time": times.astype(float),
            "n_risk": n_risk.astype(int),
            "n_event": n_event.astype(int),
            "n_censor": (counts - n_event).astype(int),
        }
    )


def z_value(alpha: float) -> float:
    return float(norm.ppf(1 - alpha / 2))


def km_estimate(
    counts: pd.DataFrame, *, conf_type: str = "log", alpha: float = 0.05
) -> pd.DataFrame:
    """Add ``surv``, ``std_err`` (of S, Greenwood), ``lower``, ``upper`` to an event table.

    Greenwood: var(log S(t)) = sum_{t_i <= t} d_i / (n_i (n_i - d_i)). Where S(t) = 0 the
    variance is infinite and R reports NA limits; here ``std_err``, ``lower`` and ``upper`` are NaN.
    """
    if conf_type not in CONF_TYPES:
        raise ArgumentError(f"conf_type={conf_type!r} is not supported; use one of {CONF_TYPES}.")
    n = counts["n_risk"].to_numpy(float)
    d = counts["n_event"].to_numpy(float)
    surv = np.cumprod(1.0 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(d > 0, d / (n * (n - d)), 0.0)
    se_log = np.sqrt(np.cumsum(term))
    zero = surv <= 0
    se_log[zero] = np.nan
    lower, upper = confidence_limits(surv, se_log, conf_type=conf_type, z=z_value(alpha))
    out = counts.copy()
    out["surv"] = surv
    out["std_err"] = np.where(zero, np.nan, surv * se_log)
    out["lower"] = lower
    out["upper"] = upper
    return out


def confidence_limits(
    surv: np.ndarray, se_log: np.ndarray, *, conf_type: str, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise limits of S(t) from se(log S) (R ``survfit`` formulas; Kalbfleisch & Prentice 2002)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            lower = surv * np.exp(-z * se_log)
            upper = np.minimum(surv * np.exp(z * se_log), 1.0)
        elif conf_type == "log-log":
            log_s = np.log(surv)
            lower = np.exp(-np.exp(np.log(-log_s) - z * se_log / log_s))
            upper = np.exp(-np.exp(np.log(-log_s) + z * se_log / log_s))
            # Before the first event S = 1 and se = 0: the interval collapses to 1 (as lifelines).
            one = surv >= 1
            lower[one] = 1.0
            upper[one] = 1.0
        else:
            se = surv * se_log
            lower = np.maximum(surv - z * se, 0.0)
            upper = np.minimum(surv + z * se, 1.0)
    zero = surv <= 0
    lower[zero] = np.nan
    upper[zero] = np.nan
    return lower, upper


def crossing_time(
    times: np.ndarray, curve: np.ndarray, p: float = 0.5, tol: float = QUANTILE_TOL
) -> float:
    """Time where a step curve S(t) (S = 1 at t = 0) reaches ``p``, by R's quantile rule.

    R ``quantile.survfit`` (survival 3.x): the smallest t with S(t) <= p; when the curve is flat
    at exactly p (within ``tol``) over [t_a, t_b), the midpoint (t_a + t_b) / 2, with t_b the end
    of follow-up when the flat is the end of the curve; NaN when the curve never reaches p.
    Points where the curve is undefined (NaN) are ignored. Confidence curves need not be
    monotone in the tail; R (whose ``approx`` sorts the levels) then takes the step with the
    *largest* value at or below p, not necessarily the first one, and so does this function.
    """
    if len(times) == 0:
        return float("nan")
    last_time = float(times[-1])
    ok = ~np.isnan(curve)
    x = np.concatenate([[0.0], times[ok]])
    cdf = np.concatenate([[0.0], 1.0 - curve[ok]])
    if cdf.max() < p:
        return float("nan")
    # Censoring times leave the level unchanged: keep the first time of each distinct level.
    _, first = np.unique(cdf, return_index=True)
    first.sort()
    x, cdf = x[first], cdf[first]
    by_level = np.argsort(cdf, kind="stable")
    levels = cdf[by_level]

    def step_at(level: float) -> int | None:
        k = int(np.searchsorted(levels, level, side="left"))
        return None if k == len(levels) else int(by_level[k])

    reached, passed = step_at(p - tol), step_at(p + tol)
    if reached is None or p < levels[0] + tol:
        return float("nan")
    if abs(p - cdf[-1]) < tol:
        return float((x[reached] + last_time) / 2)
    if passed is None:
        return float("nan")
    return float((x[reached] + x[passed]) / 2)


def median_summary(table: pd.DataFrame) -> dict[str, float]:
    """n, events, median and its CI for one curve, as ``print(survfit(...))``.

    The CI is where the pointwise confidence curves cross 0.5 (Brookmeyer & Crowley 1982, as
    R ``quantile.survfit``): the lower limit from the ``lower`` curve, the upper from ``upper``.
    """
    times = table["time"].to_numpy(float)
    return {
        "n": float(table["n_risk"].iloc[0]) if len(table) else 0.0,
        "events": float(table["n_event"].sum()),
        "median": crossing_time(times, table["surv"].to_numpy(float)),
        "lower": crossing_time(times, table["lower"].to_numpy(float)),
        "upper": crossing_time(times, table["upper"].to_numpy(float)),
    }


def at_times(table: pd.DataFrame, times: np.ndarray, *, extend: bool = False) -> pd.DataFrame:
    """The curve at chosen times, as R ``summary(survfit, times = ...)``.

    ``n_risk`` is the number at risk at t (subjects with time >= t); ``n_event`` / ``n_censor``
    count from the previous listed time (exclusive) to t (inclusive); surv, std_err and limits
    are those of the last step at or before t. Times after the last observed time are dropped
    unless ``extend`` (R's ``extend = FALSE`` default); times < 0 are dropped as in R.
    """
    curve_t = table["time"].to_numpy(float)
    wanted = np.unique(np.asarray(times, dtype=float))
    wanted = wanted[wanted >= 0]
    if not extend and len(curve_t):
        wanted = wanted[wanted <= curve_t[-1]]
    step = np.searchsorted(curve_t, wanted, side="right") - 1
    next_row = np.searchsorted(curve_t, wanted, side="left")
    n_risk_all = np.append(table["n_risk"].to_numpy(float), 0.0)
    cum_event = np.concatenate([[0.0], np.cumsum(table["n_event"].to_numpy(float))])
    cum_censor = np.concatenate([[0.0], np.cumsum(table["n_censor"].to_numpy(float))])
    ev, ce = cum_event[step + 1], cum_censor[step + 1]
    out = pd.DataFrame(
        {
            "time": wanted,
            "n_risk": n_risk_all[next_row].astype(int),
            "n_event": np.diff(ev, prepend=0.0).astype(int),
            "n_censor": np.diff(ce, prepend=0.0).astype(int),
        }
    )
    for col, before_first in (("surv", 1.0), ("std_err", 0.0), ("lower", 1.0), ("upper", 1.0)):
        values = np.append(table[col].to_numpy(float), before_first)
        out[col] = values[step]  # step == -1 picks the appended "before the first time" value
    return out


def ph_time_transform(time: np.ndarray, event: np.ndarray, transform: str) -> np.ndarray:
    """g(t) of R ``cox.zph``: "km" = 1 - left-continuous KM of all data, "rank", "identity", "log"."""
    if transform == "km":
        counts = event_table(time, event)
        ratio = counts["n_event"].to_numpy(float) / counts["n_risk"].to_numpy(float)
        surv = np.cumprod(1.0 - ratio)
        before = np.searchsorted(counts["time"].to_numpy(), time, side="left")
        return 1.0 - np.concatenate([[1.0], surv])[before]
    if transform == "rank":
        return rankdata(time)
    if transform == "log":
        return np.log(time)
    return time.astype(float)


def ph_score_test(
    time: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    beta: np.ndarray,
    strata: np.ndarray,
    *,
    transform: str = "km",
    counts: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Score tests of beta_j(t) = beta_j + theta_j g(t), as R survival >= 3 ``cox.zph``.

    At the fitted ``beta`` (Efron ties) the score U of the time-interaction terms x g(t) and the
    information of the augmented model [x, x g(t)] are summed over the death times within strata;
    the test of covariate j is U' I^-1 U on the block (all x, x_j g) with the score of x set to 0,
    the global test uses all interaction terms. Returns (per-covariate chi-squares, global).
    ``counts``: each row stands for that many subjects (distinct rows of a large model,
    ``cox_patterns.distinct_rows``); the sums are those of the subject rows.
    Grambsch & Therneau (1994) Biometrika 81:515-526; Therneau & Grambsch (2000) sec. 6.2.
    """
    n, p = x.shape
    c = np.ones(n, dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
    if counts is None:
        g_all = ph_time_transform(time, event, transform)
        g_all = g_all - g_all[event == 1].mean()
    else:  # g of the subject rows (KM and ranks need them all), then one value per row
        g_each = ph_time_transform(np.repeat(time, c), np.repeat(event, c), transform)
        g_each = g_each - g_each[np.repeat(event, c) == 1].mean()
        g_all = g_each[np.cumsum(c) - c]
    xc = x - np.average(x, axis=0, weights=c)
    risk = np.exp(xc @ beta)
    score = np.zeros(p)
    info = np.zeros((2 * p, 2 * p))
    for stratum in np.unique(strata):
        rows = np.flatnonzero(strata == stratum)
        rows = rows[np.argsort(time[rows], kind="stable")]
        s_score, s_var, s_gvar, s_ggvar = _efron_sums(
            time[rows], event[rows], xc[rows], risk[rows], g_all[rows], c[rows]
        )
        score += s_score
        info[:p, :p] += s_var
        info[:p, p:] += s_gvar
        info[p:, :p] += s_gvar
        info[p:, p:] += s_ggvar
    full = np.concatenate([np.zeros(p), score])
    per_cov = np.empty(p)
    for j in range(p):
        block = [*range(p), p + j]
        u = full[block]
        per_cov[j] = u @ np.linalg.solve(info[np.ix_(block, block)], u)
    return per_cov, float(full @ np.linalg.solve(info, full))


def _efron_sums(
    t: np.ndarray, e: np.ndarray, xs: np.ndarray, w: np.ndarray, g: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sums of ``ph_score_test`` over the death times of one stratum (rows sorted by time
    ``t``; events ``e``, centred covariates ``xs``, risk scores ``w``, centred g(t) ``g``,
    subjects per row ``c``): the score of the x g(t) terms and the information sums V, g V and
    g^2 V. A death row stands for ``c`` tied deaths, each with its own k.

    Efron: the k-th of the d deaths tied at a time (k = 0..d-1) sees the risk set less k/d of
    the tied deaths' risk, so each death row contributes its own mean and variance. Computed
    for every death row at once (each row's time, its k and its time's d, the risk-set sums
    from reverse cumulative sums): no Python step per death time or per tied death.
    """
    s0, s1, s2 = risk_set_sums(c * w, xs)
    dead = np.flatnonzero(e == 1)
    dead = np.repeat(dead, c[dead])  # one entry per death
    if len(dead) == 0:
        p = xs.shape[1]
        return np.zeros(p), np.zeros((p, p)), np.zeros((p, p)), np.zeros((p, p))
    td = t[dead]
    new_time = np.concatenate([[True], td[1:] != td[:-1]])
    group = np.cumsum(new_time) - 1  # each death row's death time, 0..m-1
    first = np.flatnonzero(new_time)  # each death time's first death row
    d = np.diff(np.append(first, len(dead)))
    start = np.searchsorted(t, td[first], side="left")  # each death time's risk set
    wx = w[dead][:, None] * xs[dead]
    d0 = np.add.reduceat(w[dead], first)
    d1 = np.add.reduceat(wx, first, axis=0)
    d2 = np.add.reduceat(wx[:, :, None] * xs[dead][:, None, :], first, axis=0)
    f = (np.arange(len(dead)) - first[group]) / d[group]  # k/d of each death row
    den = s0[start][group] - f * d0[group]
    mean = (s1[start][group] - f[:, None] * d1[group]) / den[:, None]
    var = (s2[start][group] - f[:, None, None] * d2[group]) / den[:, None, None]
    var -= mean[:, :, None] * mean[:, None, :]
    gu = g[dead][first][group]  # g at each death row's time
    score = (gu[:, None] * (xs[dead] - mean)).sum(axis=0)
    return (
        score,
        var.sum(axis=0),
        np.einsum("r,rij->ij", gu, var),
        np.einsum("r,rij->ij", gu * gu, var),
    )


def _rows_hint(mask: np.ndarray, index: pd.Index) -> str:
    where = [str(i) for i in index[mask][:5]]
    more = ", ..." if mask.sum() > 5 else ""
    return f"rows {', '.join(where)}{more}"


def check_input(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: list[str],
    covariates: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Validate every input column at once (all problems in one error); return time, event."""
    problems: list[str] = []
    if len(data) == 0:
        raise SurvivalInputError(
            "the data has no rows; check the filters applied before this step."
        )
    needed = [time, event, *by, *covariates]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise SurvivalInputError(
            f"column(s) {missing} not found in the data (columns: {list(data.columns)}); "
            "pass the names of existing columns as time=, event=, by= / covariates=."
        )
    t_raw = pd.to_numeric(data[time], errors="coerce")
    bad_type = t_raw.isna() & data[time].notna()
    if bad_type.any():
        problems.append(
            f"`{time}` has {int(bad_type.sum())} non-numeric value(s) "
            f"({_rows_hint(bad_type.to_numpy(), data.index)}); convert follow-up to a number "
            "(e.g. days) before the analysis."
        )
    for col in [time, event, *by, *covariates]:
        n_na = int(data[col].isna().sum())
        if n_na and not (col == time and bad_type.any()):
            problems.append(
                f"`{col}` has {n_na} missing value(s) "
                f"({_rows_hint(data[col].isna().to_numpy(), data.index)}); R would drop these "
                "rows silently: drop or impute them explicitly (and log the exclusion) first."
            )
    negative = (t_raw < 0).to_numpy()
    if negative.any():
        problems.append(
            f"`{time}` has {int(negative.sum())} negative value(s) "
            f"({_rows_hint(negative, data.index)}); survival times must be >= 0: fix the dates "
            "that produce them or exclude those rows (with a logged reason) first."
        )
    ev = data[event].astype(int) if pd.api.types.is_bool_dtype(data[event]) else data[event]
    ev_num = pd.to_numeric(ev, errors="coerce")
    bad_event = (ev.notna() & ~ev_num.isin([0, 1])).to_numpy()
    if bad_event.any():
        found = sorted({str(v) for v in ev[bad_event]})[:5]
        problems.append(
            f"`{event}` has {int(bad_event.sum())} value(s) not coded 0/1 (found {found}; "
            f"{_rows_hint(bad_event, data.index)}); code events as 1 = event, 0 = censored "
            "(for R's 1 = censored / 2 = event coding, subtract 1)."
        )
    for col in covariates:
        if not pd.api.types.is_numeric_dtype(data[col]):  # bool counts as numeric
            problems.append(
                f"covariate `{col}` is not numeric (dtype {data[col].dtype}); encode it as "
                "0/1 indicator columns (analysis.stats.design.design_matrix, as the time-to-event "
                "table does, or pandas.get_dummies(drop_first=True))."
            )
    if problems:
        raise SurvivalInputError(
            f"cannot run the survival analysis ({len(problems)} problem(s)):\n- "
            + "\n- ".join(problems)
        )
    return t_raw.to_numpy(float), ev_num.to_numpy(float).astype(int)
