"""The vectorised derivations equal their per-row reference (the code before), exactly: the
snapped schedule and the median first-year gap, on random tables with missing dates, ties,
one-row patients and empty tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.derive import snap_schedule
from analysis.clean.per_patient import (
    has_record,
    median_first_year_gap,
    patient_positions,
    per_patient,
    snap_schedules,
)

ALLOWED = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=5)
MONTHS = st.lists(
    st.one_of(
        st.floats(min_value=-5, max_value=30, allow_nan=False),
        st.just(np.nan),
        st.sampled_from([1.5, 2.5, 3.5, 4.5, 5.0, 0.0]),  # ties between allowed values
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(MONTHS, ALLOWED)
def test_snap_schedules_equals_the_per_value_reference(months, allowed):
    got = snap_schedules(np.array(months, dtype="float64"), allowed)
    want = np.array([snap_schedule(m, allowed) for m in months], dtype="float64")
    np.testing.assert_array_equal(got, want)


def _reference_median_gap(exposures: pd.DataFrame, year_days: float) -> pd.Series:
    """The grouping code of ``add_schedule`` before it used sorted integer codes."""
    s = exposures[["patient_id", "start_date"]].copy()
    first = s.groupby("patient_id")["start_date"].transform("min")
    s = s.loc[(s["start_date"] - first).dt.days < year_days]
    s = s.sort_values(["patient_id", "start_date"])
    s["gap"] = s.groupby("patient_id")["start_date"].diff().dt.days
    return s.dropna(subset=["gap"]).groupby("patient_id")["gap"].median()


DAYS = st.one_of(st.integers(min_value=0, max_value=800), st.none())
ROWS = st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3", "P10"]), DAYS), max_size=25)


@settings(max_examples=200, deadline=None)
@given(ROWS, st.sampled_from([365.25, 30.0, 1.0]))
def test_median_first_year_gap_equals_the_grouped_reference(rows, year_days):
    base = pd.Timestamp("2020-01-01")
    exposures = pd.DataFrame(
        {
            "patient_id": pd.Series([p for p, _ in rows], dtype=object),
            "start_date": pd.Series(
                [pd.NaT if d is None else base + pd.Timedelta(days=d) for _, d in rows],
                dtype="datetime64[ns]",
            ),
        },
        index=np.arange(len(rows)) * 2 + 5,
    )
    got = median_first_year_gap(exposures, year_days)
    want = _reference_median_gap(exposures, year_days)
    pd.testing.assert_series_equal(
        got.sort_index(), want.sort_index(), check_names=False, check_index_type=False
    )


def _reference_per_patient(patients, records, column, how):
    g = records.groupby("patient_id")[column].agg(how)
    return pd.DataFrame({h: patients["patient_id"].map(g[h]) for h in how}, index=patients.index)


IDS = st.sampled_from(["P1", "P2", "P3", "P10", None])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(IDS, max_size=6),
    st.lists(st.tuples(IDS, DAYS), max_size=25),
    st.sampled_from([["min", "max", "size"], ["max"]]),
    st.sampled_from(["object", "string"]),
)
def test_per_patient_equals_map_of_the_grouped_records(ids, rows, how, dtype):
    base = pd.Timestamp("2020-01-01")
    patients = pd.DataFrame(
        {"patient_id": pd.Series(ids, dtype=dtype)}, index=np.arange(len(ids)) * 3 + 1
    )
    records = pd.DataFrame(
        {
            "patient_id": pd.Series([p for p, _ in rows], dtype=dtype),
            "start_date": pd.Series(
                [pd.NaT if d is None else base + pd.Timedelta(days=d) for _, d in rows],
                dtype="datetime64[ns]",
            ),
        }
    )
    got = per_patient(patients, records, "start_date", how)
    want = _reference_per_patient(patients, records, "start_date", how)
    pd.testing.assert_frame_equal(got, want, check_names=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(IDS, max_size=6), st.lists(IDS, max_size=12), st.sampled_from(["object", "string"]))
def test_has_record_equals_isin(ids, records, dtype):
    patients = pd.DataFrame(
        {"patient_id": pd.Series(ids, dtype=dtype)}, index=np.arange(len(ids)) * 3 + 1
    )
    record_ids = pd.Series(records, dtype=dtype)
    got = has_record(patients, record_ids, patient_positions(patients, record_ids))
    want = patients["patient_id"].isin(set(record_ids))
    pd.testing.assert_series_equal(got, want)
