"""``keep_freed_memory``: on glibc, a freed 100 MB array stays in the heap for reuse."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from analysis.run.memory import keep_freed_memory

_PROBE = """
import ctypes, sys
import numpy as np
from analysis.run.memory import keep_freed_memory

class Info(ctypes.Structure):  # struct mallinfo2, glibc >= 2.33
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
agreed = keep_freed_memory() if sys.argv[1] == "keep" else False
a = np.ones(100 * 2**20, dtype=np.uint8)
mapped = libc.mallinfo2().hblkhd  # bytes held in separate mmap'ed blocks
del a
print(agreed, mapped >= 100 * 2**20, libc.mallinfo2().fordblks >= 100 * 2**20)
"""

glibc = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
    reason="mallopt/mallinfo2 are glibc's",
)


def _probe(mode: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return done.stdout.split()


@glibc
def test_freed_big_array_is_kept_in_the_heap() -> None:
    assert _probe("keep") == ["True", "False", "True"]  # not mmap'ed; kept after free


@glibc
def test_default_allocator_maps_and_returns_big_arrays() -> None:
    # the behaviour the setting changes: without it the array is its own mapping, given back
    assert _probe("default") == ["False", "True", "False"]


@glibc
def test_turned_off_by_the_environment() -> None:
    assert _probe("keep", RETRO_KEEP_FREED_MEMORY="0") == ["False", "True", "False"]


def test_does_nothing_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert keep_freed_memory() is False
