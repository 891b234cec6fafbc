"""Provenance manifest: which inputs, code and environment produced which outputs.

``write_manifest(study, outputs, command)`` writes ``reports/<study>/manifest.json`` with

- ``inputs``: every raw file the study config reads (each file once, however many sources or
  sheets point at it), by path relative to the repository root, with its SHA-256, size and the
  source names that read it;
- ``config`` and ``claims``: path and SHA-256 of the study YAML and of its claims file
  (``claims`` is ``null`` when the study has none);
- ``engine``: where the counts ran, ``duckdb`` or ``spark`` (the study file's ``engine.backend``,
  or spark when the study was given a SparkSession);
- ``packages``: versions of Python and of the packages every number depends on (``null`` for a
  package that is not installed; pyspark when the counts ran on Spark);
- ``git``: ``commit`` (``git rev-parse HEAD``) and ``dirty`` (``git status --porcelain`` is not
  empty) of the checkout holding the study; both ``null`` outside a git checkout or without git;
- ``command``: the command that produced the outputs, as given;
- ``outputs``: SHA-256 and size of every output, by path relative to the reports folder (for a
  run staged by ``analysis.write.staging``: the paths the files are moved to);
- ``suppress_below``: the ``k`` of small-cell suppression the outputs were written under
  (``null``: not suppressed), so that a later command writing into the folder can say that it
  replaces or mixes them (``analysis.run.folder_mode``).

The file is deterministic: no timestamps, no absolute paths (inside the repository), keys sorted,
two-space indent. The same inputs, code and outputs give a byte-identical manifest, so two runs
can be compared with ``diff`` or by hash.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import platform
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.clean.read import sha256_file
from analysis.errors import PipelineError, SourceError
from analysis.write.atomic import write_text_atomic
from analysis.write.output_errors import final_path

if TYPE_CHECKING:
    from analysis.run.study import Study
    from analysis.studyfile.config import StudyConfig

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
# Manifest key -> installed distribution name.
PACKAGES: dict[str, str] = {
    "pandas": "pandas",
    "numpy": "numpy",
    "scipy": "scipy",
    "statsmodels": "statsmodels",
    "lifelines": "lifelines",
    "ibis": "ibis-framework",
    "duckdb": "duckdb",
    "matplotlib": "matplotlib",
    "seaborn": "seaborn",
    "great_tables": "great-tables",
    "weasyprint": "weasyprint",
    "pyarrow": "pyarrow",
    "pandera": "pandera",
    "retro_analysis": "retro-analysis",
}
_GIT_TIMEOUT_S = 20


def build_manifest(
    study: Study | StudyConfig,
    outputs: Iterable[str | Path],
    command: str,
    *,
    suppress_below: int | None = None,
) -> dict[str, Any]:
    """The manifest as a dict (see the module docstring for its fields).

    Parameters
    ----------
    study : a ``Study`` or its ``StudyConfig``.
    outputs : files written by the command; the manifest file itself is left out if listed.
        Paths are recorded relative to the study's reports folder (``../`` for files outside it).
    command : the command line that produced the outputs, e.g.
        ``"retro run studies/my_study.yaml"``. Pass it without absolute paths
        to keep manifests comparable across machines.

    Raises
    ------
    SourceError
        When a raw file the study config names does not exist.
    PipelineError
        When a listed output does not exist.
    """
    config = _config_of(study)
    root = config.root
    reports = final_path(
        config.reports_dir
    )  # where a staged run's files go (analysis.write.staging)
    return {
        "manifest_version": MANIFEST_VERSION,
        "study": {"name": config.study.name, "synthetic": config.study.synthetic},
        "command": command,
        "config": _config_entry(config),
        "claims": _claims_entry(config),
        "inputs": _inputs(config),
        "outputs": _outputs([p for p in outputs if _not_same(p, reports / MANIFEST_NAME)], reports),
        "engine": _engine_of(study, config),
        "packages": package_versions(_engine_of(study, config)),
        "git": git_state(root),
        "suppress_below": suppress_below,
    }


def write_manifest(
    study: Study | StudyConfig,
    outputs: Iterable[str | Path],
    command: str,
    *,
    path: str | Path | None = None,
    suppress_below: int | None = None,
) -> Path:
    """Write ``build_manifest(...)`` to ``path`` (default ``<reports>/manifest.json``)."""
    config = _config_of(study)
    target = Path(path) if path is not None else config.reports_dir / MANIFEST_NAME
    manifest = build_manifest(
        study,
        [p for p in outputs if _not_same(p, target)],
        command,
        suppress_below=suppress_below,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, dumps_manifest(manifest), newline="\n")
    return target


def dumps_manifest(manifest: dict[str, Any]) -> str:
    """The manifest's canonical text: sorted keys, 2-space indent, UTF-8, final newline."""
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _engine_of(study: Any, config: StudyConfig) -> str:
    """Where the counts ran: the study file's ``engine.backend``, or spark when the study was
    given a SparkSession (``Study(config, spark=session)``: its file may say duckdb)."""
    if getattr(study, "_spark", None) is not None:
        return "spark"
    return str(config.engine.backend)


def package_versions(engine: str = "duckdb") -> dict[str, str | None]:
    """Versions of Python and of ``PACKAGES`` (``None`` when not installed), and of pyspark
    when the counts ran on Spark (``engine``); a DuckDB run does not name it."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    used = {**PACKAGES, **({"pyspark": "pyspark"} if engine == "spark" else {})}
    for key, dist in used.items():
        try:
            out[key] = md.version(dist)
        except md.PackageNotFoundError:
            out[key] = None
    return out


def git_state(folder: str | Path) -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the git checkout holding ``folder``.

    Never raises: without git, outside a checkout, or on any git error both values are ``None``.
    """
    unknown: dict[str, Any] = {"commit": None, "dirty": None}
    head = _git(folder, "rev-parse", "--verify", "HEAD")
    if head is None:
        return unknown
    status = _git(folder, "status", "--porcelain")
    return {
        "commit": head.strip() or None,
        "dirty": None if status is None else bool(status.strip()),
    }


# ----------------------------------------------------------------------------- helpers
def _config_of(study: Study | StudyConfig) -> StudyConfig:
    from analysis.studyfile.config import StudyConfig

    return study if isinstance(study, StudyConfig) else study.config


def _git(folder: str | Path, *args: str) -> str | None:
    # GIT_OPTIONAL_LOCKS=0: `git status` must not take the index lock (a concurrent git command
    # in the same checkout would fail or wait).
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` in POSIX form (``../`` allowed); absolute if impossible.

    As the paths are written when ``path`` lies in ``base`` so (``data/raw/...`` for a raw
    folder that is a symbolic link to a secure share: resolving the link wrote the share's
    place on this machine into the manifest and the report, and two machines with the same data
    wrote different bytes), else as the links lead."""
    try:
        lexical = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
        inside = lexical != ".." and not lexical.startswith(".." + os.sep)
        # only when that path leads to the same file: a ``..`` after a link leads elsewhere
        if inside and (Path(base) / lexical).resolve() == path.resolve():
            return Path(lexical).as_posix()
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


def _file_entry(path: Path) -> dict[str, Any]:
    return {"sha256": sha256_file(path), "size_bytes": path.stat().st_size}


def _config_entry(config: StudyConfig) -> dict[str, Any] | None:
    if config.path is None:
        return None
    return {"path": _relative(config.path, config.root), "sha256": config.sha256()}


def _claims_entry(config: StudyConfig) -> dict[str, Any] | None:
    from analysis.report.claims import claims_path_for

    if config.path is None:
        return None
    claims = claims_path_for(config.path)
    if not claims.is_file():
        return None
    return {"path": _relative(claims, config.root), "sha256": sha256_file(claims)}


def _inputs(config: StudyConfig) -> dict[str, Any]:
    by_file: dict[Path, list[str]] = {}  # the file read (links followed) -> its sources
    given: dict[Path, Path] = {}  # -> the path the study file names it by
    for source in config.sources:
        named = config.source_path(source)
        by_file.setdefault(named.resolve(), []).append(source.name)
        given.setdefault(named.resolve(), named)
    out: dict[str, Any] = {}
    for path, names in by_file.items():
        if not path.is_file():
            raise SourceError(
                f"manifest: input file {path} (sources {names}) does not exist; run the pipeline "
                f"on the files the study config names before writing the manifest."
            )
        shown = _relative(given[path], config.root)
        out[shown] = {**_file_entry(path), "sources": sorted(names)}
    return dict(sorted(out.items()))


def _outputs(outputs: Iterable[str | Path], reports: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in outputs:
        path = Path(item)
        if not path.is_file():
            raise PipelineError(
                f"manifest: output {path} does not exist; list only the files the command wrote."
            )
        out[_relative(final_path(path), reports)] = _file_entry(path)
    return dict(sorted(out.items()))


def _not_same(item: str | Path, target: Path) -> bool:
    return Path(item).resolve() != target.resolve()
