"""Regression tables: the proportional-odds model of an ordered response (with the Brant test of
proportional odds) and logistic models of binary outcomes, as ARD rows, footnotes and layouts.

The statistics live in :mod:`analysis.stats`: the design matrix (complete cases, treatment
coding against an explicit reference level) in ``stats/design.py``, the fits and odds ratios in
``stats/regression.py``, the Brant test in ``stats/brant.py``. Every subject not modelled is
counted in the ARD (``n_missing``) and in a footnote.

Over 400 lines as one job: the two model families' tables, which share their checks of the
input, their ARD rows, notes and layout (``model_text``); the words live in ``model_text``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.ard import OVERALL, ard_frame
from analysis.errors import ArgumentError
from analysis.stats.brant import BrantResult, brant_test
from analysis.stats.ci_level import ci_level
from analysis.stats.design import Design
from analysis.stats.regression import (
    LOGIT_METHOD,
    PO_METHOD,
    RegressionFit,
    fit_logistic,
    fit_proportional_odds,
)
from analysis.tables._aliases import same_id_kind
from analysis.tables._arguments import shaped
from analysis.tables._columns import require_columns, require_frame
from analysis.tables._common import levels_of, member
from analysis.tables.model_text import Words, ard_level, model_layout, reference_note, sample_note
from analysis.tables.render import TableResult, fmt_count, fmt_p, stat_lookup
from analysis.tables.withhold import pattern_counts, withheld
from analysis.words import and_list, in_sentence

BRANT = "brant_test"  # context of the proportional-odds test rows
CUT_POINT = "cut_point"  # context of the proportional-odds thresholds
INTERCEPT = "intercept"  # context of the logistic intercept
COMPLETE_CASE = "complete_case"  # context of the subjects dropped for a missing covariate
_SIDE_CONTEXTS = (BRANT, CUT_POINT, INTERCEPT, COMPLETE_CASE)

__all__ = ["ard_level", "logistic_model", "proportional_odds", "subjects_with_term"]


@shaped
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
    level_labels: Mapping[str, Mapping[str, str]] | None = None,
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
    labels : ``{column: words}`` for titles, rows and footnotes (the ARD keeps the column names).
    level_labels : ``{column: {level: words}}`` likewise for levels.
    alpha : 1 - confidence level of the intervals.
    table : ARD table name.

    Returns
    -------
    TableResult with the ARD (``level`` is always a level of ``variable`` or ``""``):

    - per contrast, ``variable`` = the covariate, ``level`` = the compared level and
      ``reference`` the reference level (a numeric covariate: both ``""``, its unit in the
      ``method``, "per year"): ``estimate`` (odds ratio), ``ci_low``, ``ci_high``, ``p_value``,
      ``se`` (of the log odds ratio);
    - context ``cut_point``: ``variable`` = the outcome, ``level`` = the level below the cut,
      ``estimate`` = the threshold on the logit scale;
    - context ``brant_test``: ``statistic``, ``df``, ``p_value`` per covariate (``variable``) and
      omnibus (``variable`` = the outcome);
    - ``variable`` = the outcome: ``n`` per level (complete cases), ``n`` with ``level`` ``""``
      (subjects in the model), ``n_missing`` (outcome missing); context ``complete_case``:
      ``n_missing`` (outcome recorded, a covariate missing); ``n_missing`` per covariate.
    """
    require_frame("proportional_odds", data, table="data")
    require_columns(
        "proportional_odds", data, table="the data", outcome=outcome, covariates=covariates
    )
    fit = fit_proportional_odds(
        data, outcome=outcome, covariates=covariates, reference=reference, units=units, alpha=alpha
    )
    design, levels = fit.design, fit.levels
    rows = _contrast_rows(fit)
    for lo, hi, cut in zip(levels[:-1], levels[1:], fit.cut_points, strict=True):
        rows.append(
            _row(
                outcome,
                lo,
                "estimate",
                float(cut),
                f"{fit.method}; threshold between {lo!r} and {hi!r}: logit of P(outcome at or "
                f"below {lo!r}) at zero covariates (MASS::polr zeta)",
                context=CUT_POINT,
            )
        )
    counts = np.bincount(fit.y, minlength=len(levels))
    for lv, n in zip(levels, counts, strict=True):
        rows.append(_row(outcome, lv, "n", int(n), "complete cases at this level"))
    rows += _count_rows(design, outcome)
    brant, brant_note = _brant(fit, labels)
    if brant is not None:
        rows += _brant_rows(brant, outcome)
    frame = ard_frame(({"table": table, **r} for r in rows), context="proportional_odds")
    level = ci_level(alpha)
    words = Words(labels, level_labels)
    notes = [
        f"{PO_METHOD}: cumulative logit model with one set of slopes for all {len(levels) - 1} "
        f"cut-points of {' < '.join(words.level(outcome, lv) for lv in levels)}; OR > 1 = "
        f"higher levels of {in_sentence(words.var(outcome))} more likely. "
        f"Odds ratios exp(β) with Wald {level}% CI and Wald z-test p-values.",
        sample_note(design, outcome, words),
        "Subjects per outcome level: "
        + ", ".join(f"{words.level(outcome, lv)} {n}" for lv, n in zip(levels, counts, strict=True))
        + ".",
        reference_note(design, words),
        brant_note,
    ]
    if fit.dropped_levels:
        dropped = [words.level(outcome, lv) for lv in fit.dropped_levels]
        notes.append(
            f"Outcome {'level' if len(dropped) == 1 else 'levels'} without any complete case "
            f"omitted: {and_list(dropped)}."
        )

    def suppressed_notes(shown: pd.DataFrame) -> tuple[str, ...]:
        look = stat_lookup(shown)
        out = list(notes)
        out[2] = "Subjects per outcome level: " + ", ".join(
            f"{words.level(outcome, lv)} {fmt_count(look.get((outcome, lv, OVERALL, 'n')))}"
            for lv in levels
        )
        out[2] += "."
        omnibus = shown.loc[(shown["context"] == BRANT) & (shown["variable"] == outcome)]
        if brant is not None and withheld(
            stat_lookup(omnibus).get((outcome, "", OVERALL, "p_value"))
        ):
            out[4] = f"Proportional-odds assumption ({brant.method}): withheld (†)."
        return tuple(out)

    return TableResult(
        name=table,
        title=f"Proportional-odds model of {in_sentence(words.var(outcome))}",
        frame=frame,
        layout=lambda f: model_layout(f, design.terms, alpha, words, _SIDE_CONTEXTS),
        footnotes=tuple(notes),
        source_counts=pattern_counts(design.X, fit.y) if design.all_categorical else (),
        notes_of=suppressed_notes,
    )


def _brant(
    fit: RegressionFit, labels: Mapping[str, str] | None = None
) -> tuple[BrantResult | None, str]:
    """The Brant test of a proportional-odds fit (needs 3+ outcome levels), and its footnote."""
    if len(fit.levels) < 3:
        return None, "Brant test not applicable: the outcome has only two observed levels."
    try:
        brant = brant_test(fit.y, fit.design.X, fit.design.groups)
    except ValueError as exc:
        return None, f"Brant test not computable: {exc}"
    words = Words(labels)
    per = "; ".join(f"{words.var(c)} p = {fmt_p(v[2])}" for c, v in brant.per_covariate.items())
    return brant, (
        f"Proportional-odds assumption, {brant.method}: omnibus chi-square = "
        f"{brant.statistic:.2f}, df = {brant.df}, p = {fmt_p(brant.p_value)}; {per}."
    )


def _brant_rows(brant: BrantResult, outcome: str) -> list[dict[str, Any]]:
    """Context ``brant_test``: statistic, df and p-value per covariate (``variable`` = the
    covariate) and of the omnibus test of all covariates (``variable`` = the outcome)."""
    rows = []
    for var, (stat, df, p) in [
        *brant.per_covariate.items(),
        (outcome, (brant.statistic, brant.df, brant.p_value)),
    ]:
        rows += [
            _row(var, "", "statistic", stat, brant.method, context=BRANT),
            _row(var, "", "df", df, brant.method, context=BRANT),
            _row(var, "", "p_value", p, brant.method, context=BRANT),
        ]
    return rows


@shaped
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
    level_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> TableResult:
    """Logistic regression of a binary outcome: odds ratios with Wald CI and p-values.

    The model is :func:`analysis.stats.regression.fit_logistic` (as R ``glm(family =
    binomial)`` with ``confint.default``).

    Parameters
    ----------
    data : subject-level table.
    outcome : boolean column, or numeric 0/1 (1 = event).
    covariates, reference, alpha, units, labels, level_labels : as :func:`proportional_odds`.
    table : ARD table name (e.g. ``"ae_any_model"``).
    title : table title; default "Logistic regression of <outcome in words>".

    Returns
    -------
    TableResult with the ARD: per contrast as :func:`proportional_odds` (``estimate`` odds
    ratio, ``ci_low``, ``ci_high``, ``p_value``, ``se``); context ``intercept``: the log-odds
    ``estimate`` and ``se`` (``variable`` = the outcome); ``variable`` = the outcome: ``n``
    (subjects in the model), ``events``, ``n_missing``; context ``complete_case``
    ``n_missing``; ``n_missing`` per covariate.
    """
    require_frame("logistic_model", data, table="data")
    require_columns(
        "logistic_model", data, table="the data", outcome=outcome, covariates=covariates
    )
    fit = fit_logistic(
        data, outcome=outcome, covariates=covariates, reference=reference, units=units, alpha=alpha
    )
    design, y = fit.design, fit.y
    assert fit.intercept is not None
    events = int(y.sum())
    rows = _contrast_rows(fit)
    rows += [
        _row(
            outcome,
            "",
            "estimate",
            fit.intercept[0],
            f"{LOGIT_METHOD}; log-odds",
            context=INTERCEPT,
        ),
        _row(outcome, "", "se", fit.intercept[1], f"{LOGIT_METHOD}; log-odds", context=INTERCEPT),
        _row(outcome, "", "events", events, "subjects with the event among the complete cases"),
    ]
    rows += _count_rows(design, outcome)
    frame = ard_frame(({"table": table, **r} for r in rows), context="logistic_regression")
    level = ci_level(alpha)
    words = Words(labels, level_labels)
    what = in_sentence(words.var(outcome))
    notes = (
        f"{LOGIT_METHOD}: odds ratios exp(β) of {what} with Wald {level}% CI and Wald "
        "z-test p-values.",
        sample_note(design, outcome, words),
        f"Events ({what}): {events} of {len(y)} subjects in the model.",
        reference_note(design, words),
    )

    def suppressed_notes(shown: pd.DataFrame) -> tuple[str, ...]:
        hidden = fmt_count(stat_lookup(shown).get((outcome, "", OVERALL, "events")))
        return (
            *notes[:2],
            f"Events ({what}): {hidden} of {len(y)} subjects in the model.",
            *notes[3:],
        )

    return TableResult(
        name=table,
        title=title or f"Logistic regression of {what}",
        frame=frame,
        layout=lambda f: model_layout(f, design.terms, alpha, words, _SIDE_CONTEXTS),
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
    name = "subjects_with_term"
    require_frame(name, patients, table="patients")
    require_frame(name, adverse_events, table="adverse_events")
    require_columns(name, patients, table="the patients table", subject_id=subject_id)
    require_columns(
        name,
        adverse_events,
        table="the adverse_events table",
        subject_id=subject_id,
        term_column=term_column,
        teae_flag=teae_flag,
    )
    same_id_kind(name, {"patients": patients, "adverse_events": adverse_events}, subject_id)
    known = levels_of(adverse_events, term_column)
    if term not in known:
        raise ArgumentError(
            f"term {term!r} is not a level of `{term_column}`; known terms are {known}."
        )
    keep = adverse_events[term_column].astype("string") == term
    if teae_flag is not None:
        if teae_flag not in adverse_events.columns:
            raise ArgumentError(
                f"`teae_flag` column `{teae_flag}` is not in the adverse_events table; pass "
                "teae_flag=None to count every event."
            )
        keep &= _flag_set(adverse_events, teae_flag)
    ids = adverse_events.loc[keep.fillna(False), subject_id]
    name = "has_" + "_".join(term.lower().split())
    return pd.Series(member(patients[subject_id], ids), index=patients.index, name=name)


def _flag_set(events: pd.DataFrame, flag: str) -> np.ndarray:
    """Whether each event's ``flag`` is set, read as every AE table reads it
    (``engine.flag_true``: true, a non-zero number, or Y/YES/TRUE/1 text in any case). This
    function read a flag of text as set only when "Y", and any other flag as Python's truth: an
    object column of True/False counted no event, a "N" of a string column counted as set."""
    from analysis.engine import counts as engine

    table = engine.as_table(events[[flag]].reset_index(drop=True))
    found = engine.execute(table.select(_set=engine.flag_true(table, flag, as_column=True)))
    return found["_set"].to_numpy(dtype=bool)


# ----------------------------------------------------------------------------- ARD rows


def _row(
    variable: str,
    level: str,
    stat: str,
    value: float,
    method: str,
    reference: str = "",
    *,
    context: str | None = None,
) -> dict[str, Any]:
    row = {
        "variable": variable,
        "level": level,
        "reference": reference,
        "group": OVERALL,
        "stat": stat,
        "value": value,
        "method": method,
    }
    if context is not None:
        row["context"] = context
    return row


def _contrast_rows(fit: RegressionFit) -> list[dict[str, Any]]:
    """Per contrast: odds ratio, Wald CI, Wald p and the se of the log odds ratio; a numeric
    covariate's unit ("per year") ends the method of its rows."""
    method, level = fit.method, ci_level(fit.alpha)
    what = {
        "estimate": f"{method}; odds ratio",
        "ci_low": f"{method}; Wald {level}% CI",
        "ci_high": f"{method}; Wald {level}% CI",
        "p_value": f"{method}; Wald z",
        "se": f"{method}; se of log OR",
    }
    out = []
    for term in fit.design.terms:
        r = fit.odds_ratios.loc[term.column]
        unit = f"; {term.contrast}" if term.is_numeric else ""
        out += [
            _row(term.covariate, ard_level(term), s, float(r[s]), m + unit, term.reference)
            for s, m in what.items()
        ]
    return out


def _count_rows(design: Design, outcome: str) -> list[dict[str, Any]]:
    rows = [
        _row(outcome, "", "n", len(design.X), "complete cases used in the model"),
        _row(outcome, "", "n_missing", design.n_missing_outcome, "excluded: outcome missing"),
        _row(
            outcome,
            "",
            "n_missing",
            design.n_missing_covariates,
            "excluded: outcome recorded, at least one covariate missing (complete-case analysis)",
            context=COMPLETE_CASE,
        ),
    ]
    for cov, n in design.missing_by_covariate.items():
        rows.append(_row(cov, "", "n_missing", n, "covariate missing among subjects with outcome"))
    return rows
