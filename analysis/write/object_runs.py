"""Runs of one object in an object array, told by the cells' object addresses.

A table's source columns hold long runs of one object (each record's file name, sheet and
source name) and its patient ids runs of a few cells (a patient's exposures, one after another).
Converting or pickling a column cell by cell does the same work again for every cell of a run;
done once per run, the result is the same, because a run is one object (identity, not equal
value: a ``str`` subclass stays itself, two NaN objects are two runs).
Used to send columns between the clean stage's processes (``analysis.clean.part_pipe``), to
convert them to Arrow for Parquet (``analysis.write.parquet``), to count records per source
(``clean/accounting.py``) and to check the order and the missing values of text keys
(``clean/ordering.py``, ``clean/contract.py``).
"""

from __future__ import annotations

import ctypes

import numpy as np
import pandas as pd

RUNS_FROM = 1 << 16  # cells from which a column is worth looking at for runs
SAMPLE = 4096  # cells looked at first: too many runs there, the column is not looked at further


def addresses(cells: np.ndarray) -> np.ndarray:
    """The object addresses a contiguous 1-D object array holds (a view of its memory as
    integers: NumPy will not view an object array as another type)."""
    if cells.dtype != object or cells.ndim != 1 or not cells.flags.c_contiguous:
        raise ValueError("addresses: a contiguous 1-D object array is needed")
    held = (ctypes.c_size_t * len(cells)).from_address(cells.ctypes.data)
    return np.ctypeslib.as_array(held)


def changes(cells: np.ndarray) -> np.ndarray:
    """The positions ``i`` where ``cells[i + 1]`` is another object than ``cells[i]`` (a
    contiguous 1-D object array)."""
    at = addresses(cells)
    return np.flatnonzero(at[1:] != at[:-1])


def object_runs(cells: np.ndarray, per_run: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``(objects, lengths)`` of the runs of one object in ``cells`` (a contiguous 1-D object
    array), or None when the object changes more than once per ``per_run`` cells (in the first
    ``SAMPLE`` cells, or in all)."""
    if not len(cells):
        return None
    at = addresses(cells)
    head = at[:SAMPLE]
    if np.count_nonzero(head[1:] != head[:-1]) > len(head) // per_run:
        return None
    starts = changes(cells) + 1
    if len(starts) > len(cells) // per_run:
        return None
    starts = np.concatenate(([0], starts))
    return cells[starts], np.diff(np.append(starts, len(cells)))


def python_cells(column: pd.Series) -> np.ndarray | None:
    """The cells of a column of Python objects (``object`` or Python-backed ``string`` dtype),
    as a contiguous object array (no copy when they are one already); None for any other."""
    dtype = column.dtype
    python_text = isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
    if not (pd.api.types.is_object_dtype(dtype) or python_text):
        return None
    cells = np.asarray(column.array)
    if cells.dtype != object or cells.ndim != 1:
        return None
    return np.ascontiguousarray(cells)


def missing_by_runs(cells: np.ndarray, changed: np.ndarray | None = None) -> bool:
    """``pd.isna(cells).any()``, each run of one object looked at once (``changed``: the
    :func:`changes` of ``cells`` when the caller has them)."""
    if not len(cells):
        return False
    heads = np.concatenate(([0], (changes(cells) if changed is None else changed) + 1))
    return bool(pd.isna(cells[heads]).any())


__all__ = [
    "RUNS_FROM",
    "SAMPLE",
    "addresses",
    "changes",
    "missing_by_runs",
    "object_runs",
    "python_cells",
]
