"""Formatted tables in the study's words: level and variable labels put in at display time.

The ARD keeps the codes (``therapy_group``, ``combined``); a displayed table shows the words of
the plan (``Therapy``, ``With a topical treatment``). Only whole cells, the two sides of
"a vs b", the level before "(N=...)" in a column head, and code names with an underscore are
replaced, so prose around them is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

_HEAD = re.compile(r"^(.+?) \((N=.*)\)$")


def relabel_text(text: str, levels: Mapping[str, str], names: Mapping[str, str]) -> str:
    """One cell or column head in the plan's words."""
    indent = text[: len(text) - len(text.lstrip())]
    core = text.strip()
    if core in levels:
        return indent + levels[core]
    head = _HEAD.match(core)
    if head and head.group(1) in levels:
        return f"{indent}{levels[head.group(1)]} ({head.group(2)})"
    for code, words in names.items():
        if "_" in code:
            core = re.sub(rf"\b{re.escape(code)}\b", words, core)
    if " vs " in core:
        prefix, _, rest = core.rpartition(": ")
        left, _, right = rest.partition(" vs ")
        if left in levels or right in levels:
            rest = f"{levels.get(left, left)} vs {levels.get(right, right)}"
            core = f"{prefix}: {rest}" if prefix else rest
    return indent + core


def relabel_frame(
    frame: pd.DataFrame, *, levels: Mapping[str, str], names: Mapping[str, str]
) -> pd.DataFrame:
    """Every text cell and column head of a formatted table through :func:`relabel_text`."""
    out = frame.copy()
    out.columns = [relabel_text(c, levels, names) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        out[col] = out[col].map(
            lambda v: relabel_text(v, levels, names) if isinstance(v, str) else v
        )
    return out


__all__ = ["relabel_frame", "relabel_text"]
