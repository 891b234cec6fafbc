"""A large object through a pipe between the two processes of the clean stage, fast.

``Connection.send_bytes`` of one pickle of a million patients' exposures (500 MB) took about
3.5 s from the second process to the first: the pickle copies every array into one bytes
object, and the receiving ``Connection`` reads a 64 KiB pipe with ``os.read(fd, remaining)``,
which allocates the whole remainder for each 64 KiB it gets. Here the object is pickled with
protocol 5 and its arrays kept out of band (not copied), a header message gives the sizes, and
the bytes follow on the same channel: written straight from the arrays, read into buffers
allocated once and left uninitialised (``bytearray`` zero-fills them first, holding the
interpreter lock while the fresh pages are faulted in: 0.8-1.25 s for the 523 MB on the 2-core
machine, where a page fault costs ~2 µs; now the pages are faulted in as the bytes arrive).

The channel (:func:`channel`) is a Unix socket pair: the receiving thread reads each buffer in
one ``recv_into(MSG_WAITALL)``, outside the interpreter lock until the whole buffer has come.
Read from a pipe, 1 MiB at a time, the thread waits for the lock after every read while the
other thread of the command works: 200 MB took 1.2 s that way against 0.27 s from the socket
(``/proc/sys/fs/pipe-max-size`` pipe, a busy second thread, the 2-core machine). A pipe (made as
large as the system allows, :func:`widen`) still works, one ``os.readv`` at a time.
``Outbox`` writes from a thread of its own, so that the sender goes on working meanwhile.
Object columns holding long runs of one object are pickled as runs (``_RunPickler``).
``tests/unit/clean/test_part_pipe.py`` sends frames of every column type through both.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import queue
import socket
import stat
import threading
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from analysis.write.object_runs import RUNS_FROM, object_runs

HEADER = "part"


def channel() -> tuple[int, int]:
    """A connected pair of file descriptors, ``(read end, write end)``: a Unix socket pair,
    else (no ``AF_UNIX``) a pipe widened by :func:`widen`. Both inheritable by ``pass_fds``."""
    if hasattr(socket, "AF_UNIX"):
        reader, writer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        return reader.detach(), writer.detach()
    read_fd, write_fd = os.pipe()
    widen(read_fd)
    return read_fd, write_fd


def widen(fd: int) -> None:
    """Make the pipe of ``fd`` as large as an unprivileged process may (Linux; elsewhere and
    when refused the pipe stays as it is)."""
    fcntl = _fcntl()
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return
    try:
        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as f:
            size = int(f.read())
    except (OSError, ValueError):
        size = 2**20
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)


def _fcntl() -> Any:
    try:
        import fcntl
    except ImportError:  # not POSIX
        return None
    return fcntl


def pickled(obj: object) -> list[memoryview]:
    """``obj`` pickled with protocol 5: the pickle, then each array's bytes (not copied: the
    views keep the arrays alive), for :func:`write`. Object columns in long runs of one
    object go as runs (:class:`_RunPickler`)."""
    buffers: list[pickle.PickleBuffer] = []
    out = io.BytesIO()
    _RunPickler(out, protocol=5, buffer_callback=buffers.append).dump(obj)
    return [out.getbuffer(), *(b.raw() for b in buffers)]


_PER_RUN = 64  # a row whose object changes more often than once per 64 cells is sent as before


class _RunPickler(pickle.Pickler):
    """An object array (a 1-D column or a 2-D block of columns, C-contiguous) whose rows hold
    long runs of one object, pickled as each run's object and length. A table's source columns
    are such runs (one file name, one sheet, one source name for each source's rows):
    NumPy pickles an object array cell by cell, 0.9 s to pickle and 0.85 s to unpickle the
    exposures of a million patients, 0.5 s and 0.35 s as runs. Runs are told by the cells'
    object addresses (identity: the very objects come out, of any type, NaN and None apart);
    a row with more than one run per 64 cells is pickled as before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain: set[int] = set()  # rows found without runs: pickled as before, not again

    def reducer_override(self, obj: Any) -> Any:
        if (
            id(obj) in self._plain
            or type(obj) is not np.ndarray
            or obj.dtype != object
            or obj.ndim not in (1, 2)
            or obj.shape[-1] < RUNS_FROM
            or not obj.flags.c_contiguous
        ):
            return NotImplemented
        rows = list(obj.reshape(1, -1) if obj.ndim == 1 else obj)
        runs = [object_runs(row, _PER_RUN) for row in rows]
        if all(r is None for r in runs):
            return NotImplemented
        self._plain.update(id(row) for row, r in zip(rows, runs, strict=True) if r is None)
        return _from_runs, (
            obj.shape,
            [r if r is not None else row for r, row in zip(runs, rows, strict=True)],
        )


def _from_runs(shape: tuple[int, ...], rows: list[Any]) -> np.ndarray:
    """The object array :class:`_RunPickler` pickled: each row from its runs or as it was."""
    out = np.empty(shape, dtype=object)
    by_row = out.reshape(1, -1) if len(shape) == 1 else out
    for i, row in enumerate(rows):
        by_row[i] = np.repeat(*row) if isinstance(row, tuple) else row
    return out


def write(conn: Connection, views: list[memoryview]) -> None:
    """What :func:`pickled` gave, written to ``conn``'s pipe: the header ``("part", sizes)``,
    then the bytes (``os.write`` releases the interpreter lock while the pipe is full)."""
    conn.send((HEADER, [v.nbytes for v in views]))
    fd = conn.fileno()
    for view in views:
        while view.nbytes:
            view = view[os.write(fd, view) :]


class Outbox:
    """Messages and parts written to ``conn`` by a thread of their own, in the order given, so
    that the sender goes on working while the other process reads (a part is pickled by the
    caller, :func:`pickled`; only the writing waits). A failed write (the other end gone) is
    raised by the next ``send``, ``part`` or ``close``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._write, name="part_pipe.Outbox", daemon=True)
        self._thread.start()

    def send(self, message: object) -> None:
        """A message (``Connection.send``), after those given before."""
        self._raise()
        self._queue.put(("message", message))

    def part(self, obj: object) -> None:
        """``obj`` pickled here, written after the messages and parts given before."""
        self._raise()
        self._queue.put(("part", pickled(obj)))

    def close(self) -> None:
        """Everything given written, then ``conn`` closed (also when a write failed)."""
        self._queue.put(None)
        self._thread.join()
        self._conn.close()
        self._raise()

    def _raise(self) -> None:
        if self._failed is not None:
            raise self._failed

    def _write(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failed is not None:
                continue  # dropped: the pipe is broken
            kind, value = item
            try:
                if kind == "part":
                    write(self._conn, value)
                else:
                    self._conn.send(value)
            except BaseException as exc:
                self._failed = exc


def receive(conn: Connection, sizes: list[int]) -> Any:
    """The object whose header ``("part", sizes)`` was just received from ``conn``.

    Raises
    ------
    EOFError
        The pipe ended before all the bytes came.
    """
    fd = conn.fileno()
    fill = _fill_from_socket if stat.S_ISSOCK(os.fstat(fd).st_mode) else _fill_from_pipe
    buffers = [np.empty(size, dtype=np.uint8).data for size in sizes]  # faulted in as filled
    for buffer in buffers:
        fill(fd, buffer)
    return pickle.loads(buffers[0], buffers=buffers[1:])


def _fill_from_socket(fd: int, view: memoryview) -> None:
    """``view`` filled from socket ``fd``: one call, the lock released until all came (a
    signal or the end of the stream cuts it short: called again, or said)."""
    sock = socket.socket(fileno=fd)
    try:
        sock.settimeout(None)  # blocking, whatever ``socket.setdefaulttimeout`` says
        while view.nbytes:
            got = sock.recv_into(view, view.nbytes, socket.MSG_WAITALL)
            _said_if_ended(got, view)
            view = view[got:]
    finally:
        sock.detach()  # the descriptor stays the connection's


def _fill_from_pipe(fd: int, view: memoryview) -> None:
    """``view`` filled from pipe ``fd``, one ``os.readv`` (at most a pipe's size) at a time."""
    while view.nbytes:
        got = os.readv(fd, [view])
        _said_if_ended(got, view)
        view = view[got:]


def _said_if_ended(got: int, view: memoryview) -> None:
    if not got:
        raise EOFError(f"the pipe ended {view.nbytes} bytes before the end of a part")


__all__ = ["HEADER", "Outbox", "channel", "pickled", "receive", "widen", "write"]
