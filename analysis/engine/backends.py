"""Which engine runs the counts: DuckDB in this process (the default) or Apache Spark.

Takes an engine setting (the study file's ``engine``, or arguments: a backend name, a Spark
master URL and configuration, or a ``SparkSession`` already made); gives an Ibis connection and
``using(...)``, which makes it the connection every count of ``analysis.engine`` runs on while
it is active. The count functions are the same Ibis expressions on every backend (the portable
plans); the DuckDB-only fast plans (bitmaps of subjects) ask ``counts.on_duckdb`` and step aside.

What runs where on Spark: the counts run on the cluster; tests, intervals and the tables' layout
run on the driver from the small count frames; anything that needs one row per patient on the
driver (regression models, Kaplan–Meier) first says how many rows it collects
(``check_collect``), and is refused with a ``PipelineError`` above ``collect_limit``.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis

from analysis.errors import ArgumentError, PipelineError

BACKENDS = ("duckdb", "spark")

#: Spark settings used unless the caller's ``conf`` says otherwise: no web UI or console
#: progress bar (they would print into the user's terminal), few shuffle partitions (a study's
#: count frames are small; raise it on a cluster), UTC session time.
SPARK_DEFAULTS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.session.timeZone": "UTC",
    # in-memory frames go to Spark through Arrow, not row by row through Python workers
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: Per-patient rows a step may bring to the driver when no limit is set.
DEFAULT_COLLECT_LIMIT = 5_000_000


@dataclass
class Engine:
    """A connection to count on, its backend's name and the most per-patient rows a step may
    collect to the driver (``None``: no limit, the DuckDB default: everything is local). Every
    collection is recorded in ``collected`` as ``(what, rows)``."""

    con: ibis.BaseBackend
    backend: str = "duckdb"
    collect_limit: int | None = None
    collected: list[tuple[str, int]] = field(default_factory=list)


_ACTIVE: contextvars.ContextVar[Engine | None] = contextvars.ContextVar("engine", default=None)


def active() -> Engine | None:
    """The engine made active by ``using``, or ``None`` (counts then run on this process's
    DuckDB connection)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using(
    engine: Engine | ibis.BaseBackend, *, collect_limit: int | None = None
) -> Iterator[Engine]:
    """Run every count of ``analysis.engine`` inside the block on ``engine`` (an ``Engine``, or
    an Ibis connection such as ``connect(spark_session=spark)``, with ``collect_limit``):
    in-memory frames are shipped to it, Parquet paths are read by it.

        with using(connect(spark_session=spark)):
            ae_incidence("hdfs:///registry/patients", "hdfs:///registry/events", by=["arm"])
    """
    if not isinstance(engine, Engine):
        name = "spark" if engine.name == "pyspark" else engine.name
        engine = Engine(con=engine, backend=name, collect_limit=collect_limit)
    token = _ACTIVE.set(engine)
    try:
        yield engine
    finally:
        _ACTIVE.reset(token)


def connect(
    backend: str = "duckdb",
    *,
    master: str | None = None,
    conf: Mapping[str, Any] | None = None,
    spark_session: Any = None,
) -> ibis.BaseBackend:
    """An Ibis connection: a new in-process DuckDB one (``backend="duckdb"``), or Spark
    (``backend="spark"`` or a ``spark_session`` given): that session, else one built with
    ``master`` (default ``local[*]``) and ``conf`` over ``SPARK_DEFAULTS``, logging at ERROR."""
    if spark_session is not None or backend == "spark":
        return spark_connect(master=master, conf=conf, spark_session=spark_session)
    if backend != "duckdb":
        raise ArgumentError(f"unknown engine backend {backend!r}; expected one of {list(BACKENDS)}")
    from analysis.engine.counts import connect as duckdb_connect

    return duckdb_connect()


def spark_connect(
    *,
    master: str | None = None,
    conf: Mapping[str, Any] | None = None,
    spark_session: Any = None,
) -> ibis.BaseBackend:
    """Ibis over Spark: ``spark_session`` as given (its settings are the caller's), else the
    session of ``SparkSession.builder`` with ``master`` and ``conf`` (``getOrCreate``: an
    existing session of this process is reused). A ``PipelineError`` saying what to install
    when pyspark or Java is missing."""
    if spark_session is None:
        spark_session = _build_session(master=master, conf=conf)
    return ibis.pyspark.connect(spark_session)


def _build_session(*, master: str | None, conf: Mapping[str, Any] | None) -> Any:
    """A SparkSession (``getOrCreate``) with ``SPARK_DEFAULTS`` under ``conf``; log level ERROR."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise PipelineError(
            "engine: backend spark needs pyspark, which is not installed. Install the optional "
            "extra: pip install -e '.[spark]' (pyspark 4 needs Java 17 or later), or set "
            "`engine: {backend: duckdb}`."
        ) from exc
    home = _java_home()
    if home is not None and not _runs(Path(home) / "bin" / "java"):
        # Spark starts $JAVA_HOME/bin/java ahead of the PATH's: a stale JAVA_HOME stopped the
        # run after the clean with the gateway's "unexpected error" and shell noise
        raise PipelineError(
            f"engine: backend spark starts Java from JAVA_HOME, which is {home!r}, and there is "
            f"no runnable bin/java under it. Point JAVA_HOME at a JDK (17 or later for pyspark "
            "4), or unset it to use the `java` on the PATH; or set `engine: {backend: duckdb}`."
        )
    if shutil.which("java") is None and home is None:
        raise PipelineError(
            "engine: backend spark needs Java (17 or later for pyspark 4) and no `java` is on "
            "the PATH nor JAVA_HOME set. Install a JDK (e.g. apt-get install openjdk-17-jre) "
            "or set `engine: {backend: duckdb}`."
        )
    builder = SparkSession.builder.appName("retro-analysis").master(master or "local[*]")
    # Python workers (when Spark needs any) run this interpreter unless conf names another
    settings = {**SPARK_DEFAULTS, "spark.pyspark.python": sys.executable}
    # a JVM started here logs errors only (its own start-up lines included)
    quiet = Path(__file__).with_name("log4j2-quiet.properties")
    settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={quiet.as_uri()}"
    for key, value in {**settings, **{k: str(v) for k, v in (conf or {}).items()}}.items():
        builder = builder.config(key, value)
    session, existing = None, SparkSession.getActiveSession()
    try:
        session = builder.getOrCreate()
        # the session's settings are read on its first query: a value Spark refuses
        # (`spark.sql.shuffle.partitions: zero`) stopped the first table with a JVM stack trace
        session.sql("SELECT 1").collect()
    except Exception as exc:  # pyspark's PySparkRuntimeError [JAVA_GATEWAY_EXITED] and kin
        if session is not None and session is not existing:  # else the next start gets it back
            with contextlib.suppress(Exception):
                session.stop()
        trace = getattr(exc, "_stackTrace", None)  # a JVM error's trace, not always in str()
        said = f"{exc}\n{trace}" if isinstance(trace, str) and trace not in str(exc) else str(exc)
        raise PipelineError(_start_failed(said, master)) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _start_failed(said: str, master: str | None) -> str:
    """What stopped a SparkSession from starting, in words: Java that did not start, the
    cluster's master that did not answer, or a setting Spark refused (the last "Caused by"
    of its stack trace, without the trace)."""
    duckdb = "or set `engine: {backend: duckdb}`"
    if "JAVA_GATEWAY" in said:
        return (
            f"engine: backend spark could not start its Java process ({said.strip()}). Check "
            "that `java -version` runs and says 17 or later (JAVA_HOME, when set, is used "
            "first), and that no setting under `engine.conf` is one Java refuses at its start "
            "(`spark.driver.memory`, `spark.driver.extraJavaOptions`: Java's own lines above "
            f"say which); {duckdb}."
        )
    if master and master.startswith("spark://") and "stopped SparkContext" in said:
        return (
            f"engine: backend spark could not reach the cluster's master {master!r} "
            "(`engine.master`): it did not answer. Check the address and port and that the "
            f"cluster is up, or use `master: 'local[*]'` on this machine; {duckdb}."
        )
    causes = re.findall(r"^Caused by: (?:[\w.$]+: )?(.+)$", said, re.M)
    first = said.strip().splitlines()[0] if said.strip() else "no message"
    cause = (causes[-1] if causes else first).strip()
    return (
        f"engine: backend spark could not start with the study file's engine settings: "
        f"{cause}. Check `engine.conf` (each value as Spark's configuration documents it) and "
        f"`engine.master` ({master or 'local[*]'!r}); {duckdb}."
    )


def _java_home() -> str | None:
    """JAVA_HOME when set (not empty)."""
    import os

    return os.environ.get("JAVA_HOME") or None


def _runs(java: Path) -> bool:
    import os

    return java.is_file() and os.access(java, os.X_OK)


def engine_for(settings: Any = None, *, spark_session: Any = None) -> Engine:
    """The ``Engine`` of a study file's ``engine`` setting (``analysis.studyfile.engine.
    EngineSettings``; ``None``: DuckDB), or of ``spark_session`` when one is passed (it wins
    over the setting's master and conf; its collect_limit still applies)."""
    backend = getattr(settings, "backend", "duckdb")
    if spark_session is not None:
        backend = "spark"
    if backend == "duckdb":
        from analysis.engine.counts import process_connection

        return Engine(con=process_connection(), backend="duckdb", collect_limit=None)
    limit = getattr(settings, "collect_limit", DEFAULT_COLLECT_LIMIT)
    con = spark_connect(
        master=getattr(settings, "master", None),
        conf=getattr(settings, "conf", None),
        spark_session=spark_session,
    )
    return Engine(con=con, backend="spark", collect_limit=limit)


def check_collect(rows: int, *, what: str, key: str = "") -> None:
    """Say that ``what`` brings ``rows`` per-patient rows to the driver (recorded in the active
    engine's ``collected``), or refuse with a ``PipelineError`` above its ``collect_limit``.
    Nothing to check without an active engine or a limit (everything is local then)."""
    eng = active()
    if eng is None:
        return
    eng.collected.append((what, int(rows)))
    if eng.collect_limit is not None and rows > eng.collect_limit:
        where = f" (`{key}`)" if key else ""
        raise PipelineError(
            f"{what}{where} needs {rows:,} per-patient rows on the driver, more than the "
            f"engine's collect_limit of {eng.collect_limit:,}: it would not run on the cluster "
            f"but on the one machine of the driver. Raise `engine.collect_limit` if the driver "
            f"has the memory (about 100 bytes per row and column), fit it on a sample or a "
            f"subgroup, or remove it from the analysis plan."
        )
