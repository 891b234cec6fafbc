"""The Brant (1990) test of the proportional-odds assumption: a Wald test that the slopes of the
separate binary logits at each cut-point of an ordered outcome are equal, omnibus and per
covariate, as R ``brant::brant`` and Stata ``brant``. Validated against R ``brant`` in
``tests/validation/test_models_reference.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import ArgumentError
from analysis.stats.regression import fit_checked, logit_fit

BRANT_METHOD = (
    "Brant test (Brant 1990): Wald test that the slopes of the separate binary logits "
    "at each cut-point are equal"
)

__all__ = ["BRANT_METHOD", "BrantResult", "brant_test"]


@dataclass(frozen=True)
class BrantResult:
    """Brant test: omnibus and per-covariate chi-square statistics, df and p-values.

    ``per_covariate`` maps a covariate name to ``(statistic, df, p_value)``; a covariate with
    several dummy columns is tested jointly (df = (J - 2) x columns), as R
    ``brant::brant(by.var = TRUE)``.
    """

    statistic: float
    df: int
    p_value: float
    per_covariate: dict[str, tuple[float, int, float]]
    method: str = BRANT_METHOD


def brant_test(
    y_codes: np.ndarray, X: pd.DataFrame, groups: Mapping[str, Sequence[str]] | None = None
) -> BrantResult:
    """Brant (1990) Wald test of the proportional-odds (parallel lines) assumption.

    For an ordinal outcome with ``J`` levels (codes ``0..J-1``), fit the ``J - 1`` binary logits
    of ``y > j`` on the same design, stack their slopes ``beta*`` and estimate their joint
    covariance (within a logit: its inverse information; between logits ``j < l``:
    ``(X'W_j X)^-1 X'W_jl X (X'W_l X)^-1`` with ``W_jl = diag(pi_l - pi_j pi_l)``, ``pi`` the
    fitted probabilities). The statistic ``(D beta*)' (D V D')^-1 (D beta*)`` with ``D`` the
    contrasts ``beta_1 - beta_j`` is chi-square with ``(J - 2) K`` df under proportional odds;
    the per-covariate test restricts ``beta*`` to that covariate's columns. Same computation as
    R ``brant::brant`` (Schlegel & Steenbergen) and Stata ``brant`` (Long & Freese).

    Parameters
    ----------
    y_codes : integer codes ``0..J-1`` of the ordered outcome (every level observed, J >= 3).
    X : design matrix without a constant (one column per slope).
    groups : covariate name -> its columns of ``X``, for joint per-covariate tests; default one
        test per column.

    References
    ----------
    Brant R. Assessing proportionality in the proportional odds model for ordinal logistic
    regression. Biometrics 1990;46:1171-1178.
    Long JS, Freese J. Regression Models for Categorical Dependent Variables Using Stata. 3rd ed.
    Stata Press; 2014. Section 7.15.
    """
    y = np.asarray(y_codes, dtype=int)
    n_levels = int(y.max()) + 1
    if n_levels < 3 or np.unique(y).size != n_levels:
        raise ArgumentError(
            f"brant_test: needs codes 0..J-1 of an outcome with J >= 3 observed levels; found "
            f"levels {sorted(np.unique(y).tolist())}."
        )
    xc = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    k = X.shape[1]
    n_cut = n_levels - 1
    betas, fitted, covs = [], [], []
    for j in range(n_cut):
        z = (y > j).astype(float)
        res = fit_checked(
            partial(logit_fit, z, xc),
            f"the binary logit of y > level {j} (Brant test)",
        )
        betas.append(np.asarray(res.params)[1:])
        covs.append(np.asarray(res.cov_params())[1:, 1:])
        fitted.append(np.asarray(res.predict(xc)))
    v = np.zeros((n_cut * k, n_cut * k))
    for j in range(n_cut):
        v[j * k : (j + 1) * k, j * k : (j + 1) * k] = covs[j]
    for j in range(n_cut - 1):
        for m in range(j + 1, n_cut):
            pj, pm = fitted[j], fitted[m]
            info_j = xc.T @ ((pj - pj * pj)[:, None] * xc)
            info_m = xc.T @ ((pm - pm * pm)[:, None] * xc)
            cross = xc.T @ ((pm - pj * pm)[:, None] * xc)
            block = (np.linalg.solve(info_j, cross) @ np.linalg.inv(info_m))[1:, 1:]
            v[j * k : (j + 1) * k, m * k : (m + 1) * k] = block
            v[m * k : (m + 1) * k, j * k : (j + 1) * k] = block.T
    beta = np.concatenate(betas)
    # rows: beta_1 - beta_{j+1} for j = 1..J-2, each over all k slopes
    d = np.hstack([np.tile(np.eye(k), (n_cut - 1, 1)), -np.eye((n_cut - 1) * k)])

    def wald(idx: np.ndarray) -> tuple[float, int, float]:
        ds = d[:, idx]
        ds = ds[~np.all(ds == 0, axis=1)]
        diff = ds @ beta[idx]
        stat = float(diff @ np.linalg.solve(ds @ v[np.ix_(idx, idx)] @ ds.T, diff))
        df = int(ds.shape[0])
        return stat, df, float(stats.chi2.sf(stat, df))

    cols = list(X.columns)
    groups = dict(groups) if groups is not None else {c: [c] for c in cols}
    per = {}
    for name, members in groups.items():
        pos = [cols.index(c) for c in members]
        idx = np.array(sorted(p + j * k for p in pos for j in range(n_cut)))
        per[name] = wald(idx)
    stat, df, p = wald(np.arange(n_cut * k))
    return BrantResult(statistic=stat, df=df, p_value=p, per_covariate=per)
