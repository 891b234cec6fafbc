"""An output that cannot be written, said as one paragraph: which path, in which folder of the
study file, what was being done, why it failed and how to fix it.

    cannot write /x/reports/report.pdf (writing the report): no space left on device (the disk
    is full). It lies in `paths.reports` of the study file (/x/reports). Nothing there was
    changed: the previous outputs are kept. To fix it: free space on that disk, or set
    `paths.reports` to a folder on another disk; then rerun.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from pathlib import Path

from analysis.errors import PipelineError

STAGING_PREFIX = ".retro-staging-"  # analysis.write.staging names its folders so

#: errno -> (what happened, how to fix it); ``{path}``, ``{folder}``, ``{key}`` filled in.
_WHY: dict[int, tuple[str, str]] = {
    errno.EACCES: (
        "permission denied ({folder} cannot be written by this user)",
        "make the folder writable (e.g. `chmod -R u+w {folder}`), or set `{key}` to a folder you "
        "can write",
    ),
    errno.EROFS: (
        "the file system holding it is read-only",
        "set `{key}` to a folder on a writable disk",
    ),
    errno.ENOSPC: (
        "no space left on device (the disk is full)",
        "free space on that disk, or set `{key}` to a folder on another disk",
    ),
    errno.EDQUOT: (
        "disk quota exceeded",
        "free space within your quota, or set `{key}` to a folder on another disk",
    ),
    errno.ENOTDIR: (
        "{path} is a file where a folder is needed",
        "move or rename that file (retro does not delete files it did not write), or set "
        "`{key}` to another folder",
    ),
    errno.EISDIR: (
        "{path} is a folder where an output file goes",
        "move or rename that folder (retro does not delete folders it did not write), or set "
        "`{key}` to another folder",
    ),
    errno.ENAMETOOLONG: (
        "the path is too long for the file system",
        "set `{key}` to a folder with a shorter path",
    ),
    errno.ELOOP: (
        "a symbolic link on the way points back to itself",
        "replace that link by a folder, or set `{key}` to another folder",
    ),
}
_WHY[errno.EPERM] = _WHY[errno.EACCES]
_WHY[errno.EEXIST] = _WHY[errno.ENOTDIR]  # mkdir where a file stands


def final_path(path: str | Path) -> Path:
    """``path`` without a staging folder in it (where the staged file is going)."""
    path = Path(path)
    parts = [part for part in path.parts if not part.startswith(STAGING_PREFIX)]
    return Path(*parts) if parts else path


def failed_path(exc: OSError) -> Path | None:
    """The path an ``OSError`` is about: the destination of a rename, else its file."""
    name = exc.filename2 if exc.filename2 is not None else exc.filename
    if name is None or isinstance(name, int):
        return None
    return final_path(name if isinstance(name, str | Path) else Path(str(name)))


def folder_of(path: Path, folders: Mapping[str, Path]) -> tuple[str, Path] | None:
    """The output folder (config key, folder) holding ``path``, or None."""
    best: tuple[str, Path] | None = None
    resolved = _resolved(path)
    for key, folder in folders.items():
        f = _resolved(folder)
        if (resolved == f or resolved.is_relative_to(f) or f.is_relative_to(resolved)) and (
            best is None or len(f.parts) > len(_resolved(best[1]).parts)
        ):
            best = (key, folder)
    return best


def output_error(
    exc: OSError, folders: Mapping[str, Path], *, action: str, kept: bool = True
) -> PipelineError:
    """A located ``PipelineError`` for ``exc``, raised while ``action`` in one of ``folders``
    (config key -> folder). ``kept``: the previous outputs are unchanged (say so)."""
    path = failed_path(exc)
    where = folder_of(path, folders) if path is not None else None
    key, folder = where if where is not None else ("the output folder", path or Path("."))
    code = exc.errno if isinstance(exc.errno, int) else -1
    why, fix = _WHY.get(code, (_reason(exc), "check that folder, or set `{key}` to another one"))
    blocker = path
    if code in (errno.ENOTDIR, errno.EEXIST) and path is not None:
        blocker = _file_in_the_way(path)
    fill = {"path": blocker, "folder": folder, "key": key}
    shown = path if path is not None else folder
    text = (
        f"cannot write {shown} ({action}): {why.format(**fill)}"
        f"{f' [{errno.errorcode[code]}]' if code in errno.errorcode else ''}. "
    )
    if where is not None and path is not None and _resolved(path) == _resolved(folder):
        text += f"It is the folder `{key}` of the study file. "
    elif where is not None:
        text += f"It lies in `{key}` of the study file ({folder}). "
    if kept:
        text += "Nothing there was changed: the previous outputs are kept. "
    return PipelineError(text + f"To fix it: {fix.format(**fill)}; then rerun.")


def _file_in_the_way(path: Path) -> Path:
    """``path`` or the first of its folders that exists as something other than a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists() and not candidate.is_dir():
            return candidate
        if candidate.is_dir():
            break
    return path


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[0].lower() + text[1:] if text else text


def _resolved(path: Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path).absolute()


__all__ = ["failed_path", "final_path", "folder_of", "output_error"]
