"""``step.drop_records`` is ``df.drop(index=list(labels))``: the same values, dtypes, index
(type included) and attrs, for any index and any labels (the reference is pandas' own drop)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.step import drop_records


def _frame(index: pd.Index) -> pd.DataFrame:
    n = len(index)
    df = pd.DataFrame(
        {
            "patient_id": np.array([f"P{i}" for i in range(n)], dtype=object),
            "start_date": pd.date_range("2020-01-01", periods=n),
            "dose": pd.array(range(n), dtype="Int64"),
            "text": pd.array(["a"] * n, dtype="string"),
        },
        index=index,
    )
    df.attrs["source"] = "sessions.csv"
    return df


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_index_type=True)
    assert type(got.index) is type(expected.index)
    assert got.attrs == expected.attrs


INDEXES = {
    "range": lambda n: pd.RangeIndex(n),
    "range from 2": lambda n: pd.RangeIndex(2, 2 + 3 * n, 3),
    "increasing ints": lambda n: pd.Index(np.arange(n, dtype=np.int64) * 2 + 1),
    "decreasing ints": lambda n: pd.Index(np.arange(n, 0, -1, dtype=np.int64)),
    "unsorted ints": lambda n: pd.Index(np.random.default_rng(1).permutation(n).astype(np.int64)),
    "text": lambda n: pd.Index([f"r{i}" for i in range(n)]),
}


@pytest.mark.parametrize("kind", INDEXES)
@given(data=st.data())
@settings(max_examples=40, deadline=None)
def test_equals_pandas_drop(kind, data):
    n = data.draw(st.integers(1, 30))
    df = _frame(INDEXES[kind](n))
    picks = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n + 3))
    labels = [df.index[i] for i in picks]  # repeats and any order
    container = data.draw(st.sampled_from([list, set, tuple]))
    labels = container(labels)
    _same(drop_records(df, labels), df.drop(index=list(labels)))


def test_a_whole_block_of_a_range_index_and_every_row():
    df = _frame(pd.RangeIndex(10))
    for labels in ([7, 8, 9], [9, 7, 8], [0, 1, 2], list(range(10)), [4]):
        _same(drop_records(df, labels), df.drop(index=labels))


def test_a_label_not_in_the_index_raises_as_drop_does():
    df = _frame(pd.RangeIndex(5))
    with pytest.raises(KeyError):
        df.drop(index=[7])
    with pytest.raises(KeyError):
        drop_records(df, [1, 7])
