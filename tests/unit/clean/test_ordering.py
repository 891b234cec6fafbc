"""``sort_stable`` equals a stable ``sort_values`` (it only skips sorts that would keep every
row in place) and ``running_number`` equals ``groupby().cumcount() + 1``, on random keys with
ties, missing values, one-row runs and empty tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.ordering import in_order, running_number, sort_stable

ROWS = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", "P10", None]),
        st.sampled_from([pd.Timestamp("2020-01-02"), pd.Timestamp("2021-05-06"), pd.NaT]),
        st.integers(min_value=1, max_value=4),
    ),
    max_size=20,
)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["patient_id", "start_date", "source_row"])
    df = df.astype({"patient_id": object, "start_date": "datetime64[ns]", "source_row": "int64"})
    df.index = np.arange(len(df)) * 3 + 2
    return df


@settings(max_examples=300, deadline=None)
@given(ROWS, st.sampled_from(["first", "last"]), st.booleans())
def test_sort_stable_equals_sort_values(rows, na_position, presort):
    df = _frame(rows)
    cols = ["patient_id", "start_date", "source_row"]
    if presort:  # the case the shortcut is for
        df = df.sort_values(cols, kind="stable", na_position=na_position)
    got = sort_stable(df, cols, na_position=na_position)
    want = df.sort_values(cols, kind="stable", na_position=na_position)
    pd.testing.assert_frame_equal(got, want)


def test_in_order_refuses_missing_and_mixed_keys():
    assert not in_order(pd.DataFrame({"a": ["x", None]}), ["a"])
    assert not in_order(pd.DataFrame({"a": ["x", 1]}), ["a"])
    assert not in_order(pd.DataFrame({"a": ["x", "x", "y"], "b": [2, 1, 1]}), ["a", "b"])
    assert in_order(pd.DataFrame({"a": ["x", "x", "y"], "b": [1, 2, 1]}), ["a", "b"])
    assert in_order(pd.DataFrame({"a": []}), ["a"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["P1", "P2", "P3", None]), max_size=20))
def test_running_number_equals_cumcount(keys):
    s = pd.Series(keys, dtype=object).sort_values(kind="stable", na_position="last")
    s = s.reset_index(drop=True)
    try:
        want = s.groupby(s).cumcount().add(1).astype("int64").to_numpy()
    except ValueError:  # a missing id: the same error as before
        with pytest.raises(ValueError):
            running_number(s)
        return
    np.testing.assert_array_equal(running_number(s), want)
