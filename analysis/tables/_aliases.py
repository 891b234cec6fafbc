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
            bound = signature.bind(*args, **kwargs)
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
