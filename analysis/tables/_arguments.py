"""The shape of a table function's arguments, checked before it runs (``@shaped``).

A name where a list belongs was taken letter by letter: ``terms='Rash'`` gave the rows 'R',
'a', 's', 'h' at 0 (0.0%), ``covariates='sex'`` the columns 's', 'e', 'x'. A list where one
name belongs (``by=['sex']`` of a function grouping by one column) failed deep inside with
"unhashable type: 'list'". Read from each parameter's annotation: a ``Sequence[...]`` given one
name (or one number) is a list of it; a ``str`` given a list of one is that name, of more an
``ArgumentError``; a ``Mapping`` given a list or a name is an ``ArgumentError`` saying what it
takes; a number given as text is an ``ArgumentError``.

``@shaped(choices={"ci": (...)})``: a parameter that takes one of a few names is checked
against them before the function runs, and refused naming the function and the parameter the
user gave. ``ci='wilsn'`` was refused as "proportion_ci: unknown method", a function the user
never called; ``test='fisher_exact'`` of an AE table without ``by`` was ignored (no comparison
ran, so nothing looked at it).

A frame whose columns repeat a name (``pd.concat(axis=1)``, a merge of overlapping columns) is
refused naming the names: which of the two a function reads is not defined, and it failed deep
inside pandas ("Data must be 1-dimensional", "ValueError: 2").
"""

from __future__ import annotations

import difflib
import functools
import inspect
import numbers
from collections.abc import Callable, Collection, Mapping
from typing import Any, ParamSpec, TypeVar, overload

import pandas as pd

from analysis.errors import ArgumentError

P = ParamSpec("P")
R = TypeVar("R")


def _kind(annotation: object) -> str | None:
    """``list``, ``one`` (a name), ``map`` or ``number`` from an annotation's text."""
    if not isinstance(annotation, str):
        return None
    parts = set(_top_level(annotation)) - {"None"}
    if any(p.startswith(("Sequence[", "Iterable[", "list[")) for p in parts):
        return "list"
    if parts == {"str"}:
        return "one"
    if all(p.startswith(("Mapping[", "dict[")) for p in parts) and parts:
        return "map"
    if parts and parts <= {"int", "float"}:
        return "number"
    return None


def _top_level(annotation: str) -> list[str]:
    """The members of a union annotation: split at "|" outside brackets
    ("Mapping[str, str | None] | None" is a mapping or None)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(annotation):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            parts.append(annotation[start:i].strip())
            start = i + 1
    return [*parts, annotation[start:].strip()]


def _shaped(function: str, name: str, kind: str, value: Any) -> Any:
    if value is None:
        return value
    if kind == "list" and isinstance(value, str | numbers.Number) and not isinstance(value, bool):
        return [value]
    if kind == "one" and isinstance(value, list | tuple):
        if len(value) == 1 and isinstance(value[0], str):
            return value[0]
        raise ArgumentError(
            f"{function}: `{name}` takes one name; found {value!r}. Give one, e.g. "
            f"{name}={str(value[0]) if value else 'sex'!r}."
        )
    if kind == "map" and not isinstance(value, Mapping):
        raise ArgumentError(
            f"{function}: `{name}` takes a mapping ({{key: value, ...}}); found "
            f"{type(value).__name__} {value!r}."
        )
    if kind == "number" and (isinstance(value, str | bool) or not isinstance(value, numbers.Real)):
        raise ArgumentError(
            f"{function}: `{name}` takes a number; found {type(value).__name__} {value!r}."
        )
    return value


def _unique_columns(function: str, name: str, frame: pd.DataFrame) -> None:
    if frame.columns.is_unique:
        return
    repeated = list(dict.fromkeys(str(c) for c in frame.columns[frame.columns.duplicated()]))
    raise ArgumentError(
        f"{function}: the frame given as `{name}` has the column name(s) {repeated} more than "
        "once, so which one is meant is not defined. Rename one of each, or keep the first: "
        "df.loc[:, ~df.columns.duplicated()]."
    )


def _chosen(function: str, name: str, allowed: Collection[str], value: Any) -> None:
    if value is None or (isinstance(value, str) and value in allowed):
        return
    names = ", ".join(repr(a) for a in allowed)
    close = difflib.get_close_matches(str(value), list(allowed), n=1)
    hint = f" Did you mean {name}={close[0]!r}?" if close else ""
    raise ArgumentError(f"{function}: {name}={value!r} is not one of {names}.{hint}")


def bound_arguments(
    function: str, signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> inspect.BoundArguments:
    """``signature.bind(*args, **kwargs)``; a call that does not fit it is an
    :class:`ArgumentError` naming the function, the argument and the closest parameter (Python's
    own words named neither, at the end of a traceback through ``inspect``)."""
    try:
        return signature.bind(*args, **kwargs)
    except TypeError as error:
        raise ArgumentError(_misfit(function, signature, args, kwargs, str(error))) from None


def _misfit(
    function: str,
    signature: inspect.Signature,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    said: str,
) -> str:
    params = signature.parameters
    named = [n for n, p in params.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    takes = f"{function} takes: {', '.join(named)}."
    unknown = [k for k in kwargs if k not in params]
    if unknown and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, named, n=1)
            hints.append(f"{name}=" + (f" (did you mean {close[0]}=?)" if close else ""))
        return f"{function}: no parameter {', '.join(hints)}. {takes}"
    positional = [
        n for n, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(args) > len(positional):
        return (
            f"{function}: {len(args)} values given by position, but it takes at most "
            f"{len(positional)} ({', '.join(positional)}); name the others, e.g. by=... {takes}"
        )
    twice = [n for n in positional[: len(args)] if n in kwargs]
    if twice:
        return (
            f"{function}: {', '.join(twice)} given twice, by position and by name; give each "
            f"once. {takes}"
        )
    missing = [
        n
        for i, (n, p) in enumerate(params.items())
        if p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and n not in kwargs
        and not (i < len(args) and p.kind != p.KEYWORD_ONLY)
    ]
    if missing:
        return f"{function}: {', '.join(missing)} not given; {function} needs them. {takes}"
    return f"{function}: {said}. {takes}"


@overload
def shaped(fn: Callable[P, R]) -> Callable[P, R]: ...
@overload
def shaped(
    *, choices: Mapping[str, Collection[str]]
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def shaped(
    fn: Callable[P, R] | None = None, *, choices: Mapping[str, Collection[str]] | None = None
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """``fn`` with its arguments' shapes checked, and ``choices`` (parameter -> the names it
    takes) checked against their names (see the module doc)."""
    if fn is None:
        return lambda f: _checked(f, choices or {})
    return _checked(fn, choices or {})


def _checked(fn: Callable[P, R], choices: Mapping[str, Collection[str]]) -> Callable[P, R]:
    signature = inspect.signature(fn)
    unknown = set(choices) - set(signature.parameters)
    if unknown:  # a programming error of ours, at import
        raise TypeError(f"{fn.__name__} has no parameter(s) {sorted(unknown)} to choose")
    kinds = {
        name: kind
        for name, p in signature.parameters.items()
        if (kind := _kind(p.annotation)) is not None
    }

    @functools.wraps(fn)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = bound_arguments(fn.__name__, signature, args, kwargs)
        for name, value in list(bound.arguments.items()):
            if isinstance(value, pd.DataFrame):
                _unique_columns(fn.__name__, name, value)
            if name in kinds:
                bound.arguments[name] = _shaped(fn.__name__, name, kinds[name], value)
            if name in choices:
                _chosen(fn.__name__, name, choices[name], bound.arguments[name])
        return fn(*bound.args, **bound.kwargs)

    return checked


__all__ = ["bound_arguments", "shaped"]
