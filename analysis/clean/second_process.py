"""The second process of the clean stage (``two_process``): ``Worker`` starts it, feeds it
the study and its tables, passes its messages on and keeps what it sends; ``work`` is its side.

It is a fresh interpreter (``_BOOT``; never a fork: the command may run pyarrow and DuckDB
threads; not ``multiprocessing``'s ``spawn`` either, which imports the main script again, so
scripts need not guard it) that imports the package from the command's ``sys.path``: this works
from Jupyter too. POSIX only (it inherits two pipes). It sends its progress and each part as it
comes (``per_table.run_tables``; ``part_pipe``: one pickle each, its arrays sent apart). An exception in it comes back as a value
with its traceback text, given to the exception as its ``__cause__`` (``--debug``,
``retro-error.log``); a warning is issued again in the command (its filters apply); if it dies
(killed, out of memory) ``Worker.wait`` raises a ``PipelineError`` saying so and how to run in
one process. Ctrl-C: it ignores it, the command stops it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, BinaryIO

from analysis.clean import part_pipe
from analysis.clean.columns import TABLES_ORDER
from analysis.clean.per_table import Failure, Part, ReadTable, Reporter, ValidTable, run_tables
from analysis.errors import PipelineError
from analysis.studyfile.config import StudyConfig

ENV = "RETRO_CLEAN_WORKERS"
SECOND = "the second process"


class ChildTraceback(Exception):
    """The traceback of an exception raised in the second process (its ``__cause__``)."""

    def __str__(self) -> str:
        return f"\nin {SECOND} of the clean stage:\n{self.args[0]}"


class Parts:
    """What the tables gave so far (``per_table.run_tables``): reads, validated tables and
    failures, by table."""

    def __init__(self) -> None:
        self.reads: dict[str, ReadTable] = {}
        self.valid: dict[str, ValidTable] = {}
        self.failures: dict[str, Failure] = {}

    def add(self, part: Part) -> None:
        got = {ReadTable: self.reads, ValidTable: self.valid, Failure: self.failures}
        got[type(part)][part.table] = part  # type: ignore[index]

    def merged(self, other: Parts) -> Parts:
        both = Parts()
        for mine in (self, other):
            both.reads.update(mine.reads)
            both.valid.update(mine.valid)
            both.failures.update(mine.failures)
        return both

    def reads_known(self, tables: list[str]) -> bool:
        """Whether every read of ``tables`` (in order) that can matter is in: each read, up to
        a read failure (the process stops there)."""
        for table in tables:
            failure = self.failures.get(table)
            if failure is not None and failure.phase == "read":
                return True
            if table not in self.reads:
                return False
        return True

    def valid_known(self, tables: list[str]) -> bool:
        """Whether every validation of ``tables`` (in order) that can matter is in: each one,
        up to a failure (the later ones are not validated)."""
        for table in tables:
            if table in self.failures:
                return True
            if table not in self.valid:
                return False
        return True

    def raise_first(self, phase: str) -> None:
        """The failure of ``phase`` of the first table (stage order) that has one, raised."""
        for table in TABLES_ORDER:
            failure = self.failures.get(table)
            if failure is not None and failure.phase == phase:
                raise failure.error


class Shared:
    """The stage's progress reporter, used by this process and, through a thread receiving
    the second process's messages, by that one (one at a time)."""

    def __init__(self, pace: Reporter) -> None:
        self._pace, self._lock = pace, threading.Lock()

    def say(self, message: str) -> None:
        with self._lock:
            self._pace.say(message)

    def read(self, table: str, rows: int) -> None:
        with self._lock:
            self._pace.read(table, rows)

    def validated(self, table: str, rows: int) -> None:
        with self._lock:
            self._pace.validated(table, rows)


class _Relay:
    """The progress of the second process, sent to the first (``(method, *args)``)."""

    def __init__(self, out: part_pipe.Outbox) -> None:
        self._out = out

    def say(self, message: str) -> None:
        self._out.send(("say", f"{message} (in {SECOND})"))

    def read(self, table: str, rows: int) -> None:
        self._out.send(("read", table, rows))

    def validated(self, table: str, rows: int) -> None:
        self._out.send(("validated", table, rows))


# Ctrl-C reaches the whole process group: the command stops this process (``Worker``), which
# ignores it (no second traceback on the terminal).
_BOOT = (
    "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "import os, pickle, sys; f = os.fdopen(int(sys.argv[1]), 'rb'); sys.path[:] = pickle.load(f); "
    "from analysis.clean.second_process import work; work(f, int(sys.argv[2]))"
)


def work(given: BinaryIO, fd: int) -> None:
    """The second process: the study, its tables and the allocator choice read (one pickle
    from ``given``), the tables done (``per_table.run_tables``); its progress messages and
    each part as it comes, then ``("end",)``, written to file descriptor ``fd`` by a thread
    (``part_pipe.Outbox``: the next table is validated while the command reads the last part).
    An exception outside the tables' work is sent as its traceback text
    (``("crashed", text)``)."""
    out = part_pipe.Outbox(Connection(fd, readable=False))
    try:
        config, tables, keep_memory = pickle.load(given)
        given.close()
        if keep_memory:
            from analysis.run.memory import keep_freed_memory

            keep_freed_memory()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # each one sent; the command's filters decide
            for part in run_tables(config, tables, _Relay(out)):
                _send_warnings(out, caught)
                out.part(_portable(part) if isinstance(part, Failure) else part)
                del part
            _send_warnings(out, caught)
        out.send(("end",))
    except Exception:
        out.send(("crashed", traceback.format_exc()))
    finally:
        out.close()


def _send_warnings(out: part_pipe.Outbox, caught: list[warnings.WarningMessage]) -> None:
    """The warnings caught so far sent (``("warn", text, category, file, line)``), then
    forgotten; a category that cannot be pickled is sent as ``UserWarning``."""
    for w in caught:
        category = w.category if _pickles(w.category) else UserWarning
        out.send(("warn", str(w.message), category, w.filename, w.lineno))
    caught.clear()


def _pickles(value: object) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


_SEEN: dict[Any, Any] = {}  # the warnings of second processes shown (the "default" action)


def _warn(message: str, category: type[Warning], filename: str, lineno: int) -> None:
    """A warning of the second process issued here (this process's filters apply)."""
    warnings.warn_explicit(f"{message} (in {SECOND})", category, filename, lineno, registry=_SEEN)


def _portable(failure: Failure) -> Failure:
    """The failure with an exception that survives pickling (else a ``PipelineError`` naming
    its type and message); its traceback text is kept beside it."""
    try:
        pickle.loads(pickle.dumps(failure.error, protocol=5))
        error: BaseException = failure.error
    except Exception:
        error = PipelineError(
            f"stage 'clean', {SECOND}, table {failure.table!r}: "
            f"{type(failure.error).__name__}: {failure.error}"
        )
    error.__traceback__ = None
    error.__cause__ = error.__context__ = None
    return Failure(failure.table, failure.phase, error, failure.trace)


class Worker:
    """The second process (a fresh interpreter running ``work``: nothing forked, the main
    script not imported again), started on entering, stopped if still running on leaving."""

    def __init__(self, config: StudyConfig, tables: list[str], shared: Shared) -> None:
        self._config, self._tables, self._shared = config, tables, shared
        self._parts, self._ended, self._lost, self._unread = Parts(), False, "", False
        self._changed = threading.Condition()
        self._conn: Connection | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._listener = threading.Thread(target=self._listen, daemon=True)

    def __enter__(self) -> Worker:
        to_child, from_parent = os.pipe()[::-1]
        from_child, to_parent = part_pipe.channel()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(from_parent), str(to_parent)],
                pass_fds=(from_parent, to_parent),
            )
        except OSError as exc:
            for fd in (to_child, from_parent, from_child, to_parent):
                os.close(fd)
            raise PipelineError(
                f"stage 'clean': {SECOND} for table(s) {', '.join(self._tables)} could not be "
                f"started ({type(exc).__name__}: {exc}). {_SERIAL}"
            ) from exc
        os.close(from_parent)
        os.close(to_parent)
        self._conn = Connection(from_child, writable=False)
        self._listener.start()
        # a process that ended at once breaks the pipe: wait() says how it ended
        with contextlib.suppress(BrokenPipeError), os.fdopen(to_child, "wb") as given:
            pickle.dump(sys.path, given)
            pickle.dump((self._config, self._tables, _freed_memory_kept()), given, protocol=5)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
            self._process.wait()
        if self._listener.is_alive():
            self._listener.join()
        if self._conn is not None:
            self._conn.close()

    def _listen(self) -> None:
        """Progress messages passed on and parts kept until the end (or the pipe ends)."""
        assert self._conn is not None
        try:
            while True:
                message = self._conn.recv()
                if message[0] == part_pipe.HEADER:
                    self._keep(part_pipe.receive(self._conn, message[1]))
                elif message[0] in ("end", "crashed"):
                    self._lost = message[1] if message[0] == "crashed" else ""
                    break
                elif message[0] == "warn":
                    _warn(*message[1:])
                else:
                    getattr(self._shared, message[0])(*message[1:])
        except EOFError:  # the process ended without saying so
            pass
        except BaseException:  # its messages could not be read here (e.g. out of memory)
            self._lost, self._unread = traceback.format_exc(), True
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def _keep(self, part: Part) -> None:
        if isinstance(part, Failure):  # what --debug shows and retro-error.log holds
            part.error.__cause__ = ChildTraceback(part.trace)
        with self._changed:
            self._parts.add(part)
            self._changed.notify_all()

    def wait(self, known: Callable[[Parts], bool]) -> Parts:
        """The parts of the second process once ``known(parts)`` (a copy).

        Raises
        ------
        PipelineError
            The process ended before that (killed, out of memory, crashed).
        """
        with self._changed:
            self._changed.wait_for(lambda: self._ended or known(self._parts))
            if known(self._parts):
                return Parts().merged(self._parts)
        assert self._process is not None
        if self._unread:  # it may be waiting to write: stopped
            self._process.terminate()
            how = "its messages could not be read in this process, traceback below"
        else:
            how = _ended(self._process.wait(), bool(self._lost))
        self._process.wait()
        error = PipelineError(
            f"stage 'clean': {SECOND}, reading and validating table(s) "
            f"{', '.join(self._tables)}, stopped before it was done ({how}). {_SERIAL}"
        )
        if self._lost:
            raise error from ChildTraceback(self._lost)
        raise error


_SERIAL = (
    f"To read and validate every table in this process instead (slower, less memory at "
    f"once), run again with the environment variable {ENV}=1."
)


def _ended(exitcode: int, crashed: bool) -> str:
    """How the second process ended, in words."""
    if exitcode < 0:
        signum = -exitcode
        name = signal.Signals(signum).name if signum in signal.valid_signals() else ""
        oom = " (the system stops a process this way when memory runs out)"
        return f"killed by signal {signum} {name}".strip() + (oom if signum == 9 else "")
    if crashed:
        return f"exit code {exitcode}; it failed outside the tables' work, traceback below"
    return f"exit code {exitcode}"


def _freed_memory_kept() -> bool:
    """Whether the command asked glibc to keep freed memory (the second process does too)."""
    memory = sys.modules.get("analysis.run.memory")
    return bool(memory is not None and memory.freed_memory_kept())
