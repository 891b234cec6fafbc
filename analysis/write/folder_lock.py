"""One command at a time writing an output folder.

Each command stages its outputs and moves them into place at its end (``staging``). Two
commands on one study at once (a ``retro run`` in a terminal while a notebook runs ``retro
tables``) each moved their files in, and the folder held a mix of both runs: tables of one,
the manifest of the other, with nothing said. A command now holds a lock on each output
folder from the moment it opens its staging folder until its outputs are in place or
discarded; a second command that finds a folder locked stops at once, saying which folder,
which process holds it and what to do.

The lock is an advisory ``flock`` on ``<folder>/.retro-staging-lock``, a file that exists only
while a command holds it (the kernel releases the lock of a killed process; the file it leaves
is taken over by the next command). On a system without ``fcntl`` (Windows) no lock is taken.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from analysis.errors import PipelineError
from analysis.write.output_errors import STAGING_PREFIX

LOCK_NAME = f"{STAGING_PREFIX}lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class FolderLock:
    """The lock of one output folder (``key``: its study-file key, for the message)."""

    def __init__(self, folder: Path, key: str) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.key = key
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise a ``PipelineError`` naming the command that holds it."""
        if fcntl is None:  # pragma: no cover - Windows
            return
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise PipelineError(self._held_message(holder)) from None
            # the file may have been removed by the command that held it, between our open and
            # our lock: then the lock is on a file nobody else will open; take the new one
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self._fd = fd
                return
            os.close(fd)

    def release(self) -> None:
        """Remove the lock file and let the lock go (again: nothing)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None

    def _held_message(self, holder: str) -> str:
        who = f"process {holder}" if holder else "another process"
        return (
            f"another retro command ({who}) is writing the outputs in {self.path.parent} "
            f"(`{self.key}` of the study file) now: two commands writing one folder at once "
            "would leave a mix of both runs. Nothing was changed. Wait for it to end, then run "
            "this command again."
        )


def _holder(fd: int) -> str:
    """The process id the lock file names ("" when unreadable)."""
    with contextlib.suppress(OSError):
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
        return text if text.isdigit() else ""
    return ""


__all__ = ["LOCK_NAME", "FolderLock"]
