"""The sources of a table stacked into one frame a column at a time.

``pd.concat(frames).reindex(columns=...)`` copies the table twice (once to join the frames
into consolidated blocks, once to reorder the columns); :func:`stacked_columns` copies each
column once, into a block of its own. It gives exactly what pandas gives or declines (None)
where pandas has rules of its own: a column held with another dtype by some frame, an object
column missing from a frame, a part where every cell is missing, an empty frame.
``tests/unit/clean/test_read_fast.py`` compares the two on random frames.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from analysis.clean.columns import PROVENANCE
from analysis.clean.excel_text import EXCEL_TEXT
from analysis.clean.repeated_header import REPEATED_HEADER
from analysis.clean.sas_missing import SPECIAL_MISSING
from analysis.clean.short_rows import SHORT_ROWS
from analysis.clean.spss_missing import USER_MISSING
from analysis.clean.xlsx_hidden import HIDDEN_ROWS
from analysis.clean.xlsx_merged import MERGED_CELLS
from analysis.studyfile.config import StudyConfig


def stack_sources(config: StudyConfig, table: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The sources of one table (``read_source`` frames), as one frame of its columns."""
    columns = [*config.columns_for(table), *PROVENANCE, "_source"]
    if any(USER_MISSING in f.columns for f in frames):  # an SPSS source's codes of no value
        columns.append(USER_MISSING)
    if any(SPECIAL_MISSING in f.columns for f in frames):  # a SAS source's special missing
        columns.append(SPECIAL_MISSING)
    if any(MERGED_CELLS in f.columns for f in frames):  # an XLSX source's merged cells filled
        columns.append(MERGED_CELLS)
    if any(HIDDEN_ROWS in f.columns for f in frames):  # an XLSX source's hidden rows
        columns.append(HIDDEN_ROWS)
    if any(REPEATED_HEADER in f.columns for f in frames):  # a header line pasted again
        columns.append(REPEATED_HEADER)
    if any(EXCEL_TEXT in f.columns for f in frames):  # a CSV source's ="text" cells
        columns.append(EXCEL_TEXT)
    if any(SHORT_ROWS in f.columns for f in frames):  # a CSV source's short records
        columns.append(SHORT_ROWS)
    if not frames:
        return pd.DataFrame(columns=columns)
    stacked = stacked_columns(frames, columns)  # each column copied once
    if stacked is None:
        stacked = pd.concat(frames, ignore_index=True, sort=False).reindex(columns=columns)
    # said of one source (`read_source`)
    stacked.attrs.pop("plain_columns", None)
    stacked.attrs.pop("trimmed_columns", None)
    return stacked


def stacked_columns(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame | None:
    """``pd.concat(frames, ignore_index=True, sort=False).reindex(columns=columns)`` built one
    column at a time (each copied once, not consolidated into one block), or None when a
    column's frames do not all hold it as one NumPy dtype (object where a frame lacks it: that
    frame's part is NaN, as pandas fills it); a column no frame holds is NaN (float64)."""
    if len(set(columns)) != len(columns) or not all(
        len(f) and len(f.columns) and f.columns.is_unique for f in frames
    ):
        return None  # pandas drops empty frames (and their attrs) from a concat
    n = sum(len(f) for f in frames)
    out: dict[str, np.ndarray] = {}
    for col in columns:
        dtypes = [f[col].dtype for f in frames if col in f.columns]
        if not dtypes:
            out[col] = np.full(n, np.nan)
            continue
        first = dtypes[0]
        if not all(isinstance(d, np.dtype) and d == first for d in dtypes):
            return None
        if len(dtypes) < len(frames) and first.kind != "O":
            return None
        parts = [f[col].to_numpy() for f in frames if col in f.columns]
        if any(_all_missing(p) for p in parts):
            return None  # pandas fills such a part with its own missing value
        out[col] = np.concatenate(
            [
                f[col].to_numpy() if col in f.columns else np.full(len(f), np.nan, dtype=object)
                for f in frames
            ]
        )
    stacked = pd.DataFrame(out, index=pd.RangeIndex(n), columns=columns, copy=False)
    # the attrs pd.concat keeps: those of the first frame when every frame has the same
    if all(f.attrs for f in frames) and all(f.attrs == frames[0].attrs for f in frames[1:]):
        stacked.attrs = copy.deepcopy(frames[0].attrs)
    return stacked


def _all_missing(values: np.ndarray) -> bool:
    """Whether every cell is missing (None, NaN, NaT, ``pd.NA``); a first cell that is not
    answers at once."""
    return not len(values) or bool(pd.isna(values[:1])[0] and pd.isna(values).all())


__all__ = ["stack_sources", "stacked_columns"]
