"""Runs of one object in an object array, told by the cells' object addresses.

A table's source columns hold long runs of one object (each record's file name, sheet and
source name) and its patient ids runs of a few cells (a patient's exposures, one after another).
Converting or pickling a column cell by cell does the same work again for every cell of a run;
done once per run, the result is the same, because a run is one object (identity, not equal
value: a ``str`` subclass stays itself, two NaN objects are two runs).
Used to send columns between the clean stage's processes (``analysis.clean.part_pipe``) and to
convert them to Arrow for Parquet (``analysis.write.parquet``).
"""

from __future__ import annotations

import ctypes

import numpy as np

SAMPLE = 4096  # cells looked at first: too many runs there, the column is not looked at further


def addresses(cells: np.ndarray) -> np.ndarray:
    """The object addresses a contiguous 1-D object array holds (a view of its memory as
    integers: NumPy will not view an object array as another type)."""
    if cells.dtype != object or cells.ndim != 1 or not cells.flags.c_contiguous:
        raise ValueError("addresses: a contiguous 1-D object array is needed")
    held = (ctypes.c_size_t * len(cells)).from_address(cells.ctypes.data)
    return np.ctypeslib.as_array(held)


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
    starts = np.flatnonzero(at[1:] != at[:-1]) + 1
    if len(starts) > len(cells) // per_run:
        return None
    starts = np.concatenate(([0], starts))
    return cells[starts], np.diff(np.append(starts, len(cells)))


__all__ = ["SAMPLE", "addresses", "object_runs"]
