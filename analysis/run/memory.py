"""Freed memory kept for reuse by the ``retro`` command (glibc's allocator, Linux).

glibc serves every allocation above its mmap threshold (at most 32 MB; one column of the 7.4M
exposure rows of a million-patient registry is 59 MB) from a fresh ``mmap`` and gives it back
to the system when it is freed, so each of the hundreds of temporary columns of a large run
has its pages faulted in and zeroed again by the kernel. Measured on the 1M-patient scaled
twin (``retro synth --patients 1000000``), cleaning alone: 105 s wall, 27 s of it in the
kernel, peak 5.4 GB; with ``M_MMAP_MAX = 0`` (no allocation by ``mmap``) and freed memory kept
up to 1 GiB above the top of the heap (``M_TRIM_THRESHOLD``): 78 s wall, 9 s in the kernel,
peak 5.5 GB. Raising only the thresholds did not help (97 s, 28 s in the kernel): the big
columns are above any threshold glibc accepts.

Only the console command sets this, in a process it owns from start to end; importing the
package (e.g. in Jupyter) changes nothing. Elsewhere (macOS, Windows, musl) it does nothing.
``RETRO_KEEP_FREED_MEMORY=0`` turns it off. The second process the clean stage may start for
large studies (``analysis.clean.two_process``) asks for the same when the command did.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # mallopt parameters, <malloc.h>
_M_MMAP_MAX = -4
TRIM_BYTES = 1 << 30
_kept = False  # set once glibc agreed (a second process of the clean stage asks for the same)


def keep_freed_memory() -> bool:
    """Ask glibc to allocate from its heap and keep freed memory; True when it agreed."""
    if sys.platform != "linux" or os.environ.get("RETRO_KEEP_FREED_MEMORY", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    global _kept
    _kept = bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES)) and bool(mallopt(_M_MMAP_MAX, 0))
    return _kept


def freed_memory_kept() -> bool:
    """Whether :func:`keep_freed_memory` was asked for in this process and glibc agreed."""
    return _kept


__all__ = ["TRIM_BYTES", "freed_memory_kept", "keep_freed_memory"]
