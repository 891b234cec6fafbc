"""``Study``: the thin shell that wires the pipeline for one study YAML and caches each stage.

    study = Study.load("studies/dutasteride_mesotherapy.yaml")
    study.patients                 # analysis-ready patients (runs the clean stage once)
    study.tables["ae_incidence"]   # shows itself as a table in Jupyter
    study.ard                      # every number, one per row

All work is done by the pure functions it calls; it only remembers their results.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis.config import StudyConfig
from analysis.pipeline import CleanResult, clean_study, write_clean_outputs
from analysis.tables.render import TableResult


class Study:
    """One study: config, cleaned data, tables, ARD (each computed on first use)."""

    def __init__(self, config: StudyConfig) -> None:
        self.config = config

    @classmethod
    def load(cls, path: str | Path) -> Study:
        return cls(StudyConfig.load(path))

    def __repr__(self) -> str:
        return f"Study({self.config.study.name!r})"

    @cached_property
    def clean(self) -> CleanResult:
        return clean_study(self.config)

    @property
    def patients(self) -> pd.DataFrame:
        return self.clean.patients

    @cached_property
    def tables(self) -> dict[str, TableResult]:
        from analysis.tables.study import build_tables

        return build_tables(self.config, self.clean)

    @cached_property
    def ard(self) -> pd.DataFrame:
        from analysis.tables.study import study_ard

        return study_ard(self.tables)

    @property
    def reports_dir(self) -> Path:
        return self.config.reports_dir

    def write_clean(self) -> list[Path]:
        return write_clean_outputs(self.clean, self.config)

    def write_tables(self, *, suppress_below: int | None = None) -> list[Path]:
        from analysis.tables.study import write_tables

        return write_tables(self.tables, self.reports_dir, suppress_below=suppress_below)
