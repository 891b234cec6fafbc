"""Stand-in names (aliases) of a study's columns while the toolkit counts them.

The engine's queries and the builders' small pandas frames carry columns of their own (``n``,
``N``, ``events``, ``variable``, ``level``, helpers such as ``_g``, ``_rank``, ``_k``...) next
to the study's grouping and summarised columns. A study may name a column anything, ``n`` or
``level`` included, so the columns are handed over under aliases (``_c0``, ``_c1``...) that no
column the code names itself takes, and the study's names are written back into the ARD
(variables, group keys), the text (titles, footnotes) and the error messages.

An alias stands alone in a text: ``_c1`` in ``"`_c1` has ..."`` or ``"_c1=female"``, never in
``"_c12"`` or ``"x_c1"``. A group key's levels are data and are never renamed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

ALIAS_PREFIX = "_c"
_ALIAS = re.compile(rf"(?<![\w]){ALIAS_PREFIX}\d+(?![\w])")


def is_alias(name: object) -> bool:
    """Whether ``name`` has the form of an alias (``_c`` and digits)."""
    return isinstance(name, str) and _ALIAS.fullmatch(name) is not None


class Aliases:
    """``alias[name]`` -> the alias of a study column; ``alias.name(a)`` -> its name back."""

    def __init__(self, names: Iterable[str | None]) -> None:
        unique = dict.fromkeys(n for n in names if n is not None)
        self.of = {name: f"{ALIAS_PREFIX}{i}" for i, name in enumerate(unique)}
        self.names = {a: name for name, a in self.of.items()}

    def __getitem__(self, name: str) -> str:
        return self.of[name]

    def get(self, name: str | None) -> str | None:
        """The alias of ``name``; ``None`` stays ``None``."""
        return None if name is None else self.of[name]

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
        aliases; ``data`` itself is not changed. A column ``data`` lacks is a ``ValueError``
        naming it, a close name and the columns it has (pandas says only ``KeyError: 'age'``)."""
        missing = [name for name in self.of if name not in data.columns]
        if missing:
            import difflib

            have = [str(c) for c in data.columns]
            close = (
                difflib.get_close_matches(missing[0], have, n=1)
                or [h for h in have if h.startswith(missing[0])][:1]
            )
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            shown = ", ".join(have[:40]) + (", ..." if len(have) > 40 else "")
            raise ValueError(
                f"column(s) {missing} are not in the data{hint}; its columns are: {shown}"
            )
        return pd.DataFrame({a: data[name] for name, a in self.of.items()}, index=data.index)

    def data(self, data: Any) -> Any:
        """``data`` (a pandas frame, a Parquet path or an Ibis table) with the study's columns
        under their aliases and its other columns as they are (but for a column named as an
        alias, which nothing reads and which would take an alias's place). A pandas frame stays
        a pandas frame (its dtypes, categories included, kept; no data copied); a path becomes
        an Ibis table that still declares the file's levels (:mod:`analysis.engine.levels`)."""
        if isinstance(data, pd.DataFrame):
            cols = {self.of.get(c, c): data[c] for c in data.columns if self._kept(c)}
            return pd.DataFrame(cols, index=data.index, copy=False)
        from analysis.engine import counts as engine
        from analysis.engine import levels

        t = engine.as_table(data)
        kept = [c for c in t.columns if self._kept(c)]
        renamed = t.select(*[t[c].name(self.of.get(c, c)) for c in kept])
        # the file's declared levels (categories) stay readable under the aliases
        return levels.remember_renamed(renamed, t, {self.of.get(c, c): c for c in kept})

    def _kept(self, column: object) -> bool:
        return column in self.of or not is_alias(column)

    def text(self, text: str) -> str:
        """``text`` with every alias replaced by the study's name."""
        return _ALIAS.sub(lambda m: self.name(m.group(0)), text)

    def key(self, key: str) -> str:
        """A builders' group key (``_c1=female;_c2=*``) with the study's names (the levels as
        they are)."""
        parts = []
        for part in key.split(";"):
            name, eq, level = part.partition("=")
            parts.append(f"{self.name(name)}{eq}{level}" if eq else part)
        return ";".join(parts)

    def ard(self, frame: pd.DataFrame) -> pd.DataFrame:
        """An ARD frame with the study's names: ``variable``, the group keys and columns, and
        the methods' words; levels and values as they are."""
        return self._ard(frame, self.name, self.key, self.text)

    def ard_aliased(self, frame: pd.DataFrame, variables: Iterable[str] = ()) -> pd.DataFrame:
        """The inverse of :meth:`ard` for the names it writes back, ``variables`` the aliases
        that were variables (a study's name may also be one of the builder's own variables,
        which stays as it is); a layout built on the aliases reads a frame through it."""
        inverse = Aliases([])
        inverse.names = dict(self.of)
        back = {self.name(v): v for v in variables}
        return self._ard(frame, lambda v: back.get(v, v), inverse.key, lambda text: text)

    @staticmethod
    def _ard(frame: pd.DataFrame, name: Any, key: Any, words: Any) -> pd.DataFrame:
        out = frame.copy()
        out["variable"] = out["variable"].map(name)
        for col in out.columns:
            if col == "group":
                out[col] = out[col].map(key)
            elif col.startswith("group") and not col.endswith("_level"):
                out[col] = out[col].map(name)
        if "method" in out:
            out["method"] = out["method"].map(words)
        return out

    @contextmanager
    def speaking(self) -> Iterator[None]:
        """Errors raised inside name the study's columns, not their aliases (the exception
        itself is re-raised, its text rewritten)."""
        try:
            yield
        except Exception as error:
            error.args = tuple(self.text(a) if isinstance(a, str) else a for a in error.args)
            raise
