"""Why a SparkSession could not start, in words (``backends._start_failed``): a setting Spark
refused reached the user as an ``IllegalArgumentException`` with 34 lines of JVM stack trace
(its cause, "should be int, but was zero", buried in it); a cluster's master that did not answer
as "Cannot call methods on a stopped SparkContext" and a dump of where it was made."""

from __future__ import annotations

from analysis.engine.backends import _start_failed

REFUSED = (
    "Error while instantiating 'org.apache.spark.sql.internal.SessionStateBuilder':\n"
    "java.lang.IllegalArgumentException: Error while instantiating 'org.apache...':\n"
    "\tat org.apache.spark.sql.classic.SparkSession$.instantiateSessionState(SparkSession.scala)\n"
    "Caused by: java.lang.IllegalArgumentException: spark.sql.shuffle.partitions should be "
    "int, but was zero\n"
    "\tat org.apache.spark.internal.config.ConfigHelpers$.toNumber(ConfigBuilder.scala:36)\n"
)


def test_a_refused_setting_is_named_by_its_cause_without_the_trace():
    said = _start_failed(REFUSED, "local[2]")
    assert said == (
        "engine: backend spark could not start with the study file's engine settings: "
        "spark.sql.shuffle.partitions should be int, but was zero. Check `engine.conf` (each "
        "value as Spark's configuration documents it) and `engine.master` ('local[2]'); or set "
        "`engine: {backend: duckdb}`."
    )
    assert "\tat " not in said


def test_a_master_that_does_not_answer_is_named():
    said = _start_failed(
        "An error occurred while calling None.None.\n: java.lang.IllegalStateException: Cannot "
        "call methods on a stopped SparkContext.\nThis stopped SparkContext was created at:",
        "spark://127.0.0.1:7999",
    )
    assert said.startswith(
        "engine: backend spark could not reach the cluster's master 'spark://127.0.0.1:7999' "
        "(`engine.master`): it did not answer."
    )


def test_java_that_did_not_start_names_java_and_the_settings_it_reads():
    said = _start_failed("[JAVA_GATEWAY_EXITED] Java gateway process exited.", None)
    assert "Check that `java -version` runs" in said
    assert "`spark.driver.memory`" in said


def test_a_spark_dataframe_is_named_as_such_with_the_ways_to_pass_it():
    """A pyspark DataFrame gave "expected a pandas DataFrame ...; got DataFrame": it read as a
    contradiction and named no way through."""
    import pytest

    from analysis.engine.counts import as_table

    fake = type("DataFrame", (), {"__module__": "pyspark.sql.classic.dataframe"})()
    with pytest.raises(TypeError, match=r"^got a Spark DataFrame \(pyspark\); .*write\.parquet"):
        as_table(fake)
