"""The files of an earlier whole run that this run no longer writes.

A run with no claims file left the previous run's ``claims_check.csv``, with its FAIL, beside a
report and a manifest that no longer mention it; a table or figure dropped from the plan left its
files the same way. The previous run's ``manifest.json`` lists what it wrote, with each file's
SHA-256: after the new outputs are in place, a file it lists inside the reports folder that this
run did not write is removed when it is still the file that run wrote, and kept, with a warning,
when it has changed since (someone edited it: it is theirs). Nothing outside the reports folder
is touched, nor any file no manifest lists (notebooks, the user's own files).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from analysis.clean.read import sha256_file
from analysis.report.manifest import MANIFEST_NAME


def earlier_outputs(reports_dir: Path, study: str) -> dict[Path, str]:
    """The files the previous run of ``study`` lists in its manifest inside ``reports_dir`` ->
    their SHA-256; empty when there is no readable manifest, or it is another study's (two
    studies writing one folder: neither removes the other's files)."""
    folder = Path(reports_dir).resolve()
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        listed = manifest["outputs"]
        if manifest["study"]["name"] != study:
            return {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    out: dict[Path, str] = {}
    if not isinstance(listed, dict):
        return out
    for name, entry in listed.items():
        path = (folder / str(name)).resolve()
        sha = entry.get("sha256") if isinstance(entry, dict) else None
        if isinstance(sha, str) and path.is_relative_to(folder) and path != folder:
            out[path] = sha
    return out


def remove_leftovers(
    earlier: dict[Path, str], written: Iterable[Path]
) -> tuple[list[Path], list[Path]]:
    """Remove the files of ``earlier`` (``earlier_outputs``) not in ``written`` and unchanged
    since; returns (removed, kept because changed)."""
    now = {Path(p).resolve() for p in written}
    removed, changed = [], []
    for path, sha in sorted(earlier.items()):
        if path in now or not path.is_file():
            continue
        if sha256_file(path) != sha:
            changed.append(path)
            continue
        try:
            path.unlink()
        except OSError:
            changed.append(path)
            continue
        removed.append(path)
    return removed, changed


def leftovers_words(removed: list[Path], changed: list[Path], reports_dir: Path) -> str | None:
    """What was done with the earlier run's files, in one sentence each; None when nothing."""
    folder = Path(reports_dir).resolve()

    def names(paths: list[Path]) -> str:
        return ", ".join(p.relative_to(folder).as_posix() for p in paths)

    said = []
    if removed:
        said.append(f"removed the earlier run's files this run no longer writes: {names(removed)}.")
    if changed:
        said.append(
            f"left in {folder} files of an earlier run that this run no longer writes and that "
            f"were changed after it (or could not be removed): {names(changed)}. They do not "
            "describe this run; remove them or move them elsewhere."
        )
    return " ".join(said) or None


__all__ = ["earlier_outputs", "leftovers_words", "remove_leftovers"]
