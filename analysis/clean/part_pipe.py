"""A large object through a pipe between the two processes of the clean stage, fast.

``Connection.send_bytes`` of one pickle of a million patients' exposures (500 MB) took about
3.5 s from the second process to the first: the pickle copies every array into one bytes
object, and the receiving ``Connection`` reads a 64 KiB pipe with ``os.read(fd, remaining)``,
which allocates the whole remainder for each 64 KiB it gets. Here the object is pickled with
protocol 5 and its arrays kept out of band (not copied), a header message gives the sizes, and
the bytes follow on the same pipe: written straight from the arrays, read into buffers
allocated once (``os.readv``), through a pipe made as large as the system allows.
``tests/unit/clean/test_part_pipe.py`` sends frames of every column type through a pipe.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from multiprocessing.connection import Connection
from typing import Any

HEADER = "part"


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


def send(conn: Connection, obj: object) -> None:
    """``obj`` pickled (protocol 5, arrays out of band): the header ``("part", sizes)``, then the
    pickle and each array's bytes, written to ``conn``'s pipe."""
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    views = [memoryview(data), *(b.raw() for b in buffers)]
    conn.send((HEADER, [v.nbytes for v in views]))
    fd = conn.fileno()
    for view in views:
        while view.nbytes:
            view = view[os.write(fd, view) :]


def receive(conn: Connection, sizes: list[int]) -> Any:
    """The object whose header ``("part", sizes)`` was just received from ``conn``.

    Raises
    ------
    EOFError
        The pipe ended before all the bytes came.
    """
    fd = conn.fileno()
    buffers = [bytearray(size) for size in sizes]
    for buffer in buffers:
        view = memoryview(buffer)
        while view.nbytes:
            got = os.readv(fd, [view])
            if not got:
                raise EOFError(f"the pipe ended {view.nbytes} bytes before the end of a part")
            view = view[got:]
    return pickle.loads(buffers[0], buffers=buffers[1:])


__all__ = ["HEADER", "receive", "send", "widen"]
