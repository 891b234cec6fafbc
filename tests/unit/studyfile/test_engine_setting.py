"""The study file's ``engine`` setting: DuckDB by default, Spark with a master URL, its settings
and a collect limit; wrong values are ConfigErrors naming the key and its line."""

from __future__ import annotations

import pytest

from analysis.engine import backends
from analysis.errors import ConfigError, PipelineError
from analysis.run.study import Study, with_backend
from analysis.studyfile.config import StudyConfig
from tests.conftest import REFERENCE_STUDY, REPO


def _load(tmp_path, engine_yaml: str) -> StudyConfig:  # noqa: ANN001
    path = tmp_path / "study.yaml"
    path.write_text(REFERENCE_STUDY.read_text(encoding="utf-8") + engine_yaml, encoding="utf-8")
    return StudyConfig.load(path, root=REPO)


def test_duckdb_is_the_default(reference_config):
    assert reference_config.engine.backend == "duckdb"
    assert reference_config.engine.master is None and reference_config.engine.conf == {}


def test_spark_settings_are_read(tmp_path):
    cfg = _load(
        tmp_path,
        "engine:\n  backend: spark\n  master: spark://head:7077\n"
        "  conf: {spark.executor.memory: 8g}\n  collect_limit: 1000\n",
    )
    assert cfg.engine.backend == "spark"
    assert cfg.engine.master == "spark://head:7077"
    assert cfg.engine.conf == {"spark.executor.memory": "8g"}
    assert cfg.engine.collect_limit == 1000


@pytest.mark.parametrize(
    ("engine_yaml", "message"),
    [
        ("engine: {backend: duckdb, master: 'local[2]'}\n", "engine.master is a Spark setting"),
        ("engine: {backend: spark, master: 'localhost'}\n", "not a Spark master URL"),
        ("engine: {backend: spark, conf: {executor.memory: 8g}}\n", "not Spark settings"),
        ("engine: {backend: hadoop}\n", "engine.backend"),
        ("engine: {backend: spark, collect_limit: -1}\n", "collect_limit"),
        ("engine: {backend: spark, workers: 4}\n", "workers"),
    ],
)
def test_wrong_settings_are_config_errors_with_their_line(tmp_path, engine_yaml, message):
    with pytest.raises(ConfigError, match=message) as err:
        _load(tmp_path, engine_yaml)
    assert "line " in str(err.value)


def test_the_backend_can_be_overridden(tmp_path):
    cfg = _load(tmp_path, "engine: {backend: spark, master: 'local[2]', collect_limit: 7}\n")
    duck = with_backend(cfg, "duckdb")
    assert duck.engine.backend == "duckdb" and duck.engine.master is None
    assert duck.engine.collect_limit == 7
    assert with_backend(duck, "spark").engine.backend == "spark"
    with pytest.raises(ConfigError, match="expected duckdb or spark"):
        with_backend(cfg, "polars")
    assert Study.load(REFERENCE_STUDY, engine="duckdb").engine.backend == "duckdb"


def test_the_collect_limit_applies_only_inside_an_engine():
    backends.check_collect(10**12, what="anything")  # no active engine: everything is local
    eng = backends.Engine(con=None, backend="spark", collect_limit=5)  # type: ignore[arg-type]
    with backends.using(eng), pytest.raises(PipelineError, match="collect_limit of 5"):
        backends.check_collect(6, what="table 'x' (kind logistic)", key="analysis.tables.x")
    assert backends.active() is None
