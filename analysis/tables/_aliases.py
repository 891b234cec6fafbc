"""Aliases of the study's columns inside a table builder (:mod:`analysis._aliases`).

``@with_aliases(tables=..., columns=...)`` runs a builder on its tables with the columns it is
given under aliases, and names them back in its result: the ARD, the title, the footnotes, the
layout's heads and the error messages. A builder so wrapped may name its own columns anything.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import ParamSpec

import pandas as pd

from analysis._aliases import ALIAS_PREFIX, Aliases
from analysis.tables._arguments import bound_arguments
from analysis.tables._columns import column_names, require_columns
from analysis.tables.render import TableResult

__all__ = ["ALIAS_PREFIX", "Aliases", "named_result", "with_aliases"]

P = ParamSpec("P")


def with_aliases(
    *,
    tables: Sequence[str],
    columns: Sequence[str],
    keep: Sequence[str] = (),
    need: Mapping[str, Sequence[str]] | None = None,
    if_present: Sequence[str] = (),
) -> Callable[[Callable[P, TableResult]], Callable[P, TableResult]]:
    """A builder whose arguments ``tables`` (frames, Parquet paths, Ibis tables) are read with
    the columns named by its arguments ``columns`` (a name, ``None`` or a list of names) under
    aliases; its result and its errors name the columns as the caller did. ``keep``: the
    toolkit's own column names, passed as they are (the builder words its notes by them, e.g.
    ``is_teae``: "Treatment-emergent events only"; none is named as a builder's own column).

    ``need``: table argument -> the column arguments naming its columns; each is checked
    against that table's columns before anything runs (``_columns.require_columns``: one
    error naming the function, the argument, the name and the columns there are).
    ``if_present``: column arguments whose *default* name is used only when the table has it
    (else ``None``); a name the caller passes must be there."""

    def wrap(builder: Callable[P, TableResult]) -> Callable[P, TableResult]:
        signature = inspect.signature(builder)

        @functools.wraps(builder)
        def aliased(*args: P.args, **kwargs: P.kwargs) -> TableResult:
            bound = bound_arguments(builder.__name__, signature, args, kwargs)
            passed = set(bound.arguments)
            bound.apply_defaults()
            given = bound.arguments
            for t, args_of_t in (need or {}).items():
                have = set(column_names(given[t]))
                for c in if_present:
                    if c in args_of_t and c not in passed and given[c] not in have:
                        given[c] = None
                require_columns(
                    builder.__name__,
                    given[t],
                    table=f"the {t} table",
                    **{c: given[c] for c in args_of_t},
                )
            if isinstance(given.get("subject_id"), str):
                same_id_kind(builder.__name__, {t: given[t] for t in tables}, given["subject_id"])
            alias = Aliases(n for c in columns for n in _names(given[c]) if n not in keep)
            for c in columns:
                given[c] = _aliased(given[c], alias, keep)
            for t in tables:  # an optional table not given stays None
                given[t] = alias.data(given[t]) if given[t] is not None else None
            with alias.speaking():
                result = builder(*bound.args, **bound.kwargs)
            return named_result(result, alias)

        return aliased

    return wrap


def same_id_kind(function: str, tables: Mapping[str, object], subject_id: str) -> None:
    """``ArgumentError`` when the ids are numbers in one table and text in another: rows are
    matched by id exactly, so none would match (it was Ibis' "not comparable" error)."""
    kinds = {}
    for name, data in tables.items():
        kind = _id_kind(data, subject_id)
        if kind is not None:
            kinds[name] = kind
    if len(set(kinds.values())) > 1:
        from analysis.errors import ArgumentError

        said = " and ".join(f"{kind} in the {name} table" for name, kind in kinds.items())
        raise ArgumentError(
            f"{function}: `{subject_id}` holds {said}; rows are matched by id exactly, so none "
            f"would match. Give the ids one type in every table (e.g. "
            f"frame['{subject_id}'].astype(str) where they are numbers)."
        )


def _id_kind(data: object, column: str) -> str | None:
    """ "numbers" or "text" for the ids of ``data`` (a frame, a path or an Ibis table); None
    when it has no such column or its kind is neither."""
    if data is None:
        return None
    if isinstance(data, pd.DataFrame):
        if column not in data.columns:
            return None
        values = data[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = pd.Series(values.cat.categories)
        if pd.api.types.is_bool_dtype(values.dtype):
            return None
        if pd.api.types.is_numeric_dtype(values.dtype):
            return "numbers"
        found = pd.api.types.infer_dtype(values.head(1000), skipna=True)
        return (
            "text" if found == "string" else "numbers" if found in ("integer", "floating") else None
        )
    from analysis.engine import counts as engine

    try:
        t = engine.as_table(data)  # type: ignore[arg-type]
        if column not in t.columns:
            return None
        kind = t[column].type()
    except Exception:  # an unreadable path is said by the builder itself
        return None
    return "numbers" if kind.is_numeric() else "text" if kind.is_string() else None


def _names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _aliased(
    value: str | Sequence[str] | None, alias: Aliases, keep: Sequence[str] = ()
) -> str | list[str] | None:
    if value is None or isinstance(value, str):
        return value if value in keep else alias.get(value)
    return [v if v in keep else alias[v] for v in value]


def named_result(result: TableResult, alias: Aliases) -> TableResult:
    """``result`` of a builder that ran on aliases, with the study's names: its frame, title
    and footnotes; its layout and ``notes_of`` read a frame with the study's names."""
    layout, notes_of = result.layout, result.notes_of
    variables = [v for v in result.frame["variable"].unique() if v in alias.names]

    def aliased(frame: pd.DataFrame) -> pd.DataFrame:
        return alias.ard_aliased(frame, variables)

    def laid_out(frame: pd.DataFrame) -> pd.DataFrame:
        laid = layout(aliased(frame))
        return laid.rename(columns=lambda c: alias.text(c) if isinstance(c, str) else c)

    def notes(of: Callable[[pd.DataFrame], tuple[str, ...]]) -> Callable[..., tuple[str, ...]]:
        return lambda frame: tuple(alias.text(n) for n in of(aliased(frame)))

    return dataclasses.replace(
        result,
        title=alias.text(result.title),
        frame=alias.ard(result.frame),
        layout=laid_out,
        footnotes=tuple(alias.text(n) for n in result.footnotes),
        row_groups=None if result.row_groups is None else alias.text(result.row_groups),
        notes_of=None if notes_of is None else notes(notes_of),
        _displayed={},
    )
