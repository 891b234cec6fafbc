"""The declared levels of a column, whatever form the table comes in.

A table shows the levels of a grouping column and of a term or grade column in the order the
study declares them (monotherapy before combined), with the levels no subject has kept as zero
rows. A pandas frame declares them as a categorical's categories; ``retro clean`` writes those
categoricals to Parquet as Arrow dictionaries, which keep the categories, unused ones included,
in their order. So the same data give the same table from the frame and from its Parquet file:
the levels are read from the frame, from the file, or from the file an Ibis table was made
from by :func:`analysis.engine.counts.as_table` (the table remembers its source here, and a
table that renames its columns, as the builders' aliases do, remembers the names).

An Ibis table made any other way, a Parquet column that is not a dictionary (e.g. written by
Spark) and a file on shared storage (``hdfs://``, ``s3a://``...) declare nothing: the builders
then show the observed values, sorted (:func:`analysis.stats.design.natural_key`).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path

import ibis.expr.types as ir
import pandas as pd

Levels = Callable[[str], "list[str] | None"]

#: What each Ibis table made from a Parquet path (or renamed from one) declares, by table.
_SOURCES: weakref.WeakKeyDictionary[ir.Table, Levels] = weakref.WeakKeyDictionary()


def declared_levels(data: object, column: str) -> list[str] | None:
    """The declared levels of ``column`` in ``data`` (a pandas frame, a Parquet path or an Ibis
    table) as text, in order; ``None`` when it declares none (not a categorical, not a
    dictionary, or an Ibis table of unknown source)."""
    if isinstance(data, pd.DataFrame):
        if column in data.columns and isinstance(data[column].dtype, pd.CategoricalDtype):
            return [str(c) for c in data[column].cat.categories]
        return None
    if isinstance(data, str | Path):
        return parquet_levels(data, column)
    if isinstance(data, ir.Table):
        source = _SOURCES.get(data)
        return source(column) if source is not None else None
    return None


def remember(table: ir.Table, levels: Levels) -> ir.Table:
    """``table``, remembered as declaring ``levels(column)`` (returned for chaining)."""
    _SOURCES[table] = levels
    return table


def remember_path(table: ir.Table, path: str | Path) -> ir.Table:
    """``table`` read from the Parquet ``path``: its levels are the file's."""
    return remember(table, functools.partial(parquet_levels, path))


def remember_renamed(table: ir.Table, parent: ir.Table, names: Mapping[str, str]) -> ir.Table:
    """``table`` selected from ``parent`` with columns renamed (``names``: new -> old)."""
    if parent not in _SOURCES:
        return table
    return remember(table, lambda column: declared_levels(parent, names.get(column, column)))


def parquet_levels(path: str | Path, column: str) -> list[str] | None:
    """The dictionary (categories) of ``column`` in a local Parquet file or folder of parts, as
    ``pandas.read_parquet`` gives them; ``None`` for another type or a URL."""
    if isinstance(path, str) and "://" in path:
        return None
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return None
    return _parquet_levels(str(p.resolve()), st.st_size, st.st_mtime_ns, column)


@functools.lru_cache(maxsize=256)
def _parquet_levels(path: str, size: int, mtime: int, column: str) -> list[str] | None:
    """:func:`parquet_levels` of one version of a file (size and time in the key: a file
    written again is read again). Reads the schema, and the column only when it is a
    dictionary."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = Path(path)
    first = p if p.is_file() else next(iter(sorted(p.rglob("*.parquet"))), None)
    if first is None:
        return None
    schema = pq.read_schema(first)
    if column not in schema.names or not pa.types.is_dictionary(schema.field(column).type):
        return None
    values = pq.read_table(path, columns=[column]).column(0).to_pandas()
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return None
    return [str(c) for c in values.cat.categories]
