"""The same numbers on Spark as on DuckDB. Every table of both shipped studies (AE incidence,
Table 1, highest severity, response, AE by exposure and duration, frequencies, and the models
and Kaplan–Meier tables, whose per-patient rows stay on the driver) built on a local Spark
(``local[1]``, ``Study(config, spark=session)``: what ``retro run --engine spark`` does) and on
DuckDB from the same cleaned data: each ARD equal (counts exactly, other numbers to 1e-12), the
published ARD the golden snapshot, every table file the same; and the group sizes, the
incidence plans Spark runs, Parquet folders and the collect limit.

One SparkSession for the whole test session (start-up takes seconds), quiet and small.
Skipped, with the reason, when pyspark or Java is missing.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.engine import backends
from analysis.engine import counts as engine
from analysis.errors import PipelineError
from tests.golden.snapshot import (
    fitted_within_tolerance,
    key_of,
    rounded,
    shipped_studies,
    snapshot_path,
)

COUNT_STATS = ("n", "N", "events", "n_missing")

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def spark_session():
    """A local[1] SparkSession for the test session: no UI, errors-only logging, one shuffle
    partition; stopped at the end."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
    if shutil.which("java") is None:
        pytest.skip("no Java on the PATH: Spark cannot start (pyspark 4 needs Java 17+)")
    small = {  # tiny data: no whole-stage code generation or adaptive re-planning (~2x faster)
        "spark.sql.shuffle.partitions": "1",
        "spark.sql.codegen.wholeStage": "false",
        "spark.sql.adaptive.enabled": "false",
    }
    session = backends._build_session(master="local[1]", conf=small)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_engine(spark_session) -> backends.Engine:
    con = backends.spark_connect(spark_session=spark_session)
    return backends.Engine(con=con, backend="spark", collect_limit=None)


@pytest.fixture(scope="module", params=shipped_studies(), ids=lambda p: p.stem)
def shipped(request):
    """A shipped study's config and its cleaned data (cleaned once)."""
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig

    config = StudyConfig.load(request.param)
    return config, clean_study(config)


def assert_same_ard(duck: pd.DataFrame, spark: pd.DataFrame, what: str) -> None:
    """Same rows in the same order, same text; counts equal, other numbers within 1e-12."""
    assert list(duck.columns) == list(spark.columns), what
    assert len(duck) == len(spark) > 0, what
    text = [c for c in duck.columns if c != "value"]
    pd.testing.assert_frame_equal(duck[text], spark[text], obj=what)
    a = pd.to_numeric(duck["value"], errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(spark["value"], errors="coerce").to_numpy(dtype=float)
    counts = duck["stat"].isin(COUNT_STATS).to_numpy() if "stat" in duck else np.zeros(len(a), bool)
    assert np.array_equal(a[counts], b[counts], equal_nan=True), f"{what}: counts differ"
    assert np.allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True), f"{what}: values differ"


def _study(config, clean, **kwargs):  # noqa: ANN001, ANN202
    """A Study of ``config`` that reuses the fixture's cleaned data (cleaned once)."""
    from analysis.run.study import Study

    study = Study(config, **kwargs)
    study.__dict__["clean"] = clean  # the cached_property's value
    return study


def test_study_tables_are_identical_on_spark(shipped, spark_session, tmp_path):
    """Every table of the study's plan built on Spark (``Study(config, spark=session)``, what
    ``retro run --engine spark`` does): each table's ARD equal to DuckDB's (counts exactly,
    other numbers to 1e-12), the published ARD equal to the golden snapshot, and every table
    as shown (its CSV: the report's numbers) equal to DuckDB's, byte for byte."""
    from analysis.tables.study_tables import study_ard

    config, clean = shipped
    duck = _study(config, clean)
    spark = _study(config, clean, spark=spark_session)
    assert spark.engine.backend == "spark" and duck.engine.backend == "duckdb"
    kinds = set()
    for name in duck.tables:
        kinds.add(duck._table_spec(name).kind)
        what = f"{config.study.name}: table {name}"
        assert_same_ard(duck.tables[name].frame, spark.tables[name].frame, what)
    # the kinds the issue names are all covered by one study or the other
    assert {"ae_incidence", "baseline", "ae_severity"} <= kinds
    # the published ARD is the golden snapshot's (DuckDB's numbers to 10 significant digits)
    expected = pd.read_csv(snapshot_path(config.path), dtype=str, keep_default_na=False)
    found = rounded(study_ard(spark.tables))
    key = key_of(expected)
    merged = expected.merge(found, on=key, how="outer", suffixes=("_duckdb", "_spark"))
    differ = merged.loc[merged["value_duckdb"] != merged["value_spark"]]
    # a fitted model's last digits move with the library versions, as the golden test allows
    differ = differ.loc[~fitted_within_tolerance(differ, "duckdb", "spark")]
    assert differ.empty, f"{len(differ)} numbers differ:\n{differ.head(20).to_string()}"
    # every table as shown, in the files of the report
    for name in duck.tables:
        shown = [
            st.tables[name].to_csv(tmp_path / f"{name}_{i}.csv")
            for i, st in enumerate([duck, spark])
        ]
        assert shown[0].read_text() == shown[1].read_text(), name
    # the per-patient steps (models, Kaplan-Meier) said how many rows they collect
    said = dict(spark.engine.collected)
    models = [n for n in duck.tables if duck._table_spec(n).kind in ("logistic", "time_to_event")]
    assert models and all(f"table {n!r}" in " ".join(said) for n in models)
    assert all(rows <= len(clean.patients) for rows in said.values())


def test_group_sizes_are_identical_on_spark(shipped, spark_engine):
    config, clean = shipped
    patients = clean.patients
    groups = [g for g in config.groups if g in patients.columns]
    assert groups
    for g in groups:
        data = patients.loc[patients[g].notna(), ["patient_id", g]]
        duck = engine.group_sizes(engine.as_table(data), by=[g])
        with backends.using(spark_engine):
            spark = engine.group_sizes(engine.as_table(data), by=[g])
        pd.testing.assert_frame_equal(duck, spark, check_dtype=False, obj=g)


def test_incidence_plans_agree_on_spark(spark_engine, monkeypatch):
    """On Spark the bitmap plan steps aside; the one-row-per-subject plan and, beyond
    MAX_WIDE_TERMS, the one-row-per-(subject, term) plan give DuckDB's bitmap numbers."""
    from analysis.engine import incidence
    from analysis.tables.adverse_events import ae_incidence

    rng = np.random.default_rng(3)
    subjects = pd.DataFrame({"patient_id": range(200), "arm": rng.choice(["x", "y"], 200)})
    events = pd.DataFrame(
        {
            "patient_id": rng.integers(0, 220, 900),  # some events of unknown subjects
            "ae_term": rng.choice([f"t{i}" for i in range(12)], 900),
            "serious": rng.random(900) < 0.1,
        }
    )
    args = {"by": ["arm"], "serious_flag": "serious", "teae_flag": None, "seed": 1}
    duck = ae_incidence(subjects, events, **args).frame
    with backends.using(spark_engine):
        assert not engine.on_duckdb(engine.as_table(subjects))
        wide = ae_incidence(subjects, events, **args).frame
        monkeypatch.setattr(incidence, "MAX_WIDE_TERMS", 0)
        long = ae_incidence(subjects, events, **args).frame
    assert_same_ard(duck, wide, "one row per subject on Spark")
    assert_same_ard(duck, long, "one row per (subject, term) on Spark")


def test_parquet_parts_are_read_by_either_engine(tmp_path, spark_engine):
    """A folder of Parquet parts (as Spark writes them) is one table on Spark and on DuckDB."""
    folder = tmp_path / "patients.parquet"
    folder.mkdir()
    frame = pd.DataFrame({"patient_id": range(10), "arm": ["a", "b"] * 5})
    frame.iloc[:6].to_parquet(folder / "part-0.parquet")
    frame.iloc[6:].to_parquet(folder / "part-1.parquet")
    duck = engine.group_sizes(engine.as_table(folder), by=["arm"])
    with backends.using(spark_engine):
        spark = engine.group_sizes(engine.as_table(folder), by=["arm"])
    assert duck["N"].tolist() == spark["N"].tolist() == [5, 5]


def test_spark_reads_the_files_retro_clean_writes(shipped, spark_engine, tmp_path):
    """docs/spark.md: clean, then pass the Parquet paths to the table functions on Spark.
    Spark refused the dates written in nanoseconds (``PARQUET_TYPE_ILLEGAL: INT64
    (TIMESTAMP(NANOS,false))``); written in microseconds, the AE table from the paths on Spark
    equals the table from the frames on DuckDB (the declared levels read from the files)."""
    from analysis.clean.outputs import write_clean_outputs
    from analysis.tables.adverse_events import ae_incidence

    config, clean = shipped
    write_clean_outputs(clean, config, tmp_path)
    paths = [str(tmp_path / f"{n}.parquet") for n in ("patients", "adverse_events")]
    frames = [clean.tables["patients"], clean.tables["adverse_events"]]
    duck = ae_incidence(*frames, by=["sex"]).frame
    with backends.using(spark_engine):
        spark = ae_incidence(*paths, by=["sex"]).frame
        onset = engine.as_table(paths[1]).select("onset_date").limit(3).execute()
    assert_same_ard(duck, spark, f"{config.study.name}: ae_incidence from the clean Parquet")
    assert len(onset) == 3


def test_collect_limit_refuses_a_model_beyond_it(spark_engine):
    limited = backends.Engine(con=spark_engine.con, backend="spark", collect_limit=10)
    with backends.using(limited):
        backends.check_collect(10, what="table 'm' (kind logistic)")
        with pytest.raises(PipelineError, match=r"11 per-patient rows.*collect_limit of 10"):
            backends.check_collect(11, what="table 'm' (kind logistic)")
    assert limited.collected == [
        ("table 'm' (kind logistic)", 10),
        ("table 'm' (kind logistic)", 11),
    ]


def test_retro_run_with_engine_spark_writes_the_duckdb_numbers(mini_study, spark_session):
    """``retro run <study> --engine spark`` (the session of this test session is reused): the
    ARD and every table file as DuckDB gives them, and it says the per-patient rows it took."""
    from typer.testing import CliRunner

    from analysis.run.cli import app
    from analysis.run.study import Study

    path = mini_study()
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(path), "--engine", "spark"])
    assert res.exit_code == 0, res.output
    assert "engine: spark; per-patient rows collected to the driver" in res.output
    duck = Study.load(path)
    reports = duck.reports_dir
    written = pd.read_csv(reports / "ard.csv", keep_default_na=False, dtype=str)
    expected = duck.ard.copy()
    expected.to_csv(reports / "duck_ard.csv", index=False, float_format="%.10g")
    assert written.equals(pd.read_csv(reports / "duck_ard.csv", keep_default_na=False, dtype=str))
    for name, table in duck.tables.items():
        shown = table.to_csv(reports / f"duck_{name}.csv").read_text()
        assert (reports / "tables" / f"{name}.csv").read_text().endswith(shown), name
    bad = runner.invoke(app, ["run", str(path), "--engine", "polars"])
    assert bad.exit_code == 2 and "expected duckdb or spark" in bad.output


def test_a_figure_beyond_the_collect_limit_stops_its_drawing_not_the_tables(
    shipped, spark_session, spark_engine
):
    """A Kaplan–Meier figure over the collect_limit stopped every table (``Study.tables``
    checked the figures first), though a count table runs on the cluster and ``retro tables``
    draws no figure. The tables now build; drawing the figure is refused, naming it."""
    from analysis.figures.study_figures import draw_figures, figure_specs

    config, clean = shipped
    km = [stem for stem, f in figure_specs(config).items() if f.kind == "km"]
    if not km:
        pytest.skip(f"{config.study.name} draws no Kaplan–Meier figure")
    study = _study(config, clean, spark=spark_session)
    limited = backends.Engine(con=spark_engine.con, backend="spark", collect_limit=10)
    study.__dict__["engine"] = limited  # the cached_property's value
    counted = [n for n in study.tables if study._table_spec(n).kind == "ae_incidence"]
    assert counted and len(study.tables[counted[0]].frame) > 0
    with pytest.raises(PipelineError, match=rf"figure {km[0]} \(kind km\).*collect_limit of 10"):
        draw_figures(study, km)
