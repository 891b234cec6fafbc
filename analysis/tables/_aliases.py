"""Aliases of the study's columns inside a table builder.

A builder counts on the engine and then works on small pandas frames, both of which carry
columns of its own (``n``, ``N``, ``events``, ``variable``, ``level``, helper columns...) next
to the study's grouping and summarised columns. A study may name a column anything, ``n`` or
``level`` included, so a builder hands the engine its columns under aliases that no study
column, and no column the engine or the builder names itself, can take (``_c0``, ``_c1``...,
among only aliases and the builder's own names), and writes the study's names back into the
ARD (variables, group keys) and the text (titles, footnotes, messages).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

ALIAS_PREFIX = "_c"


class Aliases:
    """``alias[name]`` -> the alias of a study column; ``alias.name(a)`` -> its name back."""

    def __init__(self, names: Iterable[str | None]) -> None:
        unique = dict.fromkeys(n for n in names if n is not None)
        self.of = {name: f"{ALIAS_PREFIX}{i}" for i, name in enumerate(unique)}
        self.names = {a: name for name, a in self.of.items()}

    def __getitem__(self, name: str) -> str:
        return self.of[name]

    def all(self, names: Sequence[str]) -> list[str]:
        """The aliases of ``names``, in order."""
        return [self.of[n] for n in names]

    def all_names(self, aliases: Sequence[str]) -> list[str]:
        """The study's names of ``aliases``, in order."""
        return [self.name(a) for a in aliases]

    def name(self, alias: str) -> str:
        """The study's name of ``alias`` (anything else unchanged)."""
        return self.names.get(alias, alias)

    def frame(self, data: pd.DataFrame) -> pd.DataFrame:
        """The aliased columns of ``data`` (a column named twice is taken once), under their
        aliases; ``data`` itself is not changed."""
        return pd.DataFrame({a: data[name] for name, a in self.of.items()}, index=data.index)
