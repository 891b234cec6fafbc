"""The data dictionary of the analysis tables: one row per column, with its definition."""

from __future__ import annotations

import pandas as pd

from analysis.clean.columns import PROVENANCE_DESCRIPTIONS, derived_columns
from analysis.privacy import COUNT_ONLY, SHOWN_LEVELS, SHOWN_STATISTICS, column_kind, shown_as
from analysis.studyfile.config import StudyConfig


def data_dictionary(tables: dict[str, pd.DataFrame], config: StudyConfig) -> pd.DataFrame:
    """``table, column, dtype, origin, description, levels`` for every analysis column."""
    rows = []
    derived = derived_columns(config)
    own_words = config.analysis.labels.descriptions
    for table, df in tables.items():
        read = config.columns_for(table)
        for col in df.columns:
            unit = read[col].unit if col in read else ""
            if col in read:
                spec = read[col]
                origin = (
                    "raw (mapped)" if spec.kind != "text" else "raw (free text; never reported)"
                )
                desc = spec.description
            elif col in derived[table]:
                origin, desc = "derived", derived[table][col]
            elif col in PROVENANCE_DESCRIPTIONS:
                origin, desc = "provenance", PROVENANCE_DESCRIPTIONS[col]
            else:
                origin, desc = "derived", ""
            desc = own_words.get(col, desc)
            s = df[col]
            levels = ""
            if isinstance(s.dtype, pd.CategoricalDtype):
                sep = " < " if s.dtype.ordered else " | "
                levels = sep.join(map(str, s.dtype.categories))
            rows.append(
                {
                    "table": table,
                    "column": col,
                    "dtype": str(s.dtype),
                    "origin": origin,
                    "description": desc,
                    "unit": unit,
                    "levels": levels,
                }
            )
    return pd.DataFrame(rows)


#: How :func:`column_profile` summarises a column: its levels counted, its statistics, or
#: only how many values it has (a value that could identify a patient is never shown; see
#: :mod:`analysis.privacy`).
PROFILE_LEVELS = SHOWN_LEVELS
PROFILE_STATISTICS = SHOWN_STATISTICS
PROFILE_COUNT_ONLY = {"id": COUNT_ONLY["id"], "date": COUNT_ONLY["date"]}
PROFILE_FREE_TEXT = COUNT_ONLY["text"]


def column_profile(tables: dict[str, pd.DataFrame], config: StudyConfig) -> pd.DataFrame:
    """Counts and statistics of every analysis column, without any value of a patient.

    Long frame ``table, column, shown, level, stat, value`` (numbers stay numbers): every
    column has ``n`` (values present) and ``missing``; a column of controlled levels
    (categorical or yes/no) has ``count`` per ``level`` (levels of its vocabulary, zero
    included); a numeric column has ``mean``, ``sd`` (n - 1), ``min``, ``median`` and ``max``.
    Identifiers, dates and text (``text`` columns, category columns the study gives no
    vocabulary, whose values are as typed, and any other column of strings) get ``n`` and
    ``missing`` only. Provenance columns (file, sheet, row) are left out.
    """
    rows: list[dict[str, object]] = []
    for table, df in tables.items():
        for col in df.columns:
            if col in PROVENANCE_DESCRIPTIONS:
                continue
            shown = shown_as(df[col], column_kind(config, col, table))
            rows += [
                {
                    "table": table,
                    "column": col,
                    "shown": shown,
                    "level": level,
                    "stat": stat,
                    "value": float(value),
                }
                for level, stat, value in _profile_stats(df[col], shown)
            ]
    return pd.DataFrame(
        rows, columns=["table", "column", "shown", "level", "stat", "value"]
    ).astype({"value": float})


def _profile_stats(s: pd.Series, shown: str) -> list[tuple[str | None, str, float]]:
    """``(level, stat, value)`` of one column summarised as ``shown``."""
    out: list[tuple[str | None, str, float]] = [
        (None, "n", float(s.notna().sum())),
        (None, "missing", float(s.isna().sum())),
    ]
    if shown == PROFILE_LEVELS:
        levels = (
            list(s.dtype.categories)
            if isinstance(s.dtype, pd.CategoricalDtype)
            else [
                False,
                True,
            ]
        )
        counts = s.dropna().value_counts()
        out += [(str(level), "count", float(counts.get(level, 0))) for level in levels]
    elif shown == PROFILE_STATISTICS and s.notna().any():
        x = s.dropna().astype(float)
        sd = float(x.std(ddof=1)) if len(x) > 1 else float("nan")
        out += [
            (None, "mean", float(x.mean())),
            (None, "sd", sd),
            (None, "min", float(x.min())),
            (None, "median", float(x.median())),
            (None, "max", float(x.max())),
        ]
    return out
