"""Safe YAML loading that remembers the line of every key, and pydantic errors as readable
messages naming the key and its line. Shared by the study config and the claims file.

Over 400 lines as one job: a file's text to its values and lines, and its mistakes to messages
with those lines, which need each other."""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Tag, ValidationError

from analysis.errors import ConfigError
from analysis.studyfile.yaml_syntax import syntax_error

Lines = dict[tuple[Any, ...], int]


#: At most this many values once every alias is expanded: a study file holds a few thousand, a
#: "billion laughs" file (aliases of aliases) would otherwise take hours and all the memory.
MAX_EXPANDED_VALUES = 100_000
#: A study file is a few kilobytes; a larger "study file" is another file given by mistake.
MAX_YAML_BYTES = 5_000_000
_UTF16_32_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def read_yaml_text(path: Path, *, what: str = "study file") -> str:
    """The text of a YAML file (a UTF-8 byte-order mark is allowed), or a ConfigError: not a
    regular file, unreadable, too large, or not UTF-8 (the first byte that is not, by line and
    offset)."""
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.yaml"))[:5]
        hint = f" (it holds {', '.join(inside)})" if inside else ""
        raise ConfigError(
            f"{path} is a folder, not a {what}{hint}. Pass the path of the YAML file itself, "
            f"e.g. studies/my_study.yaml."
        )
    if path.exists() and not path.is_file():
        raise ConfigError(
            f"{path} is not a regular file (a device, a pipe or a socket); pass the path of the "
            f"{what}, a YAML text file such as studies/my_study.yaml."
        )
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ConfigError(
                f"{path}: {size:,} bytes is not a {what} (those are a few kilobytes of YAML); "
                f"check the path."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{path}: the {what} cannot be read ({exc.strerror or exc}); check that the file "
            f"exists and that you may read it (its permissions)."
        ) from None
    for bom, encoding in _UTF16_32_BOMS.items():
        if raw.startswith(bom):
            raise ConfigError(
                f"{path}, line 1: the {what} is {encoding} text (it starts with a {encoding} "
                f"byte-order mark), not UTF-8. Save the file with the encoding UTF-8 (in most "
                f"editors: Save As > Encoding > UTF-8)."
            )
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


def safe_load_with_lines(
    text: str,
    path: Path,
    *,
    what: str = "study file",
    start_from: str = "one of the study files shipped in studies/ (docs/config.md)",
    top_keys: Collection[str] = (),
) -> tuple[Any, Lines]:
    """Parse YAML with ``yaml.SafeLoader`` (no object tags) and map key paths to line numbers.

    Refused with a ConfigError, as they would otherwise be silently wrong or never finish: a key
    repeated in one mapping (YAML keeps the last), an anchor that refers to itself, and aliases
    that expand to more than ``MAX_EXPANDED_VALUES`` values; also a character YAML does not
    allow (a NUL or another control character), and a file without any key. ``top_keys``: the
    keys such a file has at its top; a mapping with none of them is another file (a text file
    of ``name: value`` lines), refused without quoting its keys, which may be anyone's data (a
    key close to one of them, ``Sources``, is a study file's misspelling, said as such).
    """
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _unprintable(exc, text, path, what) from None
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
    except yaml.reader.ReaderError as exc:
        raise _unprintable(exc, text, path, what) from None
    except yaml.YAMLError as exc:
        raise syntax_error(exc, text, path, what) from None
    finally:
        loader.dispose()
    if data is None:
        raise ConfigError(
            f"{path}: the {what} is empty (no keys, only blank lines or comments). Write its "
            f"keys, starting from {start_from}."
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of top-level keys (`key: value` lines), found "
            f"{_kind(data)}."
        )
    if top_keys and not any(
        k in top_keys or difflib.get_close_matches(k, top_keys, n=1, cutoff=0.8)
        for k in data
        if isinstance(k, str)
    ):
        raise ConfigError(
            f"{path}: not a {what}: none of its {len(data)} top-level key(s) is one a {what} "
            f"has ({', '.join(sorted(top_keys))}); they are not shown, as the file may hold "
            f"other data. Pass the {what}'s path, or write it starting from {start_from}."
        )
    lines: Lines = {}
    _collect_lines(root_node, (), lines)
    return data, lines


def _unprintable(exc: yaml.reader.ReaderError, text: str, path: Path, what: str) -> ConfigError:
    """A character YAML refuses (NUL, another control character), by line and column."""
    position = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return ConfigError(
        f"{path}, line {line}, column {column}: the {what} holds the control character "
        f"U+{ord(char):04X}, which YAML does not allow (a binary file given as the {what}, or "
        f"an invisible character pasted with a value); remove it."
    )


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "a list (lines starting with '-')"
    return f"a single value ({str(data)[:40]!r})"


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
    known_keys: Iterable[str] = (),
    model: Any = None,
) -> str:
    """Every problem of the file, each with its dotted key and line, and what to do.

    ``clean_loc`` removes parts of pydantic's error location that are not keys of the file
    (validator names, union tags); ``known_keys`` are the keys the file may hold, from which
    an unknown key gets its closest ("did you mean"): the closest of those its mapping takes,
    found from ``model`` (the file's pydantic model), when it can be followed there.
    """
    keys = sorted(set(known_keys))
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
        own = _OWN_KEY.match(text)
        if own and loc:  # a model's check of one of its keys ("`seed`: ...") points at it
            loc, dotted, text = [*loc, own[1]], f"{dotted}.{own[1]}", text[own.end() :]
        line = next(
            (lines[tuple(loc[:n])] for n in range(len(loc), 0, -1) if tuple(loc[:n]) in lines),
            None,
        )
        where = f"line {line}" if line else "top level"
        if err["type"] == "extra_forbidden":
            # the raw location keeps the tag of a discriminated union's member (a claim's
            # `kind`): the keys of that member, not of every member (`expected` is a key of a
            # value claim, not of an argmax one)
            raw = [x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-"))]
            near = None
            if model is not None and loc:
                near = keys_at(model, raw[:-1]) or keys_at(model, loc[:-1])
            pool = sorted(near) if near else keys
            close = difflib.get_close_matches(str(loc[-1]) if loc else "", pool, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            msg = f"unknown key `{dotted}` ({where}){hint}; check its spelling or remove it"
        elif err["type"] == "missing":
            msg = f"missing required key `{dotted}` ({where})"
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx", {})
            field = str(ctx.get("discriminator", "kind")).strip("'")
            field = field if field.isidentifier() else "kind"  # a callable discriminator
            tags = str(ctx.get("expected_tags", "?")).replace("'", "")
            msg = f"`{dotted}.{field}` ({where}) is {ctx.get('tag', '?')!r}; use one of {tags}"
        elif dotted == "(root)":  # a cross-check: its message starts with its key
            msg = f"({where}) {text}"
        elif str(err["type"]).startswith(("date_", "datetime_")):  # pydantic's words of its parser
            msg = (
                f"`{dotted}` ({where}): not a date; write it as YYYY-MM-DD, e.g. 2021-12-31"
                f"{found_words(err['type'], err.get('input'))}"
            )
        else:
            msg = f"`{dotted}` ({where}): {text}{found_words(err['type'], err.get('input'))}"
        parts.append(f"  - {msg}")
    return "\n".join(parts)


def keys_at(model: Any, path: list[Any]) -> set[str] | None:
    """The keys the mapping at ``path`` of a file read by the pydantic ``model`` takes (every
    member's, where a union allows several models); None where the path cannot be followed."""
    kinds = [model]
    for step in path:
        tagged = [m for kind in kinds for m in _tagged(kind, step)]
        if tagged:  # a discriminated union's tag (pydantic's location names it): that member
            kinds = tagged
            continue
        kinds = [
            inner for kind in kinds for outer in _members(kind) for inner in _step_into(outer, step)
        ]
    keys = {k for kind in kinds for m in _members(kind) if _is_model(m) for k in m.model_fields}
    return keys or None


def _tagged(kind: Any, step: Any) -> list[Any]:
    """The members of the union ``kind`` marked ``Tag(step)`` (pydantic's ``Discriminator``)."""
    if typing.get_origin(kind) is typing.Annotated:
        return _tagged(typing.get_args(kind)[0], step)
    if not (typing.get_origin(kind) is typing.Union or isinstance(kind, types.UnionType)):
        return []
    out = []
    for arg in typing.get_args(kind):
        if typing.get_origin(arg) is typing.Annotated:
            inner, *marks = typing.get_args(arg)
            if any(isinstance(m, Tag) and m.tag == step for m in marks):
                out.append(inner)
    return out


def _members(kind: Any) -> list[Any]:
    """``kind`` without ``Optional``, ``Union`` and ``Annotated``: the types it allows."""
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return _members(typing.get_args(kind)[0])
    if origin is typing.Union or isinstance(kind, types.UnionType):
        return [m for arg in typing.get_args(kind) for m in _members(arg)]
    return [kind]


def _step_into(kind: Any, step: Any) -> list[Any]:
    if _is_model(kind):
        field = kind.model_fields.get(step) if isinstance(step, str) else None
        return [field.annotation] if field is not None else []
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list and isinstance(step, int) and args:
        return [args[0]]
    if origin is dict and isinstance(step, str) and len(args) == 2:
        return [args[1]]
    return []


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


#: the start of a model's message about one of its own keys (``model.StudyModel``)
_OWN_KEY = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`: ")

#: pydantic's error types of a key that takes one plain value (text, a number, a choice)
_ONE_VALUE = {
    "string_type",
    "literal_error",
    "enum",
    "int_type",
    "int_parsing",
    "float_type",
    "float_parsing",
    "bool_type",
    "bool_parsing",
}


def found_words(kind: str, found: Any) -> str:
    """What the file gave, and how to write what the key wants, after pydantic's message:
    YAML reads an unquoted ``no`` as false and ``12`` as a number; a list or mapping where one
    value belongs; one value where a list belongs."""
    if kind in _ONE_VALUE and isinstance(found, list):
        return f"; found a list of {len(found)}: give one value, without [ ]"
    if kind in _ONE_VALUE and isinstance(found, dict):
        return "; found a mapping (`key: value` pairs): give one value"
    if kind == "list_type" and isinstance(found, dict):
        return (
            "; found one mapping (`key: value` pairs): write it as a list of one, in [ ] or "
            "after a '- '"
        )
    if kind == "list_type" and found is None:
        return "; found no value: list the values in [ ], or remove the key"
    if kind == "list_type" and isinstance(found, bool):
        return (
            f"; found {str(found).lower()}, which is how YAML reads an unquoted yes, no, on, "
            f"off, true or false: write the list with the text in quotes, e.g. "
            f'`["{"yes" if found else "no"}"]`'
        )
    if kind == "list_type" and not isinstance(found, list | dict):
        return f"; found one value, {found!r}: write it as a list, `[{_yaml_scalar(found)}]`"
    if isinstance(found, dict | list):
        return ""
    if kind in ("string_type", "literal_error", "enum") and isinstance(found, bool):
        return (
            f"; found {str(found).lower()}, which is how YAML reads an unquoted yes, no, on, off, "
            f'true or false: write the text in quotes, e.g. `"{"yes" if found else "no"}"`'
        )
    if kind == "string_type" and isinstance(found, int | float):
        return f"; found the number {found!r}: if it is meant as text, write it in quotes"
    return f"; found {found!r}"


def _yaml_scalar(value: Any) -> str:
    """``value`` as a YAML list item that reads back as written: text in double quotes."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _key_in_message(text: str) -> list[Any]:
    """``analysis.tables.x.by[0]: ...`` -> ``["analysis", "tables", "x", "by", 0]`` (else []).

    Also a key with a source's or criterion's name in brackets (``sources[3] (conc): ...``,
    ``inclusion[0] (followup).where[0]: ...``), a mapping key with spaces
    (``derive.grade_severity.Grade 2: ...``) and a key followed by words without a colon
    (``sources[0].synonyms.sex names ...``): these messages showed "(top level)" for their line.
    A path found is used only where the file has it (``format_validation_errors``)."""
    candidates = []
    m = re.match(r"([A-Za-z0-9_.\[\]=;-]+):", text)  # '=', ';': a refused column name
    if m:
        candidates.append(m.group(1))
    if ": " in text:
        candidates.append(re.sub(r" \([^)]*\)", "", text.split(": ", 1)[0]))
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[\d+\])+(?= )", text)
    if m:
        candidates.append(m.group(0))
    for key in candidates:
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[^.\[\]]+|\[\d+\])*", key):
            return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", key)]
    return []
