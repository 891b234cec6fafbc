"""One notebook executed by papermill, in this process (its kernel a child process), what the
kernel prints caught in a log; executed again when papermill failed before the kernel ran any
cell, at most :data:`KERNEL_TRIES` times in all.

A kernel can die at start: ``retro notebooks`` runs notebooks side by side in worker
processes, and jupyter_client's cache of the ports it hands out is per process, so two kernels
started at the same moment can pick the same port (``ZMQError: Address already in use``, then
"Kernel died before replying to kernel_info"). Nothing ran, so running it again is safe; a
failure after a cell ran is the notebook's and is reported at once.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

#: Executions of a notebook whose kernel ran no cell before the failure is reported.
KERNEL_TRIES = 3


def executed(
    path: Path, out_nb: Path, *, parameters: dict[str, Any], kernel: str, timeout: float
) -> tuple[int, str]:
    """``path`` executed by papermill into ``out_nb`` (``timeout`` seconds a cell): the return
    code (0, or 1 on a failure) and the log, which says when it was started again."""
    earlier = ""  # what the tries whose kernel never ran a cell said
    for attempt in range(1, KERNEL_TRIES + 1):
        returncode, log = _papermill(
            path, out_nb, parameters=parameters, kernel=kernel, timeout=timeout
        )
        if returncode == 0 or attempt == KERNEL_TRIES or ran_a_cell(out_nb):
            break
        earlier += f"try {attempt} of {KERNEL_TRIES}: no cell ran; started again\n{log}\n"
    return returncode, earlier + log


def _papermill(
    path: Path,
    out_nb: Path,
    *,
    parameters: dict[str, Any],
    kernel: str,
    timeout: float,
) -> tuple[int, str]:
    """One papermill execution of ``path`` into ``out_nb``: ``(returncode, log)``, the log
    being what the kernel printed and, on a failure (a cell raised, the kernel died or did not
    start, a timeout), the exception."""
    import papermill

    returncode, failure = 0, ""
    with tempfile.TemporaryFile() as log_file, _output_to(log_file):
        try:
            papermill.execute_notebook(
                str(path),
                str(out_nb),
                parameters=parameters,
                kernel_name=kernel,
                cwd=str(path.parent),
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
            )
        except Exception as exc:  # noqa: BLE001 - a cell raised, the kernel died, a timeout
            returncode, failure = 1, f"{type(exc).__name__}: {exc}\n"
        log_file.seek(0)
        return returncode, log_file.read().decode("utf-8", "replace") + failure


def ran_a_cell(out_nb: Path) -> bool:
    """Whether the executed copy shows a code cell that ran (an execution count): False when
    papermill failed before the kernel ran anything (e.g. its kernel died before replying,
    a port taken by another kernel started at the same moment)."""
    import nbformat

    if not out_nb.is_file():
        return False
    notebook = nbformat.read(out_nb, as_version=4)
    return any(
        c.cell_type == "code" and c.get("execution_count") is not None for c in notebook.cells
    )


@contextmanager
def _output_to(file: IO[bytes]) -> Iterator[None]:
    """This process's stdout and stderr file descriptors (and so those of the kernels it
    starts) write to ``file`` inside the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


__all__ = ["KERNEL_TRIES", "executed", "ran_a_cell"]
