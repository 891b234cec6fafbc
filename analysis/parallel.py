"""Run independent output-writing jobs side by side (one process each) on a multi-core machine.

``retro run`` spends most of its time writing files that do not depend on each other: the
report PDF, the figure PNG/PDF files and the per-table HTML/DOCX/XLSX files. Their inputs (the
cleaned data, the tables, the drawn figures) are already in memory, so each extra job runs in
a *forked* child process that inherits them without pickling; only the list of written paths
comes back. Where ``fork`` is not available (Windows, or ``processes=1``), the jobs run one
after another in this process, with the same results: each job writes its own files, so the
outputs are byte-identical either way.

Jobs must not use a DuckDB connection (a forked child has none of the parent's threads): run
every query before calling ``run_jobs``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class JobFailed(Exception):
    """A job (or a named step of a run) raised; ``job`` names it and ``cause`` is its exception
    (re-created in this process when it came from a child)."""

    def __init__(self, job: str, cause: BaseException, child_traceback: str = "") -> None:
        super().__init__(f"{job}: {type(cause).__name__}: {cause}")
        self.job = job
        self.cause = cause
        self.child_traceback = child_traceback


def fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


def default_processes() -> int:
    """One process per core (at least 1)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def run_jobs(jobs: Mapping[str, Callable[[], T]], *, processes: int | None = None) -> dict[str, T]:
    """Run every job and return ``{name: result}`` in the order given.

    The first job runs in this process; with ``processes`` > 1 and ``fork`` available, the
    others run at the same time in forked children (at most ``processes`` - 1 at once, in the
    order given). Results must be picklable (e.g. lists of paths). The first failure, in job
    order, is raised as ``JobFailed`` after every job has ended.
    """
    names = list(jobs)
    procs = default_processes() if processes is None else processes
    if procs <= 1 or len(names) <= 1 or not fork_available():
        return {name: run_named(name, jobs[name]) for name in names}
    ctx = mp.get_context("fork")
    results: dict[str, Any] = {}
    failures: dict[str, JobFailed] = {}
    pending = names[1:]
    running: list[tuple[str, Any, Any]] = []

    def start_next() -> None:
        while pending and len(running) < procs - 1:
            name = pending.pop(0)
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(jobs[name], writer), name=f"retro-{name}")
            proc.start()
            writer.close()
            running.append((name, proc, reader))

    def collect(name: str, proc: Any, reader: Any) -> None:
        try:
            results[name] = _collect(name, proc, reader)
        except JobFailed as exc:
            failures[name] = exc

    start_next()
    try:
        results[names[0]] = run_named(names[0], jobs[names[0]])
    except JobFailed as exc:
        failures[names[0]] = exc
    while running:
        name, proc, reader = running.pop(0)
        collect(name, proc, reader)
        start_next()
    for name in names:
        if name in failures:
            raise failures[name]
    return {name: results[name] for name in names}


class Background(Generic[T]):
    """One job started now in a forked child, while this process goes on; ``result()`` waits
    for it. Where it cannot fork (or ``processes`` is 1) the job runs here, right away."""

    def __init__(self, name: str, fn: Callable[[], T], *, processes: int | None = None) -> None:
        self.name = name
        self._proc: Any = None
        self._outcome: tuple[bool, Any] | None = None
        procs = default_processes() if processes is None else processes
        if procs <= 1 or not fork_available():
            try:
                self._outcome = (True, run_named(name, fn))
            except JobFailed as exc:
                self._outcome = (False, exc)
            return
        ctx = mp.get_context("fork")
        self._reader, writer = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(fn, writer), name=f"retro-{name}")
        self._proc.start()
        writer.close()

    def result(self) -> T:
        """The job's result, or its failure raised as ``JobFailed``."""
        if self._outcome is None:
            try:
                self._outcome = (True, _collect(self.name, self._proc, self._reader))
            except JobFailed as exc:
                self._outcome = (False, exc)
        ok, value = self._outcome
        if not ok:
            raise value
        return value  # type: ignore[no-any-return,return-value]


def _collect(name: str, proc: Any, reader: Any) -> Any:
    """Wait for a child's report; its result, or its failure raised as ``JobFailed``."""
    try:
        status, payload = reader.recv()
    except EOFError:  # the child died without reporting (killed, out of memory)
        status = "error"
        payload = (
            RuntimeError(f"job process exited with code {proc.exitcode} without a result"),
            "",
        )
    proc.join()
    if status != "ok":
        cause, tb = payload
        raise JobFailed(name, cause, tb)
    return payload


def run_named(name: str, fn: Callable[[], T]) -> T:
    """``fn()``, its failure raised as ``JobFailed`` naming ``name``."""
    try:
        return fn()
    except Exception as exc:
        raise JobFailed(name, exc) from exc


def _child(fn: Callable[[], Any], conn: Any) -> None:
    try:
        conn.send(("ok", fn()))
    except Exception as exc:  # noqa: BLE001 - everything is reported to the parent
        tb = traceback.format_exc()
        try:
            pickle.dumps(exc)
            cause: BaseException = exc
        except Exception:  # noqa: BLE001 - an exception that cannot travel: keep its text
            cause = RuntimeError(f"{type(exc).__name__}: {exc}")
        conn.send(("error", (cause, tb)))
    finally:
        conn.close()
