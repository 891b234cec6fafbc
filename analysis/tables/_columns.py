"""One check of a table function's column arguments against its input, before any query.

A table function names the columns it reads by its arguments (``by``, ``term``,
``subject_id``...). A name the data lack would otherwise surface deep inside as a library's
error (``KeyError: 'AETERM'``, Ibis' "Column ... is not found"), or, for an optional row, not
at all. Every public table function checks all of its column arguments here first, against
the columns of its input (a pandas frame, a Parquet path or an Ibis table: the schema only),
and raises one :class:`~analysis.errors.ColumnError` naming the function, each argument and
missing name, the columns there are (the closest first) and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import ColumnError

#: columns listed in a message at most (a wide export has hundreds)
SHOWN = 30

#: what ``None`` does for the column arguments that take it, said beside the fix
NONE_MEANS = {
    "teae_flag": "counts every event",
    "serious_flag": "leaves out the any-serious row",
    "category": "shows no category rows",
}


def column_names(data: Any) -> list[str]:
    """The columns of ``data`` (a pandas frame, a Parquet path or an Ibis table), read from
    its schema: nothing is counted."""
    if isinstance(data, pd.DataFrame):
        return [str(c) for c in data.columns]
    from analysis.engine import counts as engine

    return [str(c) for c in engine.as_table(data).columns]


def require_frame(function: str, data: Any, *, table: str) -> None:
    """Refuse anything but a pandas frame for a function that reads its rows in pandas."""
    if isinstance(data, pd.DataFrame):
        return
    what = "a Parquet path" if isinstance(data, str | Path) else type(data).__name__
    raise ColumnError(
        f"{function}: {table} must be a pandas DataFrame (one row per subject); got {what}. "
        "Read it first, e.g. pandas.read_parquet(path) (the categories retro clean wrote are "
        "kept), or ibis_table.to_pandas()."
    )


def require_columns(function: str, data: Any, *, table: str, **arguments: Any) -> None:
    """Raise a :class:`ColumnError` when a column named by ``arguments`` (argument name ->
    a column name, a list of names, a mapping whose keys are names, or ``None``) is not a
    column of ``data`` (``table``: its name in the message, e.g. "the events table")."""
    have = column_names(data)
    present = set(have)
    missing = [
        (arg, name)
        for arg, value in arguments.items()
        for name in _names(value)
        if name not in present
    ]
    if missing:
        message = missing_columns_message(function, table, missing, have)
        indexed = _index_names(data) & {name for _, name in missing}
        if indexed:
            names = ", ".join(repr(n) for n in sorted(indexed))
            message += (
                f" {names} {'is' if len(indexed) == 1 else 'are'} in the frame's index, not its "
                "columns: df.reset_index() makes the index columns."
            )
        raise ColumnError(message)


def _index_names(data: Any) -> set[str]:
    if not isinstance(data, pd.DataFrame):
        return set()
    return {str(n) for n in data.index.names if n is not None}


def missing_columns_message(
    function: str, table: str, missing: list[tuple[str, str]], have: list[str]
) -> str:
    """What is missing, by which argument, where; the columns there are, closest first; the
    fix."""
    lines = []
    for arg, name in missing:
        close = (
            difflib.get_close_matches(name, have, n=1)
            or [h for h in have if h.startswith(name)][:1]
        )
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        lines.append(f"{arg}={name!r}: {table} has no column {name!r}{hint}")
    shown = _closest_first([name for _, name in missing], have)
    listing = ", ".join(repr(c) for c in shown[:SHOWN])
    more = f", ... ({len(have) - SHOWN} more)" if len(have) > SHOWN else ""
    nones = [f"{arg}=None {NONE_MEANS[arg]}" for arg in dict(missing) if arg in NONE_MEANS]
    or_none = f" ({'; '.join(nones)})" if nones else ""
    return (
        f"{function}: {'; '.join(lines)}. Its {len(have)} column(s), closest first: "
        f"{listing}{more}. Pass the name of an existing column (as it is spelled there), or "
        f"add the column to the data{or_none}."
    )


def _closest_first(names: list[str], have: list[str]) -> list[str]:
    """``have`` ordered by how close each is to any of ``names`` (ties in table order)."""

    def closeness(column: str) -> float:
        return max(difflib.SequenceMatcher(None, n.lower(), column.lower()).ratio() for n in names)

    return sorted(have, key=lambda c: -closeness(c))


def _names(value: Any) -> Iterable[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    return [str(v) for v in value if v is not None]
