"""The analysis tables in their final order (:func:`finalise_table`), and what it is built
from: stable sorting that skips the sort when the rows are already in order, the running
number of a row within its run of equal keys, and taking a table column by column. The clean
tables mostly arrive sorted by the time they are finalised, and sorting 10^6 rows by text ids
costs more than checking."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from analysis.clean.per_patient import KEY, key_column
from analysis.write.object_runs import RUNS_FROM, changes, missing_by_runs, python_cells


def in_order(df: pd.DataFrame, columns: list[str], *, strict: bool = False) -> bool:
    """Whether ``df`` is already sorted by ``columns`` (ascending, ties allowed; with
    ``strict``, none: each row after the one before, so no two rows share those values), with
    no missing key; ``False`` when that cannot be told cheaply (missing or mixed-type keys)."""
    if len(df) < 2:
        return True
    undecided = np.ones(len(df) - 1, dtype=bool)  # pairs whose earlier keys are all equal
    for column in columns:
        values = df[column]
        cells = python_cells(values) if len(values) >= RUNS_FROM else None
        if cells is not None:  # text: a run of one object is equal all along (ids, sources)
            at = changes(cells)
            if missing_by_runs(cells, at):
                return False
            before, after = np.zeros(len(df) - 1, dtype=bool), np.zeros(len(df) - 1, dtype=bool)
            try:
                before[at], after[at] = cells[at] < cells[at + 1], cells[at] > cells[at + 1]
            except TypeError:
                return False
        else:
            if values.isna().any():
                return False
            # a categorical sorts by the order of its categories, not by its labels' text
            cat = isinstance(values.dtype, pd.CategoricalDtype)
            a = values.cat.codes.to_numpy() if cat else values.to_numpy()
            try:
                before, after = a[:-1] < a[1:], a[:-1] > a[1:]
            except TypeError:
                return False
        if (after & undecided).any():
            return False
        undecided &= ~before
    return not (strict and undecided.any())


def integer_codes(
    df: pd.DataFrame, columns: list[str]
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Per column, int64 values that order and group as the column does, with a flag per
    missing value (a date's ``NaT``, a category's missing code), or None when a column is of
    another type (text, floats, nullable integers: the caller then uses pandas)."""
    out = []
    for column in columns:
        s = df[column]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.int64)
            out.append((codes, codes < 0))
        elif isinstance(s.dtype, np.dtype) and (
            s.dtype.kind == "i" or s.dtype.kind == "u" and s.dtype.itemsize < 8
        ):
            out.append((s.to_numpy().astype(np.int64), np.zeros(len(s), dtype=bool)))
        elif s.dtype == np.dtype("datetime64[ns]"):
            values = s.to_numpy().view(np.int64)
            out.append((values, values == np.iinfo(np.int64).min))
        else:
            return None
    return out


def stable_order(keys: list[np.ndarray]) -> np.ndarray:
    """``np.lexsort(keys[::-1])`` (``keys``: int64 arrays, the first the primary): the positions
    in the stable order of the keys. When the keys' spans multiply to less than 2^62, each key
    becomes its place from its smallest value (or its rank among its distinct values, when
    that is more compact) and they are combined into one integer sorted once; NumPy's lexsort
    sorts once per key (2.3 s for 7M rows of two keys, against 1.1 s).
    ``tests/unit/clean/test_ordering.py`` compares it with ``np.lexsort``."""
    if len(keys) < 2 or not len(keys[0]):
        return np.lexsort(keys[::-1]) if keys else np.zeros(0, dtype=np.intp)
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    room = 1
    for key in keys:
        place, span = _compact(key)
        room *= span
        if room >= 2**62:
            return np.lexsort(keys[::-1])
        combined *= span
        combined += place
    return np.argsort(combined, kind="stable")


def _compact(key: np.ndarray) -> tuple[np.ndarray, int]:
    """``(place, span)``: int64 values from 0 that order and group as ``key`` does, all below
    ``span``: the offset from the smallest value when the values lie close together (keys,
    codes, flags), else the rank among the distinct values (dates)."""
    low, high = int(key.min()), int(key.max())
    if high - low < 4 * len(key):
        return key.astype(np.int64) - low, high - low + 1
    codes, distinct = pd.factorize(key)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[np.argsort(distinct, kind="stable")] = np.arange(len(distinct), dtype=np.int64)
    return rank[codes], len(distinct)


def sorted_positions(df: pd.DataFrame, columns: list[str], na_position: str = "last") -> np.ndarray:
    """The positions that put ``df`` in the order of ``df.sort_values(columns, kind="stable",
    na_position=...)``, found on those columns alone (``arange`` when already in order)."""
    if in_order(df, columns):
        return np.arange(len(df))
    codes = integer_codes(df, columns)
    if codes is not None and not any(missing.any() for _, missing in codes):
        return stable_order([c for c, _ in codes])  # stable, as sort_values below
    keys = df[columns].reset_index(drop=True)
    ordered = keys.sort_values(columns, kind="stable", na_position=na_position)  # type: ignore[call-overload]
    return ordered.index.to_numpy()


def running_number(keys: pd.Series) -> np.ndarray:
    """``keys.groupby(keys).cumcount() + 1`` as int64 for ``keys`` sorted with no missing
    value: each row's place in its run of equal keys, from 1."""
    if keys.isna().any():
        return keys.groupby(keys).cumcount().add(1).astype("int64").to_numpy()
    a = keys.to_numpy()
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, a[1:] != a[:-1]]
    start_of_run = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return (np.arange(n) - start_of_run + 1).astype(np.int64)


def taken(df: pd.DataFrame, columns: list[str], order: np.ndarray) -> pd.DataFrame:
    """``df[columns].take(order)`` with a fresh ``RangeIndex``, each column taken once into its
    own array (no copy of the selection first, no consolidation; an ``order`` that keeps every
    row in place shares the columns of ``df``, which the caller no longer uses)."""
    index = pd.RangeIndex(len(order))
    keep = len(order) == len(df) and bool((order == np.arange(len(df))).all())

    def column(name: str) -> pd.Series:
        s = df[name]
        values = s.to_numpy(copy=False) if isinstance(s.dtype, np.dtype) else s.array
        return pd.Series(values if keep else values.take(order), index=index, copy=False)

    return pd.DataFrame({c: column(c) for c in columns}, index=index, copy=False)


#: The columns each analysis table leads with and is sorted by.
LEADING = {
    "patients": ["patient_id"],
    "exposures": ["patient_id", "exposure_number", "start_date"],
    "adverse_events": ["patient_id", "exposure_number", "onset_date", "ae_term"],
    "concomitant": ["patient_id", "drug", "start_date"],
    "assessments": ["patient_id", "assessment_date"],
}


#: Internal columns no analysis table keeps: the source name, the integer patient key.
_HELPERS = frozenset({"_source", KEY})


def finalise_table(
    table: str, df: pd.DataFrame, without: Collection[str] = (), rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Sorted, stable column order, no helper columns and none of ``without``; only the rows
    at positions ``rows`` when given (as ``finalise_table(table, df.iloc[rows])``). The order
    is found on the key columns alone (the integer patient key in place of the id when ``df``
    carries it: it sorts as the id) and the table taken once in it (not copied at every
    step)."""
    columns = [c for c in df.columns if c not in _HELPERS and c not in without]
    patient = key_column(df, "patient_id")
    order = np.arange(len(df)) if rows is None else rows
    number = None
    if table == "exposures":
        by = [patient, "start_date", "source_row"]
        narrow = df[by] if rows is None else df[by].iloc[rows]
        order = order[sorted_positions(narrow, by)]
        number = running_number(df[patient].iloc[order])
        columns += [] if "exposure_number" in columns else ["exposure_number"]
    lead = [c for c in LEADING[table] if c in columns]
    prov = ["source_file", "source_sheet", "source_row"]
    final = lead + [c for c in columns if c not in lead and c not in prov] + prov
    by = [key_column(df, c) for c in lead]
    keys = df[[c for c in by if c != "exposure_number" or number is None]].iloc[order]
    keys = keys.reset_index(drop=True)
    if number is not None:
        keys["exposure_number"] = number
    then = sorted_positions(keys, by, na_position="first")
    out = taken(df, [c for c in final if c != "exposure_number" or number is None], order[then])
    if number is not None:
        out.insert(final.index("exposure_number"), "exposure_number", number[then])
    out["patient_id"] = out["patient_id"].astype("string")
    out["source_row"] = out["source_row"].astype("int64")
    return out
