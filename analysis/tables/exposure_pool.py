"""Which exposure numbers a per-exposure table shows on its own, and which it pools.

A per-exposure percentage among the few subjects who received a 14th session looks as precise
as the first one and is not, while pooling every session from the 6th on makes a rate that
belongs to a few long-treated subjects look like a jump. The rule here: each exposure number is
shown on its own while at least ``floor`` subjects received it (``analysis.stats.at_risk.
subject_floor`` of the subjects who received the first exposure: 10% of them or 20, whichever is
larger, by default); the tail from the first number below the floor is pooled into one column
``k+`` (shown "≥ k") with its own N, the subjects who received the k-th exposure. A tail of one
number is not pooled. ``max_exposure`` caps the shown numbers whatever the floor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.stats.at_risk import subject_floor
from analysis.tables.ae_sex_specific import NOT_APPLICABLE_CELL
from analysis.tables.render import fmt_n_pct, stat_lookup


@dataclass(frozen=True)
class Pooling:
    """The outcome of the rule: ``start`` (the first pooled exposure number, None when nothing
    is pooled), the ``floor`` in subjects, the numbers pooled (``pooled``), and what it was
    computed from: ``first_n`` (subjects of the first number), ``fraction``, ``minimum`` and
    ``max_exposure``."""

    start: int | None
    floor: int
    pooled: tuple[int, ...]
    first_n: float = 0
    fraction: float = 0.10
    minimum: int = 20
    max_exposure: int | None = None


def pool_exposures(
    sizes: Mapping[int, float] | pd.Series,
    floor: tuple[float, int] = (0.10, 20),
    *,
    max_exposure: int | None = None,
) -> Pooling:
    """The pooling of exposure numbers with ``sizes`` (number -> subjects who received it)
    under ``floor = (fraction, minimum)``.

    The floor is ``subject_floor`` of the subjects of the first (smallest) number; pooling
    starts at the first number whose subjects fall below it, or at ``max_exposure`` if that
    comes first, and only when at least two numbers are left to pool.
    """
    fraction, minimum = floor
    n = {int(k): float(v) for k, v in dict(sizes).items()}
    numbers = sorted(n)
    if not numbers:
        return Pooling(None, 0, (), 0, fraction, minimum, max_exposure)
    first = n[numbers[0]]
    at_least = subject_floor(first, fraction=fraction, minimum=minimum)
    below = [k for k in numbers if n[k] < at_least]
    starts = [k for k in (below[0] if below else None, max_exposure) if k is not None]
    start = min(starts) if starts else None
    pooled = tuple(k for k in numbers if start is not None and k >= start)
    if len(pooled) < 2:
        start, pooled = None, ()
    return Pooling(start, at_least, pooled, first, fraction, minimum, max_exposure)


def pooled_label(level: str) -> str:
    """A pooled column's level as a reader sees it: ``"13+"`` -> ``"≥ 13"``; others as they are."""
    return f"≥ {level[:-1]}" if level.endswith("+") else level


def pooling_note(p: Pooling, *, noun: str, pooled_n: float | None) -> str:
    """The footnote sentence stating the rule and what it did (``pooled_n``: the subjects of
    the pooled column)."""
    if not p.first_n:  # no exposure in the data (an empty table, a subgroup without any)
        return f"No patient received a first {noun} in these data: no {noun} number is shown."
    rule = (
        f"Each {noun} number is shown while at least {p.floor} patients received it (the larger "
        f"of {p.minimum} and {100 * p.fraction:g}% of the {int(p.first_n)} who received the first)"
    )
    if p.max_exposure is not None:
        rule += f", up to {noun} {p.max_exposure}"
    if p.start is None:
        return rule + "; no later number is pooled."
    return (
        f"{rule}; {noun}s {p.pooled[0]}–{p.pooled[-1]} are pooled as ≥ {p.start} "
        f"(N = {int(pooled_n or 0)}, the patients who received {noun} {p.start}; n counts "
        f"patients with the event after any of them)."
    )


def exposure_layout(frame: pd.DataFrame, noun: str = "exposure") -> pd.DataFrame:
    """The per-exposure table: one row per term, one column per exposure number (pooled
    tail shown "≥ k"), each "n (%)" with the column's N in its head: the subjects who received
    it, the largest N of the column (a term of one sex has its sex's N, never above it)."""
    if frame.empty:  # no events: the head alone (it was an IndexError on display)
        return pd.DataFrame(columns=["Adverse event"])
    look = stat_lookup(frame)
    var = frame["variable"].iloc[0]
    groups = list(dict.fromkeys(frame["group"]))
    column_n = frame.loc[frame["stat"] == "N"].groupby("group", sort=False)["value"].max()
    rows = []
    for lv in dict.fromkeys(frame["level"]):
        row = {"Adverse event": lv}
        for g in groups:
            shown = pooled_label(g.split("=", 1)[1])
            head = f"{noun.capitalize()} {shown} (N={int(column_n[g])})"
            # a term of one sex where no subject of that sex received the number: "—"
            none = look.get((var, lv, g, "N")) == 0
            row[head] = (
                NOT_APPLICABLE_CELL
                if none
                else fmt_n_pct(look.get((var, lv, g, "n")), look.get((var, lv, g, "pct")))
            )
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["Pooling", "exposure_layout", "pool_exposures", "pooled_label", "pooling_note"]
