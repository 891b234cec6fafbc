"""The sets of cells a suppressed count could be recovered from by subtraction.

``analysis.tables.suppress`` hides a count below k; a *set* is a group of shown numbers that add
up to a total shown as well, so one hidden member alone would come back as the total minus the
others. Each finder returns sets as ``(members, total cell or None, count stat)``; ``None``
means the total is a group size ``N``, which is always shown. Sets are found from the numbers
themselves (members that add up exactly), so a coincidental sum only makes suppression more
conservative.
"""

from __future__ import annotations

import math
from itertools import combinations

# a cell's groups: its (group, level) pairs in ARD order; a contrast ends with ("", reference)
Groups = tuple[tuple[str, str], ...]
Cell = tuple[str, str, str, Groups]  # table, variable, level, groups
CellSet = tuple[list[Cell], Cell | None, str]
# Subsets of at most 2**10 level combinations are searched for derived one-level variables.
_MAX_SUBSET_LEVELS = 10


def level_sets(n: dict[Cell, float], big_n: dict[Cell, float]) -> list[list[Cell]]:
    """Levels of a variable in a group whose ``n`` sum to their common ``N`` (a partition)."""
    by_var_group: dict[tuple[str, str, Groups], list[Cell]] = {}
    for cell in n:
        if cell[2] == "":
            continue
        by_var_group.setdefault((cell[0], cell[1], cell[3]), []).append(cell)
    out: list[list[Cell]] = []
    for members in by_var_group.values():
        if len(members) < 2:
            continue
        totals = {big_n.get(m) for m in members}
        if len(totals) != 1:
            continue
        (total,) = totals
        if total is None or not same(sum(n[m] for m in members), total):
            continue
        out.append(members)
    return out


def derived_sets(
    n: dict[Cell, float], big_n: dict[Cell, float], partitions: list[list[Cell]]
) -> list[CellSet]:
    """One-level variables that repeat the sum of some levels of a partition.

    "any improvement" = mild + marked improvement, "marked improvement" = the marked grade: a
    variable with a single level whose ``n`` equals the sum of the same proper subset of levels
    (by name) of another variable's partition in *every* group of the table where both are shown
    with the same ``N``. Requiring the relation in every group keeps a coincidental sum in one
    group (2 + 37 = 39) from linking unrelated cells. Each relation gives two sets: X = sum of
    the subset, and the partition with the subset replaced by X (worsening + stabilization +
    any improvement = N), which would otherwise give a hidden grade back by subtraction.
    """
    per_variable: dict[tuple[str, str, Groups], list[Cell]] = {}
    for cell in n:
        if cell[2] != "":
            per_variable.setdefault((cell[0], cell[1], cell[3]), []).append(cell)
    singles: dict[tuple[str, Groups], list[Cell]] = {}
    for (table, _variable, group), cells in per_variable.items():
        if len(cells) == 1:
            singles.setdefault((table, group), []).append(cells[0])

    # (table, partition variable, single variable, single level) -> level-name subset -> per
    # group: [X = sum(subset), the partition with the subset replaced by X]
    found: dict[tuple[str, str, str, str], dict[tuple[str, ...], list[list[CellSet]]]] = {}
    pairs_seen: dict[tuple[str, str, str, str], int] = {}
    for members in partitions:
        table, variable, _level, group = members[0]
        if len(members) > _MAX_SUBSET_LEVELS:
            continue
        for single in singles.get((table, group), []):
            if single[1] == variable or not same(big_n.get(single, math.nan), big_n[members[0]]):
                continue
            key = (table, variable, single[1], single[2])
            pairs_seen[key] = pairs_seen.get(key, 0) + 1
            by_subset = found.setdefault(key, {})
            for size in range(1, len(members)):
                for subset in combinations(members, size):
                    if same(sum(n[m] for m in subset), n[single]):
                        names = tuple(sorted(m[2] for m in subset))
                        rest = [m for m in members if m not in subset]
                        by_subset.setdefault(names, []).append(
                            [(list(subset), single, "n"), ([*rest, single], None, "n")]
                        )
    out: list[CellSet] = []
    for key, by_subset in found.items():
        for pairs in by_subset.values():
            if len(pairs) == pairs_seen[key]:  # the relation holds in every group
                for pair in pairs:
                    out += pair
    return out


def group_sets(values: dict[Cell, float], stat: str) -> list[CellSet]:
    """Groups of one row that split a parent group shown in the same row by one more key."""
    rows: dict[tuple[str, str, str], dict[frozenset[tuple[str, str]], Cell]] = {}
    for cell in values:
        if any(not name or not level for name, level in cell[3]):
            continue  # a test across a group's levels or a contrast: not a group of subjects
        rows.setdefault((cell[0], cell[1], cell[2]), {})[frozenset(cell[3])] = cell
    out: list[CellSet] = []
    for groups in rows.values():
        if len(groups) < 3:
            continue
        for parent_items, parent in groups.items():
            parent_keys = {key for key, _ in parent_items}
            children: dict[str, list[Cell]] = {}
            for items, cell in groups.items():
                if not parent_items < items or len(items) != len(parent_items) + 1:
                    continue
                (extra,) = {key for key, _ in items} - parent_keys
                children.setdefault(extra, []).append(cell)
            for members in children.values():
                if len(members) >= 2 and same(sum(values[m] for m in members), values[parent]):
                    out.append((members, parent, stat))
    return out


#: the rows of an adverse-event table whose event counts add up: every event has one term and
#: one category, so the terms' events (a category's, or all) and the categories' events are
#: the events of the category and of "any adverse event"
_ANY, _CATEGORY, _TERM = "any_ae", "ae_category", "ae_term"


def event_sets(events: dict[Cell, float], order: dict[Cell, int]) -> list[CellSet]:
    """Event counts of one group that add up to another shown in the same group: the
    categories' to "any adverse event", the terms' to "any adverse event", and each category's
    terms to the category (its terms are the term rows after it, before the next category, as
    the incidence tables order them: ``order`` is each cell's first row). Subjects (``n``)
    overlap across terms and form no such set; events do not, and a hidden event count of 1
    also gives its ``n`` (1). Each set is kept only where the counts add up exactly."""
    rows: dict[tuple[str, Groups], dict[str, list[Cell]]] = {}
    for cell in events:
        if cell[1] in (_ANY, _CATEGORY, _TERM):
            rows.setdefault((cell[0], cell[3]), {}).setdefault(cell[1], []).append(cell)
    out: list[CellSet] = []
    for by_variable in rows.values():
        anys = by_variable.get(_ANY, [])
        categories = sorted(by_variable.get(_CATEGORY, []), key=lambda c: order[c])
        terms = sorted(by_variable.get(_TERM, []), key=lambda c: order[c])
        for members in (categories, terms):
            for total in anys:
                if len(members) >= 2 and same(sum(events[m] for m in members), events[total]):
                    out.append((members, total, "events"))
        for i, category in enumerate(categories):
            end = order[categories[i + 1]] if i + 1 < len(categories) else math.inf
            own = [t for t in terms if order[category] < order[t] < end]
            if own and same(sum(events[t] for t in own), events[category]):
                out.append((own, category, "events"))
    return out


def same(a: float, b: float) -> bool:
    return bool(abs(float(a) - float(b)) < 1e-9)


def total_sets(n: dict[Cell, float], big_n: dict[Cell, float]) -> list[CellSet]:
    """Levels of a variable shown without ``N`` whose ``n`` add up to a one-level count of the
    same table and group (the outcome levels of a model and its complete cases: worsening +
    stabilization + ... = the model's n, the outcome's row with ``level`` ``""``)."""
    totals: dict[tuple[str, Groups], dict[float, list[Cell]]] = {}
    by_var_group: dict[tuple[str, str, Groups], list[Cell]] = {}
    for cell, value in n.items():
        if cell[2] == "":
            totals.setdefault((cell[0], cell[3]), {}).setdefault(value, []).append(cell)
        elif cell not in big_n:
            by_var_group.setdefault((cell[0], cell[1], cell[3]), []).append(cell)
    out: list[CellSet] = []
    for (table, _variable, group), members in by_var_group.items():
        if len(members) < 2:
            continue
        found = totals.get((table, group), {}).get(sum(n[m] for m in members), [])
        out += [(members, total, "n") for total in found]
    return out


def pinned(kinds: list[str], values: list[float], *, k: int, cap: float, stat: str) -> bool:
    """Whether a set whose total is shown still pins a hidden count below k.

    ``kinds`` / ``values``: the hidden members' reasons (``primary`` / ``complementary``) and
    true values; their sum is what the total minus the shown members leaves. A reader knows a
    ``<k`` count is 1..k-1 and a ``*`` one 0 or at least k (``n``; any number of ``events``), so
    two hidden counts adding up to 2 are both 1, and two adding up to 2(k-1) both k-1: a
    member with a single possible value is pinned (the protection interval is empty).
    """
    remainder = sum(values)
    top = int(cap)

    def span(kind: str) -> list[tuple[int, int]]:
        if kind == "primary":
            return [(1, k - 1)] if stat == "n" else [(1, top)]
        return [(0, 0), (k, top)] if stat == "n" else [(0, top)]

    for i, kind in enumerate(kinds):
        if kind != "primary":
            continue
        reach = [(0, 0)]
        for j, other in enumerate(kinds):
            if j != i:
                reach = _merge([(a + c, b + d) for a, b in reach for c, d in span(other)])
        (own_lo, own_hi), possible = span(kind)[0], set[int]()
        for lo, hi in reach:
            first, last = max(own_lo, int(remainder) - hi), min(own_hi, int(remainder) - lo)
            possible.update(range(first, last + 1))
            if len(possible) > 1:
                break
        if len(possible) == 1:
            return True
    return False


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
