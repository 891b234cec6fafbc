"""Statistics withheld because they rest on a suppressed cell (the second half of small-cell
suppression, after ``analysis.tables.suppress`` has hidden the counts).

A count shown as ``<5`` is not protected if a number printed beside it is a function of it: with
the other cells and the group sizes shown, a Fisher p-value, a risk difference with its CI or an
odds ratio of a 2×2 table leaves one possible count. ``withheld_rows`` finds every such number
in an ARD frame whose cells were suppressed; ``suppress_small_cells`` hides them (reason
``withheld``) and the renderers print them as ``†`` with a footnote saying why
(``withheld_footnotes``).

The rules (``k`` the threshold; a *hidden* cell is a primary or complementary one):

- **tests** (a group with an empty level, across all its levels: p-value, test statistic, df,
  SMD): withheld when a cell of the table they test is hidden: the same variable, in every level
  of that group (the other groups equal); the same level when the test is per level (an adverse event by sex), else
  every level of the variable (a baseline variable, the response grades, a trend test);
- **contrasts** (the last group at level ``a`` with ``reference`` ``b``: risk difference, its
  CI): withheld when the cell of that group at ``a`` or at ``b`` of the same level is hidden;
- **survival** (a table with ``n_risk``): a group with a number at risk, of events or of
  censored subjects of 1..k-1 at a listed time, or whose ``n`` or ``events`` is hidden, has all
  its listed-time rows (at risk, events, censored, survival, SE, CI; contexts
  ``kaplan_meier_at_<t>``) and its median with its CI withheld — all of them, so that
  differences between listed times give nothing back; the log-rank test is withheld when a
  group's ``n`` or ``events`` is hidden, and the Cox model (a table of its own, whose
  ``source_counts`` are the groups' sizes and events) when one of them is 1..k-1;
- **models** with categorical covariates only (``source_counts`` given by the model builder:
  the counts of its outcome × covariate-pattern table, of which such a model is a function):
  every estimate, CI, p-value and test is withheld when one of those counts is 1..k-1. A model
  with a numeric covariate is kept: recovering a cell from it needs every subject's value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.ard import group_cols, groups_of
from analysis.stats.survival import KM_CONTEXT, km_context_time

WITHHELD = "withheld"
WITHHELD_TEXT = "†"
SURVIVAL_COUNTS = ("n_risk", "n_event", "n_censor")
MODEL_STATS = ("estimate", "ci_low", "ci_high", "p_value", "se", "statistic", "df")
SURVIVAL_TESTS = ("log_rank", "cox_regression", "cox_ph_test")  # contexts of the survival rule

# why a statistic is withheld (``{k}``: the threshold), in the ARD's ``suppression_reason``
TEST = "test of a table with a hidden cell (a count below {k} or one protecting it)"
CONTRAST = "contrast with a hidden cell (a count below {k} or one protecting it)"
SURVIVAL = "survival estimates of a group with a count below {k} at a listed time"
SURVIVAL_TEST = "survival test or model of a group whose size or events are hidden"
MODEL = "model on categorical covariates whose outcome-by-covariate table has a count below {k}"

_FOOTNOTES = {
    TEST: "† p-value withheld (with its test statistic and SMD): the table it tests has a cell "
    "below {k} or one hidden to protect it; with the other cells and the group sizes shown, "
    "the p-value would leave only one possible count.",
    CONTRAST: "† risk difference and its CI withheld: one of the two compared cells is below "
    "{k} or hidden to protect one; the difference and the other cell would give it back.",
    SURVIVAL: "† survival estimates withheld for a group with 1–{k_1} subjects at risk, events "
    "or censored at a listed time (or a hidden size or number of events): the changes between "
    "listed times would give these counts back.",
    SURVIVAL_TEST: "† log-rank test and Cox model withheld: a group's size or number of events "
    "is below {k} or hidden to protect one.",
    MODEL: "† model estimates withheld: its covariates are all categorical, so it is a function "
    "of its outcome-by-covariate table, which has a cell of 1–{k_1}.",
}

_Key = tuple[str, str, str]  # table, variable, level


def withheld_rows(
    frame: pd.DataFrame, hidden: np.ndarray, *, k: int, source_counts: Sequence[int] = ()
) -> dict[int, str]:
    """Row position -> reason (one of the templates above, with ``{k}``), for every statistic of
    ``frame`` that rests on a hidden cell.

    ``frame`` is an ARD frame; ``hidden`` (bool per row) marks the rows already hidden by cell
    suppression. Rows already hidden are not returned.
    """
    tables = frame["table"].astype(str).to_numpy()
    variables = frame["variable"].astype(str).to_numpy()
    levels = frame["level"].astype(str).to_numpy()
    stats = frame["stat"].astype(str).to_numpy()
    values = frame["value"].astype(float).to_numpy()
    parsed = groups_of(frame) if group_cols(frame) else [{} for _ in range(len(frame))]
    refs = frame["reference"].astype(str).to_numpy()
    contexts = (
        frame["context"].astype(str).to_numpy()
        if "context" in frame
        else np.full(len(frame), "", dtype=object)
    )
    groups = np.array([repr(sorted(g.items())) for g in parsed] + [""], dtype=object)[:-1]

    # hidden cells by (table, variable, level, group items), and by what a test over one key
    # of their group sees: (table, variable, level or None for every level, the other keys, key);
    # the levels with counts (a test of such a level reads that level only)
    hidden_cells: set[tuple[str, str, str, frozenset[tuple[str, str]]]] = set()
    tested: set[tuple[str, str, str | None, frozenset[tuple[str, str]], str]] = set()
    cell_levels: set[_Key] = set()
    for i in range(len(frame)):
        items = parsed[i]
        if _is_comparison(items, refs[i]):
            continue
        if stats[i] in ("n", "events"):
            cell_levels.add((tables[i], variables[i], levels[i]))
        if not hidden[i]:
            continue
        hidden_cells.add((tables[i], variables[i], levels[i], frozenset(items.items())))
        for key in items:
            rest = frozenset((k2, v) for k2, v in items.items() if k2 != key)
            for level in (levels[i], None):
                tested.add((tables[i], variables[i], level, rest, key))

    out: dict[int, str] = {}
    for i in range(len(frame)):
        items = parsed[i]
        if hidden[i] or not _is_comparison(items, refs[i]) or contexts[i] in SURVIVAL_TESTS:
            continue
        # a contrast compares two levels of its last group; a test spans the group left empty
        across = [k2 for k2, v in items.items() if not v]
        if not items or (not refs[i] and not across):
            continue  # a model contrast (no group): the model rule below
        compared = across[0] if across else list(items)[-1]
        stratum = {k2: v for k2, v in items.items() if k2 != compared}
        table, variable, level = tables[i], variables[i], levels[i]
        if refs[i]:
            sides = (items[compared], refs[i])
            if any(
                (table, variable, level, frozenset({**stratum, compared: side}.items()))
                in hidden_cells
                for side in sides
            ):
                out[i] = CONTRAST
            continue
        # a test per level (an adverse event by sex) reads that level's cells; a test of a
        # variable (its row has no cells: level "" of a categorical one, "trend") every level
        per_level = (table, variable, level) in cell_levels
        if (
            table,
            variable,
            level if per_level else None,
            frozenset(stratum.items()),
            compared,
        ) in tested:
            out[i] = TEST
    out.update(_survival_rows(tables, variables, groups, stats, values, hidden, k, contexts))
    if any(0 < c < k for c in source_counts):
        # a Cox model's source counts are its groups' sizes and events (the survival rule)
        why = SURVIVAL_TEST if "cox_regression" in set(contexts.tolist()) else MODEL
        for row in np.flatnonzero(np.isin(stats, MODEL_STATS)).tolist():
            if not hidden[row]:
                out.setdefault(row, why)
    return out


def withheld_footnotes(reasons: Sequence[str], k: int) -> tuple[str, ...]:
    """One footnote per kind of withheld statistic in ``reasons`` (as written in the ARD, with
    ``k`` filled in), in a fixed order."""
    present = set(reasons)
    return tuple(
        note.format(k=k, k_1=k - 1)
        for reason, note in _FOOTNOTES.items()
        if reason.format(k=k) in present
    )


def pattern_counts(
    covariates: pd.DataFrame, outcome: Sequence[float] | np.ndarray
) -> tuple[int, ...]:
    """The counts of the outcome × covariate-pattern table of a model's design (one row per
    subject): the ``source_counts`` of a model whose covariates are all categorical."""
    keys = [covariates[c].to_numpy() for c in covariates.columns]
    table = pd.crosstab(keys, np.asarray(outcome)) if keys else pd.DataFrame()
    return tuple(int(v) for v in table.to_numpy().ravel())


def is_survival_estimate(context: str, stat: str) -> bool:
    """A Kaplan–Meier estimate (the median and its CI, a listed time's rows but the time): it
    shares its cell with the group's ``n`` and ``events`` but is withheld by the survival rule
    (``†``), never hidden with the cell (a blank median would read as "not reached")."""
    if context == KM_CONTEXT:
        return stat not in ("n", "events")
    return km_context_time(context) is not None and stat != "time"


def withheld(x: object) -> bool:
    """Whether ``x`` is the marker of a withheld statistic (``Suppressed`` with reason
    ``withheld``, as ``stat_lookup`` gives it)."""
    return getattr(x, "reason", None) == WITHHELD


def _is_comparison(items: dict[str, str], reference: str) -> bool:
    """A test across the levels of a group (its level empty) or a contrast (a reference)."""
    return bool(reference) or not all(items.values())


def _survival_rows(
    tables: np.ndarray,
    variables: np.ndarray,
    groups: np.ndarray,
    stats: np.ndarray,
    values: np.ndarray,
    hidden: np.ndarray,
    k: int,
    contexts: np.ndarray,
) -> dict[int, str]:
    """The survival rule (module doc): whole groups of listed-time rows, and the tests (the
    rows of a survival table whose context is in ``SURVIVAL_TESTS``: the log-rank test of the
    time variable, the Cox model's rows of its covariates)."""
    out: dict[int, str] = {}
    survival = {(t, v) for t, v, s in zip(tables, variables, stats, strict=True) if s == "n_risk"}
    if not survival:
        return out
    unsafe: set[tuple[str, str, str]] = set()  # (table, variable, group)
    size_hidden: set[str] = set()  # tables
    for i in range(len(tables)):
        tv = (tables[i], variables[i])
        if tv not in survival:
            continue
        if contexts[i] == KM_CONTEXT and stats[i] in ("n", "events") and hidden[i]:
            unsafe.add((*tv, groups[i]))
            size_hidden.add(tables[i])
        elif stats[i] in SURVIVAL_COUNTS and 0 < values[i] < k:
            unsafe.add((*tv, groups[i]))
    for i in range(len(tables)):
        if hidden[i]:
            continue
        if contexts[i] in SURVIVAL_TESTS:
            if tables[i] in size_hidden:
                out[i] = SURVIVAL_TEST
            continue
        tv = (tables[i], variables[i])
        if tv not in survival:
            continue
        if is_survival_estimate(str(contexts[i]), stats[i]) and (*tv, groups[i]) in unsafe:
            out[i] = SURVIVAL
    return out
