"""Outputs written whole or not at all: staged in a hidden folder, then moved into place.

A command first writes every output into ``<folder>/.retro-staging-<pid>-<hex>/`` inside each
output folder (``paths.processed`` and ``paths.reports``; ``paths.raw`` for ``retro synth``),
with the folder's own layout. Only when every file is written does ``commit`` move them into
place, the manifest last. Before the first move every target is checked (a file where a folder
should be, a folder where a file should go, a folder that cannot be written), so the moves, plain
renames on one file system, do not stop half-way for those reasons. While it runs, a command
holds a lock on each output folder (``folder_lock``): a second command on the same folders
stops at once instead of mixing its outputs with the first one's. An error or Ctrl-C before
the commit removes the staging folders: the previous outputs stand, unchanged. Ctrl-C during
the commit waits for its end (a fraction of a second): the new outputs are then complete. A
Ctrl-C that a library caught (``analysis.write.interrupts``) stops the commit before any move.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import PipelineError
from analysis.write import interrupts
from analysis.write.folder_lock import FolderLock
from analysis.write.output_errors import STAGING_PREFIX, final_path, output_error

if TYPE_CHECKING:
    from analysis.run.study import Study
    from analysis.studyfile.config import StudyConfig


class Staging:
    """The staging folders of one command, by config key (``paths.reports``: its folder)."""

    def __init__(self, folders: Mapping[str, Path]) -> None:
        self.token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.finals = {key: Path(folder) for key, folder in folders.items()}
        self.committed = False
        self._made: list[Path] = []
        self._new_folders: list[Path] = []  # output folders (and parents) made by open()
        self._locks: list[FolderLock] = []  # one command at a time per folder (folder_lock)

    def open(self) -> Staging:
        """Create each output folder (if missing) and its staging folder inside it; a folder
        that cannot hold them is a located ``PipelineError`` before any work is done. Output
        folders made here are removed again (when empty) unless the outputs are committed."""
        for key, final in self.finals.items():
            staged = self.staged(key)
            self._made.append(staged)  # first: an interrupt right after the mkdir removes it
            missing = [p for p in (final, *final.parents) if not os.path.lexists(p)]
            self._new_folders += missing
            try:
                final.mkdir(parents=True, exist_ok=True)
                lock = FolderLock(final, key)
                lock.acquire()  # another command writing this folder: stop before any work
                self._locks.append(lock)
                _remove_abandoned(final)
                staged.mkdir()
            except PipelineError:
                self._made.pop()
                self.discard()
                raise
            except OSError as exc:
                self._made.pop()
                self.discard()
                raise output_error(exc, self.finals, action="creating the output folder") from None
        return self

    def staged(self, key: str) -> Path:
        """The staging folder of the output folder ``key``."""
        return self.finals[key] / f"{STAGING_PREFIX}{self.token}"

    def files(self) -> list[tuple[Path, Path]]:
        """``(staged file, its final path)`` of every file written so far, folder by folder."""
        pairs = []
        for staged in self._made:
            for path in sorted(p for p in staged.rglob("*") if p.is_file() or p.is_symlink()):
                pairs.append((path, final_path(path)))
        return pairs

    def commit(
        self, *, last: Sequence[Path] = (), then: Callable[[], object] | None = None
    ) -> list[Path]:
        """Move every staged file into place (the final paths in ``last`` at the end, in that
        order), call ``then()`` and remove the staging folders; returns the final paths. Ctrl-C
        waits for the end (``then`` runs before it is raised). A target that cannot take its
        file is a located ``PipelineError`` raised before anything moves."""
        if interrupts.noted():  # Ctrl-C that a library caught: the outputs may lack a part
            raise KeyboardInterrupt
        pairs = self.files()
        rank = {Path(p): i for i, p in enumerate(last)}
        pairs.sort(key=lambda pair: rank.get(pair[1], -1))
        _check_targets(pairs, self.finals)
        moved: list[Path] = []
        with deferred_sigint():
            try:
                for staged, final in pairs:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(staged, final)
                    moved.append(final)
                self.committed = True
                if then is not None:
                    then()
            except OSError as exc:
                raise output_error(
                    exc,
                    self.finals,
                    action=f"moving the new outputs into place; {len(moved)} of {len(pairs)} "
                    f"moved, the others are the previous ones",
                    kept=not moved,
                ) from None
            finally:
                self.discard()
        return moved

    def discard(self) -> None:
        """Remove the staging folders and whatever they hold, and the output folders ``open``
        made when nothing was committed (Ctrl-C waits for the end)."""
        with deferred_sigint(reraise=False):
            for staged in self._made:
                shutil.rmtree(staged, ignore_errors=True)
            self._made = []
            for lock in self._locks:  # before the folders: a lock file would keep them
                lock.release()
            self._locks = []
            if not self.committed:
                for folder in sorted(set(self._new_folders), key=lambda p: -len(p.parts)):
                    with contextlib.suppress(OSError):
                        folder.rmdir()  # only when empty
            self._new_folders = []


@contextmanager
def staged(config: StudyConfig, folders: Mapping[str, Path]) -> Iterator[tuple[Any, Staging]]:
    """``(config, staging)``: a copy of ``config`` whose ``paths.<key>`` for each ``folders``
    key (``"paths.reports"``: its folder) is that folder's staging folder. Call
    ``staging.commit()`` at the end of the block; on an exception (or Ctrl-C) the staging
    folders are removed, so the previous outputs stand."""
    staging = Staging(folders)
    update = {key.removeprefix("paths."): str(staging.staged(key)) for key in folders}
    try:
        staging.open()
        yield config.model_copy(update={"paths": config.paths.model_copy(update=update)}), staging
    except BaseException:
        with deferred_sigint(reraise=False):  # a second Ctrl-C does not stop the clean-up
            staging.discard()
        raise
    finally:
        staging.discard()


@contextmanager
def staged_study(study: Study, folders: Mapping[str, Path]) -> Iterator[Staging]:
    """``staged`` for a ``Study``: inside the block its config is the staged one (restored
    after), so whatever it writes goes to the staging folders."""
    original = study.config
    with staged(original, folders) as (config, staging):
        study.config = config
        try:
            yield staging
        finally:
            study.config = original


@contextmanager
def deferred_sigint(*, reraise: bool = True) -> Iterator[None]:
    """Ctrl-C (SIGINT) inside the block waits for its end, then raises ``KeyboardInterrupt``
    (``reraise=False``: is dropped, for clean-up after an interrupt). Outside the main thread
    the block runs as it is (only the main thread receives signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and reraise:
        raise KeyboardInterrupt


def _check_targets(pairs: Sequence[tuple[Path, Path]], finals: Mapping[str, Path]) -> None:
    """Every target can take its file: no folder in its place, no file in place of one of its
    folders, its folder writable."""
    checked: set[Path] = set()
    for _, final in pairs:
        if final.is_dir() and not final.is_symlink():
            raise output_error(
                IsADirectoryError(21, "Is a directory", str(final)),
                finals,
                action="moving the new outputs into place; nothing was moved",
            )
        folder = final.parent
        if folder in checked:
            continue
        checked.add(folder)
        existing = folder
        while not existing.exists():
            if existing.is_symlink():  # a broken link stands where a folder should be
                break
            existing = existing.parent
        if not existing.is_dir():
            raise output_error(
                NotADirectoryError(20, "Not a directory", str(existing)),
                finals,
                action="moving the new outputs into place; nothing was moved",
            )
        if not os.access(existing, os.W_OK | os.X_OK):
            raise output_error(
                PermissionError(13, "Permission denied", str(existing)),
                finals,
                action="moving the new outputs into place; nothing was moved",
            )


def _remove_abandoned(folder: Path) -> None:
    """Remove staging folders left in ``folder`` by a command that was killed (its process no
    longer runs); those of a command still running are left alone."""
    for path in folder.glob(f"{STAGING_PREFIX}*"):
        pid = path.name[len(STAGING_PREFIX) :].split("-")[0]
        if pid.isdigit() and not _running(int(pid)) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows, kill(pid, 0) would send Ctrl-C
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


__all__ = ["STAGING_PREFIX", "Staging", "deferred_sigint", "final_path", "staged", "staged_study"]
