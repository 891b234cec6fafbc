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

from analysis.words import in_sentence

if TYPE_CHECKING:
    from analysis.report.method_prose import Method

_HEAD = re.compile(r"^(.+?) \((N=.*)\)$")
_OF_LEVEL = re.compile(r"^(.+?) \(([^()]+)\)$")
_TICKED = re.compile(r"`([^`]+)`")
_HEAD_PARTS = re.compile(r"(, | · | vs |\(|\)|^RD |^p-value, |^p, )")
_EQUALS = re.compile(r"(?<== )([^;,.()=]+?)(?=;|,|\.(?:\s|$)|\)|$)")


def has_letter(code: str) -> bool:
    """A level code with a letter can be told from a number; a numeric code ("1", "0.5") is
    put in words only where its column is known (:func:`relabel_frame`), never by matching a
    cell or a note alone: a count of 1 is not "1 mg/day"."""
    return any(ch.isalpha() for ch in code)


def _lettered(levels: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in levels.items() if has_letter(k)}


def relabel_text(text: str, levels: Mapping[str, str], names: Mapping[str, str]) -> str:
    """One cell or column head in the plan's words (numeric level codes are left alone)."""
    levels = _lettered(levels)
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
        prefix = names.get(prefix, prefix)  # "sex: male vs female" -> "Sex: Male vs Female"
        left, _, right = rest.partition(" vs ")
        if left in levels or right in levels:
            rest = f"{levels.get(left, left)} vs {levels.get(right, right)}"
        core = f"{prefix}: {rest}" if prefix else rest
    return indent + core


def relabel_head(
    text: str,
    levels: Mapping[str, str],
    names: Mapping[str, str],
    numeric: Mapping[str, str] | None = None,
) -> str:
    """A column head in the plan's words: as a cell (:func:`relabel_text`), then each part
    between the separators of a combined head ("female, monotherapy (N=56)", "Monotherapy,
    female", "RD male vs female (95% CI)", "p, monotherapy (sex)") that is a level (or a level
    with a capital, as a builder writes a stratum) or a column name becomes its label."""
    levels = {**_lettered(levels), **(numeric or {})}
    head = relabel_text(text, levels, names)
    core = head.strip()
    if numeric and core in numeric:
        head = head.replace(core, numeric[core])
    match = _HEAD.match(core)
    if numeric and match and match.group(1) in numeric:
        head = f"{numeric[match.group(1)]} ({match.group(2)})"
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
    become their labels; other words stay (a number after " = " stays a number). A code in
    backticks that is neither is shown as it is, without them (a reader meets no backticks)."""
    levels = _lettered(levels)
    text = _TICKED.sub(lambda m: _in_sentence(m, levels), text)
    text = _EQUALS.sub(lambda m: levels.get(m.group(1), m.group(1)), text)  # "Sex = female"
    return _TICKED.sub(r"\1", _names_in(_methods_in(text), names))


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
    return text if starts else in_sentence(text)


def relabel_frame(
    frame: pd.DataFrame,
    *,
    levels: Mapping[str, str],
    names: Mapping[str, str],
    by_column: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Every text cell and column head of a formatted table through :func:`relabel_text`.

    A numeric level code ("0.5", "1") is put in words only in the first column, on an indented
    row under the row of its own variable (``by_column``: column -> {level: words}; the
    variable's row starts with its label, "Daily dose, mg, n (%)"), never elsewhere: a count,
    a p-value or an SMD that reads like a code stays a number."""
    out = frame.copy()
    numeric = _head_levels([c for c in out.columns if isinstance(c, str)], by_column or {})
    out.columns = [
        relabel_head(c, levels, names, numeric) if isinstance(c, str) else c for c in out.columns
    ]
    for i, col in enumerate(out.columns):
        if i == 0:
            out[col] = _first_column(list(out[col]), levels, names, by_column or {})
        else:
            out[col] = out[col].map(
                lambda v: relabel_text(v, levels, names) if isinstance(v, str) else v
            )
    return out


def _head_levels(heads: list[str], by_column: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The numeric level codes of the table's column heads ("0.5 (N=681)", "RD 1 vs 0.5") in
    words, when one column's levels hold every one of them (the column the table is split by);
    else none (a number in a head is then left as it is)."""
    codes = set()
    for head in heads:
        for part in _HEAD_PARTS.split(head):
            core = _HEAD.sub(r"\1", part.strip())
            if core and not has_letter(core) and any(ch.isdigit() for ch in core):
                codes.add(core)
    if not codes:
        return {}
    fits = [lv for lv in by_column.values() if codes <= set(lv)]
    return {k: v for k, v in fits[0].items() if not has_letter(k)} if len(fits) == 1 else {}


def _first_column(
    cells: list[object],
    levels: Mapping[str, str],
    names: Mapping[str, str],
    by_column: Mapping[str, Mapping[str, str]],
) -> list[object]:
    """The row labels in words; an indented numeric code through its variable's levels."""
    numeric = {
        names.get(col, col): {k: v for k, v in lv.items() if not has_letter(k)}
        for col, lv in by_column.items()
        if any(not has_letter(k) for k in lv)
    }
    current: Mapping[str, str] = {}
    out: list[object] = []
    for cell in cells:
        if not isinstance(cell, str):
            out.append(cell)
            continue
        core = cell.strip()
        if cell == core:  # a variable's row: does it open a variable with numeric levels?
            found = [label for label in numeric if core.startswith(label)]
            current = numeric[max(found, key=len)] if found else {}
        elif core in current:
            out.append(cell[: len(cell) - len(core)] + current[core])
            continue
        out.append(relabel_text(cell, levels, names))
    return out


__all__ = ["has_letter", "relabel_frame", "relabel_head", "relabel_note", "relabel_text"]
