"""Parquet files written deterministically: the bytes ``DataFrame.to_parquet`` writes (pyarrow,
zstd, no index, times in microseconds: ``coerce_timestamps="us"``, which Spark reads), with text
columns converted once per run of one object.

Converting a column of Python strings to Arrow looks at every cell: the exposures of a million
patients (6.8M rows) took 1.6 s under the interpreter lock for their patient ids and source
columns, while their file names are two objects and their ids 1.4M runs. Such a column is
converted once per run and repeated (``take``, outside the lock); every other column, and the
schema with its pandas metadata, is what ``pyarrow.Table.from_pandas`` makes. The schema comes
from the rows that start a run, which hold every object of those columns: the types pyarrow
infers for them are those of the whole column, and a table whose types do not match it is
converted whole instead. ``tests/unit/write/test_parquet.py`` compares the bytes with
``to_parquet``'s.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.write.object_runs import RUNS_FROM, object_runs, python_cells

PER_RUN = 2  # a column whose object changes more often than every other row is converted whole


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` as Parquet (no pandas index, zstd, times in microseconds; the
    bytes ``to_parquet(..., coerce_timestamps="us")`` writes); make the folder if missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _encode(df, str(path))
    return path


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """The bytes :func:`write_parquet` writes for ``df``, in memory."""
    sink = pa.BufferOutputStream()
    _encode(df, sink)
    return sink.getvalue().to_pybytes()


def _encode(df: pd.DataFrame, where: str | pa.NativeFile) -> None:
    """``df`` as Parquet (its :func:`arrow_table`, zstd) into a file path or an Arrow sink.

    Times are stored in microseconds (``TIMESTAMP(MICROS)``), not pandas' nanoseconds: Spark
    refuses nanosecond timestamps (``PARQUET_TYPE_ILLEGAL: INT64 (TIMESTAMP(NANOS,false))``), and
    the analysis tables are meant to be read by it (docs/spark.md). Dates have no finer part; a
    time that does (none of the study's) is an error naming the column, never cut silently."""
    table = arrow_table(df)
    try:
        pq.write_table(
            table,
            where,
            compression="zstd",
            coerce_timestamps="us",
            allow_truncated_timestamps=False,
        )
    except pa.ArrowInvalid as error:
        finer = [
            str(c)
            for c in df.columns
            if pd.api.types.is_datetime64_any_dtype(df[c])
            and bool((pd.DatetimeIndex(df[c]).nanosecond != 0).any())
        ]
        if not finer:
            raise
        raise ValueError(
            f"column(s) {finer} hold times finer than a microsecond, which Parquet is written "
            "without (microseconds, so that Spark reads it); round them first, e.g. "
            "df[col].dt.floor('us')."
        ) from error


def arrow_table(df: pd.DataFrame) -> pa.Table:
    """``df`` as ``to_parquet`` converts it: ``Table.from_pandas(df, preserve_index=False)``,
    with ``df.attrs`` as the ``PANDAS_ATTRS`` metadata when there are any."""
    table = from_pandas_by_runs(df)
    if df.attrs:
        meta = {**(table.schema.metadata or {}), b"PANDAS_ATTRS": json.dumps(df.attrs)}
        table = table.replace_schema_metadata(meta)
    return table


def from_pandas_by_runs(df: pd.DataFrame) -> pa.Table:
    """``pa.Table.from_pandas(df, preserve_index=False)``, the same table, its text columns in
    runs of one object converted once per run (see the module doc)."""
    table = _with_runs(df) if len(df) >= RUNS_FROM else None
    return table if table is not None else pa.Table.from_pandas(df, preserve_index=False)


def _with_runs(df: pd.DataFrame) -> pa.Table | None:
    """The table, its run columns converted once per run; None when no column has runs, or
    when a column's type differs from the one the rows starting a run give (convert whole)."""
    if not df.columns.is_unique or not all(isinstance(c, str) for c in df.columns):
        return None
    lengths = {}
    for name in df.columns:
        cells = python_cells(df[name])
        found = None if cells is None else object_runs(cells, PER_RUN)
        if found is not None:
            lengths[name] = found[1]
    if not lengths:
        return None
    starts = {name: np.cumsum(n) - n for name, n in lengths.items()}
    first = np.zeros(len(df), dtype=bool)
    for at in starts.values():
        first[at] = True
    heads = np.flatnonzero(first)  # the rows holding every object of the run columns
    rest = [c for c in df.columns if c not in lengths]
    try:
        sample = pa.Table.from_pandas(df.iloc[heads], preserve_index=False)
        whole = pa.Table.from_pandas(df, columns=rest, preserve_index=False) if rest else None
        columns = [
            sample.column(name).take(np.repeat(np.searchsorted(heads, starts[name]), lengths[name]))
            if name in lengths
            else whole.column(name)  # type: ignore[union-attr] # rest holds it
            for name in sample.schema.names
        ]
        return pa.Table.from_arrays(columns, schema=sample.schema)
    except (pa.ArrowException, TypeError, ValueError):
        return None


__all__ = ["RUNS_FROM", "arrow_table", "from_pandas_by_runs", "parquet_bytes", "write_parquet"]
