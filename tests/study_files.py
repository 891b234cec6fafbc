"""A small study written for a test: its study file under ``studies/`` (paths in it are read from
the project folder, the study file's parent's parent) and its raw files under ``raw/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from analysis.studyfile.config import StudyConfig

ROOT = Path(__file__).resolve().parents[1]

#: the head of a small study: two tables, patients and their sessions (``paths.raw`` = raw)
PATIENTS_AND_SESSIONS = """\
study: {name: mini, title: mini, seed: 1, export_date: 2022-12-31}
paths: {raw: raw, processed: processed, reports: reports}
exposure: {kind: discrete, noun: session}
sources:
  - {name: pats, table: patients, file: patients.csv,
     columns: {patient_id: id, sex: sex, last_visit_date: last_visit}}
  - {name: ses, table: exposures, file: sessions.csv, columns: {patient_id: id, start_date: date}}
"""


def study_in(folder: Path, text: str, files: dict[str, str]) -> StudyConfig:
    """The study of ``text`` (its file ``studies/mini.yaml``) with ``files`` (name -> text) in
    ``raw/``, loaded."""
    raw = folder / "raw"
    raw.mkdir(exist_ok=True)
    for name, content in files.items():
        (raw / name).write_text(content)
    (folder / "studies").mkdir(exist_ok=True)
    path = folder / "studies" / "mini.yaml"
    path.write_text(text)
    return StudyConfig.load(path)


def shipped_study_changed(
    folder: Path, stem: str, change: Callable[[dict[str, Any]], None]
) -> StudyConfig:
    """The shipped study ``stem`` with ``change(doc)`` applied to its YAML, in a project folder
    of its own that reads the shipped raw files through a link (nothing is written there)."""
    doc = yaml.safe_load((ROOT / "studies" / f"{stem}.yaml").read_text(encoding="utf-8"))
    change(doc)
    (folder / "studies").mkdir(parents=True)
    (folder / "data").mkdir()
    (folder / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    path = folder / "studies" / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return StudyConfig.load(path)
