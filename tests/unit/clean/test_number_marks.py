"""``parse_numbers`` when no source declares a decimal mark reads each distinct cell once,
without pairing it with its row's mark: the same numbers, blanks, audit rows and messages as
pairing every row with its (None) mark, which it did before; on random cells of every kind the
number reader meets, from several sources, with and without a ``_source`` column."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.columns import Column
from analysis.clean.numbers import parse_numbers

CELLS = st.sampled_from(
    [
        "0.1",
        "1.234",
        "1,5",
        "1.234,5",
        "-2",
        "",
        " ",
        "abc",
        "1e3",
        "12 mg",
        "½",
        None,
        np.nan,
        3,
        2.5,
    ]
)
COLUMNS = {
    "dose_mg": Column(kind="number"),
    "n": Column(kind="integer"),
    "note": Column(kind="text"),
}


@st.composite
def _frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    df = pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(n)],
            "dose_mg": pd.Series(draw(st.lists(CELLS, min_size=n, max_size=n)), dtype=object),
            "n": pd.Series(draw(st.lists(CELLS, min_size=n, max_size=n)), dtype=object),
            "note": pd.Series(draw(st.lists(CELLS, min_size=n, max_size=n)), dtype=object),
            "source_file": "s.csv",
            "source_sheet": "",
            "source_row": np.arange(2, 2 + n),
        },
        index=np.arange(n) * 2 + 1,
    )
    if draw(st.booleans()):
        df["_source"] = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    return df


@settings(max_examples=300, deadline=None)
@given(_frames(), st.sampled_from([None, {}, {"a": None, "b": None}]))
def test_numbers_without_declared_marks_equal_those_paired_with_each_rows_mark(df, decimals):
    got = parse_numbers(df, "exposures", COLUMNS, decimals=decimals)
    # a mark declared by a source not in the table: every row paired with its (None) mark
    paired = parse_numbers(df, "exposures", COLUMNS, decimals={"elsewhere": ","})
    pd.testing.assert_frame_equal(got.data, paired.data)
    pd.testing.assert_frame_equal(got.audit, paired.audit)
    pd.testing.assert_frame_equal(got.excluded, paired.excluded)
