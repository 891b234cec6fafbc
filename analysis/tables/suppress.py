"""Small-cell suppression of an ARD before it is shown (statistical disclosure control).

Over 400 lines as one job: the rule and its documentation (rule, limits, references); the
sets of cells are ``suppress_sets``, their joint check ``suppress_joint``, the withheld
statistics ``withhold``.

``suppress_small_cells(frame, k=5)`` returns a copy of an ARD frame in which counts that could
identify a few individuals are hidden, with every statistic that would give them back, and
``format_suppressed`` / ``suppressed_markers`` let the renderer print them as ``<5``
(complementary cells as ``*``, withheld statistics as ``†``) instead of a blank.

The rule
--------
A *cell* is one ``(table, variable, level, group)``; its count stats are ``n`` (subjects) and
``events``.

1. **Primary suppression.** A cell whose ``n`` or ``events`` is 1..k-1 is suppressed.
   Zero counts are kept: a zero says that nobody has the characteristic, which discloses nothing
   about an individual, and "no serious adverse events" must stay visible.
2. **Complementary (secondary) suppression.** A suppressed cell must not be recoverable by
   subtraction from a total that is shown. Five kinds of sets are recognised, per count
   stat (``analysis.tables.suppress_sets``):

   - *levels of a variable in one group* whose ``n`` add up exactly to the ``N`` shown with them
     (the levels of a categorical baseline variable, the worst-severity grades, the response
     grades); AE terms, which overlap, do not add up to ``N`` and form no set;
   - *groups of one row* that add up exactly to a parent group shown in the same table: the
     levels of one more key (``sex=female`` + ``sex=male`` = ``overall``;
     ``sex=female;therapy_group=monotherapy`` + ``sex=female;therapy_group=combined`` =
     ``sex=female``; group keys in any order);
   - *derived one-level variables*: a variable with a single level whose ``n`` equals the sum
     of the same levels of such a partition in every group, with the same ``N`` ("any
     improvement" = mild + marked improvement; "marked improvement" repeated as its own row);
     the partition with those levels replaced by the derived row is a set as well;
   - *levels shown without N adding up to a one-level count of the same group* (the outcome
     levels of a model and the model's n);
   - *event counts of an adverse-event table* (``events``): every event has one term and one
     category, so the categories' events add up to those of "any adverse event", and so do
     the terms', and a category's terms' to the category's (a hidden count of 1 event also
     gives its ``n``: 1).

   If exactly one member of such a set (total included) is unknown (suppressed), the smallest
   other non-zero member is suppressed too (ties: first in table order; a zero member only when
   no non-zero one is left; the total itself only when it merely repeats one hidden member).
   The same is done when several members are hidden but the shown total still *pins* one of
   them: a reader knows that ``<k`` is 1..k-1 and ``*`` is 0 or at least k, so two hidden
   counts adding up to 2(k-1) are both k-1 (4 + 4 = 8 at k = 5) and two adding up to 2 are both
   1; then another member, or the total, is hidden. This is repeated until no set has exactly
   one unknown member or a pinned one, because a complementary cell can itself be the only
   unknown of another set.
3. **Everything describing a suppressed cell is hidden with it** (set to NaN): ``n``,
   ``events``, ``pct``, ``ci_low``, ``ci_high`` (a percentage or a CI with the denominator shown
   gives the count back), ``mean``, ``sd``, ``median``, ``q1``, ``q3``, ``min``, ``max`` (the
   minimum of a cell of one is that person's value) and ``n_missing`` (``n + n_missing`` is the
   group size shown). Group sizes ``N`` are kept.
4. **Every statistic resting on a suppressed cell is withheld** (``analysis.tables.withhold``;
   reason ``withheld``, printed ``†`` with a footnote saying why, e.g. "p-value withheld: the
   table it tests has a cell below 5"): p-values, test statistics and SMDs of tests whose table
   has a hidden (primary or complementary) cell; risk differences and their CIs comparing one;
   a survival group's listed-time rows (at risk, events, censored, survival, CI) and median
   when one of its counts is 1..k-1, and the log-rank test and Cox model when a group's size
   or events are hidden; every estimate of a model whose covariates are all categorical when
   its outcome-by-covariate table has a count of 1..k-1. The output says why in
   ``suppression_reason``.

Sets are detected from the numbers themselves (members that sum exactly to the total); a
coincidental exact sum only makes the suppression more conservative.

Outside this module, the same rule reaches every output meant for sharing (``retro run
--suppress-below K``): the table files and ``tables.docx``, the report (banner, footnotes,
figure captions), the ARD written to ``reports/<study>/`` (the suppressed one; the full ARD goes
to the processed-data folder as ``ard_unsuppressed.*``), the claims check (a computed value the
tables hide is withheld) and the figures (``analysis.figures.suppressed``: hidden points and
bars are not drawn, hidden grades of a stacked bar are one "withheld" block on top, Kaplan–Meier
curves step only at the ticks and stop before an interval with a small count, withheld forest
rows show ``†``). ``tests/hostile/_recover.py`` tries to recover
every hidden cell of both shipped twins from the shared ARD and must fail.

Limits
------
This is the threshold rule with complementary suppression as described in the statistical
disclosure control literature; it is not an optimal cell suppression (fewest cells hidden).
The shown totals of a table are solved together (``suppress_joint``: a mixed-integer program
over every hidden count of the sets ``suppress_sets`` recognises, each in the range its marker
tells), and a count below k they pin hides one more cell; until 2026-12-07 each set was only
checked on its own, and a probe read a count of 1 back from three totals of a Table 1 by sex.
In particular it does not:

- co-ordinate tables on its own: a study's tables are co-ordinated by
  ``analysis.tables.suppress_across`` (the same cell shown in two tables, and the cells grouped
  by a level another table hides), which passes the cells to hide here as ``also_hide``; other
  relations across tables are not seen (the highest-severity grades add up to the incidence
  table's "any adverse event" under another name); suppress every published table with the
  same ``k``;
- guarantee protection intervals wider than one value: with two hidden cells in a set their
  sum is known, so when both are small the range of each can be narrow (3 + 4 = 7 at k = 5
  leaves 3 or 4); only a range of exactly one value (pinned) is prevented;
- hide group sizes ``N`` (a group smaller than k shows itself), counts of missing values of a
  shown cell (``n_missing``: the footnotes say so where a table shows one below k), the exclusion counts of the flow diagram and flow table (they
  chain to the cohort size), or the minimum and maximum of a shown continuous cell (each is one
  person's value);
- withhold a model with a numeric covariate (recovering a cell from it needs every subject's
  covariate value), a test it cannot place (a group label that is not ``key=value`` pairs), or
  a statistic of another table computed on the same subjects;
- reach what the suppressed run does not write: notebooks executed by ``retro notebooks``, the
  terminal summary, files of an earlier run left in ``reports/<study>/`` (the run warns and
  names them);
- find relations it cannot see in the numbers of one table: a derived row that is not a
  one-level variable, or a difference rather than a sum, is not linked to its sources.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. *Statistical Disclosure Control.* Wiley, 2012,
chapters 4-5 (tabular data: threshold rule, primary and secondary cell suppression).
Government Statistical Service. *Disclosure control guidance for tables produced from
administrative sources.* 2014 (threshold rule, zeros, secondary suppression, differencing).
European Medicines Agency. External guidance on the implementation of Policy 0070 on the
publication of clinical data (anonymisation of clinical reports; small-count risk).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from analysis.ard import group_cols, groups_of
from analysis.errors import ArgumentError
from analysis.tables.suppress_joint import jointly_pinned
from analysis.tables.suppress_sets import Cell as _Cell
from analysis.tables.suppress_sets import CellSet as _Set
from analysis.tables.suppress_sets import derived_sets as _derived_sets
from analysis.tables.suppress_sets import event_sets as _event_sets
from analysis.tables.suppress_sets import group_sets as _group_sets
from analysis.tables.suppress_sets import level_sets as _level_sets
from analysis.tables.suppress_sets import pinned as _pinned
from analysis.tables.suppress_sets import total_sets as _total_sets
from analysis.tables.withhold import (
    WITHHELD,
    WITHHELD_TEXT,
    is_survival_estimate,
    withheld_footnotes,
    withheld_rows,
)

SUPPRESSED_TEXT = "<{k}"
COMPLEMENTARY_TEXT = "*"
COUNT_STATS = ("n", "events")
# Everything else that describes the subjects of a cell: a percentage or CI gives the count back
# (with N shown), the min / max of a cell of one is that person's value, and n_missing + n is the
# group size shown.
DERIVED_STATS = (
    "pct",
    "ci_low",
    "ci_high",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "min",
    "max",
    "n_missing",
)
HIDDEN_STATS = (*COUNT_STATS, *DERIVED_STATS)
PRIMARY = "primary"
COMPLEMENTARY = "complementary"
REASONS = {
    PRIMARY: "count below {k}",
    COMPLEMENTARY: "hidden so that a count below {k} cannot be recovered from a total",
}


class Suppressed(float):
    """A hidden number: a float NaN that remembers how to print itself.

    ``<5`` for a count below the threshold (primary), ``*`` for a count hidden only so that a
    primary one cannot be recovered (complementary: printing ``<5`` there would be false),
    ``†`` for a statistic withheld because it rests on a hidden cell (a p-value, a risk
    difference). Formatters that do not know it treat it as missing (``math.isnan`` is true),
    so an un-wired formatter prints a blank, never the hidden number.
    """

    k: int
    reason: str

    def __new__(cls, k: int, reason: str = PRIMARY) -> Suppressed:
        obj = super().__new__(cls, math.nan)
        obj.k = k
        obj.reason = reason
        return obj

    @property
    def text(self) -> str:
        if self.reason == COMPLEMENTARY:
            return COMPLEMENTARY_TEXT
        if self.reason == WITHHELD:
            return WITHHELD_TEXT
        return SUPPRESSED_TEXT.format(k=self.k)

    def __repr__(self) -> str:
        return f"Suppressed({self.text})"


def suppress_small_cells(
    frame: pd.DataFrame,
    *,
    k: int,
    source_counts: Sequence[int] = (),
    also_hide: Collection[_Cell] = (),
) -> pd.DataFrame:
    """Hide counts 1..k-1, their derived statistics, complementary cells, and every statistic
    resting on a hidden cell (see module doc and ``analysis.tables.withhold``).

    Parameters
    ----------
    frame : an ARD frame (``table, variable, level, group, stat, value, method``); not modified.
    k : threshold: counts below ``k`` (and above 0) are suppressed; ``k = 1`` suppresses nothing.
    source_counts : for a model table, the counts of the outcome-by-covariate table the model is
        a function of (given only when its covariates are all categorical); its estimates are
        withheld when one of them is 1..k-1.
    also_hide : cells (``cell_keys``) to hide as complementary before the sets are checked:
        those another table hides, or that describe a level another table hides
        (``analysis.tables.suppress_across``).

    Returns
    -------
    A copy with the same rows in the same order and four more columns: ``suppressed`` (bool,
    the value was hidden), ``suppression`` (``"primary"``, ``"complementary"``, ``"withheld"``
    or ``""``), ``suppress_k`` (the ``k`` applied, on every row) and ``suppression_reason``
    (why, in words; ``""`` when shown). Hidden values are NaN.
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ArgumentError(
            f"suppress_below: k must be an integer >= 1 (counts below k are hidden); found {k!r}"
        )
    k = int(k)
    out = frame.copy()
    cells = cell_keys(out)
    reasons = _suppressed_cells(out, cells, k, also_hide) if len(out) else {}
    contexts = out["context"].astype(str) if "context" in out else [""] * len(out)
    hidden = np.array(
        [
            cell in reasons and stat in HIDDEN_STATS and not is_survival_estimate(ctx, stat)
            for cell, stat, ctx in zip(cells, out["stat"], contexts, strict=True)
        ],
        dtype=bool,
    )
    kinds = [reasons[cell] if h else "" for cell, h in zip(cells, hidden, strict=True)]
    why = [REASONS[kind].format(k=k) if kind else "" for kind in kinds]
    if len(out) and k > 1:
        for i, reason in withheld_rows(out, hidden, k=k, source_counts=source_counts).items():
            hidden[i], kinds[i], why[i] = True, WITHHELD, reason.format(k=k)
    out["value"] = out["value"].astype("float64").where(~hidden, np.nan)
    out["suppressed"] = hidden
    out["suppression"] = kinds
    out["suppress_k"] = k
    out["suppression_reason"] = why
    return out


def suppressed_markers(frame: pd.DataFrame) -> dict[tuple[str, str, str, str], Suppressed]:
    """``(variable, level, group, stat) -> Suppressed`` for the hidden counts and the withheld
    statistics of a frame (the percentages, CIs and means of a hidden cell stay plain NaN: they
    print blank beside the ``<5``).

    Same keys as ``analysis.tables.render.stat_lookup``; update its result with this mapping so
    that layouts pass the markers to the formatters. Empty for a frame that was not suppressed.
    """
    if "suppressed" not in frame.columns:
        return {}
    marked = frame["stat"].isin(COUNT_STATS) | (frame["suppression"] == WITHHELD)
    rows = frame.loc[frame["suppressed"].astype(bool) & marked]
    return {
        (str(r.variable), str(r.level), str(r.group), str(r.stat)): Suppressed(
            int(r.suppress_k), str(r.suppression)
        )
        for r in rows.itertuples(index=False)
    }


def format_suppressed(x: object) -> str | None:
    """``"<k"`` (or ``"*"``, complementary) for a hidden count (a ``Suppressed``), else ``None``.

    Formatters call it first: ``text = format_suppressed(n); if text is not None: return text``.
    """
    return x.text if isinstance(x, Suppressed) else None


def suppression_footnote(k: int) -> str:
    """The footnote to print under a suppressed table."""
    return (
        f"Counts of 1–{k - 1} are shown as {SUPPRESSED_TEXT.format(k=k)}, without percentage or "
        f"confidence interval; cells shown as {COMPLEMENTARY_TEXT} are hidden so that such a "
        f"count cannot be recovered from the totals (complementary suppression)."
    )


def suppression_footnotes(frame: pd.DataFrame, k: int) -> tuple[str, ...]:
    """The footnotes of a table suppressed with ``k``: the rule, then why each kind of
    statistic marked ``†`` was withheld (``frame`` as ``suppress_small_cells`` returns it)."""
    withheld = frame.loc[frame["suppression"] == WITHHELD, "suppression_reason"]
    missing = pd.to_numeric(frame.loc[frame["stat"] == "n_missing", "value"], errors="coerce")
    small_missing = bool(((missing >= 1) & (missing < k)).any())
    return (
        suppression_footnote(k),
        *([MISSING_SHOWN.format(k=k)] if small_missing else []),
        *withheld_footnotes(list(withheld), k),
    )


#: under a suppressed table that shows a count of missing values below k (see the Limits)
MISSING_SHOWN = (
    "Counts of missing values are not suppressed: those below {k} are shown as they are."
)


# ----------------------------------------------------------------------------- the rule
def cell_keys(frame: pd.DataFrame) -> list[_Cell]:
    """``(table, variable, level, groups)`` per row, from the ARD's group columns."""
    groups = groups_of(frame) if group_cols(frame) else [{} for _ in range(len(frame))]
    refs = frame["reference"].astype(str) if "reference" in frame else [""] * len(frame)
    keys = frame[["table", "variable", "level"]].astype(str).itertuples(index=False, name=None)
    return [
        (t, v, lv, (*g.items(), *((("", ref),) if ref else ())))
        for (t, v, lv), g, ref in zip(keys, groups, refs, strict=True)
    ]


def _suppressed_cells(
    frame: pd.DataFrame, cells: list[_Cell], k: int, also_hide: Collection[_Cell] = ()
) -> dict[_Cell, str]:
    """Cell -> reason (``primary`` / ``complementary``) for every cell to hide."""
    values: dict[str, dict[_Cell, float]] = {s: {} for s in (*COUNT_STATS, "N")}
    order: dict[_Cell, int] = {}
    for i, (cell, stat, value) in enumerate(
        zip(cells, frame["stat"].astype(str), frame["value"].astype(float), strict=True)
    ):
        order.setdefault(cell, i)
        if stat in values and not math.isnan(value):
            # Repeated rows of one cell (the same overall column in two tables) keep the first.
            values[stat].setdefault(cell, value)

    reasons: dict[_Cell, str] = {}
    for stat in COUNT_STATS:
        for cell, v in values[stat].items():
            if 0 < v < k:
                reasons[cell] = PRIMARY
    for cell in also_hide:
        reasons.setdefault(cell, COMPLEMENTARY)
    if not reasons:
        return reasons

    partitions = _level_sets(values["n"], values["N"])
    sets: list[_Set] = [(members, None, "n") for members in partitions]
    sets += _derived_sets(values["n"], values["N"], partitions)
    sets += _total_sets(values["n"], values["N"])
    for stat in COUNT_STATS:
        sets += _group_sets(values[stat], stat)
    sets += _event_sets(values["events"], order)

    changed = True
    while changed:
        changed = _each_set(sets, values, reasons, order, k)
        if not changed:  # no set pins a count on its own: do they together?
            changed = _hide_one_more(sets, values, reasons, order, k)
    return reasons


def _each_set(
    sets: list[_Set],
    values: dict[str, dict[_Cell, float]],
    reasons: dict[_Cell, str],
    order: dict[_Cell, int],
    k: int,
) -> bool:
    """One pass of the rule over the sets, each on its own; whether a cell was hidden."""
    changed = False
    for members, total, stat in sets:
        unknown = sum(m in reasons for m in members) + (total in reasons)
        stat_values = values[stat]
        if unknown == 0 or (unknown > 1 and not _pins(members, total, stat, values, reasons, k)):
            continue
        candidates = [m for m in members if m not in reasons]
        if not candidates and total is not None and total not in reasons:
            # X = m with m hidden, or hidden members whose sum pins them: the total goes.
            candidates = [total]
        if not candidates:
            continue  # every member hidden and the total is an N (always shown)
        _hide_smallest(candidates, stat_values, order, reasons)
        changed = True
    return changed


def _hide_one_more(
    sets: list[_Set],
    values: dict[str, dict[_Cell, float]],
    reasons: dict[_Cell, str],
    order: dict[_Cell, int],
    k: int,
) -> bool:
    """When the shown totals together pin a count below k (``suppress_joint``), hide the
    smallest non-zero shown member (or total) of a set holding it; whether one was hidden."""
    for stat, cell in jointly_pinned(sets, values, reasons, k):
        stat_values = values[stat]
        candidates = [
            c
            for members, total, s in sets
            if s == stat and (cell in members or cell == total)
            for c in [*members, *([total] if total is not None else [])]
            if c not in reasons
        ]
        if candidates:
            _hide_smallest(candidates, stat_values, order, reasons)
            return True
    return False


def _hide_smallest(
    candidates: list[_Cell],
    stat_values: dict[_Cell, float],
    order: dict[_Cell, int],
    reasons: dict[_Cell, str],
) -> None:
    """Hide (complementary) the smallest non-zero candidate, a zero one only when no other is
    left; ties go to the first in table order."""
    nonzero = [c for c in candidates if stat_values[c] > 0]
    pick = min(nonzero or candidates, key=lambda c: (stat_values[c], order[c]))
    reasons[pick] = COMPLEMENTARY


def _pins(
    members: list[_Cell],
    total: _Cell | None,
    stat: str,
    values: dict[str, dict[_Cell, float]],
    reasons: dict[_Cell, str],
    k: int,
) -> bool:
    """Whether the set's shown total pins one of its hidden counts (``suppress_sets.pinned``)."""
    if total is not None and total in reasons:
        return False  # the total is hidden: no equation to solve
    stat_values = values[stat]
    hidden = [m for m in members if m in reasons]
    cap = stat_values[total] if total is not None else sum(stat_values[m] for m in members)
    return _pinned(
        [reasons[m] for m in hidden], [stat_values[m] for m in hidden], k=k, cap=cap, stat=stat
    )
