"""Helpers of the folder and interrupt cases: a small study with a finished run, the state of its
folders (every file hashed), leftovers, and the console script in a fresh process."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import MINI_FILES, MINI_YAML

WORKTREE = Path(__file__).resolve().parents[2]


def write_mini(root: Path) -> Path:
    """The conftest's mini study under ``root`` (raw/, studies/mini.yaml); its path."""
    (root / "raw").mkdir(parents=True, exist_ok=True)
    for name, text in MINI_FILES.items():
        (root / "raw" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "studies").mkdir(exist_ok=True)
    path = root / "studies" / "mini.yaml"
    path.write_text(MINI_YAML, encoding="utf-8")
    return path


def copy_study(done: Path, root: Path) -> Path:
    """A copy of the finished study folder ``done`` at ``root``; the copy's study file."""
    shutil.copytree(done, root, symlinks=True)
    return root / "studies" / "mini.yaml"


def tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` by relative path (hidden ones included)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(root: Path) -> list[str]:
    """Staging folders and temporary files of an atomic write anywhere under ``root``."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.name.startswith(".retro-staging-") or ".tmp-" in p.name
    )


def consistent(reports: Path) -> list[str]:
    """What differs between ``reports`` and its manifest (empty: every file the manifest lists
    has its hash, and every file of the folder is listed)."""
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    listed = manifest["outputs"]
    problems = []
    for rel, entry in listed.items():
        path = (reports / rel).resolve()
        if not path.is_file():
            problems.append(f"missing {rel}")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            problems.append(f"hash of {rel}")
    for rel in tree(reports):
        if rel not in listed and rel not in ("manifest.json", "retro-error.log"):
            problems.append(f"not listed {rel}")
    return problems


def console_script(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    new_session: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``retro *args`` (the installed entry point, ``analysis.run.cli:main``) in a fresh process."""
    code = (
        "import sys; from analysis.run.cli import main; sys.argv = ['retro', *sys.argv[1:]]; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=child_env(env),
        timeout=timeout,
        check=False,
        start_new_session=new_session,
    )


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment with the worktree first on ``PYTHONPATH`` (so ``tests`` imports)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(WORKTREE), *filter(None, [env.get("PYTHONPATH", "")])])
    env.update(extra or {})
    return env


def flat(text: str) -> str:
    return " ".join(text.split())
