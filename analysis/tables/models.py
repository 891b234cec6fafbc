"""Regression tables: proportional-odds model of an ordered response, logistic models of binary
outcomes, odds ratios with Wald confidence intervals, and the Brant test of proportional odds.

Complete-case analysis: subjects missing the outcome or any covariate are not modelled, and every
one of them is counted in the ARD (``n_missing``) and in a footnote. Categorical covariates are
dummy coded against an explicit reference level (default: the first declared level); numeric
covariates enter linearly (odds ratio per unit). Models are fitted by statsmodels on the small
design matrix of the complete cases.

Over 400 lines as one job: the regression tables share the complete-case rule, the coding of
covariates and the odds-ratio rows.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.discrete.discrete_model import Logit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.tools import add_constant

from analysis.ard import OVERALL, ard_frame
from analysis.tables._common import levels_of
from analysis.tables.render import TableResult, fmt_ci, fmt_count, fmt_num, fmt_p, stat_lookup
from analysis.tables.suppress import format_suppressed
from analysis.tables.withhold import pattern_counts, withheld

PO_METHOD = "proportional odds (statsmodels OrderedModel, logit)"
LOGIT_METHOD = "logistic regression (statsmodels Logit), Wald CI"
BRANT_METHOD = (
    "Brant test (Brant 1990): Wald test that the slopes of the separate binary logits "
    "at each cut-point are equal"
)
PO_ASSUMPTION = "PO assumption"
OMNIBUS = "all covariates"
MODEL = "model"

__all__ = [
    "PO_METHOD",
    "LOGIT_METHOD",
    "BRANT_METHOD",
    "BrantResult",
    "brant_test",
    "proportional_odds",
    "logistic_model",
    "subjects_with_term",
]


# ----------------------------------------------------------------------------- design


@dataclass(frozen=True)
class _Term:
    covariate: str
    column: str  # column of the design matrix
    contrast: str  # "male vs female", "per year"
    level: str = ""  # the compared level ("male"), or the contrast of a numeric covariate
    reference: str = ""  # the reference level ("female"); "" for a numeric covariate


@dataclass(frozen=True)
class _Design:
    y: pd.Series
    X: pd.DataFrame
    terms: list[_Term]
    references: dict[str, str]
    n_missing_outcome: int
    n_missing_covariates: int
    missing_by_covariate: dict[str, int]
    dropped_levels: dict[str, list[str]] = field(default_factory=dict)


def _per_unit(name: str, units: Mapping[str, str] | None = None) -> str:
    """Contrast label of a numeric covariate: ``units[name]`` when given (the study's word for
    what the variable counts or measures), else from the unit suffix of its canonical name."""
    if units and units.get(name):
        return f"per {units[name]}"
    for suffix, unit in (("_years", "year"), ("_months", "month"), ("_days", "day")):
        if name.endswith(suffix):
            return f"per {unit}"
    if name.endswith("_mg"):
        return "per mg"
    if name.startswith("n_") and len(name) > 2:
        return f"per {name[2:].removesuffix('s').replace('_', ' ')}"
    return "per unit"


def _is_categorical(s: pd.Series) -> bool:
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(s)
        or not pd.api.types.is_numeric_dtype(s)
    )


def _design(
    data: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    reference: Mapping[str, str] | None,
    units: Mapping[str, str] | None = None,
) -> _Design:
    """Complete cases and a dummy-coded design matrix; every exclusion is counted."""
    covariates = list(covariates)
    if not covariates:
        raise ValueError("`covariates` is empty; name at least one covariate.")
    dup = sorted({c for c in covariates if covariates.count(c) > 1})
    if dup:
        raise ValueError(f"covariate(s) {dup} are listed more than once in `covariates`.")
    absent = [c for c in [outcome, *covariates] if c not in data.columns]
    if absent:
        raise ValueError(f"column(s) {absent} are not in the data; it has {list(data.columns)}.")
    if outcome in covariates:
        raise ValueError(f"the outcome `{outcome}` is also listed as a covariate.")
    reference = dict(reference or {})
    stray = sorted(set(reference) - set(covariates))
    if stray:
        raise ValueError(
            f"`reference` names column(s) {stray} that are not covariates {covariates}."
        )

    has_outcome = data[outcome].notna()
    missing_by = {c: int((has_outcome & data[c].isna()).sum()) for c in covariates}
    complete = has_outcome & data[covariates].notna().all(axis=1)
    sub = data.loc[complete, [outcome, *covariates]]
    n_used = len(sub)

    columns: dict[str, np.ndarray] = {}
    terms: list[_Term] = []
    refs: dict[str, str] = {}
    dropped: dict[str, list[str]] = {}
    for cov in covariates:
        s = sub[cov]
        if _is_categorical(s):
            if pd.api.types.is_bool_dtype(s):
                values = s.astype(bool).map({False: "no", True: "yes"})
                declared = ["no", "yes"]
            else:
                values = s.astype(str)
                declared = levels_of(data, cov)
            observed = [lv for lv in declared if (values == lv).any()]
            observed += sorted(set(values) - set(observed))
            if len(observed) < 2:
                raise ValueError(
                    f"covariate `{cov}` is constant among the {n_used} complete cases (every "
                    f"value is {observed[0] if observed else 'missing'!r}); it has no contrast "
                    f"to estimate. Drop it from `covariates`."
                )
            ref = str(reference.get(cov, observed[0]))
            if ref not in observed:
                raise ValueError(
                    f"reference level {ref!r} of `{cov}` has no subject among the complete "
                    f"cases; observed levels are {observed}."
                )
            refs[cov] = ref
            unused = [lv for lv in declared if lv not in observed]
            if unused:
                dropped[cov] = unused
            for lv in observed:
                if lv == ref:
                    continue
                col = f"{cov}[{lv}]"
                columns[col] = (values == lv).to_numpy(dtype=float)
                terms.append(_Term(cov, col, f"{lv} vs {ref}", str(lv), str(ref)))
        else:
            if cov in reference:
                raise ValueError(
                    f"`reference` gives a level for the numeric covariate `{cov}`; numeric "
                    "covariates enter linearly (odds ratio per unit) and have no reference."
                )
            x = s.astype(float).to_numpy()
            if np.unique(x).size < 2:
                raise ValueError(
                    f"covariate `{cov}` is constant among the {n_used} complete cases (every "
                    f"value is {x[0] if x.size else 'missing'!r}); it has no effect to estimate. "
                    "Drop it from `covariates`."
                )
            columns[cov] = x
            terms.append(_Term(cov, cov, _per_unit(cov, units), _per_unit(cov, units)))
    X = pd.DataFrame(columns, index=sub.index)
    if n_used <= X.shape[1] + 1:
        raise ValueError(
            f"only {n_used} complete case(s) for {X.shape[1]} covariate column(s); the model "
            "cannot be estimated. Use fewer covariates or impute missing values first."
        )
    with_const = np.column_stack([np.ones(n_used), X.to_numpy()])
    if np.linalg.matrix_rank(with_const) < with_const.shape[1]:
        raise ValueError(
            f"the covariates {covariates} are collinear among the {n_used} complete cases "
            "(a column is a combination of others); drop one of them."
        )
    return _Design(
        y=sub[outcome],
        X=X,
        terms=terms,
        references=refs,
        n_missing_outcome=int((~has_outcome).sum()),
        n_missing_covariates=int((has_outcome & ~complete).sum()),
        missing_by_covariate=missing_by,
        dropped_levels=dropped,
    )


# ----------------------------------------------------------------------------- fitting


def _quiet_fit(fit: Any, what: str) -> Any:
    """Run ``fit()``; a convergence or separation warning becomes an error naming ``what``."""
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
        raise ValueError(
            f"{what} could not be estimated reliably ({detail}). This usually means (quasi-) "
            "complete separation: a covariate level, or a range of a numeric covariate, with "
            "all subjects in one outcome category. Merge sparse levels, drop the covariate, or "
            "analyse more subjects."
        )
    return res


def _fit_ordered(y_codes: np.ndarray, levels: list[str], X: pd.DataFrame) -> Any:
    """OrderedModel (logit) fitted by BFGS, then polished by Newton to |step| < 1e-8.

    statsmodels' default BFGS stops ~1e-4 from the optimum on ill-scaled covariates (age in
    years); the Newton polish (numerical derivatives, whose noise rules out a tighter step
    tolerance) brings the estimates to the optimum within ~1e-8.
    """
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


def _fit_logit(y: np.ndarray, X: pd.DataFrame) -> Any:
    exog = add_constant(X, prepend=True, has_constant="add")
    return Logit(y, exog).fit(method="newton", disp=False, maxiter=100)


# ----------------------------------------------------------------------------- Brant


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
        raise ValueError(
            f"brant_test: needs codes 0..J-1 of an outcome with J >= 3 observed levels; found "
            f"levels {sorted(np.unique(y).tolist())}."
        )
    xc = np.column_stack([np.ones(len(X)), X.to_numpy(dtype=float)])
    k = X.shape[1]
    n_cut = n_levels - 1
    betas, fitted, covs = [], [], []
    for j in range(n_cut):
        z = (y > j).astype(float)
        res = _quiet_fit(
            lambda z=z: Logit(z, xc).fit(method="newton", disp=False, maxiter=100),
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


# ----------------------------------------------------------------------------- models


def proportional_odds(
    data: pd.DataFrame,
    *,
    outcome: str = "response_12m",
    covariates: Sequence[str] = ("sex", "age_years", "therapy_group", "baseline_severity"),
    reference: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    table: str = "po_model",
    units: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> TableResult:
    """Proportional-odds (cumulative logit) model of an ordered outcome: odds ratios with Wald CI.

    ``logit P(Y <= j) = theta_j - x'beta`` (the parameterisation of R ``MASS::polr``), so
    ``exp(beta) > 1`` means higher outcome levels are more likely. Fitted by statsmodels
    ``OrderedModel(distr="logit")`` on the complete cases; odds ratios ``exp(beta)`` with Wald
    ``(1 - alpha)`` intervals ``exp(beta +/- z se)`` and Wald z-test p-values (standard errors from
    the observed information). The proportional-odds assumption is checked by the Brant test
    (:func:`brant_test`), per covariate and omnibus.

    Parameters
    ----------
    data : subject-level table.
    outcome : ordered categorical; levels without any complete case are dropped (footnote).
    covariates : categorical (dummy coded against ``reference``; booleans as levels
        ``no``/``yes``) or numeric (odds ratio per unit).
    reference : ``{covariate: level}``; default the first declared (or sorted observed) level.
    units : ``{covariate: unit word}`` for the contrast label of numeric covariates ("per
        session"); default from the name's unit suffix.
    labels : ``{column: words}`` for the displayed rows (the ARD keeps the column names).
    alpha : 1 - confidence level of the intervals.
    table : ARD table name.

    Returns
    -------
    TableResult with the ARD: per contrast (variable = covariate, level = "male vs female" or
    "per year") ``estimate`` (odds ratio), ``ci_low``, ``ci_high``, ``p_value`` and ``se`` (of
    the log odds ratio); cut-points (variable ``cut-point``, log-odds ``estimate``); Brant test
    ``statistic``, ``df``, ``p_value`` (level ``PO assumption``; variable ``all covariates`` for
    the omnibus test); ``n`` per outcome level and of the model, ``n_missing`` per reason.

    References
    ----------
    McCullagh P. Regression models for ordinal data. J R Stat Soc B 1980;42:109-142.
    Brant R. Biometrics 1990;46:1171-1178.
    """
    func = "proportional_odds"
    if outcome not in data.columns:
        raise ValueError(f"{func}: outcome column `{outcome}` is not in the data.")
    dtype = data[outcome].dtype
    if not isinstance(dtype, pd.CategoricalDtype) or not dtype.ordered:
        raise ValueError(
            f"{func}: `{outcome}` must be an ordered categorical (its order defines the "
            f"cut-points); found dtype {dtype}."
        )
    design = _design(data, outcome, covariates, reference, units)
    declared = [str(c) for c in dtype.categories]
    y_str = design.y.astype(str)
    levels = [lv for lv in declared if (y_str == lv).any()]
    if len(levels) < 2:
        raise ValueError(
            f"{func}: `{outcome}` has fewer than 2 levels among the {len(y_str)} complete cases "
            f"(found {levels}); an ordinal model needs at least two outcome levels."
        )
    dropped_outcome = [lv for lv in declared if lv not in levels]
    y_codes = y_str.map({lv: i for i, lv in enumerate(levels)}).to_numpy(dtype=int)
    res = _quiet_fit(
        lambda: _fit_ordered(y_codes, levels, design.X), f"the proportional odds model of {outcome}"
    )
    rows = _contrast_rows(res, design, alpha, PO_METHOD)
    cuts = res.model.transform_threshold_params(np.asarray(res.params))[1:-1]
    for lo, hi, cut in zip(levels[:-1], levels[1:], cuts, strict=True):
        rows.append(
            {
                "variable": "cut-point",
                "level": f"{lo}|{hi}",
                "group": OVERALL,
                "stat": "estimate",
                "value": float(cut),
                "method": f"{PO_METHOD}; threshold on the logit scale (MASS::polr zeta)",
            }
        )
    counts = np.bincount(y_codes, minlength=len(levels))
    for lv, n in zip(levels, counts, strict=True):
        rows.append(_row(outcome, lv, "n", int(n), "complete cases at this level"))
    rows += _count_rows(design, outcome)

    brant: BrantResult | None = None
    brant_note: str
    if len(levels) >= 3:
        groups: dict[str, list[str]] = {}
        for t in design.terms:
            groups.setdefault(t.covariate, []).append(t.column)
        try:
            brant = brant_test(y_codes, design.X, groups)
        except ValueError as exc:
            brant_note = f"Brant test not computable: {exc}"
    else:
        brant_note = "Brant test not applicable: the outcome has only two observed levels."
    if brant is not None:
        for cov, (stat, df, p) in [
            *brant.per_covariate.items(),
            (OMNIBUS, (brant.statistic, brant.df, brant.p_value)),
        ]:
            rows += [
                _row(cov, PO_ASSUMPTION, "statistic", stat, brant.method),
                _row(cov, PO_ASSUMPTION, "df", df, brant.method),
                _row(cov, PO_ASSUMPTION, "p_value", p, brant.method),
            ]
        per = "; ".join(f"{c} p = {fmt_p(v[2])}" for c, v in brant.per_covariate.items())
        brant_note = (
            f"Proportional-odds assumption, {brant.method}: omnibus chi-square = "
            f"{brant.statistic:.2f}, df = {brant.df}, p = {fmt_p(brant.p_value)}; {per}."
        )
    frame = ard_frame(({"table": table, **r} for r in rows), context="proportional_odds")
    level = int(round((1 - alpha) * 100))
    notes = [
        f"{PO_METHOD}: cumulative logit model with one set of slopes for all {len(levels) - 1} "
        f"cut-points of {' < '.join(levels)}; OR > 1 = higher `{outcome}` levels more likely. "
        f"Odds ratios exp(beta) with Wald {level}% CI and Wald z-test p-values.",
        _sample_note(design, outcome, labels),
        "Subjects per outcome level: "
        + ", ".join(f"{lv} {n}" for lv, n in zip(levels, counts, strict=True))
        + ".",
        _reference_note(design, labels),
        brant_note,
    ]
    if dropped_outcome:
        notes.append(f"Outcome level(s) without any complete case omitted: {dropped_outcome}.")

    def suppressed_notes(shown: pd.DataFrame) -> tuple[str, ...]:
        look = stat_lookup(shown)
        out = list(notes)
        out[2] = "Subjects per outcome level: " + ", ".join(
            f"{lv} {fmt_count(look.get((outcome, lv, OVERALL, 'n')))}" for lv in levels
        )
        out[2] += "."
        if brant is not None and withheld(look.get((OMNIBUS, PO_ASSUMPTION, OVERALL, "p_value"))):
            out[4] = f"Proportional-odds assumption ({brant.method}): withheld (†)."
        return tuple(out)

    return TableResult(
        name=table,
        title=f"Proportional odds model of {outcome}",
        frame=frame,
        layout=lambda f: _layout(f, design.terms, alpha, labels),
        footnotes=tuple(notes),
        source_counts=pattern_counts(design.X, y_codes) if _all_categorical(design) else (),
        notes_of=suppressed_notes,
    )


def logistic_model(
    data: pd.DataFrame,
    *,
    outcome: str,
    covariates: Sequence[str],
    reference: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    table: str = "logistic_model",
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> TableResult:
    """Logistic regression of a binary outcome: odds ratios with Wald CI and p-values.

    ``logit P(Y = 1) = beta_0 + x'beta`` fitted by statsmodels ``Logit`` (Newton-Raphson,
    maximum likelihood) on the complete cases; odds ratios ``exp(beta)`` with Wald
    ``(1 - alpha)`` intervals and Wald z-test p-values, as R ``glm(family = binomial)`` with
    ``confint.default``.

    Parameters
    ----------
    data : subject-level table.
    outcome : boolean column, or numeric 0/1 (1 = event).
    covariates, reference, alpha : as :func:`proportional_odds`.
    table : ARD table name (e.g. ``"ae_any_model"``).
    title : table title; default "Logistic regression of <outcome>".

    Returns
    -------
    TableResult with the ARD: per contrast ``estimate`` (odds ratio), ``ci_low``, ``ci_high``,
    ``p_value``, ``se`` (log odds ratio); ``intercept`` (log-odds ``estimate``, ``se``); model
    ``n`` and ``events``; ``n_missing`` per reason and per covariate.
    """
    func = "logistic_model"
    if outcome not in data.columns:
        raise ValueError(f"{func}: outcome column `{outcome}` is not in the data.")
    design = _design(data, outcome, covariates, reference, units)
    yv = design.y
    if pd.api.types.is_bool_dtype(yv):
        y = yv.astype(bool).to_numpy(dtype=float)
    elif pd.api.types.is_numeric_dtype(yv) and set(pd.unique(yv.astype(float))) <= {0.0, 1.0}:
        y = yv.astype(float).to_numpy()
    else:
        found = sorted(map(str, pd.unique(yv)))[:10]
        raise ValueError(
            f"{func}: `{outcome}` must be boolean or 0/1 (1 = event); found values {found}."
        )
    events = int(y.sum())
    if events in (0, len(y)):
        raise ValueError(
            f"{func}: `{outcome}` has fewer than 2 levels among the {len(y)} complete cases "
            f"({'no' if events == 0 else 'every'} subject has the event); a logistic model "
            "needs both events and non-events."
        )
    res = _quiet_fit(lambda: _fit_logit(y, design.X), f"the logistic model of {outcome}")
    rows = _contrast_rows(res, design, alpha, LOGIT_METHOD)
    rows += [
        _row("intercept", "", "estimate", float(res.params.iloc[0]), f"{LOGIT_METHOD}; log-odds"),
        _row("intercept", "", "se", float(res.bse.iloc[0]), f"{LOGIT_METHOD}; log-odds"),
        _row(MODEL, "", "events", events, f"subjects with `{outcome}` among the complete cases"),
    ]
    rows += _count_rows(design, outcome)
    frame = ard_frame(({"table": table, **r} for r in rows), context="logistic_regression")
    level = int(round((1 - alpha) * 100))
    notes = (
        f"{LOGIT_METHOD}: odds ratios exp(beta) of `{outcome}` with Wald {level}% CI and Wald "
        "z-test p-values.",
        _sample_note(design, outcome, labels),
        f"Events (`{outcome}`): {events} of {len(y)} subjects in the model.",
        _reference_note(design, labels),
    )

    def suppressed_notes(shown: pd.DataFrame) -> tuple[str, ...]:
        hidden = fmt_count(stat_lookup(shown).get((MODEL, "", OVERALL, "events")))
        return (
            *notes[:2],
            f"Events (`{outcome}`): {hidden} of {len(y)} subjects in the model.",
            *notes[3:],
        )

    return TableResult(
        name=table,
        title=title or f"Logistic regression of {outcome}",
        frame=frame,
        layout=lambda f: _layout(f, design.terms, alpha, labels),
        footnotes=notes,
        source_counts=pattern_counts(design.X, y) if _all_categorical(design) else (),
        notes_of=suppressed_notes,
    )


def _all_categorical(design: _Design) -> bool:
    """No numeric covariate (numeric ones are their own design column)."""
    return all(t.column != t.covariate for t in design.terms)


def subjects_with_term(
    patients: pd.DataFrame,
    adverse_events: pd.DataFrame,
    term: str,
    *,
    teae_flag: str | None = "is_teae",
    term_column: str = "ae_term",
    subject_id: str = "patient_id",
) -> pd.Series:
    """Whether each subject had at least one event of ``term`` (``has_<term>``, aligned to
    ``patients``); with ``teae_flag`` only treatment-emergent events count.

    A term that is neither a declared category nor observed in ``term_column`` is an error (a
    typo would otherwise give an all-False outcome).
    """
    for col, frame, what in (
        (subject_id, patients, "patients"),
        (subject_id, adverse_events, "adverse_events"),
        (term_column, adverse_events, "adverse_events"),
    ):
        if col not in frame.columns:
            raise ValueError(f"column `{col}` is not in the {what} table.")
    known = levels_of(adverse_events, term_column)
    if term not in known:
        raise ValueError(
            f"term {term!r} is not a level of `{term_column}`; known terms are {known}."
        )
    keep = adverse_events[term_column].astype("string") == term
    if teae_flag is not None:
        if teae_flag not in adverse_events.columns:
            raise ValueError(
                f"`teae_flag` column `{teae_flag}` is not in the adverse_events table; pass "
                "teae_flag=None to count every event."
            )
        flag = adverse_events[teae_flag]
        keep &= flag.isin(["Y", "y"]) if flag.dtype == object else flag.fillna(False).astype(bool)
    ids = set(adverse_events.loc[keep.fillna(False), subject_id])
    name = "has_" + "_".join(term.lower().split())
    return patients[subject_id].isin(ids).astype(bool).rename(name)


# ----------------------------------------------------------------------------- ARD rows


def _row(
    variable: str, level: str, stat: str, value: float, method: str, reference: str = ""
) -> dict[str, Any]:
    return {
        "variable": variable,
        "level": level,
        "reference": reference,
        "group": OVERALL,
        "stat": stat,
        "value": value,
        "method": method,
    }


def _contrast_rows(res: Any, design: _Design, alpha: float, method: str) -> list[dict[str, Any]]:
    params, bse, pvalues = res.params, res.bse, res.pvalues
    ci = res.conf_int(alpha=alpha)
    level = int(round((1 - alpha) * 100))
    out = []
    for t in design.terms:
        b = float(params[t.column])
        lo, hi = (float(v) for v in np.asarray(ci.loc[t.column]))
        out += [
            _row(t.covariate, t.level, st, x, how, t.reference)
            for st, x, how in (
                ("estimate", math.exp(b), f"{method}; odds ratio"),
                ("ci_low", math.exp(lo), f"{method}; Wald {level}% CI"),
                ("ci_high", math.exp(hi), f"{method}; Wald {level}% CI"),
                ("p_value", float(pvalues[t.column]), f"{method}; Wald z"),
                ("se", float(bse[t.column]), f"{method}; se of log OR"),
            )
        ]
    return out


def _count_rows(design: _Design, outcome: str) -> list[dict[str, Any]]:
    rows = [
        _row(MODEL, "", "n", len(design.y), "complete cases used in the model"),
        _row(
            MODEL,
            "missing outcome",
            "n_missing",
            design.n_missing_outcome,
            f"excluded: `{outcome}` missing",
        ),
        _row(
            MODEL,
            "missing covariate",
            "n_missing",
            design.n_missing_covariates,
            "excluded: at least one covariate missing (complete-case analysis)",
        ),
    ]
    for cov, n in design.missing_by_covariate.items():
        rows.append(_row(cov, "", "n_missing", n, f"`{cov}` missing among subjects with outcome"))
    return rows


def _sample_note(design: _Design, outcome: str, labels: Mapping[str, str] | None = None) -> str:
    words = labels or {}
    n_used = len(design.y)
    n_with = n_used + design.n_missing_covariates
    per = ", ".join(f"{words.get(c, c)} {n}" for c, n in design.missing_by_covariate.items() if n)
    shown = f"the outcome ({words[outcome].lower()})" if outcome in words else f"`{outcome}`"
    text = (
        f"Complete-case analysis: n = {n_used} of the {n_with} subjects with {shown} recorded; "
        f"{design.n_missing_covariates} dropped for missing covariates"
        + (f" (missing: {per})" if per else "")
        + "."
    )
    if design.n_missing_outcome:
        text += f" {design.n_missing_outcome} subject(s) without {shown} are not modelled."
    return text


def _reference_note(design: _Design, labels: Mapping[str, str] | None = None) -> str:
    words = labels or {}
    parts = [f"{words.get(c, c)} = {r}" for c, r in design.references.items()]
    numeric = [
        f"{words.get(t.covariate, t.covariate)} {t.contrast}"
        for t in design.terms
        if t.column == t.covariate
    ]
    text = "Reference levels: " + ("; ".join(parts) if parts else "none")
    if numeric:
        text += "; numeric covariates per unit: " + "; ".join(numeric)
    if design.dropped_levels:
        text += "; levels without complete cases omitted: " + "; ".join(
            f"{words.get(c, c)}: {', '.join(v)}" for c, v in design.dropped_levels.items()
        )
    return text + "."


def _layout(
    frame: pd.DataFrame,
    terms: list[_Term],
    alpha: float,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Rows "covariate: contrast" (the covariate in ``labels``' words), OR (CI), p-value."""
    words = labels or {}
    look = stat_lookup(frame)
    level = int(round((1 - alpha) * 100))
    rows = []
    for t in terms:
        key = (t.covariate, t.level, OVERALL)
        est = look.get((*key, "estimate"), np.nan)
        ci = fmt_ci(look.get((*key, "ci_low"), np.nan), look.get((*key, "ci_high"), np.nan), 2)
        rows.append(
            {
                "Covariate": f"{words.get(t.covariate, t.covariate)}: {t.contrast}",
                f"OR ({level}% CI)": f"{fmt_num(est, 2)} ({ci})"
                if ci and format_suppressed(est) is None
                else fmt_num(est, 2),
                "p-value": fmt_p(look.get((*key, "p_value"), np.nan)),
            }
        )
    return pd.DataFrame(rows, columns=["Covariate", f"OR ({level}% CI)", "p-value"])
