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


#: At most this many values once every alias is expanded: a study file holds a few thousand, a
#: "billion laughs" file (aliases of aliases) would otherwise take hours and all the memory.
MAX_EXPANDED_VALUES = 100_000


def read_yaml_text(path: Path, *, what: str = "study file") -> str:
    """The text of a YAML file, or a ConfigError naming the first byte that is not UTF-8."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}, line {line}: the {what} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
            f"offset {exc.start} cannot be read). Save the file with the encoding UTF-8 (in "
            f"most editors: Save As > Encoding > UTF-8)."
        ) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers where each alias is used (to name its line in an error)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_uses: list[tuple[str, int, yaml.Node]] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            assert node is not None  # an alias always names a composed node
            self.alias_uses.append((str(event.anchor), event.start_mark.line + 1, node))
            return node
        return super().compose_node(parent, index)


def safe_load_with_lines(text: str, path: Path) -> tuple[Any, Lines]:
    """Parse YAML with ``yaml.SafeLoader`` (no object tags) and map key paths to line numbers.

    Refused with a ConfigError, as they would otherwise be silently wrong or never finish: a key
    repeated in one mapping (YAML keeps the last), an anchor that refers to itself, and aliases
    that expand to more than ``MAX_EXPANDED_VALUES`` values.
    """
    loader = _Loader(text)
    try:
        try:
            root_node = loader.get_single_node()
        except RecursionError:
            raise ConfigError(
                f"{path}: values are nested too deeply to read (more than a few hundred "
                f"levels); flatten the lists and mappings."
            ) from None
        if root_node is None:
            data = None
        else:
            _check_aliases(root_node, loader.alias_uses, path)
            _check_duplicate_keys(root_node, (), path, loader, set())
            data = loader.construct_document(root_node)
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
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of top-level keys, found {type(data).__name__}."
        )
    lines: Lines = {}
    _collect_lines(root_node, (), lines)
    return data, lines


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(
    root: yaml.Node, alias_uses: list[tuple[str, int, yaml.Node]], path: Path
) -> None:
    """Refuse an anchor that contains itself and aliases that expand beyond the limit.

    Sizes are counted without expanding (each node once, iteratively), so a hostile file is
    refused in time linear in its length.
    """
    if not alias_uses:
        return
    size: dict[int, int] = {}
    for _, _, target in alias_uses:
        if id(target) in size:
            continue
        stack: list[tuple[yaml.Node, bool]] = [(target, False)]
        open_: set[int] = set()
        while stack:
            node, done = stack.pop()
            if done:
                open_.discard(id(node))
                size[id(node)] = 1 + sum(size[id(c)] for c in _children(node))
                continue
            if id(node) in size:
                continue
            if id(node) in open_:
                anchor, line = next((a, n) for a, n, t in alias_uses if t is node)
                raise ConfigError(
                    f"{path}, line {line}: alias `*{anchor}` is used inside the value its anchor "
                    f"`&{anchor}` names, so the value would contain itself without end. Write "
                    f"the value out instead of the alias."
                )
            open_.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in _children(node) if id(c) not in size)
    total = 0
    for _, _, target in alias_uses:
        total += size[id(target)]
    if total > MAX_EXPANDED_VALUES:
        anchor, line, target = max(alias_uses, key=lambda use: size[id(use[2])])
        raise ConfigError(
            f"{path}, line {line}: aliases expand to more than {MAX_EXPANDED_VALUES:,} values "
            f"(`*{anchor}` alone to {size[id(target)]:,}); a study file needs far fewer. Use "
            f"anchors only to repeat a short list or mapping, and do not nest aliases of "
            f"aliases."
        )


def _check_duplicate_keys(
    node: yaml.Node,
    prefix: tuple[Any, ...],
    path: Path,
    loader: _Loader,
    seen_nodes: set[int],
) -> None:
    """A key given twice in one mapping (YAML silently keeps the last) is an error."""
    if id(node) in seen_nodes:  # an alias: its mapping was checked where the anchor is
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = _scalar_key(loader, key_node)
                line = key_node.start_mark.line + 1
                if key in first:
                    dotted = ".".join(str(k) for k in (*prefix, key_node.value)).replace(".[", "[")
                    raise ConfigError(
                        f"{path}: key `{dotted}` is given twice (lines {first[key]} and {line}); "
                        f"YAML would silently keep only the second. Merge the two into one or "
                        f"delete one of them."
                    )
                first[key] = line
            _check_duplicate_keys(value_node, (*prefix, key_node.value), path, loader, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(item, (*prefix, f"[{i}]"), path, loader, seen_nodes)


def _scalar_key(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """The key as YAML reads it (so `1` and `0x1`, or `yes` and `true`, are the same key)."""
    try:
        key = loader.construct_object(node)
        hash(key)
    except (yaml.YAMLError, TypeError):
        return (node.tag, node.value)
    return key


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
