"""The Cox model on large data: Efron's partial likelihood over the distinct rows, each weighted
by how many subjects it stands for, fitted by Newton-Raphson here.

A million subjects with a few covariates and follow-up in whole units have a few thousand
distinct (stratum, time, event, covariates) rows. The partial likelihood of the subjects is a
sum over death times of terms that only need, per time, the risk-set sums (over subjects at
risk: counts times risk scores, their x, their x x') and, for Efron's ties, the k-th of the d
deaths tied at that time (k = 0..d-1) seeing k/d of the tied deaths' risk removed. With the
rows weighted by their counts the risk-set sums are the same sums, and each distinct death row
stands for ``count`` tied deaths of its time, so every tied death still gets its own k/d: the
log-likelihood, score and information are those of the subject rows, term for term (not the
weighted-Efron approximation of case weights, which takes one step per row). Newton-Raphson
from 0 with step halving, to a step below 1e-12, as ``survival.cox_model`` asks of lifelines.

Used by ``survival.cox_model`` above ``PATTERNS_ABOVE`` rows when the distinct rows are at most
half as many (the rule of ``regression.aggregated``); the ARD ``method`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from analysis.stats._km import risk_set_sums

#: Above this many rows a Cox model is fitted on its distinct rows (when they are at most half).
PATTERNS_ABOVE = 5_000


@dataclass(frozen=True)
class Patterns:
    """Distinct rows sorted by stratum and time: ``time``, ``event`` (0/1), covariates ``x``
    (rows x p), ``strata`` codes and ``count`` (subjects per row)."""

    time: np.ndarray
    event: np.ndarray
    x: np.ndarray
    strata: np.ndarray
    count: np.ndarray


@dataclass(frozen=True)
class EfronFit:
    """The maximum partial-likelihood estimate ``beta``, the log partial likelihood at it and
    the observed information (minus the Hessian), from which the Wald standard errors come."""

    beta: np.ndarray
    log_likelihood: float
    information: np.ndarray
    steps: int


def distinct_rows(
    time: np.ndarray, event: np.ndarray, x: np.ndarray, strata: np.ndarray
) -> Patterns | None:
    """The distinct (stratum, time, event, covariates) rows and their counts, when there are
    more than ``PATTERNS_ABOVE`` rows and the distinct ones are at most half as many; else None
    (fit the rows as they are)."""
    n = len(time)
    if n <= PATTERNS_ABOVE:
        return None
    cols = {"_s": strata, "_t": time, "_e": event}
    cols.update({f"_x{j}": x[:, j] for j in range(x.shape[1])})
    frame = pd.DataFrame(cols)
    grouped = frame.groupby(list(frame.columns), sort=True).size().reset_index(name="_n")
    if 2 * len(grouped) > n:
        return None
    return Patterns(
        time=grouped["_t"].to_numpy(dtype=float),
        event=grouped["_e"].to_numpy(dtype=int),
        x=grouped[[f"_x{j}" for j in range(x.shape[1])]].to_numpy(dtype=float),
        strata=grouped["_s"].to_numpy(),
        count=grouped["_n"].to_numpy(dtype=np.int64),
    )


def efron_terms(beta: np.ndarray, rows: Patterns) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood (Efron ties), score and information at ``beta``, summed over the
    strata of ``rows`` (sorted by stratum and time, as ``distinct_rows`` gives them)."""
    p = rows.x.shape[1]
    centre = np.average(rows.x, axis=0, weights=rows.count)  # for exp(); cancels in every term
    xc = rows.x - centre
    eta = xc @ beta
    loglik, score, info = 0.0, np.zeros(p), np.zeros((p, p))
    starts = np.flatnonzero(np.diff(rows.strata, prepend=np.nan) != 0)  # rows sorted by stratum
    ends = np.append(starts[1:], len(rows.strata))
    for lo, hi in zip(starts, ends, strict=True):
        part = slice(lo, hi)
        ll, s, i = _stratum_terms(
            rows.time[part], rows.event[part], xc[part], eta[part], rows.count[part]
        )
        loglik, score, info = loglik + ll, score + s, info + i
    return loglik, score, info


def _stratum_terms(
    t: np.ndarray, e: np.ndarray, xc: np.ndarray, eta: np.ndarray, c: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """``efron_terms`` of one stratum: rows sorted by time ``t``, linear predictors ``eta``
    (centred x times beta), counts ``c``. Each death row is repeated ``count`` times, so that
    every tied death has its own k."""
    p = xc.shape[1]
    r = np.exp(eta)
    w = c * r
    s0, s1, s2 = risk_set_sums(w, xc)
    dead_rows = np.flatnonzero(e == 1)
    if len(dead_rows) == 0:
        return 0.0, np.zeros(p), np.zeros((p, p))
    dead = np.repeat(dead_rows, c[dead_rows])  # one entry per death
    td = t[dead]
    new_time = np.concatenate([[True], td[1:] != td[:-1]])
    group = np.cumsum(new_time) - 1
    first = np.flatnonzero(new_time)
    d = np.diff(np.append(first, len(dead)))
    start = np.searchsorted(t, td[first], side="left")
    rx = r[dead][:, None] * xc[dead]
    d0 = np.add.reduceat(r[dead], first)
    d1 = np.add.reduceat(rx, first, axis=0)
    d2 = np.add.reduceat(rx[:, :, None] * xc[dead][:, None, :], first, axis=0)
    f = (np.arange(len(dead)) - first[group]) / d[group]
    den = s0[start][group] - f * d0[group]
    mean = (s1[start][group] - f[:, None] * d1[group]) / den[:, None]
    inv_sum = np.add.reduceat(1.0 / den, first)  # per death time: sum over k of 1/den
    f_sum = np.add.reduceat(f / den, first)  # and of (k/d)/den
    info = (
        np.einsum("j,jab->ab", inv_sum, s2[start])
        - np.einsum("j,jab->ab", f_sum, d2)
        - mean.T @ mean
    )
    loglik = float(eta[dead].sum() - np.log(den).sum())
    score = xc[dead].sum(axis=0) - mean.sum(axis=0)
    return loglik, score, info


def fit_efron(rows: Patterns, *, precision: float = 1e-12, max_steps: int = 200) -> EfronFit | None:
    """Newton-Raphson from beta = 0 (a step halved while it lowers the log-likelihood), until
    the step is below ``precision``; None when it does not converge in ``max_steps`` or the
    information is singular (the caller then fits the rows another way)."""
    p = rows.x.shape[1]
    beta = np.zeros(p)
    loglik, score, info = efron_terms(beta, rows)
    for step_no in range(1, max_steps + 1):
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            return None
        size = 1.0
        while True:
            trial = beta + size * step
            t_ll, t_score, t_info = efron_terms(trial, rows)
            if np.isfinite(t_ll) and t_ll >= loglik - 1e-12 * abs(loglik):
                break
            size /= 2
            if size < 1e-8:
                return None
        beta, loglik, score, info = trial, t_ll, t_score, t_info
        if np.linalg.norm(size * step) < precision:
            return EfronFit(beta, loglik, info, step_no)
    return None


def wald_summary(
    beta: np.ndarray, information: np.ndarray, covs: list[str], alpha: float
) -> pd.DataFrame:
    """The summary of a Cox fit from its estimate and observed information, by lifelines'
    formulas: se from the inverse information, HR = exp(coef), CI HR exp(-+z se), z = coef /
    se, p = P(chi2_1 > z^2)."""
    se = np.sqrt(np.diag(np.linalg.inv(information)))
    z_crit = norm.ppf(1 - alpha / 2)
    hr = np.exp(beta)
    z = beta / se
    summary = pd.DataFrame(
        {
            "coef": beta,
            "hr": hr,
            "se": se,
            "z": z,
            "p_value": chi2.sf(z**2, 1),
            "lower": hr * np.exp(-z_crit * se),
            "upper": hr * np.exp(z_crit * se),
        },
        index=pd.Index(covs, name="covariate"),
    )
    return summary
