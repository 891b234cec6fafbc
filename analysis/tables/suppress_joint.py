"""Whether the shown totals of a suppressed table, taken together, pin a hidden count below k.

``suppress.py`` checks each set of cells that adds up to a shown total on its own. A reader can
also combine several totals: in a Table 1 by sex with a rare diagnosis (``<5`` for women) and
three cells ``*``, the women's column, the men's column and the rows of two diagnoses gave
``z + LPP_men = 6``; since ``*`` is 0 or at least k and ``<5`` is 1..4, ``z = 1`` (a probe
found it in 2026-12). This module solves them all at once: the hidden counts are the unknowns
of every set's equation, each in the range the reader knows (``<k``: 1..k-1; ``*``: 0 or at
least k, for ``n``; any count of ``events``), and a hidden count below k whose smallest and
largest possible values are equal is pinned. It is a mixed-integer program (``scipy.optimize
.milp``, HiGHS): the exact check of a table's linear relations that Hundepool et al. (2012,
ch. 4) describe, here for the sets ``suppress_sets`` recognises.
"""

from __future__ import annotations

import numpy as np

from analysis.tables.suppress_sets import Cell, CellSet

#: a hidden count: (its count stat, its cell)
Unknown = tuple[str, Cell]


def jointly_pinned(
    sets: list[CellSet],
    values: dict[str, dict[Cell, float]],
    reasons: dict[Cell, str],
    k: int,
) -> list[Unknown]:
    """The hidden counts below k (``primary``) that the shown totals of ``sets`` pin together,
    in the order their sets list them (empty when none). Solved per group of equations that
    share an unknown, and only where two or more do: one equation on its own is the check of
    ``suppress_sets.pinned``."""
    rows = _equations(sets, values, reasons)
    top = max((v for stat in values.values() for v in stat.values()), default=0.0) + 1
    pinned: list[Unknown] = []
    for component in _components(rows):
        if len(component) > 1:
            pinned += _pinned_in(component, reasons, k, top)
    return pinned


def _components(
    rows: list[tuple[dict[Unknown, float], float]],
) -> list[list[tuple[dict[Unknown, float], float]]]:
    """The equations grouped by the unknowns they share (connected components), in order."""
    parent: dict[Unknown, Unknown] = {}

    def root(u: Unknown) -> Unknown:
        while parent.setdefault(u, u) != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for coefs, _ in rows:
        first, *rest = list(coefs)
        for u in rest:
            parent[root(u)] = root(first)
    groups: dict[Unknown, list[tuple[dict[Unknown, float], float]]] = {}
    for row in rows:
        groups.setdefault(root(next(iter(row[0]))), []).append(row)
    return list(groups.values())


def _pinned_in(
    rows: list[tuple[dict[Unknown, float], float]], reasons: dict[Cell, str], k: int, top: float
) -> list[Unknown]:
    """The primary unknowns of ``rows`` whose least and greatest feasible values are equal."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    unknowns = list(dict.fromkeys(u for coefs, _ in rows for u in coefs))
    index = {u: i for i, u in enumerate(unknowns)}
    n_x = len(unknowns)
    # a `*` count of subjects is 0 or at least k: x = 0 when b = 0, k <= x <= top when b = 1
    gapped = [u for u in unknowns if u[0] == "n" and reasons[u[1]] != "primary"]
    n_b = len(gapped)
    lower = np.zeros(n_x + n_b)
    upper = np.full(n_x + n_b, top)
    upper[n_x:] = 1
    for u, i in index.items():
        if reasons[u[1]] == "primary":
            lower[i], upper[i] = 1, (k - 1 if u[0] == "n" else top)
    a = np.zeros((len(rows) + 2 * n_b, n_x + n_b))
    lo = np.zeros(len(rows) + 2 * n_b)
    hi = np.zeros(len(rows) + 2 * n_b)
    for r, (coefs, rhs) in enumerate(rows):
        for u, c in coefs.items():
            a[r, index[u]] += c
        lo[r] = hi[r] = rhs
    for j, u in enumerate(gapped):
        r = len(rows) + 2 * j
        a[r, index[u]], a[r, n_x + j] = 1, -k  # x - k b >= 0
        lo[r], hi[r] = 0, np.inf
        a[r + 1, index[u]], a[r + 1, n_x + j] = 1, -top  # x - top b <= 0
        lo[r + 1], hi[r + 1] = -np.inf, 0
    constraints = LinearConstraint(a, lo, hi)
    bounds = Bounds(lower, upper)
    integrality = np.ones(n_x + n_b)
    pinned = []
    for u in unknowns:
        if reasons[u[1]] != "primary":
            continue
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(n_x + n_b)
            objective[index[u]] = sign
            res = milp(objective, constraints=constraints, bounds=bounds, integrality=integrality)
            if not res.success:  # no solution found: treat as not pinned by this check
                break
            ends.append(round(float(res.x[index[u]])))
        if len(ends) == 2 and ends[0] == ends[1]:
            pinned.append(u)
    return pinned


def _equations(
    sets: list[CellSet], values: dict[str, dict[Cell, float]], reasons: dict[Cell, str]
) -> list[tuple[dict[Unknown, float], float]]:
    """One equation per set with a hidden count and a known right side: the hidden members'
    sum (minus the total when it is hidden too) equals the total minus the shown members (the
    sum of all members, for a set adding up to a group size ``N``, which is always shown)."""
    rows: list[tuple[dict[Unknown, float], float]] = []
    for members, total, stat in sets:
        stat_values = values[stat]
        hidden = [m for m in members if m in reasons]
        total_hidden = total is not None and total in reasons
        if not hidden and not total_hidden:
            continue
        coefs: dict[Unknown, float] = {}
        for m in hidden:
            coefs[(stat, m)] = coefs.get((stat, m), 0.0) + 1.0
        shown = sum(stat_values[m] for m in members if m not in reasons)
        if total is None:
            rhs = sum(stat_values[m] for m in members) - shown
        elif total_hidden:
            coefs[(stat, total)] = coefs.get((stat, total), 0.0) - 1.0
            rhs = -shown
        else:
            rhs = stat_values[total] - shown
        rows.append((coefs, rhs))
    return rows


__all__ = ["jointly_pinned"]
