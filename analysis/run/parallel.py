"""Run independent output-writing jobs side by side (one process each) on a multi-core machine.

``retro run`` spends most of its time writing files that do not depend on each other: the
report PDF, the figure PNG/PDF files and the per-table HTML/DOCX/XLSX files. Their inputs (the
cleaned data, the tables, the drawn figures) are already in memory, so each extra job runs in
a *forked* child process that inherits them without pickling; only the list of written paths
comes back. A child runs a whole lane of jobs one after another, so it never waits for this
process to hand it the next one. Where ``fork`` is not available (Windows, or
``processes=1``), the jobs run one after another in this process, with the same results: each
job writes its own files, so the outputs are byte-identical either way.

Jobs must not use a DuckDB connection (a forked child has none of the parent's threads): run
every query before calling ``run_jobs``.

Ctrl-C: a child ends at once and silently on SIGINT (a terminal sends it to every process of
the command); this process then raises ``KeyboardInterrupt``, also when only the child was
interrupted. ``stop_children()`` ends the children still running (e.g. when this process stops
with an error or an interrupt before reading their results).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import shutil
import signal
import tempfile
import traceback
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

T = TypeVar("T")
#: Lanes whose child may still run (for ``stop_children``).
_LANES: weakref.WeakSet[_Lane] = weakref.WeakSet()


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

    The first job runs in this process. With ``processes`` > 1 and ``fork`` available, the
    others run at the same time in forked children: they are dealt in order over
    ``processes - 1`` lanes, and each lane is one child that runs its jobs one after another,
    so a lane moves on to its next job as soon as one ends, whatever this process is doing.
    Results must be picklable (e.g. lists of paths). Side by side, every job runs and the
    first failure, in job order, is then raised as ``JobFailed``; one after another (no fork,
    or ``processes`` 1), the first failure is raised at once.
    """
    names = list(jobs)
    procs = default_processes() if processes is None else processes
    if procs <= 1 or len(names) <= 1 or not fork_available():
        return {name: run_named(name, jobs[name]) for name in names}
    rest = names[1:]
    n_lanes = min(procs - 1, len(rest))
    lanes = [
        _Lane([(name, jobs[name]) for name in rest[i::n_lanes]], stop_at_failure=False)
        for i in range(n_lanes)
    ]
    outcomes: dict[str, tuple[bool, Any]] = {}
    try:
        outcomes[names[0]] = (True, run_named(names[0], jobs[names[0]]))
    except JobFailed as exc:
        outcomes[names[0]] = (False, exc)
    for lane in lanes:
        outcomes.update(lane.wait())
    for name in names:
        ok, value = outcomes[name]
        if not ok:
            raise value
    return {name: outcomes[name][1] for name in names}


class Background:
    """Named steps started now, one after another, in a forked child, while this process goes
    on; ``result(i)`` waits for step ``i`` only, so a later step (e.g. slow file formats) can
    go on after an earlier result (e.g. the files the report needs) is in use. Steps run in
    one process, so a step can use what an earlier one left in memory. A failed step ends the
    child; its failure (and that of every later step) is raised as ``JobFailed`` naming the
    step that failed. Where it cannot fork (or ``processes`` is 1) the steps run here, right
    away.

        bg = Background(("clean", clean), ("figures", draw_figures))
        ...                 # this process goes on
        bg.result(0)        # the cleaning's result (or its failure, raised)
    """

    def __init__(self, *steps: tuple[str, Callable[[], Any]], processes: int | None = None) -> None:
        procs = default_processes() if processes is None else processes
        self._lane = _Lane(list(steps), stop_at_failure=True, fork=procs > 1 and fork_available())

    def result(self, step: int = 0) -> Any:
        """Step ``step``'s result, or its failure raised as ``JobFailed``."""
        ok, value = self._lane.outcome(step)
        if not ok:
            raise value
        return value


class _Lane:
    """Jobs run one after another in one forked child (or here, when ``fork`` is False), each
    reporting its outcome ``(ok, result or JobFailed)`` through a pipe as soon as it ends."""

    def __init__(
        self,
        jobs: list[tuple[str, Callable[[], Any]]],
        *,
        stop_at_failure: bool,
        fork: bool = True,
    ) -> None:
        self._names = [name for name, _ in jobs]
        self._stop_at_failure = stop_at_failure
        self._outcomes: list[tuple[bool, Any]] = []
        if not fork:
            for name, fn in jobs:
                try:
                    self._outcomes.append((True, run_named(name, fn)))
                except JobFailed as exc:
                    self._outcomes.append((False, exc))
                    if stop_at_failure:
                        break
            self._fill_after_failure()
            return
        from analysis.write.staging import deferred_sigint

        # Ctrl-C waits until the child is started and known to stop_children(); the child
        # starts with SIGINT held until it has set its own handling (see _child)
        with deferred_sigint():
            ctx = mp.get_context("fork")
            self._reader, writer = ctx.Pipe(duplex=False)
            # large results travel through files here; removed when the lane ends or is
            # stopped (or with the lane object), so a run that fails leaves nothing behind
            self._spool = tempfile.mkdtemp(prefix="retro-jobs-")
            weakref.finalize(self, shutil.rmtree, self._spool, ignore_errors=True)
            self._proc = ctx.Process(
                target=_child,
                args=([fn for _, fn in jobs], stop_at_failure, writer, self._spool),
                name=f"retro-{'+'.join(dict.fromkeys(self._names))}",
            )
            _LANES.add(self)
            blocked = _block_sigint()
            try:
                self._proc.start()
            finally:
                _unblock_sigint(blocked)
            writer.close()

    def outcome(self, i: int) -> tuple[bool, Any]:
        while len(self._outcomes) <= i:
            name = self._names[len(self._outcomes)]
            try:
                status, payload = _receive(self._reader)
            except EOFError:  # the child died without reporting (killed, out of memory)
                self._proc.join()
                self.stop()
                if self._proc.exitcode == -signal.SIGINT:  # Ctrl-C reached the child alone
                    raise KeyboardInterrupt from None
                cause = RuntimeError(
                    f"job process exited with code {self._proc.exitcode} without a result"
                )
                self._outcomes.append((False, JobFailed(name, cause)))
                self._fill_after_failure()
                break
            if status == "ok":
                self._outcomes.append((True, payload))
            else:
                self._outcomes.append((False, JobFailed(name, *payload)))
                if self._stop_at_failure:
                    self._fill_after_failure()
        if len(self._outcomes) == len(self._names) and hasattr(self, "_proc"):
            self._proc.join()
            self.stop()
        return self._outcomes[i]

    def stop(self) -> None:
        """End the child if it still runs and remove its spool folder."""
        if not hasattr(self, "_proc"):
            return
        if self._proc.pid is not None and self._proc.is_alive():
            self._proc.terminate()  # SIGTERM: the child ends without a traceback
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
        shutil.rmtree(self._spool, ignore_errors=True)
        _LANES.discard(self)

    def wait(self) -> dict[str, tuple[bool, Any]]:
        """Every job's outcome, by name."""
        return {name: self.outcome(i) for i, name in enumerate(self._names)}

    def _fill_after_failure(self) -> None:
        """Jobs after a failure that ended the lane fail with the same cause."""
        while len(self._outcomes) < len(self._names):
            self._outcomes.append(self._outcomes[-1])


def stop_children() -> None:
    """End every child process of ``run_jobs`` / ``Background`` still running (their partial
    results are dropped), e.g. when this process stops on an error or a Ctrl-C."""
    for lane in list(_LANES):
        lane.stop()


def _block_sigint() -> bool:
    if not hasattr(signal, "pthread_sigmask"):
        return False
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return True


def _unblock_sigint(blocked: bool) -> None:
    if blocked:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def run_named(name: str, fn: Callable[[], T]) -> T:
    """``fn()``, its failure raised as ``JobFailed`` naming ``name``."""
    try:
        return fn()
    except Exception as exc:
        raise JobFailed(name, exc) from exc


def _child(fns: list[Callable[[], Any]], stop_at_failure: bool, conn: Any, spool: str) -> None:
    # Ctrl-C ends the child at once, without a traceback: what it was writing is in a staging
    # folder that the parent removes (analysis.write.staging).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _unblock_sigint(hasattr(signal, "pthread_sigmask"))
    try:
        for fn in fns:
            try:
                _send(conn, ("ok", fn()), spool)
            except Exception as exc:  # noqa: BLE001 - everything is reported to the parent
                tb = traceback.format_exc()
                try:  # (_send pickles before it writes anything)
                    _send(conn, ("error", (exc, tb)), spool)
                except Exception:  # noqa: BLE001 - an exception that cannot travel: its text
                    cause = RuntimeError(f"{type(exc).__name__}: {exc}")
                    _send(conn, ("error", (cause, tb)), spool)
                if stop_at_failure:
                    return
    finally:
        conn.close()


#: A pipe holds 64 KiB: a child sending more blocks until this process reads, which may be
#: seconds later (e.g. the cleaned data, sent while this process is still importing). Larger
#: messages go through a temporary file in the lane's ``spool`` folder; the pipe carries its
#: name.
_PIPE_BYTES = 32 * 1024


def _send(conn: Any, message: tuple[str, Any], spool: str) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) <= _PIPE_BYTES:
        conn.send_bytes(b"m" + data)
        return
    fd, name = tempfile.mkstemp(prefix="job-", suffix=".pickle", dir=spool)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    conn.send_bytes(b"f" + os.fsencode(name))


def _receive(conn: Any) -> tuple[str, Any]:
    raw = conn.recv_bytes()
    if raw[:1] == b"m":
        return cast(tuple[str, Any], pickle.loads(raw[1:]))
    path = os.fsdecode(raw[1:])
    try:
        with open(path, "rb") as fh:
            return cast(tuple[str, Any], pickle.load(fh))
    finally:
        os.unlink(path)
