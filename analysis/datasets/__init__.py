"""Synthetic twins of the shipped studies; not imported by the pipeline stages.

Each twin is a module named like its study (``analysis.datasets.<study.name>``) with
``build_twin(config)`` and ``write_twin(config, out_dir=None)``: a deterministic, deliberately
messy raw export whose analysis reproduces the study's published numbers. ``write_twin`` here
finds the module of a study and refuses a study whose file does not say ``synthetic: true``, and
a raw folder holding any file it did not write itself (``_synth_files``), so a real raw export
is never overwritten; the files appear all at once (``analysis.write.staging``).
``write_scaled_twin`` writes the reference twin replicated to any number of patients into a
folder of the user's (``_scaled``), with a study file pointing at it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from analysis.errors import ConfigError

T = TypeVar("T")

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig


def shipped_twins() -> list[str]:
    """Study names that have a synthetic twin."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def twin_module(config: StudyConfig) -> ModuleType:
    """The twin module of ``config``'s study; ``ConfigError`` when there is none or the study is
    not synthetic."""
    name = config.study.name
    if not config.study.synthetic:
        raise ConfigError(
            f"study {name!r} says `synthetic: false` (or nothing): `retro synth` would overwrite "
            f"its raw export under {config.paths.raw}. Synthetic twins are only written for "
            "studies marked `synthetic: true`."
        )
    if name not in shipped_twins():
        raise ConfigError(
            f"no synthetic twin for study {name!r}; twins exist for {shipped_twins()}. A twin is "
            "a module analysis/datasets/<study name>.py with build_twin and write_twin."
        )
    return importlib.import_module(f"{__name__}.{name}")


def build_twin(config: StudyConfig) -> Any:
    """The twin of ``config``'s study (raw frames and the clean truth), built in memory."""
    return twin_module(config).build_twin(config)


def write_twin(config: StudyConfig, out_dir: Path | None = None) -> list[Path]:
    """Write the raw files of ``config``'s synthetic twin (under ``paths.raw`` by default) and
    ``.synthetic-manifest.json`` naming them with their hashes.

    Raises
    ------
    ConfigError
        When the study is not synthetic, has no twin, or its folder holds a file synth did not
        write (listed); nothing is written then.
    """

    module = twin_module(config)
    folder = Path(out_dir) if out_dir is not None else config.raw_dir

    def write(staged: Path) -> None:
        from analysis.datasets import _synth_files as files

        module.write_twin(config, staged)
        unread = sorted({s.file for s in config.sources} - set(files.folder_files(staged)))
        if unread:  # e.g. a scaled twin's study file, whose sources are CSV copies of sheets
            raise ConfigError(
                f"retro synth: the twin of {config.study.name!r} writes "
                f"{sorted(files.folder_files(staged))}, but {config.path} reads {unread}, which "
                "it would leave as they are; nothing was written. `retro synth` writes the "
                "files of the shipped study file; a scaled twin is rewritten by `retro synth "
                "<shipped study file> --patients N --out FOLDER`."
            )

    new, _ = _write_raw_folder(config, folder, write)
    return sorted(folder / name for name in new)


def _write_raw_folder(
    config: StudyConfig, folder: Path, write: Callable[[Path], T]
) -> tuple[dict[str, Path], T]:
    """``write`` the raw files into a staged copy of ``folder``, then put them in place with
    ``.synthetic-manifest.json`` naming them with their hashes (the manifest last). Gives the
    files written and what ``write`` returned.

    Raises
    ------
    ConfigError
        ``folder`` holds a file synth did not write (listed); nothing is written then.
    """
    from analysis.datasets import _synth_files as files
    from analysis.write.staging import Staging

    staging = Staging({"paths.raw": folder})
    try:
        staging.open()
        staged = staging.staged("paths.raw")
        made = write(staged)
        new = files.folder_files(staged)
        foreign = files.foreign_files(folder, new)
        if foreign:
            raise files.refusal(folder, config.study.name, foreign)
        earlier = files.recorded(folder)  # what synth wrote there before, by the old manifest
        text = files.manifest_text(config.study.name, new.items())
        (staged / files.MANIFEST).write_text(text, encoding="utf-8", newline="\n")
        staging.commit(last=[folder / files.MANIFEST])
    finally:
        staging.discard()
    # synth's own files of an earlier run not written now (another --format, another study)
    # would be left out of the new manifest and then refused as "not written by synth"
    files.remove_unlisted(folder, earlier, new)
    return new, made


def write_scaled_twin(
    config: StudyConfig, folder: Path, *, patients: int, fmt: str = "csv"
) -> tuple[Path, dict[str, int]]:
    """Write ``config``'s twin scaled to ``patients`` patient ids under ``folder``: the raw files
    in ``folder/raw`` (with ``.synthetic-manifest.json``) and the study file
    ``folder/studies/<study>.yaml`` pointing at them (see ``analysis.datasets._scaled``).

    Returns
    -------
    (study file, {file or file:sheet: data rows written})

    Raises
    ------
    ConfigError
        As :func:`write_twin`; also when ``folder`` is or touches the study's own data or output
        folders, when ``fmt`` is not csv/xlsx, or a sheet would pass Excel's row limit.
    """
    from analysis.datasets import _scaled as scaled
    from analysis.write.atomic import write_bytes_atomic

    if fmt not in ("csv", "xlsx"):
        raise ConfigError(f"retro synth --format must be csv or xlsx; found {fmt!r}.")
    twin_module(config)
    folder = Path(folder)
    scaled.refuse_shipped_folder(config, folder)
    tables = scaled.reference_tables(config, fmt="xlsx" if fmt == "xlsx" else "csv")
    study_file = folder / "studies" / f"{config.study.name}.yaml"
    scaled.refuse_foreign_study_file(study_file)
    reference = scaled.reference_patients(tables, config)
    scaled.refuse_beyond_disk(config, folder, patients, len(reference))
    plan = scaled.plan_copies(reference, patients)
    scaled.refuse_too_few(tables, reference, patients)
    raw = folder / "raw"
    _, rows = _write_raw_folder(
        config, raw, lambda staged: scaled.write_tables(tables, plan, staged)
    )
    study_file.parent.mkdir(parents=True, exist_ok=True)
    study_text = scaled.scaled_study_text(config, tables, patients)
    write_bytes_atomic(study_file, study_text.encode("utf-8"))
    return study_file, rows


__all__ = ["build_twin", "shipped_twins", "twin_module", "write_scaled_twin", "write_twin"]
