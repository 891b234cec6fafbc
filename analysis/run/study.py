"""``Study``: the thin shell that wires the pipeline for one study YAML and caches each stage.

    study = Study.load("studies/my_study.yaml")
    study.patients                 # analysis-ready patients (runs the clean stage once)
    study.tables["ae_incidence"]   # shows itself as a table in Jupyter
    study.ard                      # every number, one per row

All work is done by the pure functions it calls; it only remembers their results.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.clean.outputs import write_clean_outputs
from analysis.clean.stage import CleanResult, clean_study
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig

if TYPE_CHECKING:
    from analysis.tables.study_tables import StudyTables


class Study:
    """One study: config, cleaned data, tables, ARD (each computed on first use)."""

    def __init__(self, config: StudyConfig | str | Path) -> None:
        """``config``: a loaded study file, or the path of one (as :meth:`load`)."""
        if isinstance(config, str | Path):
            config = StudyConfig.load(config)
        if not isinstance(config, StudyConfig):
            raise ConfigError(
                f"Study(...) takes a study file's path or a StudyConfig; found "
                f"{type(config).__name__}. Use Study.load('studies/<study>.yaml')."
            )
        self.config = config

    @classmethod
    def load(cls, path: str | Path, *, reports_dir: str | Path | None = None) -> Study:
        """The study of a YAML file; ``reports_dir`` writes this run's reports elsewhere than
        the file's ``paths.reports`` (the file itself is not changed)."""
        config = StudyConfig.load(path)
        if reports_dir is not None:
            paths = config.paths.model_copy(update={"reports": str(Path(reports_dir).resolve())})
            config = config.model_copy(update={"paths": paths})
        return cls(config)

    def __repr__(self) -> str:
        return f"Study({self.config.study.name!r})"

    @cached_property
    def clean(self) -> CleanResult:
        return clean_study(self.config)

    @property
    def patients(self) -> pd.DataFrame:
        return self.clean.patients

    @cached_property
    def tables(self) -> StudyTables:
        """Every table of the study (report order), each built on first use."""
        from analysis.tables.study_tables import StudyTables, table_builders

        return StudyTables(table_builders(self.config, self.clean))

    @cached_property
    def ard(self) -> pd.DataFrame:
        from analysis.tables.study_tables import study_ard

        return study_ard(self.tables)

    @property
    def reports_dir(self) -> Path:
        return self.config.reports_dir

    def write_clean(self) -> list[Path]:
        return write_clean_outputs(self.clean, self.config)

    def write_tables(self, *, suppress_below: int | None = None) -> list[Path]:
        """Every table's files and the ARD under ``reports_dir`` (suppressed with
        ``suppress_below``; the full ARD then goes to the processed-data folder)."""
        from analysis.synthetic import is_synthetic
        from analysis.tables.study_tables import write_tables

        return write_tables(
            self.tables,
            self.reports_dir,
            suppress_below=suppress_below,
            unsuppressed_dir=self.config.processed_dir,
            synthetic=is_synthetic(self.config),
        )
