"""The words of the regression tables: study labels for covariates and levels, the
complete-case and reference-level footnotes, and the displayed layout (OR (CI), p-value)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.ard import OVERALL
from analysis.stats.ci_level import ci_level
from analysis.stats.design import Design, Term
from analysis.tables.render import fmt_p, fmt_ratio, stat_lookup
from analysis.words import counted, in_sentence, term_label


@dataclasses.dataclass(frozen=True)
class Words:
    """Words for columns and levels (the study's labels); a name without one is shown as is."""

    variables: Mapping[str, str] | None = None
    levels: Mapping[str, Mapping[str, str]] | None = None

    def var(self, name: str) -> str:
        return (self.variables or {}).get(name, name)

    def level(self, column: str, level: str) -> str:
        return (self.levels or {}).get(column, {}).get(level, level)

    def contrast(self, term: Term) -> str:
        """ "Male vs Female", or a numeric covariate's unit ("per year")."""
        if term.is_numeric:
            return term.contrast
        c = term.covariate
        return f"{self.level(c, term.level)} vs {self.level(c, term.reference)}"


def ard_level(term: Term) -> str:
    """The ARD ``level`` of a model term: its compared level; ``""`` for a numeric covariate."""
    return "" if term.is_numeric else term.level


def sample_note(design: Design, outcome: str, words: Words) -> str:
    n_used = len(design.X)
    n_with = n_used + design.n_missing_covariates
    per = ", ".join(f"{words.var(c)} {n}" for c, n in design.missing_by_covariate.items() if n)
    shown = f"the outcome ({in_sentence(words.var(outcome))})"
    text = (
        f"Complete-case analysis: n = {n_used} of the {n_with} subjects with {shown} recorded; "
        f"{design.n_missing_covariates} dropped for missing covariates"
        + (f" (missing: {per})" if per else "")
        + "."
    )
    if design.n_missing_outcome:
        who = counted(design.n_missing_outcome, "subject")
        text += f" {who} without {shown} {'is' if design.n_missing_outcome == 1 else 'are'} not modelled."
    return text


def reference_note(design: Design, words: Words) -> str:
    parts = [f"{words.var(c)} = {words.level(c, r)}" for c, r in design.references.items()]
    numeric = [
        term_label(words.var(t.covariate), t.contrast, numeric=True)
        for t in design.terms
        if t.is_numeric
    ]
    text = "Reference levels: " + ("; ".join(parts) if parts else "none")
    if numeric:
        text += "; numeric covariates: " + "; ".join(numeric)
    if design.dropped_levels:
        text += "; levels without complete cases omitted: " + "; ".join(
            f"{words.var(c)}: {', '.join(words.level(c, lv) for lv in v)}"
            for c, v in design.dropped_levels.items()
        )
    return text + "."


def model_layout(
    frame: pd.DataFrame,
    terms: list[Term],
    alpha: float,
    words: Words,
    side_contexts: tuple[str, ...],
) -> pd.DataFrame:
    """Rows "Covariate: contrast" in the study's words, OR (CI), p-value (of the model's own
    rows: a covariate's Brant test has the same variable, level and stat in another context)."""
    look = stat_lookup(frame.loc[~frame["context"].isin(side_contexts)])
    level = ci_level(alpha)
    rows = []
    for t in terms:
        key = (t.covariate, ard_level(t), OVERALL)
        est = look.get((*key, "estimate"), np.nan)
        lo, hi = look.get((*key, "ci_low"), np.nan), look.get((*key, "ci_high"), np.nan)
        rows.append(
            {
                "Covariate": term_label(
                    words.var(t.covariate), words.contrast(t), numeric=t.is_numeric
                ),
                f"OR ({level}% CI)": fmt_ratio(est, lo, hi, 2),
                "p-value": fmt_p(look.get((*key, "p_value"), np.nan)),
            }
        )
    return pd.DataFrame(rows, columns=["Covariate", f"OR ({level}% CI)", "p-value"])
