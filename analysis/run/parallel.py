"""Named jobs, and the one place where ``retro run`` writes files side by side.

``run_side_by_side(jobs)`` runs independent writers (the report; the figures' PNG and PDF
files; the table files) at the same time: the first job in this process, the others in a
``concurrent.futures.ProcessPoolExecutor`` of ``processes - 1`` *forked* workers, which inherit
the built tables and drawn figures without pickling them; only the written paths come back.
Without ``fork`` (Windows) or with ``processes=1`` the jobs run one after another here. Each job
writes its own files, so the bytes are the same either way. Jobs must not query DuckDB (a
forked child has none of the parent's threads): build every table first.

Measured gain: MEASURED.

Ctrl-C: a worker ends at once and silently on SIGINT (a terminal sends it to every process of
the command); this process then raises ``KeyboardInterrupt``, also when only a worker was
interrupted. On any failure or interrupt the workers still running are stopped before the
error goes on (to ``analysis.write.staging``, which removes the staging folders).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

from analysis.write.staging import deferred_sigint

T = TypeVar("T")
#: The jobs of the running ``run_side_by_side``: forked workers inherit them, so a job need
#: not be picklable (it closes over the study); only its name is sent.
_JOBS: dict[str, Callable[[], Any]] = {}


class JobFailed(Exception):
    """A job (or a named stage of a run) raised; ``job`` names it and ``cause`` is its
    exception (re-created here when it came from a worker, whose traceback is
    ``child_traceback``)."""

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


def run_side_by_side(
    jobs: Mapping[str, Callable[[], T]], *, processes: int | None = None
) -> dict[str, T]:
    """Run every job; ``{name: result}`` in the order given. Results must be picklable.

    Side by side (``processes`` > 1, default one per core, and ``fork`` available): every job
    runs, then the first failure in job order is raised as ``JobFailed``. One after another:
    the first failure is raised at once."""
    names = list(jobs)
    procs = default_processes() if processes is None else processes
    if procs <= 1 or len(names) <= 1 or not fork_available():
        return {name: run_named(name, jobs[name]) for name in names}
    ctx = mp.get_context("fork")
    interrupted = ctx.Value("b", 0, lock=False)  # set by a worker that got SIGINT
    _JOBS.update(jobs)
    pool = ProcessPoolExecutor(
        min(procs - 1, len(names) - 1), ctx, initializer=_start_worker, initargs=(interrupted,)
    )
    finished = False
    try:
        with _sigint_blocked():  # the workers fork here; they set their SIGINT handling first
            futures = {name: pool.submit(_run_in_worker, name) for name in names[1:]}
        outcomes: dict[str, Any] = {names[0]: _outcome_here(names[0], jobs[names[0]])}
        outcomes |= {name: _outcome_of(name, f, interrupted) for name, f in futures.items()}
        finished = True
    finally:
        _stop(pool, finished=finished)
        _JOBS.clear()
    failed = [outcome for outcome in outcomes.values() if isinstance(outcome, JobFailed)]
    if failed:
        raise failed[0]
    return outcomes


def _outcome_here(name: str, fn: Callable[[], T]) -> T | JobFailed:
    try:
        return run_named(name, fn)
    except JobFailed as exc:
        return exc


def _outcome_of(name: str, future: Future[Any], interrupted: Any) -> Any:
    """A worker's result, or its failure as ``JobFailed``; ``KeyboardInterrupt`` when a
    worker ended on Ctrl-C (``interrupted.value`` set)."""
    try:
        status, value, trace = future.result()
    except BrokenProcessPool:
        if interrupted.value:
            raise KeyboardInterrupt from None
        cause = RuntimeError("the job's process ended without a result (killed, out of memory?)")
        return JobFailed(name, cause)
    return value if status == "ok" else JobFailed(name, value, trace)


def _run_in_worker(name: str) -> tuple[str, Any, str]:
    """In a worker: ``("ok", result, "")`` or ``("error", exception, traceback)``; an
    exception that cannot be pickled travels as a ``RuntimeError`` with its text."""
    try:
        return "ok", _JOBS[name](), ""
    except Exception as exc:  # noqa: BLE001 - every failure goes back to this process
        trace = traceback.format_exc()
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            return "error", RuntimeError(f"{type(exc).__name__}: {exc}"), trace
        return "error", exc, trace


def _start_worker(interrupted: Any) -> None:
    """A worker ends at once on SIGINT, without a traceback, saying so through
    ``interrupted``: what it was writing is in a staging folder that this process removes."""

    def on_sigint(signum: int, frame: object) -> None:
        interrupted.value = 1
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, on_sigint)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _stop(pool: ProcessPoolExecutor, *, finished: bool) -> None:
    """Shut the pool down; after a failure or an interrupt, end its workers first (Python
    3.11 has no public way: ``terminate_workers`` comes in 3.14)."""
    with deferred_sigint(reraise=False):
        if not finished:
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
        pool.shutdown(wait=True)


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held (delivered at the end of the block) while the workers are forked."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
