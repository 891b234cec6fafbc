"""Regression models of a subject-level outcome: proportional odds (ordered outcome) and logistic
(binary outcome), as odds ratios with Wald confidence intervals and Wald z-test p-values.

Both fit the complete cases of :func:`analysis.stats.design.design_matrix` with statsmodels and
refuse a fit that did not converge or shows separation (an error naming the model). Results are
numbers with their method; ``tables/models.py`` puts them in the ARD. Validated against R
``MASS::polr`` and Stata ``logit`` in ``tests/validation/test_models_reference.py``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import Logit
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.tools import add_constant

from analysis.errors import ArgumentError
from analysis.stats.design import Design, design_matrix
from analysis.stats.event_flag import NO, YES

PO_METHOD = "proportional odds (statsmodels OrderedModel, logit)"
LOGIT_METHOD = "logistic regression (statsmodels Logit), Wald CI"

__all__ = [
    "LOGIT_METHOD",
    "PO_METHOD",
    "RegressionFit",
    "fit_checked",
    "fit_logistic",
    "fit_proportional_odds",
    "logit_fit",
]


@dataclass(frozen=True)
class RegressionFit:
    """A fitted model of the complete cases of ``design``.

    ``odds_ratios`` has one row per design column (index) with ``covariate``, ``contrast``,
    ``estimate`` (odds ratio), ``ci_low``, ``ci_high`` (Wald, level ``1 - alpha``), ``p_value``
    (Wald z) and ``se`` (of the log odds ratio). ``y`` is the modelled outcome: codes
    ``0..J-1`` of ``levels`` (proportional odds) or 0/1 (logistic). ``cut_points`` are the
    proportional-odds thresholds on the logit scale (R ``MASS::polr`` zeta) between consecutive
    ``levels``; ``intercept`` is the logistic log-odds ``(estimate, se)``.
    """

    design: Design
    method: str
    alpha: float
    odds_ratios: pd.DataFrame
    y: np.ndarray
    levels: list[str]
    dropped_levels: list[str]
    cut_points: np.ndarray
    intercept: tuple[float, float] | None


def fit_checked(fit: Callable[[], Any], what: str) -> Any:
    """Run ``fit()``; a convergence or separation warning, or a non-finite standard error,
    becomes a ``ValueError`` naming ``what`` and the usual cause (separation)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit()
    # statsmodels repeats the same warning at every iteration: each message once
    problems = list(
        dict.fromkeys(
            str(w.message).strip()
            for w in caught
            if any(
                k in w.category.__name__ for k in ("Convergence", "Separation", "HessianInversion")
            )
        )
    )
    converged = bool(getattr(res, "mle_retvals", {}).get("converged", True))
    bse = np.asarray(res.bse, dtype=float)
    if problems or not converged or not np.isfinite(bse).all():
        detail = "; ".join(problems) or "not converged or non-finite standard errors"
        raise ArgumentError(
            f"{what} could not be estimated reliably ({detail}). This usually means (quasi-) "
            "complete separation: a covariate level, or a range of a numeric covariate, with "
            "all subjects in one outcome category. Merge sparse levels, drop the covariate, or "
            "analyse more subjects."
        )
    return res


AGGREGATE_ABOVE = 5_000
"""Above this many complete cases the proportional-odds model is fitted on the distinct
(outcome, covariates) patterns with their counts as frequency weights when that at least halves
the rows: the same likelihood, so the same estimates and standard errors (to the ~1e-7 noise of
the numerical derivatives), in a fraction of the time (31,500 subjects, 265 patterns: 6.2 s ->
0.25 s). A numeric covariate with many distinct values (age in fractional years) leaves as many
patterns as subjects, and the model is fitted on the subjects."""


class _FrequencyWeightedOrderedModel(OrderedModel):
    """OrderedModel whose log-likelihood weights each row by how many subjects it stands for
    (its score and Hessian are the numerical derivatives of this log-likelihood)."""

    def __init__(self, endog: Any, exog: Any, freq: np.ndarray, **kwargs: Any) -> None:
        super().__init__(endog, exog, **kwargs)
        self.freq = np.asarray(freq, dtype=float)

    def loglike(self, params: Any) -> float:
        return float(np.dot(self.freq, self.loglikeobs(params)))


def aggregated(
    y_codes: np.ndarray, X: pd.DataFrame
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray] | None:
    """The distinct (outcome, covariates) rows, their outcome codes, covariates and counts, when
    there are more than :data:`AGGREGATE_ABOVE` rows and the distinct ones are at most half as
    many (the rule both models follow); else ``None`` (fit the rows as they are)."""
    n = len(y_codes)
    if n <= AGGREGATE_ABOVE:
        return None
    frame = X.reset_index(drop=True).assign(_y=y_codes)
    grouped = frame.groupby(list(frame.columns), sort=True).size().reset_index(name="_n")
    if 2 * len(grouped) > n:
        return None
    return grouped["_y"].to_numpy(dtype=int), grouped[list(X.columns)], grouped["_n"].to_numpy()


def logit_fit(y: np.ndarray, exog: np.ndarray | pd.DataFrame) -> Any:
    """Maximum-likelihood logistic regression by Newton-Raphson (statsmodels ``Logit``) of 0/1
    ``y`` on ``exog`` as given (add the constant column first).

    Above :data:`AGGREGATE_ABOVE` rows, when the distinct (outcome, covariates) rows are at most
    half as many, the fit is a binomial GLM (statsmodels ``GLM``, IRLS) of those rows with their
    counts as frequency weights: the same likelihood, estimates and standard errors
    (``res.aggregated`` then holds the number of rows fitted)."""
    found = aggregated(np.asarray(y, dtype=int), pd.DataFrame(np.asarray(exog, dtype=float)))
    if found is None:
        return Logit(y, exog).fit(method="newton", disp=False, maxiter=100)
    y_rows, x_rows, freq = found
    names = list(exog.columns) if isinstance(exog, pd.DataFrame) else None
    x_fit = x_rows.set_axis(names, axis=1) if names else x_rows
    res = GLM(y_rows, x_fit, family=Binomial(), freq_weights=freq).fit(
        method="IRLS", tol=1e-12, maxiter=100
    )
    res.aggregated = len(freq)
    res.mle_retvals = {"converged": bool(res.converged)}
    return res


def _fit_ordered(y_codes: np.ndarray, levels: list[str], X: pd.DataFrame) -> Any:
    """OrderedModel (logit) fitted by BFGS, then polished by Newton to |step| < 1e-8.

    statsmodels' default BFGS stops ~1e-4 from the optimum on ill-scaled covariates (age in
    years); the Newton polish (numerical derivatives, whose noise rules out a tighter step
    tolerance) brings the estimates to the optimum within ~1e-8.
    """
    model: OrderedModel
    found = aggregated(y_codes, X)
    if found is not None:
        y_rows, x_rows, freq = found
        endog = pd.Series(pd.Categorical.from_codes(y_rows, categories=levels, ordered=True))
        model = _FrequencyWeightedOrderedModel(endog, x_rows, freq, distr="logit")
    else:
        endog = pd.Series(
            pd.Categorical.from_codes(y_codes, categories=levels, ordered=True), index=X.index
        )
        model = OrderedModel(endog, X, distr="logit")
    with warnings.catch_warnings():
        # only the starting values: the Newton step below decides convergence
        warnings.simplefilter("ignore")
        start = model.fit(method="bfgs", disp=False, maxiter=2000)
    return model.fit(
        start_params=np.asarray(start.params), method="newton", disp=False, maxiter=100, tol=1e-8
    )


def _odds_ratios(res: Any, design: Design, alpha: float) -> pd.DataFrame:
    """One row per design column: odds ratio exp(beta), Wald CI exp(beta +/- z se), Wald p, se."""
    ci = res.conf_int(alpha=alpha)
    rows = []
    for t in design.terms:
        lo, hi = (float(v) for v in np.asarray(ci.loc[t.column]))
        rows.append(
            {
                "covariate": t.covariate,
                "contrast": t.contrast,
                "level": t.level,
                "reference": t.reference,
                "estimate": math.exp(float(res.params[t.column])),
                "ci_low": math.exp(lo),
                "ci_high": math.exp(hi),
                "p_value": float(res.pvalues[t.column]),
                "se": float(res.bse[t.column]),
            }
        )
    return pd.DataFrame(rows, index=[t.column for t in design.terms])


def fit_proportional_odds(
    data: pd.DataFrame,
    *,
    outcome: str,
    covariates: Sequence[str],
    reference: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> RegressionFit:
    """Proportional-odds (cumulative logit) model of an ordered outcome on the complete cases.

    ``logit P(Y <= j) = theta_j - x'beta`` (the parameterisation of R ``MASS::polr``), so
    ``exp(beta) > 1`` means higher outcome levels are more likely. Fitted by statsmodels
    ``OrderedModel(distr="logit")``; standard errors from the observed information, as
    statsmodels computes it (numerical second derivatives: a probe found the standard errors
    and CI limits within about 2e-6 relative of the exact observed information, far below the
    digits printed; the estimates agree to 1e-8). Outcome levels without any complete case are
    dropped (``dropped_levels``).

    References
    ----------
    McCullagh P. Regression models for ordinal data. J R Stat Soc B 1980;42:109-142.
    """
    func = "proportional_odds"
    if outcome not in data.columns:
        raise ArgumentError(f"{func}: outcome column `{outcome}` is not in the data.")
    dtype = data[outcome].dtype
    if not isinstance(dtype, pd.CategoricalDtype) or not dtype.ordered:
        raise ArgumentError(
            f"{func}: `{outcome}` must be an ordered categorical (its order defines the "
            f"cut-points); found dtype {dtype}."
        )
    design = design_matrix(data, covariates, outcome=outcome, reference=reference, units=units)
    assert design.y is not None
    declared = [str(c) for c in dtype.categories]
    y_str = design.y.astype(str)
    levels = [lv for lv in declared if (y_str == lv).any()]
    if len(levels) < 2:
        raise ArgumentError(
            f"{func}: `{outcome}` has fewer than 2 levels among the {len(y_str)} complete cases "
            f"(found {levels}); an ordinal model needs at least two outcome levels."
        )
    y_codes = y_str.map({lv: i for i, lv in enumerate(levels)}).to_numpy(dtype=int)
    res = fit_checked(
        lambda: _fit_ordered(y_codes, levels, design.X), f"the proportional odds model of {outcome}"
    )
    method = PO_METHOD
    if isinstance(res.model, _FrequencyWeightedOrderedModel):
        method += (
            f"; fitted on the {len(res.model.freq)} distinct outcome-covariate patterns of the "
            f"{len(y_codes)} subjects, weighted by their counts (the same likelihood)"
        )
    return RegressionFit(
        design=design,
        method=method,
        alpha=alpha,
        odds_ratios=_odds_ratios(res, design, alpha),
        y=y_codes,
        levels=levels,
        dropped_levels=[lv for lv in declared if lv not in levels],
        cut_points=np.asarray(res.model.transform_threshold_params(np.asarray(res.params))[1:-1]),
        intercept=None,
    )


def fit_logistic(
    data: pd.DataFrame,
    *,
    outcome: str,
    covariates: Sequence[str],
    reference: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> RegressionFit:
    """Logistic regression of a binary outcome (boolean, or numeric 0/1 with 1 = event) on the
    complete cases: ``logit P(Y = 1) = beta_0 + x'beta`` by maximum likelihood (Newton-Raphson),
    as R ``glm(family = binomial)`` with ``confint.default`` (Wald intervals)."""
    func = "logistic_model"
    if outcome not in data.columns:
        raise ArgumentError(f"{func}: outcome column `{outcome}` is not in the data.")
    design = design_matrix(data, covariates, outcome=outcome, reference=reference, units=units)
    assert design.y is not None
    yv = design.y
    if pd.api.types.is_bool_dtype(yv):
        y = yv.astype(bool).to_numpy(dtype=float)
    elif pd.api.types.is_numeric_dtype(yv) and set(pd.unique(yv.astype(float))) <= {0.0, 1.0}:
        y = yv.astype(float).to_numpy()
    elif set(words := yv.astype(str).str.strip().str.lower()) <= YES | NO:
        # True/False held as objects, yes/no or Y/N text: the forms a time-to-event table
        # takes as its event (``event_flag``); this model refused them
        y = words.isin(YES).to_numpy(dtype=float)
    else:
        found = sorted(map(str, pd.unique(yv)))[:10]
        raise ArgumentError(
            f"{func}: `{outcome}` must be yes/no (1 = event): boolean, 0/1, or yes/no text; "
            f"found values {found}."
        )
    events = int(y.sum())
    if events in (0, len(y)):
        raise ArgumentError(
            f"{func}: `{outcome}` has fewer than 2 levels among the {len(y)} complete cases "
            f"({'no' if events == 0 else 'every'} subject has the event); a logistic model "
            "needs both events and non-events."
        )
    exog = add_constant(design.X, prepend=True, has_constant="add")
    res = fit_checked(lambda: logit_fit(y, exog), f"the logistic model of {outcome}")
    method = LOGIT_METHOD
    if getattr(res, "aggregated", None):
        method += (
            f"; fitted as a binomial GLM on the {res.aggregated} distinct outcome-covariate "
            f"patterns of the {len(y)} subjects, weighted by their counts (the same likelihood)"
        )
    return RegressionFit(
        design=design,
        method=method,
        alpha=alpha,
        odds_ratios=_odds_ratios(res, design, alpha),
        y=y,
        levels=[],
        dropped_levels=[],
        cut_points=np.array([]),
        intercept=(float(res.params.iloc[0]), float(res.bse.iloc[0])),
    )
