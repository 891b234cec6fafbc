"""Write a file whole or not at all: into a temporary name beside it, then ``os.replace``.

An interrupted run (an error, Ctrl-C, a full disk) then leaves the previous output intact and no
half-written file beside it; the rename is atomic on the same file system. Every output file of
the toolkit is written through ``atomic_path`` (or the helpers below).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success it replaces ``target``.

    The temporary name keeps the suffix (writers that choose a format by suffix still work) and
    starts with a dot; on any exception it is removed and the exception propagates. An
    ``OSError`` about the temporary file (or about no file: a full disk reported by a writer)
    is raised as the same error about ``target``, so that a message names the real output.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(
        f".{target.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}{target.suffix}"
    )
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if exc.filename is None or Path(str(exc.filename)) == tmp:
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(target: str | Path, text: str, *, newline: str | None = None) -> Path:
    """``Path.write_text(text, encoding="utf-8")``, atomically."""
    target = Path(target)
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as fh:
        fh.write(text)
    return target


def write_bytes_atomic(target: str | Path, data: bytes) -> Path:
    """``Path.write_bytes(data)``, atomically."""
    target = Path(target)
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
    return target


def write_atomic(target: str | Path, writer: Callable[[Path], Any]) -> Path:
    """``writer(path)`` writes the file at ``path``; here it writes ``target`` atomically, e.g.
    ``write_atomic(out / "flow.csv", lambda p: frame.to_csv(p, index=False))``."""
    target = Path(target)
    with atomic_path(target) as tmp:
        writer(tmp)
    return target
