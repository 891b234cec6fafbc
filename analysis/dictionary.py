"""The data dictionary of the analysis tables: one row per column, with its definition."""

from __future__ import annotations

import pandas as pd

from analysis.config import StudyConfig
from analysis.schema import DERIVED_COLUMNS, PROVENANCE_DESCRIPTIONS, TABLE_COLUMNS


def data_dictionary(tables: dict[str, pd.DataFrame], config: StudyConfig) -> pd.DataFrame:
    """``table, column, dtype, origin, description, levels`` for every analysis column."""
    rows = []
    for table, df in tables.items():
        for col in df.columns:
            if col in TABLE_COLUMNS[table]:
                origin, desc = "raw (mapped)", TABLE_COLUMNS[table][col].description
            elif col in DERIVED_COLUMNS[table]:
                origin, desc = "derived", DERIVED_COLUMNS[table][col]
            elif col.startswith("has_") and "has_*" in DERIVED_COLUMNS[table]:
                origin, desc = "derived", DERIVED_COLUMNS[table]["has_*"]
            elif col in PROVENANCE_DESCRIPTIONS:
                origin, desc = "provenance", PROVENANCE_DESCRIPTIONS[col]
            else:
                origin, desc = "derived", ""
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
                    "levels": levels,
                }
            )
    return pd.DataFrame(rows)
