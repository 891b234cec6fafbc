"""Text cells trimmed by the CSV and Parquet readers, on the few cells that can need it.

``cells.strip_text`` trims every text cell of a table (``str.strip``; empty text becomes
missing): one Python call per cell, 1.5-2 s for the 7M exposure rows of a million-patient
registry. Most cells need nothing. A cell can differ from its trimmed text only when it is empty
or its first or last byte is white space to Python or is not ASCII (a character that may be
white space: U+0085, U+00A0, U+3000...). Arrow's CSV reader holds each column as offsets and
bytes, so those cells are found in one NumPy pass, and only they are trimmed, by ``str.strip``
as ``strip_text`` trims them.

``read._read_csv`` asks for this for a file holding no ``#`` and no control character: no cell
of it is unreadable, so ``cells.unreadable_cells`` sees nothing else for being trimmed first.
``parquet_file.read_parquet_file`` asks for it column by column: the text columns whose bytes
hold no such character (:func:`plain_text_columns`; ``attrs["plain_headers"]``, which
``cells.unreadable_cells`` then skips); their missing cells stay missing.
The columns trimmed (``attrs["trimmed_columns"]``, raw headers) are left as they are by
``strip_text``. A column every cell of which would be missing is not trimmed: stacking the
sources treats such a part by pandas' rules (``stacking``), as before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd

from analysis.clean.text_cells import bytes_may_hold_unreadable

#: the bytes that may begin or end a cell ``str.strip`` changes: the ASCII white space of
#: ``str.isspace`` (tab, line feed, vertical tab, form feed, carriage return, the separators
#: 1C-1F, space) and every byte outside ASCII (part of a character that may be white space)
_MAY_CHANGE = np.zeros(256, dtype=bool)
_MAY_CHANGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_MAY_CHANGE[0x80:] = True


def _offsets(chunk: object) -> np.ndarray | None:
    """The ``n + 1`` offsets of an Arrow string chunk into its data buffer (None for another
    type)."""
    import pyarrow as pa

    kind = chunk.type  # type: ignore[attr-defined]
    if kind not in (pa.string(), pa.large_string()):
        return None
    width = np.dtype(np.int32 if kind == pa.string() else np.int64)
    n, at = len(chunk), chunk.offset  # type: ignore[arg-type,attr-defined]
    buffer = chunk.buffers()[1]  # type: ignore[attr-defined]
    offsets: np.ndarray = np.frombuffer(buffer, dtype=width)
    return offsets[at : at + n + 1]


def cells_to_trim(column: object) -> tuple[np.ndarray, np.ndarray] | None:
    """``(empty, edged)``: the positions of the empty cells of an Arrow string column
    (``pa.ChunkedArray``) and of the other cells trimming may change (first or last byte in
    :data:`_MAY_CHANGE`); a missing cell is neither. None when the column is not strings
    (the caller then trims nothing)."""
    empty: list[np.ndarray] = []
    edged: list[np.ndarray] = []
    start = 0
    for chunk in column.chunks:  # type: ignore[attr-defined]
        offsets = _offsets(chunk)
        if offsets is None:
            return None
        filled = offsets[1:] > offsets[:-1]
        blank = ~filled
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            filled &= valid
            blank &= valid
        empty.append(np.flatnonzero(blank) + start)
        data_buffer = chunk.buffers()[2]
        if data_buffer is not None and filled.any():
            data = np.frombuffer(data_buffer, dtype=np.uint8)
            at = np.flatnonzero(filled)
            first = data[offsets[:-1][at]]
            last = data[offsets[1:][at] - 1]
            edged.append(at[_MAY_CHANGE[first] | _MAY_CHANGE[last]] + start)
        start += len(chunk)
    none = np.empty(0, dtype=np.intp)
    return (
        np.concatenate(empty) if empty else none,
        np.concatenate(edged) if edged else none,
    )


def plain_text_columns(table: object) -> list[str]:
    """The string columns of an Arrow table no cell of which can be unreadable: their text
    holds no ``#`` and no control character (``text_cells.bytes_may_hold_unreadable`` on the
    bytes the cells span). Columns named twice are left out."""
    names = table.column_names  # type: ignore[attr-defined]
    return [
        str(name)
        for name in names
        if names.count(name) == 1 and _plain(table.column(name))  # type: ignore[attr-defined]
    ]


def _plain(column: object) -> bool:
    """Whether an Arrow column is strings whose bytes hold no character of an unreadable cell."""
    for chunk in column.chunks:  # type: ignore[attr-defined]
        offsets = _offsets(chunk)
        if offsets is None:
            return False
        start, end = int(offsets[0]), int(offsets[-1])
        if end > start:
            data = bytes(memoryview(chunk.buffers()[2])[start:end])
            if bytes_may_hold_unreadable(data):
                return False
    return True


def trim_columns(
    frame: pd.DataFrame, table: object, only: Collection[str] | None = None
) -> list[str]:
    """The text cells of ``frame`` (``table.to_pandas()``) trimmed as ``strip_text`` trims them
    (``str.strip``, empty text missing), column by column; returns the columns trimmed. Only
    the columns of ``only`` when given; a column of the table's is found by name (named once).
    An empty cell becomes missing without a call; a column is left untouched when Arrow cannot
    tell its cells (:func:`cells_to_trim` None) or when every cell would become missing."""
    names = table.column_names  # type: ignore[attr-defined]
    trimmed: list[str] = []
    for i, name in enumerate(frame.columns):
        if (only is not None and name not in only) or names.count(name) != 1:
            continue
        column = table.column(name)  # type: ignore[attr-defined]
        found = cells_to_trim(column)
        if found is None:
            continue
        empty, edged = found
        if len(empty) or len(edged):
            values = frame.iloc[:, i].to_numpy(dtype=object)
            stripped = [v.strip() or None for v in values[edged]]
            if len(empty) + len(edged) + column.null_count == len(frame) and not any(stripped):
                continue  # every cell blank: stacked by pandas' rules, as before
            if not values.flags.writeable:
                values = values.copy()
            values[empty] = None
            values[edged] = stripped
            frame.isetitem(i, values)
        trimmed.append(str(name))
    return trimmed


def columns_trimmed(headers_trimmed: Iterable[str], headers: list[dict[str, str]]) -> list[str]:
    """The columns of a source whose every header (one per repeated group, ``headers``: column
    -> header as written) the reader trimmed (``headers_trimmed``, raw headers)."""
    said = {str(h).strip() for h in headers_trimmed}
    trimmed: dict[str, bool] = {}
    for group in headers:
        for column, header in group.items():
            trimmed[column] = trimmed.get(column, True) and header in said
    return [c for c, t in trimmed.items() if t]


__all__ = ["cells_to_trim", "columns_trimmed", "plain_text_columns", "trim_columns"]
