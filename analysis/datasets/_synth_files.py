"""Which files of a raw folder ``retro synth`` wrote: ``.synthetic-manifest.json`` beside them.

``retro synth`` replaces only files it wrote itself. It records the name and SHA-256 of every
file it writes in ``<raw folder>/.synthetic-manifest.json``; a file already in the folder is its
own when the manifest lists it with the same hash, or when it holds exactly the bytes synth is
about to write. Any other file (a real export copied in, a synthetic file edited by hand) is
foreign, and synth then writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from analysis.errors import ConfigError
from analysis.synthetic import TWIN_MANIFEST
from analysis.write.output_errors import STAGING_PREFIX

MANIFEST = TWIN_MANIFEST
#: Files an operating system leaves in folders by itself; never data.
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_files(folder: Path) -> dict[str, Path]:
    """Files under ``folder`` by POSIX path relative to it (not the manifest, staging folders
    or files the operating system leaves)."""
    if not folder.is_dir():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(STAGING_PREFIX) for part in rel.parts):
            continue
        if path.is_dir() and not path.is_symlink():
            continue
        if rel.as_posix() == MANIFEST or path.name in SYSTEM_FILES:
            continue
        out[rel.as_posix()] = path
    return out


def recorded(folder: Path) -> dict[str, str]:
    """``{file: sha256}`` of the manifest in ``folder`` (empty without one or if unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def foreign_files(folder: Path, new: dict[str, Path]) -> list[tuple[str, str]]:
    """Files in ``folder`` synth did not write, with why: ``(name, reason)``. ``new`` maps the
    names synth is about to write to the staged files holding their bytes."""
    mine = recorded(folder)
    out = []
    for name, path in folder_files(folder).items():
        if path.is_symlink() or not path.is_file():
            out.append((name, "not a regular file"))
            continue
        digest = sha256(path)
        if mine.get(name) == digest:
            continue
        if name in new and sha256(new[name]) == digest:
            continue
        reason = "changed since synth wrote it" if name in mine else "not written by synth"
        out.append((name, reason))
    return out


def remove_unlisted(folder: Path, earlier: dict[str, str], new: dict[str, Path]) -> list[str]:
    """Remove the files synth wrote in ``folder`` before (``earlier``: the old manifest) that it
    did not write now (``new``), each only while it holds the bytes synth wrote; the names
    removed. Folders left empty by them are removed too."""
    removed = []
    for name, digest in sorted(earlier.items()):
        path = folder / name
        if name in new or path.is_symlink() or not path.is_file() or sha256(path) != digest:
            continue
        path.unlink()
        removed.append(name)
        parent = path.parent
        while parent != folder and parent.is_relative_to(folder) and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return removed


def manifest_text(study: str, files: Iterable[tuple[str, Path]]) -> str:
    """The manifest of the files synth wrote (``(name, staged path)``), deterministic."""
    body = {
        "written_by": "retro synth",
        "study": study,
        "files": {name: sha256(path) for name, path in sorted(files)},
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def refusal(folder: Path, study: str, foreign: list[tuple[str, str]]) -> ConfigError:
    shown = "; ".join(f"{name} ({reason})" for name, reason in foreign[:20])
    more = f"; and {len(foreign) - 20} more" if len(foreign) > 20 else ""
    return ConfigError(
        f"retro synth: the raw folder {folder} of study {study!r} holds {len(foreign)} file(s) "
        f"that synth did not write: {shown}{more}. Synth writes nothing there, so that no real "
        f"export is ever overwritten (there is no option to force it). If these are real "
        f"exports, keep them and point a study file that says `synthetic: false` at them; to "
        f"regenerate the synthetic twin here, first move them out of {folder} (e.g. into a "
        f"folder of their own), then rerun."
    )


__all__ = [
    "MANIFEST",
    "folder_files",
    "foreign_files",
    "manifest_text",
    "recorded",
    "refusal",
    "remove_unlisted",
]
