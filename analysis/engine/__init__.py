"""The counting engine: every aggregation the tables need, written once in Ibis on DuckDB.

Takes the analysis tables (a DataFrame, a Parquet path or an Ibis table); gives long count
frames (``counts``: grouped counts and denominators; ``incidence``: adverse-event incidence
plans) that the tables turn into statistics.
"""
