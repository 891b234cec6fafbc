"""Read a Parquet file for ``read.read_raw``: refused when its PAR1 markers are missing (a
truncated copy), its named index given back as the columns its writer had, its plain text
columns trimmed at read (``trim_at_read``) and its BINARY columns read as UTF-8 text. Apart
from ``read`` so that module keeps to the readers' common path (one reader of one format a
module, as ``xlsx_sheet`` and ``csv_records``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.clean.trim_at_read import plain_text_columns, trim_columns
from analysis.errors import SourceError


def read_parquet_file(path: Path) -> pd.DataFrame:
    """One Parquet file as pandas reads it, its named index as columns, its plain text
    columns trimmed; ``attrs``: the records its footer declares, the plain and trimmed
    columns."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(max(path.stat().st_size - 4, 0))
        tail = fh.read(4)
    if head != b"PAR1" or tail != b"PAR1":
        part = "start" if head != b"PAR1" else "end"
        raise SourceError(
            f"{path}: not a complete Parquet file (the Parquet marker PAR1 is missing at its "
            f"{part}; the file is probably truncated or not Parquet). Copy or export it again."
        )
    import pyarrow.parquet as pq

    try:  # as pd.read_parquet reads it, the Arrow table kept to look at its text
        table = _binary_as_text(pq.read_table(path, use_pandas_metadata=True), path)
        df = table.to_pandas()
        rows = pq.ParquetFile(path).metadata.num_rows  # the count the file's footer declares
    except SourceError:
        raise
    except Exception as exc:  # pyarrow.ArrowInvalid, OSError and friends
        raise SourceError(
            f"{path}: not a readable Parquet file ({exc}). Copy or export it again."
        ) from None
    df = _index_as_columns(df)
    # text columns with no '#' or control character: no cell unreadable, so trimmed here
    plain = plain_text_columns(table)
    trimmed = trim_columns(df, table, only=plain)
    df.attrs = {"file_records": rows, "plain_headers": plain, "trimmed_columns": trimmed}
    return df


def _binary_as_text(table: Any, path: Path) -> Any:
    """``table`` with its BINARY columns (text written without the UTF8 annotation, as Impala,
    Hive and older Spark write it) as text: they were read as Python bytes, ``b'P01'``, and
    the ids matched nothing. A column whose bytes are not UTF-8 text is refused, named."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
            continue
        kind = pa.large_string() if pa.types.is_large_binary(field.type) else pa.string()
        try:
            text = pc.cast(table.column(i), kind)
        except pa.ArrowInvalid:
            raise SourceError(
                f"{path}: column {field.name!r} holds bytes that are not UTF-8 text (a BINARY "
                "column). Export it as text (a string column), or as UTF-8 bytes."
            ) from None
        table = table.set_column(i, pa.field(field.name, kind, field.nullable), text)
    return table


def _index_as_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each named level of its index as a column, first, as the file's writer had
    it (``df.set_index("patient_id").to_parquet()`` keeps the ids as the frame's index: the
    column was reported absent); an unnamed index (a default or a filtered frame's) is
    dropped, as before. A level named as a column is left to the index (never overwrites)."""
    named = [n for n in df.index.names if n is not None and n not in df.columns]
    if not named:
        return df
    out = df.reset_index(level=named)
    out.index = pd.RangeIndex(len(out))
    return out


__all__ = ["read_parquet_file"]
