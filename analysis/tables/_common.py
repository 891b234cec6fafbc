"""Helpers shared by the table builders (groups, levels, between-group tests on counts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.engine.levels import declared_levels
from analysis.errors import ArgumentError

# the table builders take levels_of from here; its one implementation is the design matrix's
from analysis.stats.design import levels_of, natural_key


def levels_to_show(given: Sequence[str] | None, data: object, table: Any, column: str) -> list[str]:
    """The levels of ``column`` a table shows: ``given``; else the levels ``data`` declares (a
    pandas categorical's categories, a Parquet file's dictionary, also through an Ibis table
    read from one: :mod:`analysis.engine.levels`), unused ones included, so a frame and its
    Parquet file give the same rows; else the distinct values of the Ibis ``table`` (one query
    on the engine), sorted as :func:`levels_of` sorts (numbers by value, then text). An Ibis
    table of unknown source declares nothing: its observed values, sorted, are shown."""
    if given is not None:  # as text, as the counts compare them (1.0 was "not comparable")
        return [str(g) for g in given]
    declared = declared_levels(data, column)
    if declared is not None:
        return declared
    if isinstance(data, pd.DataFrame):
        return levels_of(data, column)
    from analysis.engine import counts as engine

    return engine.distinct_values(table, column)


def subgroup_specs(by: Sequence[str]) -> list[list[str]]:
    """Column groups to show: the full cross of ``by``, the margin of ``by[0]``, and overall."""
    by = list(by)
    specs = [by]
    if len(by) > 1:
        specs.append(by[:1])
    if by:
        specs.append([])
    return specs


def group_columns(frame: pd.DataFrame) -> list[str]:
    """Groups that hold per-group statistics (not comparisons), in frame order."""
    g = frame.loc[frame["stat"] == "N", "group"]
    return list(dict.fromkeys(g))


def p_value_groups(frame: pd.DataFrame) -> list[str]:
    """The groups of the frame's p-values (``therapy_group=monotherapy;sex=*``: the sex levels
    compared within monotherapy) in the order of the columns they compare within: the order of
    their stratum among :func:`group_columns`, the test among all subjects (``sex=*``) last."""
    columns = [set(g.split(";")) for g in group_columns(frame)]

    def place(group: str) -> int:
        stratum = {p for p in group.split(";") if not p.endswith("=*")}
        found = (i for i, c in enumerate(columns) if stratum and stratum <= c)
        return next(found, len(columns))

    return sorted(dict.fromkeys(frame.loc[frame["stat"] == "p_value", "group"]), key=place)


def group_title(group: str) -> str:
    """A column's group in a head: its levels ("female, monotherapy"), "Overall"; a test's
    group names the stratum and, in brackets, what it compares ("monotherapy (sex)", "overall
    (sex)": the sex levels compared within monotherapy, and among all subjects)."""
    if group == "overall":
        return "Overall"
    parts = [p.split("=", 1)[1] for p in group.split(";") if not p.endswith("=*")]
    star = [p.split("=", 1)[0] for p in group.split(";") if p.endswith("=*")]
    title = ", ".join(parts) if parts else "overall"
    # the first letter capital, the rest as the levels are ("Female, Centre A", not "centre a")
    return f"{title} ({star[0]})" if star else title[:1].upper() + title[1:]


def p_value_head(group: str) -> str:
    """The head of a p-value column, one form in every table: "p-value, monotherapy (sex)",
    "p-value, overall (sex)" (``group``: the test's ARD group, as :func:`p_value_groups`)."""
    return f"p-value, {group_title(group)}"


def compare_counts(
    ns: Sequence[int], bigs: Sequence[int], *, test: str = "fisher", seed: int | None = None
) -> tuple[float, str] | None:
    """p-value comparing the proportions ``ns[i] / bigs[i]`` across groups.

    ``fisher``: Fisher exact (2 groups) or Fisher-Freeman-Halton exact (more groups);
    ``chi2``: Pearson chi-square without continuity correction. Returns ``None`` when fewer
    than two groups have subjects.
    """
    from analysis.stats import tests

    table = groups_table(ns, bigs)
    if len(table) < 2:
        return None
    if test == "chi2" and table.sum(axis=0).min() == 0:
        why = "no events" if table[:, 0].sum() == 0 else "every subject had the event"
        return float("nan"), f"{tests.CHI2_PLAIN} (not computable: {why})"
    res = contingency_test(table, test=test, seed=seed)
    return float(res.p_value), str(res.method)


def groups_table(ns: Sequence[int], bigs: Sequence[int]) -> np.ndarray:
    """``[[n, N - n], ...]`` of the groups that have subjects (``N > 0``)."""
    return np.array([[n, big - n] for n, big in zip(ns, bigs, strict=True) if big > 0], dtype=int)


def compare_counts_many(
    rows: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    test: str = "fisher",
    seed: int | None = None,
) -> list[tuple[float, str] | None]:
    """``compare_counts`` of many ``(ns, bigs)`` at once: the 2×2 Fisher tests among them run
    together (``tests.fisher_exact_2x2_pvalues``, the same p-values as one at a time)."""
    from analysis.stats import tests

    out: list[tuple[float, str] | None] = [None] * len(rows)
    pairs: list[int] = []
    tables = []
    for k, (ns, bigs) in enumerate(rows):
        table = groups_table(ns, bigs)
        if test == "fisher" and len(table) == 2:
            pairs.append(k)
            tables.append(table)
        else:
            out[k] = compare_counts(ns, bigs, test=test, seed=seed)
    if pairs:
        pvalues = tests.fisher_exact_2x2_pvalues(np.stack(tables))
        for k, pv in zip(pairs, pvalues, strict=True):
            out[k] = (float(pv), tests.FISHER_EXACT)
    return out


CONTINGENCY_TESTS = ("fisher", "chi2", "none")  # the ``test`` of the AE tables


def contingency_test(table: np.ndarray, *, test: str = "fisher", seed: int | None = None) -> Any:
    """Test of independence on an r×c count table, chosen by name (never switched silently).

    ``fisher``: Fisher exact for 2×2, Fisher-Freeman-Halton exact otherwise (Monte-Carlo with
    ``seed`` only when enumeration is infeasible, and then named so); ``chi2``: Pearson
    chi-square without continuity correction. Returns the stats module's result (``p_value``,
    ``method``, ``statistic``).
    """
    from analysis.stats import tests

    if test == "fisher":
        if table.shape == (2, 2):
            return tests.fisher_exact_2x2(table, odds_ratio=False)
        return tests.fisher_exact_rxc(table, seed=seed)
    if test == "chi2":
        return tests.chi2_test(table, correction=False)
    raise ArgumentError(f"unknown test {test!r}; use one of {CONTINGENCY_TESTS}")


def sort_by_levels(frame: pd.DataFrame, cols: Sequence[str], data: object) -> pd.DataFrame:
    """Sort ``frame`` by ``cols`` in the level order ``data`` declares (categoricals of a frame,
    the dictionary of a Parquet file, also through an Ibis table read from one), else in the
    order of :func:`levels_of` (numbers by value, then text) — so columns read monotherapy
    before combined, as the study declares, whatever form the subjects come in."""
    if not cols or frame.empty:
        return frame
    keys = {}
    for col in cols:
        declared = declared_levels(data, col)
        if declared is None:
            declared = sorted(frame[col].dropna().astype(str).unique(), key=natural_key)
        order = {lv: i for i, lv in enumerate(declared)}
        keys[col] = frame[col].astype(str).map(lambda v, o=order: (o.get(v, len(o)), v))
    ranks = pd.DataFrame(keys, index=frame.index)
    idx = sorted(frame.index, key=lambda i: tuple(ranks.loc[i, c] for c in cols))
    return frame.loc[idx].reset_index(drop=True)


def member(values: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Whether each of ``values`` is one of ``wanted`` (``isin`` of their set). Ids that are all
    text without a missing one are matched by Arrow (a hash of bytes, ~3x faster than hashing
    a million Python strings); any other ids by pandas."""
    if _plain_text(values) and _plain_text(wanted):
        import pyarrow as pa
        import pyarrow.compute as pc

        hit = pc.is_in(
            pa.array(values.to_numpy(dtype=object), type=pa.string()),
            value_set=pa.array(wanted.to_numpy(dtype=object), type=pa.string()),
        )
        return hit.to_numpy(zero_copy_only=False).astype(bool)
    return values.isin(set(wanted)).to_numpy(dtype=bool)


def _plain_text(s: pd.Series) -> bool:
    """Whether every value of ``s`` is text and none is missing."""
    if isinstance(s.dtype, pd.StringDtype):
        return not bool(s.isna().any())
    return pd.api.types.infer_dtype(s, skipna=False) in ("string", "empty")


#: the ARD stats of the expected counts of a χ² test's table (context ``chi_square``)
EXPECTED_STATS = ("min_expected", "n_cells_expected_below_5", "n_cells")


def expected_count_rows(table: np.ndarray, base: dict[str, Any]) -> list[dict[str, Any]]:
    """The ARD rows (``base`` and context ``chi_square``) of the expected counts under
    independence of a table a χ² test ran on: the smallest, the cells below 5, the cells."""
    from analysis.stats import tests

    ec = tests.expected_counts(table)
    values = (ec.min_expected, ec.n_below_5, ec.n_cells)
    return [
        {**base, "context": "chi_square", "stat": stat, "value": float(v), "method": ec.method}
        for stat, v in zip(EXPECTED_STATS, values, strict=True)
    ]


def small_expected_notes(
    frame: pd.DataFrame, names: dict[str, str] | None = None, shown: pd.DataFrame | None = None
) -> list[str]:
    """One footnote per χ² test whose tables have expected counts below 5, naming each such
    table (``names``: the variables' words; a level's row is named by its level; with several
    p-value columns, the column too), its cells below 5 of all and the smallest expected count,
    which of them fail Cochran's rule, and Fisher's exact test as the alternative. ``shown``:
    the same frame under small-cell suppression; a table whose expected counts it withholds
    is named with "withheld (†)" instead of its numbers."""
    from analysis.report.method_prose import method_words

    ex = frame.loc[frame["context"] == "chi_square"]
    if ex.empty:
        return []
    keys = ["variable", "level", "group"]
    wide = ex.pivot_table(index=keys, columns="stat", values="value", aggfunc="first", sort=False)
    if "n_cells_expected_below_5" not in wide:
        return []
    wide = wide.loc[wide["n_cells_expected_below_5"] > 0]
    if wide.empty:
        return []
    withheld: set[tuple[object, ...]] = set()
    if shown is not None:
        gone = (shown["context"] == "chi_square") & (shown["stat"] == "min_expected")
        gone &= shown["value"].isna() & frame["value"].notna().to_numpy()
        withheld = set(shown.loc[gone, keys].itertuples(index=False, name=None))
    p = frame.loc[(frame["stat"] == "p_value") & (frame["context"] == "chi_square")]
    method_of_key = {(r.variable, r.level, r.group): method_words(r.method) for r in p.itertuples()}
    several = p["group"].nunique() > 1
    per_test: dict[str, list[tuple[str, str, bool | None]]] = {}
    for (var, level, group), r in wide.iterrows():
        name = str(level) if level else (names or {}).get(var, var)
        if several:
            name = f"{name} ({group_title(group)})"
        below, cells, least = (
            int(r["n_cells_expected_below_5"]),
            int(r["n_cells"]),
            r["min_expected"],
        )
        meets: bool | None = below <= 0.2 * cells and least >= 1
        text = f"{name} ({below} of {cells} cells; smallest {least:.1f})"
        if (var, level, group) in withheld:  # with its p-value: not judged here
            meets, text = None, f"{name} (withheld †)"
        test = method_of_key.get((var, level, group), "Pearson's χ² test")
        per_test.setdefault(test, []).append((name, text, meets))
    notes = []
    for test, found in per_test.items():
        failing = [name for name, _, ok in found if ok is False]
        judged = [ok for _, _, ok in found if ok is not None]
        rule = (
            "Cochran's rule for the χ² approximation (no more than 20% of cells with an expected "
            "count below 5 and none below 1) "
            + (
                f"is not met for {'; '.join(failing)}"
                if failing
                else ("is met for each" if len(judged) == len(found) else "is met for each shown")
                if judged
                else "is not judged for a withheld test"
            )
        )
        notes.append(
            f"{test}, expected counts below 5: {'; '.join(t for _, t, _ in found)}. {rule}; "
            "Fisher's exact test (Fisher–Freeman–Halton for more than two rows or columns) does "
            "not rely on expected counts."
        )
    return notes
