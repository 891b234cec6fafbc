"""A YAML syntax error in a study or claims file, said in plain words with its fix.

PyYAML's own text ("while parsing a block mapping in "<unicode string>", line 6, column 1:
expected <block end>, but found '<block mapping start>'") names the parser's states, not the
mistake a person made. The mistakes that produce nearly all of them are few: a tab among the
spaces of an indentation, a line indented unlike its neighbours, a quote or a bracket opened
and not closed, a second ``: `` inside a value, a line that is neither ``key: value`` nor a
list item. Each is recognised here from the parser's problem and the file's text, and said
with the line, the column, the line's text and the fix; PyYAML's problem follows in brackets
for whoever knows YAML. A mistake not recognised is said as the parser's problem, by line and
column, with what to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import yaml

from analysis.errors import ConfigError

_SHOWN_CHARS = 70


class _Mark(NamedTuple):
    """A position as PyYAML's marks give it (0-based)."""

    line: int
    column: int


def syntax_error(exc: yaml.YAMLError, text: str, path: Path, what: str) -> ConfigError:
    """The ConfigError for a YAML syntax error ``exc`` met reading ``text`` (the file at
    ``path``, a ``what``: "study file", "claims file")."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    lines = text.splitlines()
    problem = str(getattr(exc, "problem", "") or "").strip()
    context = str(getattr(exc, "context", "") or "").strip()
    if mark is None:
        return ConfigError(f"{path}: the {what} is not valid YAML ({problem or exc}).")
    context_mark = getattr(exc, "context_mark", None)
    if context_mark is not None and (
        "could not find expected ':'" in problem or "quoted scalar" in context or "flow" in context
    ):
        mark = context_mark  # the line without its `:`, the quote or bracket: the parser read on
    elif context_mark is not None and "expected <block end>" in problem:
        quote = _unclosed_quote(lines, context_mark.line, mark.line)
        mark = _Mark(quote, _indent(lines[quote])) if quote is not None else mark
    line, column = mark.line + 1, mark.column + 1
    at = mark.line if mark.line < len(lines) else len(lines) - 1
    said = _plain(problem, context, exc, lines, at, mark.column, what)
    shown = _shown(lines, at)
    parser = "; ".join(p for p in (context, problem) if p)
    return ConfigError(
        f"{path}, line {line}, column {column}: {said}{shown}\n(the YAML parser said: {parser}.)"
    )


def _plain(
    problem: str,
    context: str,
    exc: yaml.YAMLError,
    lines: list[str],
    at: int,
    column: int,
    what: str,
) -> str:
    """The mistake and its fix, in words."""
    context_mark = getattr(exc, "context_mark", None)
    opened = context_mark.line if context_mark is not None else at
    if "'\\t'" in problem:
        return (
            "a tab character where YAML expects spaces: YAML indents with spaces only. Replace "
            "the tab with spaces, as many as the lines around it use."
        )
    if "mapping values are not allowed here" in problem and at < len(lines):
        if lines[at].find(":") == column:  # its own key: the line is indented into a value
            return _indentation(lines, at)
        return (
            "a second `: ` (colon and space) on this line: YAML reads what precedes it as a "
            'new key. If it is part of a value, put the whole value in double quotes: `key: "a: '
            'b"`.'
        )
    quote = _unclosed_quote(lines, opened, at)
    if quote is not None or "quoted scalar" in context:
        where = quote if quote is not None else opened
        return (
            f"a quote opened on line {where + 1} is not closed on that line: YAML reads on, "
            f"into the lines after it. Close the quote at the end of the value (a quote inside "
            f'a value is written twice in single quotes, or as \\" in double quotes).'
        )
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[ ]" if "sequence" in context else "{ }"
        return (
            f"the {bracket} opened on line {opened + 1} is not closed there, or a comma is "
            f"missing between its items. Close it on its own line, or write the items as an "
            f"indented block."
        )
    if "could not find expected ':'" in problem:
        return (
            "this line is neither `key: value` nor a list item `- value`: a `:` missing after "
            "a key, or a value continued on a new line without quotes. Add the `:`, or put the "
            "whole value in quotes on one line."
        )
    if "expected <block end>" in problem or "block collection" in context:
        return _indentation(lines, at)
    return (
        f"the {what} is not valid YAML here. Look at this line and the one before it: an "
        f"indentation unlike its neighbours', a quote or bracket not closed, or a `:` missing."
    )


def _indentation(lines: list[str], at: int) -> str:
    """A line indented unlike the block it is in: where it starts, and where the line before
    it (and that line's key, after a ``- ``) starts."""
    before = next(
        (i for i in range(at - 1, -1, -1) if lines[i].strip() and not _comment(lines[i])), None
    )
    mine = _indent(lines[at]) + 1 if at < len(lines) else 1
    if before is None:
        return f"this line starts in column {mine}, which does not fit. Indent it like its block."
    theirs = _indent(lines[before]) + 1
    key = ""
    if lines[before].lstrip().startswith("- "):
        key = f", its key after the `- ` in column {theirs + 2}"
    return (
        f"this line starts in column {mine}, line {before + 1} before it in column {theirs}"
        f"{key}: the keys (or the `- ` items) of one block start in the same column, and a "
        f"block inside a key further right than the key. Indent it like the other keys of its "
        f"block."
    )


def _unclosed_quote(lines: list[str], first: int, last: int) -> int | None:
    """The first line from ``first`` to ``last`` (0-based) whose value opens a quote that the
    line does not close; None when every line closes its quotes."""
    for i in range(max(0, first), min(last, len(lines) - 1) + 1):
        if _opens_quote(lines[i]):
            return i
    return None


def _opens_quote(line: str) -> bool:
    """Whether the value of ``line`` (after ``key:`` or ``- ``) begins with a quote it does not
    close."""
    value = line.strip()
    if value.startswith("- "):
        value = value[2:].lstrip()
    key, sep, rest = value.partition(": ")
    if sep and not key.startswith(("'", '"')):
        value = rest.lstrip()
    if not value or value[0] not in "'\"":
        return False
    quote, body = value[0], value[1:]
    escaped = ("\\\\", '\\"') if quote == '"' else ("''",)  # a quote kept inside the value
    for pair in escaped:
        body = body.replace(pair, "")
    return quote not in body


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _shown(lines: list[str], at: int) -> str:
    """The line as written (cut at ``_SHOWN_CHARS``), tabs shown as ``→``."""
    if not 0 <= at < len(lines):
        return ""
    line = lines[at].rstrip().replace("\t", "→")
    if len(line) > _SHOWN_CHARS:
        line = line[:_SHOWN_CHARS] + "…"
    return f"\n  the line: {line}"


__all__ = ["syntax_error"]
