"""``Study``: the thin shell that wires the pipeline for one study YAML and caches each stage.

    study = Study.load("studies/my_study.yaml")
    study.patients                 # analysis-ready patients (runs the clean stage once)
    study.tables["ae_incidence"]   # shows itself as a table in Jupyter
    study.ard                      # every number, one per row

All work is done by the pure functions it calls; it only remembers their results. The counts
run on the engine of the study file's ``engine`` setting (``Study.load(path, engine="spark")``
overrides its backend; ``Study(config, spark=session)`` counts on a SparkSession already made).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.clean.outputs import write_clean_outputs
from analysis.clean.stage import CleanResult, clean_study
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig
from analysis.write.parquet_ahead import ParquetAhead

if TYPE_CHECKING:
    from analysis.engine.backends import Engine
    from analysis.tables.render import TableResult
    from analysis.tables.study_tables import StudyTables

#: Table kinds that fit a model or an estimator on one row per patient (on the Spark driver).
PER_PATIENT_TABLES = ("proportional_odds", "logistic", "time_to_event")
#: Figure kinds drawn from one row per patient.
PER_PATIENT_FIGURES = ("km",)


class Study:
    """One study: config, cleaned data, tables, ARD (each computed on first use). ``spark``: a
    SparkSession to count on (the study file's ``engine.collect_limit`` still applies)."""

    def __init__(self, config: StudyConfig | str | Path, *, spark: Any = None) -> None:
        """``config``: a loaded study file, or the path of one (as :meth:`load`); ``spark``: a
        SparkSession to count on."""
        if isinstance(config, str | Path):
            config = StudyConfig.load(config)
        if not isinstance(config, StudyConfig):
            raise ConfigError(
                f"Study(...) takes a study file's path or a StudyConfig; found "
                f"{type(config).__name__}. Use Study.load('studies/<study>.yaml')."
            )
        self.config = config
        self._spark = spark

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        reports_dir: str | Path | None = None,
        engine: str | None = None,
        spark: Any = None,
    ) -> Study:
        """The study of a YAML file; ``reports_dir`` writes this run's reports elsewhere than
        the file's ``paths.reports`` (the file itself is not changed); ``engine`` ("duckdb" or
        "spark") overrides the file's ``engine.backend`` (a Spark setting is dropped for
        duckdb); ``spark`` counts on that SparkSession."""
        config = StudyConfig.load(path)
        if reports_dir is not None:
            paths = config.paths.model_copy(update={"reports": str(Path(reports_dir).resolve())})
            config = config.model_copy(update={"paths": paths})
        if engine is not None:
            config = with_backend(config, engine)
        return cls(config, spark=spark)

    def __repr__(self) -> str:
        return f"Study({self.config.study.name!r})"

    @cached_property
    def clean(self) -> CleanResult:
        return clean_study(self.config)

    @property
    def patients(self) -> pd.DataFrame:
        return self.clean.patients

    @property
    def table_names(self) -> list[str]:
        """The names of the study's tables, in report order (nothing is cleaned or computed)."""
        from analysis.studyfile.plan_defaults import effective_plan

        return list(effective_plan(self.config).tables)

    @cached_property
    def tables(self) -> StudyTables:
        """Every table of the study (report order), each built on first use."""
        from analysis.tables.study_tables import StudyTables, table_builders

        builders = table_builders(self.config, self.clean)
        return StudyTables({name: self._on_engine(name, b) for name, b in builders.items()})

    @cached_property
    def engine(self) -> Engine:
        """Where the counts run (``analysis.engine.backends.Engine``): the study file's
        ``engine`` setting, or the SparkSession given; connected on first use."""
        from analysis.engine.backends import engine_for

        return engine_for(self.config.engine, spark_session=self._spark)

    def _on_engine(self, name: str, build: Callable[[], TableResult]) -> Callable[[], TableResult]:
        """``build`` run with the study's engine active (its counts run there); a table that
        fits on per-patient rows first checks them against the engine's collect_limit."""
        from analysis.engine.backends import check_collect, using

        if self.config.engine.backend == "duckdb" and self._spark is None:
            return build  # this process's DuckDB connection, a forked child's own

        def run() -> TableResult:
            with using(self.engine):
                spec = self._table_spec(name)
                if spec.kind in PER_PATIENT_TABLES:
                    rows = len(self._subjects(spec))
                    what = f"table {name!r} (kind {spec.kind})"
                    check_collect(rows, what=what, key=f"analysis.tables.{name}")
                return build()

        return run

    def _table_spec(self, name: str) -> Any:
        from analysis.studyfile.plan_defaults import effective_plan

        return effective_plan(self.config).tables[name]

    def _subjects(self, spec: Any) -> pd.DataFrame:
        from analysis.tables.plan_context import Context

        return Context(self.config, self.clean).subjects(spec)

    def check_figures_collect(self, stems: Collection[str] | None = None) -> None:
        """Each per-patient figure (Kaplan–Meier) of ``stems`` (default: every figure of the
        plan) checked against the engine's collect_limit, before anything is drawn; the
        tables, which count on the engine, are not held back by a figure (``retro tables``
        stopped on one it never draws)."""
        from analysis.engine.backends import check_collect, using
        from analysis.figures.study_figures import figure_specs

        if self.config.engine.backend == "duckdb" and self._spark is None:
            return
        with using(self.engine):
            for i, (stem, fig) in enumerate(figure_specs(self.config).items()):
                if fig.kind in PER_PATIENT_FIGURES and (stems is None or stem in stems):
                    what = f"figure {stem} (kind {fig.kind})"
                    check_collect(len(self.patients), what=what, key=f"analysis.figures[{i}]")

    @cached_property
    def ard(self) -> pd.DataFrame:
        from analysis.tables.study_tables import study_ard

        return study_ard(self.tables)

    @property
    def reports_dir(self) -> Path:
        return self.config.reports_dir

    def write_clean(self) -> list[Path]:
        """The cleaned data written under ``paths.processed``. Not cleaned yet (``clean``): it
        is cleaned here, and nothing runs between the cleaning and the writing, so the largest
        table's file is encoded while the stage checks the tables (``write.parquet_ahead``).
        Cleaned before: written as the tables are now."""
        if "clean" in self.__dict__:  # the cached result, which a user may have changed
            return write_clean_outputs(self.clean, self.config)
        ahead = ParquetAhead()
        self.__dict__["clean"] = clean_study(self.config, ahead=ahead)  # cached as ``clean``
        return write_clean_outputs(self.clean, self.config, ahead=ahead)

    def write_tables(self, *, suppress_below: int | None = None) -> list[Path]:
        """Every table's files and the ARD under ``reports_dir`` (suppressed with
        ``suppress_below``; the full ARD then goes to the processed-data folder)."""
        from analysis.report.html import report_table_order
        from analysis.synthetic import is_synthetic, notice
        from analysis.tables.study_tables import write_tables

        synthetic = is_synthetic(self.config)
        order = report_table_order(self.config, self.tables)
        try:
            return write_tables(
                self.tables,
                self.reports_dir,
                suppress_below=suppress_below,
                unsuppressed_dir=self.config.processed_dir,
                synthetic=synthetic,
                notice=notice(self.config) if synthetic else None,
                numbers={name: i + 1 for i, name in enumerate(order)},
            )
        except OSError as exc:  # a raw NotADirectoryError or PermissionError in a notebook
            from analysis.write.output_errors import STAGING_PREFIX, output_error

            if any(part.startswith(STAGING_PREFIX) for part in Path(self.reports_dir).parts):
                raise  # a staged run (retro run): its handler names the stage and the key

            folders = {
                "paths.reports": self.reports_dir,
                "paths.processed": self.config.processed_dir,
            }
            raise output_error(exc, folders, action="writing the tables", kept=False) from None


def with_backend(config: StudyConfig, backend: str) -> StudyConfig:
    """``config`` with its ``engine.backend`` set to ``backend`` ("duckdb" or "spark"); for
    duckdb the Spark settings (master, conf) are dropped. A ``ConfigError`` for another name."""
    from analysis.errors import ConfigError
    from analysis.studyfile.engine import EngineSettings

    if backend not in ("duckdb", "spark"):
        raise ConfigError(
            f"engine {backend!r} is not a backend; expected duckdb or spark (e.g. --engine spark)."
        )
    settings = config.engine.model_dump()
    settings["backend"] = backend
    if backend == "duckdb":
        settings.update(master=None, conf={})
    return config.model_copy(update={"engine": EngineSettings(**settings)})
