"""Write a file whole or not at all: into a temporary name beside it, then ``os.replace``.

An interrupted run (an error, Ctrl-C, a full disk) then leaves the previous output intact and no
half-written file beside it; the rename is atomic on the same file system.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success it replaces ``target``.

    The temporary name keeps the suffix (writers that choose a format by suffix still work) and
    starts with a dot; on any exception it is removed and the exception propagates.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(
        f".{target.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}{target.suffix}"
    )
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(target: str | Path, text: str, *, newline: str | None = None) -> Path:
    """``Path.write_text(text, encoding="utf-8")``, atomically."""
    target = Path(target)
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as fh:
        fh.write(text)
    return target
