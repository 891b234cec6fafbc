"""One call per distinct cell: a column of a million raw cells holds a few thousand distinct
values, so the per-value readers (dates, numbers, unreadable cells, blanks) run once per
distinct value and their results are joined back by position.

:func:`map_distinct` gives exactly what ``[func(v) for v in values]`` gives (the per-value
readers stay the reference; ``tests/unit/clean/test_distinct.py`` checks both agree on random
cells and on a scaled twin), provided ``func`` gives one result for every blank cell (None,
NaN, NaT, ``pd.NA``), which holds for every reader of ``analysis.clean``.
"""

from __future__ import annotations

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
    arr = np.asarray(values, dtype=object)
    text = infer_dtype(arr, skipna=True) in _TEXT_KINDS
    if text:
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        # a text holding a NUL: pandas compared it only up to the NUL
        text = _exact(arr, codes)
    if not text:
        keys = np.empty(len(arr), dtype=object)
        keys[:] = [(type(v), repr(v)) for v in arr]
        keys[pd.isna(arr)] = None
        codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    codes[codes < 0] = len(uniques)
    return codes


def _exact(arr: np.ndarray, codes: np.ndarray) -> bool:
    """Whether ``pd.factorize`` coded this text column exactly: it reads an object string only
    up to a NUL character, so ``'a'`` and ``'a\\x00b'`` would share a code. Exact when no cell
    holds a NUL (one scan of the joined text, half the time of comparing every cell with its
    code's text); otherwise the column is keyed by ``repr``, which spells the NUL out."""
    return "\x00" not in "".join(arr[codes >= 0])


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
    arr = np.asarray(values, dtype=object)
    codes = distinct_codes(arr)
    other: np.ndarray | None = None
    if by is not None:
        other = np.asarray(by, dtype=object)
        bcodes, buniq = pd.factorize(other, use_na_sentinel=True)
        bcodes = np.where(bcodes < 0, len(buniq), bcodes).astype(np.int64)
        codes = codes * (len(buniq) + 1) + bcodes
    groups, _ = pd.factorize(codes)
    # factorize numbers groups in order of first appearance: a group's first row is where the
    # running maximum of the numbers first reaches it
    first = np.flatnonzero(np.diff(np.maximum.accumulate(groups), prepend=-1) > 0)
    results = np.empty(len(first), dtype=object)
    for g, i in enumerate(first):
        results[g] = func(arr[i]) if other is None else func(arr[i], other[i])
    return results, groups.astype(np.intp)


__all__ = ["distinct_codes", "distinct_results", "map_distinct"]
