"""``subjects_with_term``'s membership test: Arrow for ids all text, pandas ``isin`` of the set
otherwise (the reference); both give the same flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.tables._common import member as _member


@pytest.mark.parametrize(
    ("values", "wanted"),
    [
        (pd.Series(["P1", "P2", "P3", "é4"]), pd.Series(["P2", "é4", "P9"])),
        (pd.Series(["P1", "P2", "P3"], dtype="string"), pd.Series(["P3"], dtype="string")),
        (pd.Series(["P1", "P2", None]), pd.Series(["P2", None])),
        (pd.Series(["P1", "P2", pd.NA], dtype="string"), pd.Series(["P1"])),
        (pd.Series([1, 2, 3]), pd.Series([2, 3.0])),
        (pd.Series(["1", "2", 3], dtype=object), pd.Series([3, "1"])),
        (pd.Series(["P1", "P2"]), pd.Series([], dtype=object)),
    ],
)
def test_member_is_isin_of_the_set(values, wanted):
    expected = values.isin(set(wanted)).to_numpy(dtype=bool)
    np.testing.assert_array_equal(_member(values, wanted), expected)


def test_member_on_many_text_ids():
    rng = np.random.default_rng(0)
    values = pd.Series([f"P{i:06d}" for i in range(20_000)])
    wanted = pd.Series([f"P{i:06d}" for i in rng.integers(0, 40_000, 5_000)])
    expected = values.isin(set(wanted)).to_numpy(dtype=bool)
    np.testing.assert_array_equal(_member(values, wanted), expected)
