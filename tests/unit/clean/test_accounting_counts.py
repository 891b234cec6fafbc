"""``account`` counts the kept records table by table; it equals the count over one frame of
every record's keys (the code before), exactly, on random tables (empty ones, missing sheets,
files kept in no table, records logged only)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import accounting
from analysis.clean.accounting import KEYS, account, kept_per_source

FILES = st.sampled_from(["b.csv", "a.csv", "x.xlsx", "ä.csv"])
SHEETS = st.sampled_from(["", "S1", "S2"])
TABLES = ["patients", "exposures", "adverse_events"]


def _reference(raw_counts, tables, exclusions):
    kept = (
        pd.concat([t[["source_file", "source_sheet"]].assign(table=n) for n, t in tables.items()])
        .value_counts(KEYS)
        .rename("kept")
    )
    logged = exclusions.rename(columns={"source": "source_file", "sheet": "source_sheet"})
    logged = logged.value_counts(KEYS).rename("logged")
    out = raw_counts.set_index(KEYS)
    out = out.join(kept, how="outer").join(logged, how="outer").fillna(0).astype("int64")
    out = out.reset_index()
    out["balanced"] = out["rows_read"] == out["kept"] + out["logged"]
    return out


def _frame(rows, columns):
    return pd.DataFrame(
        {c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(columns)}
    )


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(TABLES),
        st.lists(st.tuples(FILES, SHEETS), max_size=8),
        min_size=len(TABLES),
        max_size=len(TABLES),
    ),
    st.lists(st.tuples(st.sampled_from(TABLES), FILES, SHEETS), max_size=6),
    st.lists(
        st.tuples(st.sampled_from(TABLES), FILES, SHEETS, st.integers(0, 9)),
        max_size=6,
        unique_by=lambda r: r[:3],
    ),
)
def test_account_equals_the_reference(kept, logged, read):
    tables = {n: _frame(rows, ["source_file", "source_sheet"]) for n, rows in kept.items()}
    exclusions = _frame(logged, ["table", "source", "sheet"])
    raw = _frame(read, [*KEYS, "rows_read"]).astype({"rows_read": "int64"})
    pd.testing.assert_frame_equal(
        account(raw, tables, exclusions), _reference(raw, tables, exclusions)
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(FILES | st.none(), SHEETS | st.none() | st.just(float("nan")))))
def test_the_kept_records_per_source_are_pandas_value_counts(rows):
    """Coded and counted with ``np.bincount``: the counts of ``value_counts`` (missing keys
    left out), whatever the order."""
    table = _frame(rows, ["source_file", "source_sheet"])
    want = table.value_counts()
    got = kept_per_source(table)
    assert got.index.names == want.index.names and got.name == want.name
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_index_type=False)
    assert dict(got.items()) == dict(want.items())


def test_a_categorical_source_column_is_counted_by_pandas():
    table = pd.DataFrame(
        {
            "source_file": pd.Categorical(["a.csv", "a.csv"], categories=["a.csv", "b.csv"]),
            "source_sheet": ["", ""],
        }
    )
    pd.testing.assert_series_equal(kept_per_source(table), table.value_counts())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_runs_of_sources_are_counted_as_value_counts(seed):
    """Each source's records together (as the stage makes them): the pairs are coded once per
    run and weighted by its length. Equal texts that are other objects, None and two NaN
    objects make runs of their own; the counts are those of ``value_counts`` still."""
    rng = np.random.default_rng(seed)
    a, b = "site_a.csv", "".join(["site_", "a.csv"])  # equal, two objects
    files = [a, b, "site_b.csv", None, float("nan"), float("nan")]
    sheets = ["", "Sheet1", None, float("nan")]
    rows = []
    for _ in range(40):
        pair = (files[rng.integers(len(files))], sheets[rng.integers(len(sheets))])
        rows += [pair] * int(rng.integers(64, 300))
    table = pd.DataFrame(rows, columns=["source_file", "source_sheet"], dtype=object)
    assert (
        accounting._pair_runs(table["source_file"].to_numpy(), table["source_sheet"].to_numpy())
        is not None
    )  # coded by runs
    want = table.value_counts()
    got = kept_per_source(table)
    assert got.dtype == np.int64
    assert dict(got.items()) == dict(want.items())
