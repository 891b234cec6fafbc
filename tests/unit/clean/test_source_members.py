"""The sources of a table's records found as runs (``record_sources.source_runs``) are what grouping
the records by file and sheet gives: same labels, same order, same members; on random tables
whose sources are stacked, interleaved, or hold missing or non-text values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import record_sources

FILES = st.sampled_from(["a.csv", "b.csv", "b.xlsx", "", None, np.nan, 1, "1"])
SHEETS = st.sampled_from(["", "Sheet1", "Sheet 2", None])


@st.composite
def _records(draw: st.DrawFn) -> pd.DataFrame:
    blocks = draw(st.lists(st.tuples(FILES, SHEETS, st.integers(1, 4)), max_size=6))
    files = [f for f, _, n in blocks for _ in range(n)]
    sheets = [s for _, s, n in blocks for _ in range(n)]
    return pd.DataFrame(
        {
            "source_file": pd.Series(files, dtype=object),
            "source_sheet": pd.Series(sheets, dtype=object),
        }
    )


def _grouped(df: pd.DataFrame) -> list[tuple[str, list[bool]]]:
    original = record_sources.source_runs
    record_sources.source_runs = lambda df: None
    try:
        return [(label, m.tolist()) for label, m in record_sources.source_members(df)]
    finally:
        record_sources.source_runs = original


@settings(max_examples=400, deadline=None)
@given(_records())
def test_sources_found_as_runs_are_the_grouped_sources(df):
    runs = record_sources.source_runs(df)
    if runs is None:
        return
    assert [(label, m.tolist()) for label, m in runs] == _grouped(df)


def test_runs_are_used_for_stacked_sources_and_not_for_interleaved_ones():
    stacked = pd.DataFrame(
        {"source_file": ["a.csv"] * 3 + ["b.xlsx"] * 2, "source_sheet": [""] * 3 + ["S"] * 2}
    )
    runs = record_sources.source_runs(stacked)
    assert runs is not None
    assert [(label, m.tolist()) for label, m in runs] == [
        ("a.csv", [True, True, True, False, False]),
        ("b.xlsx, sheet 'S'", [False, False, False, True, True]),
    ]
    interleaved = pd.DataFrame(
        {"source_file": ["a.csv", "b.csv", "a.csv"], "source_sheet": [""] * 3}
    )
    assert record_sources.source_runs(interleaved) is None
    assert [label for label, _ in record_sources.source_members(interleaved)] == ["a.csv", "b.csv"]
    missing = pd.DataFrame({"source_file": ["a.csv", None], "source_sheet": ["", ""]})
    assert record_sources.source_runs(missing) is None
