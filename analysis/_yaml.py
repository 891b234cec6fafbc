"""Safe YAML loading that remembers the line of every key, and pydantic errors as readable
messages naming the key and its line. Shared by the study config and the claims file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from analysis.errors import ConfigError

Lines = dict[tuple[Any, ...], int]


def safe_load_with_lines(text: str, path: Path) -> tuple[Any, Lines]:
    """Parse YAML with ``yaml.SafeLoader`` (no object tags) and map key paths to line numbers."""
    try:
        root_node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(
            f"{path}, line {line}: unsafe or unknown YAML tag ({exc.problem}). Study files may "
            f"hold only plain values, lists and mappings; remove the tag."
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        raise ConfigError(f"{path}, line {line}: not valid YAML ({exc}).") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of top-level keys, found {type(data).__name__}."
        )
    lines: Lines = {}
    _collect_lines(root_node, (), lines)
    return data, lines


def _collect_lines(node: Any, prefix: tuple[Any, ...], out: Lines) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, key_node.value)
            out[key] = key_node.start_mark.line + 1
            _collect_lines(value_node, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*prefix, i)
            out[key] = item.start_mark.line + 1
            _collect_lines(item, key, out)


def format_validation_errors(
    exc: ValidationError,
    path: Path,
    lines: Lines,
    *,
    what: str,
    clean_loc: Callable[[list[Any]], list[Any]] = lambda loc: loc,
) -> str:
    """Every problem of the file, each with its dotted key and line, and what to do.

    ``clean_loc`` removes parts of pydantic's error location that are not keys of the file
    (validator names, union tags).
    """
    parts = [f"{path}: {exc.error_count()} problem(s) in the {what}:"]
    for err in exc.errors():
        loc = clean_loc(
            [x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-"))]
        )
        dotted = ".".join(f"[{x}]" if isinstance(x, int) else str(x) for x in loc)
        dotted = dotted.replace(".[", "[") or "(root)"
        text = str(err["msg"]).removeprefix("Value error, ")
        if not loc:  # a cross-check names its key at the start of its message
            loc = _key_in_message(text)
        line = next(
            (lines[tuple(loc[:n])] for n in range(len(loc), 0, -1) if tuple(loc[:n]) in lines),
            None,
        )
        where = f"line {line}" if line else "top level"
        if err["type"] == "extra_forbidden":
            msg = f"unknown key `{dotted}` ({where}); check its spelling or remove it"
        elif err["type"] == "missing":
            msg = f"missing required key `{dotted}` ({where})"
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            field = str(ctx.get("discriminator", "kind")).strip("'")
            field = field if field.isidentifier() else "kind"  # a callable discriminator
            tags = str(ctx.get("expected_tags", "?")).replace("'", "")
            msg = f"`{dotted}.{field}` ({where}) is {ctx.get('tag', '?')!r}; use one of {tags}"
        else:
            found = err.get("input")
            shown = "" if isinstance(found, dict | list) else f"; found {found!r}"
            msg = f"`{dotted}` ({where}): {text}{shown}"
        parts.append(f"  - {msg}")
    return "\n".join(parts)


def _key_in_message(text: str) -> list[Any]:
    """``analysis.tables.x.by[0]: ...`` -> ``["analysis", "tables", "x", "by", 0]`` (else [])."""
    m = re.match(r"([A-Za-z0-9_.\[\]-]+):", text)
    if not m:
        return []
    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", m.group(1))]
