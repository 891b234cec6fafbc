"""The data dictionary of the analysis tables: one row per column, with its definition."""

from __future__ import annotations

import pandas as pd

from analysis.config import StudyConfig
from analysis.schema import PROVENANCE_DESCRIPTIONS, derived_columns


def data_dictionary(tables: dict[str, pd.DataFrame], config: StudyConfig) -> pd.DataFrame:
    """``table, column, dtype, origin, description, levels`` for every analysis column."""
    rows = []
    derived = derived_columns(config)
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
