"""``sorted_positions`` gives the order of a stable ``sort_values`` (it only skips sorts that
would keep every row in place), ``finalise_table`` equals the code before (sort, number, reorder) and ``running_number`` equals ``groupby().cumcount() + 1`` and ``stable_order`` equals
``np.lexsort``, on random keys with
ties, missing values, one-row runs and empty tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.duplicates import days_since_previous
from analysis.clean.ordering import (
    LEADING,
    finalise_table,
    in_order,
    running_number,
    sorted_positions,
    stable_order,
)

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
    got = df.iloc[sorted_positions(df, cols, na_position=na_position)]
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


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_days_since_previous_equals_grouped_diff(rows):
    df = _frame(rows).sort_values(["patient_id", "start_date", "source_row"], kind="stable")
    df["start_date"] = df["start_date"] + pd.to_timedelta(df["source_row"] * 7, unit="h")
    got = days_since_previous(df["patient_id"], df["start_date"])
    want = df.groupby("patient_id")["start_date"].diff().dt.days
    pd.testing.assert_series_equal(got, want, check_names=False)


def _reference_finalise(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """``stage._finalise`` (now ``finalise_table``) before it sorted on the key columns alone."""
    out = df.drop(columns=["_source"], errors="ignore")
    if table == "exposures":
        out = out.sort_values(["patient_id", "start_date", "source_row"], kind="stable")
        out["exposure_number"] = out.groupby("patient_id").cumcount().add(1).astype("int64")
    lead = [c for c in LEADING[table] if c in out]
    prov = ["source_file", "source_sheet", "source_row"]
    rest = [c for c in out.columns if c not in lead and c not in prov]
    out = out[lead + rest + prov]
    sort_cols = [c for c in lead if c in out]
    out = out.sort_values(sort_cols, kind="stable", na_position="first").reset_index(drop=True)
    out["patient_id"] = out["patient_id"].astype("string")
    out["source_row"] = out["source_row"].astype("int64")
    return out


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", "P10"]),
        st.sampled_from([pd.Timestamp("2020-01-02"), pd.Timestamp("2021-05-06"), pd.NaT]),
        st.integers(min_value=1, max_value=4),
        st.sampled_from(["rash", "itch", None]),
        st.sampled_from([1, 2, None]),
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(
    EVENTS,
    st.sampled_from(["exposures", "adverse_events", "assessments", "patients"]),
    st.lists(st.booleans(), min_size=20, max_size=20),
)
def test_finalise_equals_the_code_before(rows, table, keep):
    df = pd.DataFrame(rows, columns=["patient_id", "d", "source_row", "ae_term", "n"])
    df["ae_term"] = pd.Categorical(df["ae_term"], categories=["rash", "itch"])  # not lexical
    df["n"] = df["n"].astype("Int64")
    df["source_file"], df["source_sheet"], df["_source"] = "a.csv", "", "s"
    df.index = np.arange(len(df)) * 2 + 7
    date = {"exposures": "start_date", "adverse_events": "onset_date"}.get(table, "assessment_date")
    df = df.rename(columns={"d": date, "n": "exposure_number" if table != "patients" else "n"})
    if table == "exposures":
        df = df.drop(columns="exposure_number") if len(rows) % 2 else df
    pd.testing.assert_frame_equal(finalise_table(table, df), _reference_finalise(table, df))
    # only some rows (those of the patients still included): as finalising them alone
    kept = np.flatnonzero(keep[: len(df)])
    got = finalise_table(table, df, rows=kept)
    pd.testing.assert_frame_equal(got, _reference_finalise(table, df.iloc[kept]))


def test_a_categorical_key_is_in_the_order_of_its_categories() -> None:
    # found by hypothesis: 'itch' before 'rash' is alphabetical, but the categories say
    # ['rash', 'itch'], and sort_values (the code before) orders by the categories
    df = pd.DataFrame(
        {"patient_id": ["P1", "P1"], "ae_term": pd.Categorical(["itch", "rash"], ["rash", "itch"])}
    )
    assert not in_order(df, ["patient_id", "ae_term"])
    assert list(sorted_positions(df, ["patient_id", "ae_term"])) == [1, 0]


_KEY = st.sampled_from(
    [
        st.integers(-1, 5),  # patient keys: close together, -1 for none
        st.integers(0, 1),  # flags
        st.sampled_from([np.iinfo(np.int64).min, 1_577_836_800 * 10**9, 1_609_459_200 * 10**9]),
        st.integers(-(2**62), 2**62),  # far apart: ranked, or too wide to combine
    ]
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_stable_order_equals_lexsort(data):
    n = data.draw(st.integers(0, 40))
    kinds = data.draw(st.lists(_KEY, min_size=1, max_size=4))
    keys = [np.array(data.draw(st.lists(k, min_size=n, max_size=n)), dtype=np.int64) for k in kinds]
    if data.draw(st.booleans()):
        keys = [k.astype(bool) if set(np.unique(k)) <= {0, 1} else k for k in keys]
    np.testing.assert_array_equal(stable_order(keys), np.lexsort(keys[::-1]))


def test_stable_order_of_wide_keys_falls_back_to_lexsort():
    rng = np.random.default_rng(3)
    keys = [rng.integers(0, 5, 1000)]  # ties, so that the later keys decide
    keys += [rng.integers(-(2**62), 2**62, 1000) for _ in range(7)]  # ranked: 1000 places each,
    # 1000**7 > 2^62 together: sorted by lexsort
    np.testing.assert_array_equal(stable_order(keys), np.lexsort(keys[::-1]))
