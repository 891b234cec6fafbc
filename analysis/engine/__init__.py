"""The counting engine: every aggregation the tables need, written once in Ibis; DuckDB in this
process by default, Apache Spark for data beyond one machine (``backends``, docs/spark.md).

Takes the analysis tables (a DataFrame, a Parquet path or folder of parts, or an Ibis table);
gives long count frames (``counts``: grouped counts and denominators; ``incidence``:
adverse-event incidence plans) that the tables turn into statistics. ``using(connect(...))``
chooses where they run.
"""

from analysis.engine.backends import Engine, connect, using

__all__ = ["Engine", "connect", "using"]
