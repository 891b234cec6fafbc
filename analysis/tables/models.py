"""Regression tables: the proportional-odds model of an ordered response (with the Brant test of
proportional odds) and logistic models of binary outcomes, as ARD rows, footnotes and layouts.

The statistics live in :mod:`analysis.stats`: the design matrix (complete cases, treatment
coding against an explicit reference level) in ``stats/design.py``, the fits and odds ratios in
``stats/regression.py``, the Brant test in ``stats/brant.py``. Every subject not modelled is
counted in the ARD (``n_missing``) and in a footnote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.ard import OVERALL, ard_frame
from analysis.stats.brant import BrantResult, brant_test
from analysis.stats.ci_level import ci_level
from analysis.stats.design import Design, Term
from analysis.stats.regression import (
    LOGIT_METHOD,
    PO_METHOD,
    RegressionFit,
    fit_logistic,
    fit_proportional_odds,
)
from analysis.tables._common import levels_of
from analysis.tables.render import TableResult, fmt_ci, fmt_count, fmt_num, fmt_p, stat_lookup
from analysis.tables.suppress import format_suppressed
from analysis.tables.withhold import pattern_counts, withheld

PO_ASSUMPTION = "PO assumption"
OMNIBUS = "all covariates"
MODEL = "model"

__all__ = ["logistic_model", "proportional_odds", "subjects_with_term"]


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

    The model is :func:`analysis.stats.regression.fit_proportional_odds` (R ``MASS::polr``
    parameterisation: ``exp(beta) > 1`` means higher outcome levels are more likely); the
    proportional-odds assumption is checked by :func:`analysis.stats.brant.brant_test`, per
    covariate and omnibus.

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
    """
    fit = fit_proportional_odds(
        data, outcome=outcome, covariates=covariates, reference=reference, units=units, alpha=alpha
    )
    design, levels = fit.design, fit.levels
    rows = _contrast_rows(fit)
    for lo, hi, cut in zip(levels[:-1], levels[1:], fit.cut_points, strict=True):
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
    counts = np.bincount(fit.y, minlength=len(levels))
    for lv, n in zip(levels, counts, strict=True):
        rows.append(_row(outcome, lv, "n", int(n), "complete cases at this level"))
    rows += _count_rows(design, outcome)
    brant, brant_note = _brant(fit)
    if brant is not None:
        rows += _brant_rows(brant)
    frame = ard_frame(({"table": table, **r} for r in rows), context="proportional_odds")
    level = ci_level(alpha)
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
    if fit.dropped_levels:
        notes.append(f"Outcome level(s) without any complete case omitted: {fit.dropped_levels}.")

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
        source_counts=pattern_counts(design.X, fit.y) if design.all_categorical else (),
        notes_of=suppressed_notes,
    )


def _brant(fit: RegressionFit) -> tuple[BrantResult | None, str]:
    """The Brant test of a proportional-odds fit (needs 3+ outcome levels), and its footnote."""
    if len(fit.levels) < 3:
        return None, "Brant test not applicable: the outcome has only two observed levels."
    try:
        brant = brant_test(fit.y, fit.design.X, fit.design.groups)
    except ValueError as exc:
        return None, f"Brant test not computable: {exc}"
    per = "; ".join(f"{c} p = {fmt_p(v[2])}" for c, v in brant.per_covariate.items())
    return brant, (
        f"Proportional-odds assumption, {brant.method}: omnibus chi-square = "
        f"{brant.statistic:.2f}, df = {brant.df}, p = {fmt_p(brant.p_value)}; {per}."
    )


def _brant_rows(brant: BrantResult) -> list[dict[str, Any]]:
    """Statistic, df and p-value per covariate and (variable ``all covariates``) omnibus."""
    rows = []
    for cov, (stat, df, p) in [
        *brant.per_covariate.items(),
        (OMNIBUS, (brant.statistic, brant.df, brant.p_value)),
    ]:
        rows += [
            _row(cov, PO_ASSUMPTION, "statistic", stat, brant.method),
            _row(cov, PO_ASSUMPTION, "df", df, brant.method),
            _row(cov, PO_ASSUMPTION, "p_value", p, brant.method),
        ]
    return rows


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

    The model is :func:`analysis.stats.regression.fit_logistic` (as R ``glm(family =
    binomial)`` with ``confint.default``).

    Parameters
    ----------
    data : subject-level table.
    outcome : boolean column, or numeric 0/1 (1 = event).
    covariates, reference, alpha, units, labels : as :func:`proportional_odds`.
    table : ARD table name (e.g. ``"ae_any_model"``).
    title : table title; default "Logistic regression of <outcome>".

    Returns
    -------
    TableResult with the ARD: per contrast ``estimate`` (odds ratio), ``ci_low``, ``ci_high``,
    ``p_value``, ``se`` (log odds ratio); ``intercept`` (log-odds ``estimate``, ``se``); model
    ``n`` and ``events``; ``n_missing`` per reason and per covariate.
    """
    fit = fit_logistic(
        data, outcome=outcome, covariates=covariates, reference=reference, units=units, alpha=alpha
    )
    design, y = fit.design, fit.y
    assert fit.intercept is not None
    events = int(y.sum())
    rows = _contrast_rows(fit)
    rows += [
        _row("intercept", "", "estimate", fit.intercept[0], f"{LOGIT_METHOD}; log-odds"),
        _row("intercept", "", "se", fit.intercept[1], f"{LOGIT_METHOD}; log-odds"),
        _row(MODEL, "", "events", events, f"subjects with `{outcome}` among the complete cases"),
    ]
    rows += _count_rows(design, outcome)
    frame = ard_frame(({"table": table, **r} for r in rows), context="logistic_regression")
    level = ci_level(alpha)
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
        source_counts=pattern_counts(design.X, y) if design.all_categorical else (),
        notes_of=suppressed_notes,
    )


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


def _contrast_rows(fit: RegressionFit) -> list[dict[str, Any]]:
    """Per contrast: odds ratio, Wald CI, Wald p and the se of the log odds ratio."""
    method, level = fit.method, ci_level(fit.alpha)
    what = {
        "estimate": f"{method}; odds ratio",
        "ci_low": f"{method}; Wald {level}% CI",
        "ci_high": f"{method}; Wald {level}% CI",
        "p_value": f"{method}; Wald z",
        "se": f"{method}; se of log OR",
    }
    out = []
    for r in fit.odds_ratios.itertuples(index=False):
        out += [
            _row(r.covariate, r.level, s, getattr(r, s), m, r.reference) for s, m in what.items()
        ]
    return out


def _count_rows(design: Design, outcome: str) -> list[dict[str, Any]]:
    rows = [
        _row(MODEL, "", "n", len(design.X), "complete cases used in the model"),
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


def _sample_note(design: Design, outcome: str, labels: Mapping[str, str] | None = None) -> str:
    words = labels or {}
    n_used = len(design.X)
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


def _reference_note(design: Design, labels: Mapping[str, str] | None = None) -> str:
    words = labels or {}
    parts = [f"{words.get(c, c)} = {r}" for c, r in design.references.items()]
    numeric = [
        f"{words.get(t.covariate, t.covariate)} {t.contrast}" for t in design.terms if t.is_numeric
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
    terms: list[Term],
    alpha: float,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Rows "covariate: contrast" (the covariate in ``labels``' words), OR (CI), p-value."""
    words = labels or {}
    look = stat_lookup(frame)
    level = ci_level(alpha)
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
