"""Independent pieces of the clean stage's last steps run on both cores, as two threads of
this process: each table finalised, and the adverse events' flags found while the other
patient variables are derived (``stage._derive``).

By then the second process (``two_process``) has sent its tables and the second core idles.
NumPy's sorts and searches and pandas' takes of numbers and dates run outside the interpreter
lock, so one thread sorts or takes one table's numbers while the other holds the lock for
another table's text (the tables finalised at 1M patients: 2.9 s in one thread, 2.1-2.2 s in
two). Each piece reads its own inputs and writes nothing shared, so the results are the same
to the byte whichever thread runs it and in whatever order; they are returned in the order
given, and when pieces fail the first failure in that order is raised (the one a single
thread would raise first).

Small studies (below ``MIN_ROWS`` rows in all) run in this thread as before, and so does every
study under ``RETRO_CLEAN_WORKERS=1``; ``RETRO_CLEAN_WORKERS=2`` uses two threads whatever the
size (the tests compare the two ways).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pandas as pd

from analysis.clean import two_process

K = TypeVar("K")
R = TypeVar("R")

# rows (all tables) from which two threads are used (the 62,400-patient twin has 668k)
MIN_ROWS = 200_000


def threads_for(rows: int) -> int:
    """How many threads the last steps use for tables of ``rows`` rows in all: 2 on a machine
    of two cores or more when the tables are large or ``RETRO_CLEAN_WORKERS=2``, else 1."""
    wanted = two_process.workers_wanted()
    if wanted == 1 or two_process.cores() < 2:
        return 1
    return 2 if wanted == 2 or rows >= MIN_ROWS else 1


def each(calls: Mapping[K, Callable[[], R]], weights: Mapping[K, int], threads: int) -> dict[K, R]:
    """``{key: call()}`` in the order of ``calls``; with ``threads`` 2, on two threads, the
    heaviest (``weights``) started first. The first failure in the order of ``calls`` is
    raised, after every call has ended."""
    if threads < 2 or len(calls) < 2:
        return {key: call() for key, call in calls.items()}
    with ThreadPoolExecutor(max_workers=threads) as pool:
        heaviest = sorted(calls, key=lambda key: -weights[key])  # stable: ties keep their order
        futures = {key: pool.submit(calls[key]) for key in heaviest}
    return {key: futures[key].result() for key in calls}


def own(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for a thread of its own while another reads it: the same arrays (never
    written) under new blocks (pandas may consolidate a frame's blocks in place) and a new row
    index (an index's hash table is built on first lookup, for numbers outside the interpreter
    lock: two threads must not build one together)."""
    out = frame.copy(deep=False)
    out.index = frame.index.copy(deep=True)
    return out


__all__ = ["MIN_ROWS", "each", "own", "threads_for"]
