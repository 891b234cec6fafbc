"""Formatted tables in the study's words: level and variable labels put in at display time.

The ARD keeps the codes (``therapy_group``, ``combined``); a displayed table shows the words of
the plan (``Therapy``, ``With a topical treatment``). Only whole cells, the two sides of
"a vs b", the level before "(N=...)" in a column head or in parentheses after it ("p-value
(combined)"), and code names with an underscore are replaced, so prose around them is left
alone. In titles and footnotes (:func:`relabel_note`)
a code name in backticks (```is_teae```, any code) or with an underscore becomes its label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from analysis.report.method_prose import Method

_HEAD = re.compile(r"^(.+?) \((N=.*)\)$")
_OF_LEVEL = re.compile(r"^(.+?) \(([^()]+)\)$")
_TICKED = re.compile(r"`([^`]+)`")
_HEAD_PARTS = re.compile(r"(, | · | vs |\(|\)|^RD |^p, )")
_EQUALS = re.compile(r"(?<== )([^;,.()=]+?)(?=;|,|\.(?:\s|$)|\)|$)")


def relabel_text(text: str, levels: Mapping[str, str], names: Mapping[str, str]) -> str:
    """One cell or column head in the plan's words."""
    indent = text[: len(text) - len(text.lstrip())]
    core = text.strip()
    if core in levels:
        return indent + levels[core]
    head = _HEAD.match(core)
    if head and head.group(1) in levels:
        return f"{indent}{levels[head.group(1)]} ({head.group(2)})"
    of_level = _OF_LEVEL.match(core)
    if of_level and of_level.group(2) in levels:  # "p-value (combined)"
        return f"{indent}{of_level.group(1)} ({levels[of_level.group(2)]})"
    core = _names_in(core, names)
    if " vs " in core:
        prefix, _, rest = core.rpartition(": ")
        left, _, right = rest.partition(" vs ")
        if left in levels or right in levels:
            rest = f"{levels.get(left, left)} vs {levels.get(right, right)}"
            core = f"{prefix}: {rest}" if prefix else rest
    return indent + core


def relabel_head(text: str, levels: Mapping[str, str], names: Mapping[str, str]) -> str:
    """A column head in the plan's words: as a cell (:func:`relabel_text`), then each part
    between the separators of a combined head ("female, monotherapy (N=56)", "Monotherapy ·
    female", "RD male vs female (95% CI)", "p, monotherapy (sex)") that is a level (or a level
    with a capital, as a builder writes a stratum) or a column name becomes its label."""
    head = relabel_text(text, levels, names)
    parts = _HEAD_PARTS.split(head)
    capitalised = {k[:1].upper() + k[1:]: v for k, v in levels.items()}  # a builder's own
    words = {**names, **capitalised, **levels}
    return "".join(_part(p, words) if i % 2 == 0 else p for i, p in enumerate(parts))


def _part(part: str, words: Mapping[str, str]) -> str:
    """``part`` of a head in words when, without its surrounding spaces, it is a code."""
    core = part.strip()
    return part.replace(core, words[core]) if core in words else part


def _names_in(text: str, names: Mapping[str, str]) -> str:
    """``text`` with each code name of ``names`` in backticks, and each with an underscore,
    replaced by its words."""
    text = _TICKED.sub(lambda m: _in_sentence(m, names), text)
    for code, words in names.items():
        if "_" in code and code in text:
            text = re.sub(rf"(?<![\w/.]){re.escape(code)}(?![\w/]|\.\w)", words, text)
    return text


def relabel_note(text: str, levels: Mapping[str, str], names: Mapping[str, str]) -> str:
    """A title or footnote in the plan's words: code names in backticks (columns or levels),
    a level after " = " ("Reference levels: Sex = female") and column names with an underscore
    become their labels; other words stay."""
    text = _TICKED.sub(lambda m: _in_sentence(m, levels), text)
    text = _EQUALS.sub(lambda m: levels.get(m.group(1), m.group(1)), text)  # "Sex = female"
    return _names_in(_methods_in(text), names)


def _methods_in(text: str) -> str:
    """``text`` with each method as the statistics code writes it ("fisher-freeman-halton
    exact", "(wilson)", "logistic regression (statsmodels Logit)") named as a statistician does
    (``method_prose``: "Fisher–Freeman–Halton exact test"); a generic name ("logistic
    regression") keeps a small first letter inside a sentence, a word already there ("log-rank
    test") is not repeated."""
    from functools import partial

    from analysis.report.method_prose import CATALOGUE

    for m in sorted(CATALOGUE, key=lambda m: -len(m.prefix)):
        if m.name and m.prefix.islower() and m.prefix in text:
            pattern = rf"(?<![\w-]){re.escape(m.prefix)}(?![\w-])"
            text = re.sub(pattern, partial(_method_name, m=m), text)
    return text


def _method_name(match: re.Match[str], m: Method) -> str:
    name = m.name
    if name.lower().startswith(m.prefix):
        tail = name[len(m.prefix) :]
        if tail and match.string[match.end() :].startswith(tail):
            name = name[: len(m.prefix)]  # "log-rank test" -> "Log-rank test", not "test test"
    before = match.string[: match.start()].rstrip()
    starts = not before or before[-1] in ".:!?"
    first = name.split()[0].split("'")[0]
    proper = first in m.words  # "Wilson score intervals", not "the log-rank test"
    if not starts and not proper:
        name = name[:1].lower() + name[1:]
    return name


def _in_sentence(match: re.Match[str], words: Mapping[str, str]) -> str:
    """The words of a code in backticks, with a small first letter inside a sentence ("the
    `sex` levels" -> "the sex levels"; a label such as "HN grade" keeps its capitals)."""
    code = match.group(1)
    if code not in words:
        return match.group(0)
    text = words[code]
    before = match.string[: match.start()].rstrip()
    starts = not before or before[-1] in ".:!?"
    if not starts and text[:1].isupper() and text[1:2].islower():
        return text[:1].lower() + text[1:]
    return text


def relabel_frame(
    frame: pd.DataFrame, *, levels: Mapping[str, str], names: Mapping[str, str]
) -> pd.DataFrame:
    """Every text cell and column head of a formatted table through :func:`relabel_text`."""
    out = frame.copy()
    out.columns = [relabel_head(c, levels, names) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        out[col] = out[col].map(
            lambda v: relabel_text(v, levels, names) if isinstance(v, str) else v
        )
    return out


__all__ = ["relabel_frame", "relabel_head", "relabel_note", "relabel_text"]
