"""Named stages (``run_named``, ``JobFailed``) and the process count of ``retro notebooks``.

``retro run`` writes everything in one process, one stage after another. Its last writers (the
report PDF; the figures' PNG and PDF files; the table files) do not depend on each other and
used to run side by side in forked processes. Measured on the 2-core machine shared with other
work (interleaved cold ``retro run`` of the reference study, ``--jobs 2`` vs ``--jobs 1``, 17
pairs, load average 4-12): side by side took 0.71-1.40x the time of one after another, median
1.07x (whole runs: median 29.1 s vs 28.1 s): no gain, so the run no longer forks. ``retro notebooks`` still runs notebooks side by side (``notebooks.py``), one
process per core by default (``default_processes``), forked where ``fork_available``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class JobFailed(Exception):
    """A named stage of a run raised; ``job`` names it and ``cause`` is its exception
    (``child_traceback``: the traceback of a failure in another process, when there was one)."""

    def __init__(self, job: str, cause: BaseException, child_traceback: str = "") -> None:
        super().__init__(f"{job}: {type(cause).__name__}: {cause}")
        self.job = job
        self.cause = cause
        self.child_traceback = child_traceback


def run_named(name: str, fn: Callable[[], T]) -> T:
    """``fn()``, its failure raised as ``JobFailed`` naming ``name``."""
    try:
        return fn()
    except Exception as exc:
        raise JobFailed(name, exc) from exc


def fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


def default_processes() -> int:
    """One process per core (at least 1)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
