"""A Cox model whose estimate is not finite, or whose fit did not converge, is refused, not
printed.

A level of a covariate without events gave "HR 0.00 (0.00–inf), p = 1.000" (coefficient -25.6,
SE 3.4e5): the partial likelihood keeps growing with the coefficient (monotone likelihood), so
no estimate exists. R ``coxph`` warns "coefficient may be infinite"; the logistic models here
already refuse separation. A numeric covariate does the same when one of its values has no
event (a dose of 0.5 mg without a discontinuation printed "HR 4.7e26 (0.00–inf)"), and a fit
whose Newton–Raphson iterations did not converge printed an HR and p as if they meant
something (lifelines only warned). ``survival.cox_model`` calls :func:`refuse_infinite` on its
fit and :func:`refuse_unconverged` on lifelines' warnings; ``tables.time_to_event.cox_table``
calls :func:`refuse_levels_without_events` before fitting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import ArgumentError
from analysis.stats.design import Term
from analysis.words import and_list, counted

MAX_SE_BINARY = 25.0
"""A 0/1 covariate's coefficient with a larger standard error (log-hazard scale: a 95% CI of
the HR spanning more than 40 orders of magnitude) did not settle at a finite value: the partial
likelihood is monotone in it (no event in one of its groups, or every event where the other
group has left the risk set). R ``coxph`` warns "coefficient may be infinite"."""


MAX_SE_PER_SD = MAX_SE_BINARY / 2
"""The same bound for a numeric covariate, on its coefficient per standard deviation (a 0/1
covariate split in half has an SD of 0.5): its SE times the covariate's SD, so that the unit it
is counted in (mg or g, days or years) does not decide."""


def refuse_infinite(summary: pd.DataFrame, x: pd.DataFrame) -> None:
    """A ``ValueError`` naming the covariates whose estimates are not finite: a 0/1 one whose
    SE exceeds :data:`MAX_SE_BINARY`, another whose SE per standard deviation exceeds
    :data:`MAX_SE_PER_SD`, any with a coefficient or SE that is not a finite number."""
    binary = [c for c in x.columns if x[c].isin([0, 1]).all()]
    se = summary["se"].astype(float)
    coef = summary["coef"].astype(float) if "coef" in summary else se * 0
    sd = pd.Series({c: float(x[c].std(ddof=0)) for c in x.columns}).reindex(se.index)
    scaled = se.where(se.index.isin(binary), se * sd * (MAX_SE_BINARY / MAX_SE_PER_SD))
    wild = se[~np.isfinite(se) | ~np.isfinite(coef) | (scaled > MAX_SE_BINARY)]
    if len(wild):
        which = ", ".join(f"`{c}` (SE {v:.3g})" for c, v in wild.items())
        raise ArgumentError(
            f"the Cox model cannot estimate a finite hazard ratio for {which}: the partial "
            "likelihood keeps growing as the coefficient grows (monotone likelihood: no event in "
            "one of the covariate's groups, or every event of one group after the other group "
            "left the risk set), so the estimate, its CI and p-value mean nothing. Merge the "
            "level with another, leave those subjects out, or drop the covariate."
        )


#: what lifelines says when its Newton–Raphson fit failed (the last: separation)
_FAILED = ("failed to converge", "norm(delta) is still high", "suspiciously close to 0")


def refuse_unconverged(messages: list[str]) -> None:
    """A ``ValueError`` when lifelines warned that its Newton–Raphson fit did not converge (or
    converged with a large last step, or a log-likelihood near 0 with a large step: separation):
    its estimates are then not the maximum of the partial likelihood. The other warnings it
    gave with the failure (a covariate of low variance among the events, one correlated with
    the time) say why, and are quoted."""
    if not any(key in m for m in messages for key in _FAILED):
        return
    why = [m.split(". ")[0].strip().rstrip(".") for m in messages if not _failure(m)]
    because = f" ({'; '.join(why)})" if why else ""
    raise ArgumentError(
        f"the Cox model's fit did not converge{because}: its hazard ratios, CIs and p-values "
        "would not be the maximum-likelihood ones. This happens when a covariate (nearly) "
        "orders the events by itself, has a value without events, or covariates are "
        "collinear: leave out or merge the covariate, or the subjects that cause it."
    )


def _failure(message: str) -> bool:
    return any(key in message for key in _FAILED)


def refuse_levels_without_events(data: pd.DataFrame, terms: list[Term], event: str) -> None:
    """A ``ValueError`` when a level of a categorical covariate (the reference included) has
    subjects but no event among the complete cases: the partial likelihood then grows without
    bound as the level's coefficient goes to minus infinity (or the others' to plus infinity),
    and the fit stops at an arbitrary large value with a huge standard error: an HR of
    "0.00 (0.00-inf), p = 1.000" that reads as a result. R ``coxph`` warns "coefficient may be
    infinite"; the logistic models refuse the same situation (separation). With no event at all
    the message says that, not that every level lacks one."""
    if len(data) and not data[event].astype(bool).any():
        raise ArgumentError(
            f"the Cox model has no event to fit: none of the {counted(len(data), 'subject')} "
            f"analysed has `{event}`. Check the event's definition (its column and the "
            "study's time rules), or leave the model out of the plan."
        )
    empty = []
    for covariate in dict.fromkeys(t.covariate for t in terms if not t.is_numeric):
        events = data.groupby(data[covariate].astype(str), observed=True)[event].agg(
            ["size", "sum"]
        )
        for level, row in events.iterrows():
            if row["size"] and not row["sum"]:
                empty.append(f"`{covariate}` = {level} ({counted(int(row['size']), 'subject')})")
    if empty:
        raise ArgumentError(
            f"the Cox model cannot estimate a finite hazard ratio: {and_list(empty)} "
            f"{'has' if len(empty) == 1 else 'have'} no event among the subjects analysed, so "
            "its hazard ratio is 0 or infinite (monotone partial likelihood). Merge the level "
            "with another, leave those subjects out (a `population`), or drop the covariate."
        )


__all__ = [
    "MAX_SE_BINARY",
    "MAX_SE_PER_SD",
    "refuse_infinite",
    "refuse_levels_without_events",
    "refuse_unconverged",
]
