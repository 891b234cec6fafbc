"""One call per distinct cell: a column of a million raw cells holds a few thousand distinct
values, so the per-value readers (dates, numbers, unreadable cells, blanks) run once per
distinct value and their results are joined back by position.

:func:`map_distinct` gives exactly what ``[func(v) for v in values]`` gives (the per-value
readers stay the reference; ``tests/unit/clean/test_distinct.py`` checks both agree on random
cells and on a scaled twin), provided ``func`` gives one result for every blank cell (None,
NaN, NaT, ``pd.NA``), which holds for every reader of ``analysis.clean``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

#: Columns whose non-blank cells are all text are keyed by the text itself; any other column by
#: (type, repr), so ``True``, ``1`` and ``1.0`` (equal in Python, read differently) stay apart.
_TEXT_KINDS = frozenset({"string", "empty"})


def distinct_codes(values: Sequence[Any] | pd.Series | np.ndarray) -> np.ndarray:
    """An int64 code per cell: equal codes for cells every reader reads alike (blank cells share
    one code, the largest)."""
    typed = _typed(values)
    if typed is not None:
        codes, n_distinct = _typed_codes(typed)
    else:
        codes, n_distinct = _codes(np.asarray(values, dtype=object))
    codes = codes.astype(np.int64)
    codes[codes < 0] = n_distinct
    return codes


def _codes(arr: np.ndarray) -> tuple[np.ndarray, int]:
    """``(codes, n)``: :func:`distinct_codes` but -1 for a blank cell, the others numbered
    0..n-1 in order of first appearance (as ``pd.factorize`` numbers them)."""
    text = infer_dtype(arr, skipna=True) in _TEXT_KINDS
    if text:
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        # a text holding a NUL: pandas compared it only up to the NUL
        text = _exact(arr, codes)
    if not text and _one_type_by_value(arr):
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        return codes, len(uniques)
    if not text:
        keys = np.empty(len(arr), dtype=object)
        keys[:] = [(type(v), repr(v)) for v in arr]
        keys[pd.isna(arr)] = None
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return codes, len(uniques)


#: cell types two of which are equal exactly when their ``repr`` is (not ``float``: ``-0.0``)
_BY_VALUE = frozenset({dt.date, int, bool})


def _one_type_by_value(arr: np.ndarray) -> bool:
    """Whether every non-blank cell of ``arr`` is of one type of :data:`_BY_VALUE` (the dates
    of a SAS or SPSS file, say): its cells are then coded by their value."""
    if infer_dtype(arr, skipna=True) not in ("date", "integer", "boolean"):
        return False
    kinds = set(map(type, arr[~pd.isna(arr)]))
    return len(kinds) == 1 and kinds <= _BY_VALUE


def _typed(values: Any) -> np.ndarray | None:
    """The values of a column of numbers, booleans, dates or durations of a NumPy type (a
    typed Parquet, SAS or SPSS column), or None for any other column."""
    if not isinstance(values, pd.Series | np.ndarray) or not isinstance(values.dtype, np.dtype):
        return None
    if values.dtype.kind not in "biufMm" or values.dtype.itemsize not in (1, 2, 4, 8):
        return None
    return values.to_numpy() if isinstance(values, pd.Series) else values


def _typed_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """:func:`_codes` of a typed column without making each cell a Python object: its cells,
    boxed, are all of one type (``int``, ``float``, ``bool``, ``Timestamp``, ``Timedelta``)
    and two share a ``repr`` exactly when their bits are equal (``-0.0`` is not ``0.0``),
    but for the missing ones (NaN, NaT: -1), so the bits are factorized."""
    kind = values.dtype.kind
    if kind in "biu":
        codes, uniques = pd.factorize(values)
        return codes, len(uniques)
    missing = np.isnan(values) if kind == "f" else np.isnat(values)
    bits = values.view(f"i{values.dtype.itemsize}")
    if not missing.any():
        codes, uniques = pd.factorize(bits)
        return codes, len(uniques)
    codes = np.full(len(values), -1, dtype=np.intp)
    codes[~missing], uniques = pd.factorize(bits[~missing])
    return codes, len(uniques)


def _exact(arr: np.ndarray, codes: np.ndarray) -> bool:
    """Whether ``pd.factorize`` coded this text column exactly: it reads an object string only
    up to a NUL character, so ``'a'`` and ``'a\\x00b'`` would share a code. Exact when no cell
    holds a NUL (one scan of the joined text, half the time of comparing every cell with its
    code's text); otherwise the column is keyed by ``repr``, which spells the NUL out."""
    present = codes >= 0
    return "\x00" not in "".join(arr if present.all() else arr[present])


def map_distinct(
    func: Callable[..., Any],
    values: Sequence[Any] | pd.Series | np.ndarray,
    by: Sequence[Any] | pd.Series | np.ndarray | None = None,
) -> np.ndarray:
    """``[func(v) for v in values]`` (or ``func(v, b)`` with ``by``), as an object array,
    calling ``func`` once per distinct ``(value, by)``.

    ``by`` holds a second argument with few distinct values (e.g. each row's source date order
    or decimal mark; None allowed).
    """
    results, groups = distinct_results(func, values, by)
    return results[groups]


def distinct_results(
    func: Callable[..., Any],
    values: Sequence[Any] | pd.Series | np.ndarray,
    by: Sequence[Any] | pd.Series | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(results, groups)``: ``func`` of each distinct ``(value, by)`` (an object array) and
    each cell's position in it, so that ``results[groups]`` is :func:`map_distinct`; a caller
    converts ``results`` (a few thousand) before joining them back."""
    typed = _typed(values)
    if typed is None:
        arr = np.asarray(values, dtype=object)
        codes, n_distinct = _codes(arr)
    else:  # each cell made a Python object only where a reader reads it
        codes, n_distinct = _typed_codes(typed)
    other: np.ndarray | None = None
    if by is not None:
        other = np.asarray(by, dtype=object)
        bcodes, buniq = pd.factorize(other, use_na_sentinel=True)
        if len(bcodes) and (bcodes == bcodes[0]).all():
            # one `by` for every cell: the cells' own codes are the groups
            groups, first = _first_rows(codes, n_distinct)
        else:
            bcodes = np.where(bcodes < 0, len(buniq), bcodes).astype(np.int64)
            pairs = np.where(codes < 0, n_distinct, codes).astype(np.int64)
            groups, _ = pd.factorize(pairs * (len(buniq) + 1) + bcodes)
            # factorize numbers groups in order of first appearance: a group's first row is
            # where the running maximum of the numbers first reaches it
            first = np.flatnonzero(np.diff(np.maximum.accumulate(groups), prepend=-1) > 0)
    else:
        groups, first = _first_rows(codes, n_distinct)
    cells = arr[first] if typed is None else _boxed(values, first)
    results = np.empty(len(first), dtype=object)
    for g, (i, cell) in enumerate(zip(first, cells, strict=True)):
        results[g] = func(cell) if other is None else func(cell, other[i])
    return results, groups.astype(np.intp, copy=False)


def _boxed(values: pd.Series | np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The cells at ``positions`` as ``np.asarray(values, dtype=object)`` makes them (a Series
    of dates gives ``Timestamp``s, a NumPy array of them integers)."""
    taken = values.iloc[positions] if isinstance(values, pd.Series) else values[positions]
    return np.asarray(taken, dtype=object)


def _first_rows(codes: np.ndarray, n_distinct: int) -> tuple[np.ndarray, np.ndarray]:
    """``(groups, first)`` of :func:`_codes`' codes: each cell's group (a blank cell's is
    ``n_distinct``, after the others) and the first row of each group, in group order."""
    if not len(codes):
        return codes, np.empty(0, dtype=np.intp)
    top = np.maximum.accumulate(codes)
    # code k first appears where the running maximum first reaches k
    rises = np.empty(len(codes), dtype=bool)
    rises[0] = top[0] >= 0
    np.greater(top[1:], top[:-1], out=rises[1:])
    first = np.flatnonzero(rises)
    blank = codes < 0
    if not blank.any():
        return codes, first
    return np.where(blank, n_distinct, codes), np.append(first, np.argmax(blank))


__all__ = ["distinct_codes", "distinct_results", "map_distinct"]
