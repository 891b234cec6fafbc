"""The read path's fast paths give what the straightforward pandas code gives (kept here as the
reference): the sources of a table stacked one column at a time, and tables built without a
consolidated copy; on random frames (columns missing from some sources, every dtype a reader
gives, empty sources, NaN/None/pd.NA/NaT, NUL characters)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import cells, stacking
from tests.unit.clean._same_cells import same_cell

# the reference concatenations of empty or all-missing parts warn of a future pandas change
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

NAMES = ["patient_id", "a", "b", "source_row", "_source", "extra"]
TEXTS = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["", " x ", "a\x00b", "a", "12.0", "Ä", "\xa0"]),
    st.sampled_from([None, np.nan, pd.NA, pd.NaT]),
)
KINDS = st.sampled_from(["object", "int64", "float64", "bool", "category", "datetime", "Int64"])


def _column(kind: str, n: int, draw: st.DrawFn) -> object:
    if kind == "object":
        out = np.empty(n, dtype=object)
        out[:] = draw(st.lists(TEXTS, min_size=n, max_size=n))
        return out
    if kind == "int64":
        return np.array(draw(st.lists(st.integers(-9, 9), min_size=n, max_size=n)), dtype="int64")
    if kind == "float64":
        return np.array(draw(st.lists(st.floats(), min_size=n, max_size=n)), dtype="float64")
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "category":
        values = draw(st.lists(st.sampled_from(["rash", "itch"]), min_size=n, max_size=n))
        return pd.Categorical(values, categories=draw(st.permutations(["rash", "itch"])))
    if kind == "Int64":
        return pd.array(draw(st.lists(st.none() | st.integers(0, 9), min_size=n, max_size=n)))
    days = draw(
        st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)), min_size=n, max_size=n)
    )
    return pd.to_datetime(pd.Series(days, dtype=object)).to_numpy()


@st.composite
def _frames(draw: st.DrawFn) -> list[pd.DataFrame]:
    kinds = {c: draw(KINDS) for c in NAMES}
    frames = []
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, 6))
        names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
        # mostly the same dtype in every source, sometimes another
        data = {
            c: _column(kinds[c] if draw(st.integers(0, 4)) else draw(KINDS), n, draw) for c in names
        }
        frame = pd.DataFrame(data, index=pd.RangeIndex(n) + draw(st.integers(0, 3)))
        frame.attrs = draw(st.sampled_from([{}, {"file_records": 1}, {"file_records": n}]))
        frames.append(frame)
    return frames


def _assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs
    for col in want.columns:
        g, w = got[col].tolist(), want[col].tolist()
        assert all(same_cell(x, y) for x, y in zip(g, w, strict=True)), col


@settings(max_examples=300, deadline=None)
@given(_frames(), st.lists(st.sampled_from([*NAMES, "absent"]), unique=True, min_size=1))
def test_stacked_columns_equal_pandas_concat_and_reindex(frames, columns):
    want = pd.concat(frames, ignore_index=True, sort=False).reindex(columns=columns)
    got = stacking.stacked_columns(frames, columns)
    if got is not None:
        _assert_identical(got, want)


def test_stacked_columns_take_the_common_case_and_copy():
    a = pd.DataFrame({"x": np.array(["1", None], dtype=object), "r": [2, 3]})
    b = pd.DataFrame({"r": [2]})
    got = stacking.stacked_columns([a, b], ["x", "y", "r"])
    assert got is not None
    assert got["x"].tolist()[:2] == ["1", None] and np.isnan(got["x"].iloc[2])
    assert str(got["y"].dtype) == "float64" and str(got["r"].dtype) == "int64"
    got.loc[0, "x"] = "changed"
    assert a.loc[0, "x"] == "1"  # a copy, not a view of the source frame


def _strip_text_reference(data: pd.DataFrame) -> pd.DataFrame:
    """strip_text as it was: the columns consolidated into a new frame."""
    columns: dict[str, object] = {}
    for col in data.columns:
        s = data[col]
        if col.startswith("source_") or col == "_source":
            columns[col] = s.array
        elif col == "patient_id":
            columns[col] = np.array([cells._id_text(v) for v in s], dtype=object)
        elif s.dtype == object:
            values = np.empty(len(s), dtype=object)
            values[:] = [cells._strip_cell(v) for v in s]
            columns[col] = values
        else:
            columns[col] = s.array
    out = pd.DataFrame(columns, index=data.index)
    out.attrs = dict(data.attrs)
    return out


@settings(max_examples=200, deadline=None)
@given(_frames())
def test_strip_text_equals_the_consolidated_per_cell_strip(frames):
    frame = pd.concat(frames, ignore_index=True, sort=False)
    before = frame.copy()
    got = cells.strip_text(frame)
    _assert_identical(got, _strip_text_reference(before))
    got.iloc[:, :] = None  # the input is not a view of the output
    _assert_identical(frame, before)
