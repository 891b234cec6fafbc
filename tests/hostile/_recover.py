"""An attacker of small-cell suppression: try to recover each hidden count from what is shown.

``recover(full, shown, k)`` takes the full ARD of one table (the truth, used only to rebuild
the tables the shown statistics were computed on, with the hidden cell replaced by a
candidate) and the ARD as shared (``TableResult.shown``, or ``ard.csv`` read back). For every
cell hidden as a count below ``k`` it enumerates the candidates 1..k-1 and keeps those
consistent with every statistic still shown that depends on the cell, each recomputed with the
package's own functions (``analysis.stats``):

- the cell's own percentage and CI (``proportion_ci``, the CI method named in the ARD);
- every p-value (and test statistic) whose table contains the cell: Fisher exact,
  Fisher-Freeman-Halton exact, Pearson chi-square, Cochran-Armitage trend, as named in the
  ``method`` column;
- every risk difference and its CI comparing the cell (``risk_difference``, Newcombe);
- every total it is part of (levels adding up to ``N``, groups adding up to a parent group,
  derived rows, outcome levels adding up to a model's n — the sets of
  ``analysis.tables.suppress_sets``), the other hidden members free within what their marker
  says (``<k``: 1..k-1; ``*``: 0 or at least k);
- a survival group: any number at risk, events, censored or survival estimate still shown at a
  listed time counts as giving the group's hidden counts back.

A statistic that cannot be recomputed (a Monte-Carlo p-value, a test named otherwise) and
depends on the cell is counted as giving it back (fail closed). The result maps each attacked
cell to its consistent candidates: suppression holds when every set has more than one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.stats import tests
from analysis.stats.proportions import proportion_ci, risk_difference
from analysis.tables import suppress_sets


def parse_group(group: str) -> dict[str, str]:
    """The builders' cell key of a ``TableResult.frame`` (``sex=female;therapy_group=combined``,
    ``sex=*``, ``sex=male vs female``) as pairs: the attacker reads the frames a table keeps in
    memory, which carry that key beside the ARD's group columns (docs/ard.md)."""
    if group in ("overall", ""):
        return {}
    if any("=" not in part for part in group.split(";")):
        raise ValueError(f"not a builders' cell key: {group!r}")
    return dict(part.split("=", 1) for part in group.split(";"))


def _with_key(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the builders' cell key; a published ARD (``ard.csv``) has only the group
    columns, from which the key is written back (an empty level is ``*``, a reference
    ``a vs b`` on the last group)."""
    if "group" in frame.columns:
        return frame
    cols = [c for c in frame.columns if c.startswith("group")]
    keys = []
    for row, ref in zip(
        frame[cols].fillna("").astype(str).to_numpy(), frame["reference"].fillna(""), strict=True
    ):
        pairs = [(row[i], row[i + 1] or "*") for i in range(0, len(cols), 2) if row[i]]
        if ref and pairs:
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]} vs {ref}")
        keys.append(";".join(f"{k}={v}" for k, v in pairs) or "overall")
    return frame.assign(group=keys)


def _pairs(group: str) -> suppress_sets.Groups:
    """A builders' key as the (group, level) pairs ``analysis.tables.suppress_sets`` reads."""
    try:
        items = parse_group(group)
    except ValueError:
        return (("", group),)  # free text: never a group of subjects
    pairs, ref = [], ""
    for key, value in items.items():
        if value == "*":
            value = ""
        elif " vs " in value:
            value, ref = value.split(" vs ", 1)
        pairs.append((key, value))
    return (*pairs, *((("", ref),) if ref else ()))


Cell = tuple[str, str, str, str]  # table, variable, level, group
_COMPARE = ("p_value", "statistic")


def recover(full: pd.DataFrame, shown: pd.DataFrame, k: int) -> dict[Cell, list[int]]:
    """Cell -> candidate counts 1..k-1 consistent with everything shown (see module doc)."""
    full, shown = _with_key(full), _with_key(shown)
    truth = _values(full)
    seen = _values(shown, keep_nan=True)
    hidden = _hidden_cells(shown)
    out: dict[Cell, list[int]] = {}
    for cell, kind in hidden.items():
        if kind != "primary" or cell not in truth.get("n", {}):
            continue
        checks = [
            *_own_checks(cell, seen, shown),
            *_test_checks(cell, truth, shown),
            *_contrast_checks(cell, truth, shown),
            *_set_checks(cell, truth, seen, hidden, k),
        ]
        out[cell] = [x for x in range(1, k) if all(check(x) for check in checks)]
    out.update(_survival_cells(full, shown, k))
    return out


# ----------------------------------------------------------------------------- reading
def _values(frame: pd.DataFrame, keep_nan: bool = False) -> dict[str, dict[Cell, float]]:
    out: dict[str, dict[Cell, float]] = {}
    keys = frame[["table", "variable", "level", "group"]].fillna("").astype(str)
    for key, stat, value in zip(
        keys.itertuples(index=False, name=None), frame["stat"], frame["value"], strict=True
    ):
        if keep_nan or not math.isnan(float(value)):
            out.setdefault(str(stat), {}).setdefault(key, float(value))
    return out


def _hidden_cells(shown: pd.DataFrame) -> dict[Cell, str]:
    rows = shown.loc[
        shown["suppressed"].astype(bool)
        & shown["stat"].isin(["n", "events"])
        & shown["suppression"].isin(["primary", "complementary"])
    ]
    keys = rows[["table", "variable", "level", "group"]].fillna("").astype(str)
    return dict(zip(keys.itertuples(index=False, name=None), rows["suppression"], strict=True))


def _shown(value: object) -> bool:
    return value is not None and not math.isnan(float(value))  # type: ignore[arg-type]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-8, abs_tol=1e-12)


# ----------------------------------------------------------------------------- the checks
Check = Callable[[int], bool]


def _own_checks(cell: Cell, seen: dict[str, dict[Cell, float]], shown: pd.DataFrame) -> list[Check]:
    """The cell's percentage and CI, if shown, must equal those of the candidate."""
    big_n = seen.get("N", {}).get(cell)
    if big_n is None or not _shown(big_n):
        return []
    checks: list[Check] = []
    pct = seen.get("pct", {}).get(cell)
    if _shown(pct):
        checks.append(lambda x: _close(100 * x / big_n, pct))
    lo, hi = seen.get("ci_low", {}).get(cell), seen.get("ci_high", {}).get(cell)
    if _shown(lo) or _shown(hi):
        method = _ci_method(shown, cell)

        def ci(x: int) -> bool:
            low, high = proportion_ci(x, int(big_n), method=method)
            return (not _shown(lo) or _close(100 * low, lo)) and (
                not _shown(hi) or _close(100 * high, hi)
            )

        checks.append(ci)
    return checks


def _code(method: str) -> str:
    """A method as the statistics code names it (``fisher exact``): the published ARD says it
    in words (``Fisher's exact test``, ``analysis.report.method_prose.method_words``)."""
    from analysis.report.method_prose import method_of

    m = method_of(method)
    return m.prefix if m is not None else method


def _ci_method(shown: pd.DataFrame, cell: Cell) -> str:
    rows = shown.loc[
        (shown["table"] == cell[0])
        & (shown["variable"] == cell[1])
        & (shown["stat"] == "ci_low")
        & (shown["group"] == cell[3])
    ]
    text = " ".join(_code(str(m)) for m in rows["method"]).lower()
    for name in ("clopper_pearson", "wilson_cc", "agresti_coull", "wald", "wilson"):
        if name in text or name.replace("_", "-") in text:
            return name
    return "wilson"


def _comparisons(shown: pd.DataFrame, cell: Cell, stats: tuple[str, ...]) -> pd.DataFrame:
    rows = shown.loc[
        (shown["table"] == cell[0]) & (shown["variable"] == cell[1]) & shown["stat"].isin(stats)
    ]
    return rows.loc[[_shown(v) for v in rows["value"]]]


def _test_checks(
    cell: Cell, truth: dict[str, dict[Cell, float]], shown: pd.DataFrame
) -> list[Check]:
    """Every shown test whose table contains the cell, recomputed with the candidate."""
    checks: list[Check] = []
    cell_items = parse_group(cell[3]) if cell[3] != "overall" else {}
    for row in _comparisons(shown, cell, _COMPARE).itertuples(index=False):
        items = parse_group(str(row.group))
        star = [key for key, v in items.items() if v == "*"]
        if not star or set(items) != set(cell_items):
            continue
        compared = star[0]
        if any(cell_items[key] != v for key, v in items.items() if key != compared):
            continue
        level = str(row.level)
        per_level = (cell[0], cell[1], level, cell[3]) in truth.get("n", {})
        if per_level and level != cell[2]:
            continue
        groups = [
            g
            for (t, v, lv, g) in truth.get("N", {})
            if (t, v) == cell[:2]
            and lv == (level if per_level else cell[2])
            and _same_stratum(g, items, compared)
        ]
        checks.append(_test_check(cell, truth, row, groups, per_level))
    return checks


def _same_stratum(group: str, items: dict[str, str], compared: str) -> bool:
    if group == "overall":
        return False
    parsed = parse_group(group)
    return set(parsed) == set(items) and all(
        parsed[key] == v for key, v in items.items() if key != compared
    )


def _test_check(
    cell: Cell, truth: dict[str, dict[Cell, float]], row: object, groups: list[str], per_level: bool
) -> Check:
    method, stat, value = _code(str(row.method)), str(row.stat), float(row.value)  # type: ignore[attr-defined]
    levels = [
        lv for (t, v, lv, g) in truth["n"] if (t, v) == cell[:2] and g == groups[0] and lv != ""
    ]

    def table(x: int) -> np.ndarray:
        def n(level: str, group: str) -> float:
            key = (cell[0], cell[1], level, group)
            return float(x) if key == cell else truth["n"][key]

        if per_level:
            rows = [
                [n(cell[2], g), truth["N"][(cell[0], cell[1], cell[2], g)] - n(cell[2], g)]
                for g in groups
            ]
        else:
            rows = [[n(lv, g) for lv in levels] for g in groups]
        arr = np.array(rows, dtype=int)
        return arr[arr.sum(axis=1) > 0]

    def check(x: int) -> bool:
        t = table(x)
        if "cochran-armitage" in method:
            res = tests.cochran_armitage_trend(t)
        elif method == tests.FISHER_EXACT:
            res = tests.fisher_exact_2x2(t, odds_ratio=False)
        elif method == tests.FFH_EXACT:
            res = tests.fisher_exact_rxc(t)
        else:
            res = tests.chi2_test(t, correction=False)
        got = res.p_value if stat == "p_value" else res.statistic
        return got is not None and _close(float(got), value)

    known = (
        "cochran-armitage" in method
        or method in (tests.FISHER_EXACT, tests.FFH_EXACT)
        or method.startswith("pearson_chi2")
    )
    if not known:  # cannot recompute it (a Monte-Carlo p-value): fail closed
        true = int(truth["n"][cell])
        return lambda x: x == true
    return check


def _contrast_checks(
    cell: Cell, truth: dict[str, dict[Cell, float]], shown: pd.DataFrame
) -> list[Check]:
    """Every shown risk difference (and CI) of the cell's level with the cell on one side."""
    checks: list[Check] = []
    cell_items = parse_group(cell[3]) if cell[3] != "overall" else {}
    stats = ("estimate", "ci_low", "ci_high")
    for row in _comparisons(shown, cell, stats).itertuples(index=False):
        if str(row.level) != cell[2]:
            continue
        items = parse_group(str(row.group))
        vs = [key for key, v in items.items() if " vs " in v]
        if not vs or set(items) != set(cell_items):
            continue
        compared = vs[0]
        a, b = items[compared].split(" vs ", 1)
        if cell_items[compared] not in (a, b) or any(
            cell_items[key] != v for key, v in items.items() if key != compared
        ):
            continue
        side = {**items}
        keys = []
        for level in (a, b):
            side[compared] = level
            keys.append(_group_key(cell, side))
        checks.append(_rd_check(cell, truth, keys, str(row.stat), float(row.value)))
    return checks


def _group_key(cell: Cell, items: dict[str, str]) -> Cell:
    """The cell key of the group with ``items`` (keys in the order the ARD writes them)."""
    order = list(parse_group(cell[3]))
    return (cell[0], cell[1], cell[2], ";".join(f"{key}={items[key]}" for key in order))


def _rd_check(
    cell: Cell, truth: dict[str, dict[Cell, float]], keys: list[Cell], stat: str, value: float
) -> Check:
    def check(x: int) -> bool:
        ns = [float(x) if key == cell else truth["n"][key] for key in keys]
        rd = risk_difference(
            int(ns[0]), int(truth["N"][keys[0]]), int(ns[1]), int(truth["N"][keys[1]])
        )
        got = {"estimate": rd.estimate, "ci_low": rd.ci_low, "ci_high": rd.ci_high}[stat]
        return _close(100 * got, value)

    return check


def _set_checks(
    cell: Cell,
    truth: dict[str, dict[Cell, float]],
    seen: dict[str, dict[Cell, float]],
    hidden: dict[Cell, str],
    k: int,
) -> list[Check]:
    """Every total the cell is part of: total - shown members = the cell + other hidden ones."""
    n, big_n = truth.get("n", {}), truth.get("N", {})
    partitions = suppress_sets.level_sets(n, big_n)
    sets = [(m, None) for m in partitions]
    sets += [(m, t) for m, t, _ in suppress_sets.derived_sets(n, big_n, partitions)]
    as_pairs = {(t, v, lv, _pairs(g)): (t, v, lv, g) for (t, v, lv, g) in n}
    n_pairs = {key: n[cell] for key, cell in as_pairs.items()}
    sets += [
        ([as_pairs[c] for c in m], None if t is None else as_pairs[t])
        for m, t, _ in suppress_sets.group_sets(n_pairs, "n")
    ]
    sets += [(m, t) for m, t, _ in suppress_sets.total_sets(n, big_n)]
    checks: list[Check] = []
    for members, total_cell in sets:
        if cell not in members:
            continue
        total = big_n[members[0]] if total_cell is None else seen.get("n", {}).get(total_cell)
        if total is None or not _shown(total):
            continue  # the total is hidden too: no constraint
        others = [m for m in members if m != cell]
        rest = total - sum(seen["n"][m] for m in others if m not in hidden)
        free = [hidden[m] for m in others if m in hidden]
        checks.append(lambda x, rest=rest, free=free, cap=total: _reachable(rest - x, free, k, cap))
    return checks


def _reachable(remainder: float, free: list[str], k: int, cap: float) -> bool:
    """Whether ``remainder`` is a sum of one value per hidden member: 1..k-1 for ``<k``,
    0 or k..cap for ``*`` (sums of integer intervals, merged)."""
    sums = [(0, 0)]
    for kind in free:
        parts = [(1, k - 1)] if kind == "primary" else [(0, 0), (k, int(cap))]
        spans = sorted((a + c, b + d) for a, b in sums for c, d in parts)
        sums = []
        for lo, hi in spans:
            if sums and lo <= sums[-1][1] + 1:
                sums[-1] = (sums[-1][0], max(sums[-1][1], hi))
            else:
                sums.append((lo, hi))
    return any(lo <= remainder <= hi for lo, hi in sums)


def _survival_cells(full: pd.DataFrame, shown: pd.DataFrame, k: int) -> dict[Cell, list[int]]:
    """Counts 1..k-1 of a survival group at a listed time: the candidates left when anything of
    the group is shown at a listed time (then only the truth), else all of 1..k-1. The cell is
    ``(table, variable, context, group|stat)``: the context names the listed time."""
    out: dict[Cell, list[int]] = {}
    counts = full.loc[full["stat"].isin(["n_risk", "n_event", "n_censor"])]
    small = counts.loc[(counts["value"] > 0) & (counts["value"] < k)]
    for row in small.itertuples(index=False):
        # a listed time is the row's context (kaplan_meier_at_12): it names the cell
        cell = (str(row.table), str(row.variable), str(row.context), str(row.group))
        group_rows = shown.loc[
            (shown["table"] == row.table)
            & (shown["variable"] == row.variable)
            & (shown["group"] == row.group)
            & shown["stat"].isin(["n_risk", "n_event", "n_censor", "surv", "se"])
        ]
        leaks = any(_shown(v) for v in group_rows["value"])
        out[(*cell[:3], f"{cell[3]}|{row.stat}")] = [int(row.value)] if leaks else list(range(1, k))
    return out
