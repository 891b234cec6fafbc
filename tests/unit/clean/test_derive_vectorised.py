"""The vectorised derivations equal their per-row reference (the code before), exactly: the
snapped schedule and the median first-year gap, on random tables with missing dates, ties,
one-row patients and empty tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.clean.derive import snap_schedule
from analysis.clean.per_patient import (
    KEY,
    has_record,
    median_first_year_gap,
    patient_positions,
    per_patient,
    record_positions,
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


def _dated_records(rows, dtype) -> pd.DataFrame:
    """Records of ``(patient_id, days after 2020-01-01 or None)``: a ``start_date`` each."""
    base = pd.Timestamp("2020-01-01")
    days = [pd.NaT if d is None else base + pd.Timedelta(days=d) for _, d in rows]
    return pd.DataFrame(
        {
            "patient_id": pd.Series([p for p, _ in rows], dtype=dtype),
            "start_date": pd.Series(days, dtype="datetime64[ns]"),
        }
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(IDS, max_size=6),
    st.lists(st.tuples(IDS, DAYS), max_size=25),
    st.sampled_from([["min", "max", "size"], ["max"]]),
    st.sampled_from(["object", "string"]),
)
def test_per_patient_equals_map_of_the_grouped_records(ids, rows, how, dtype):
    index = np.arange(len(ids)) * 3 + 1  # labels apart from the positions
    patients = pd.DataFrame({"patient_id": pd.Series(ids, dtype=dtype, index=index)})
    records = _dated_records(rows, dtype)
    got = per_patient(patients, records, "start_date", how)
    want = _reference_per_patient(patients, records, "start_date", how)
    pd.testing.assert_frame_equal(got, want, check_names=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(IDS, max_size=6), st.lists(IDS, max_size=12), st.sampled_from(["object", "string"]))
def test_has_record_equals_isin(ids, records, dtype):
    index = np.arange(len(ids)) * 3 + 1  # labels apart from the positions
    patients = pd.DataFrame({"patient_id": pd.Series(ids, dtype=dtype, index=index)})
    record_ids = pd.Series(records, dtype=dtype)
    got = has_record(patients, record_ids, patient_positions(patients, record_ids))
    want = patients["patient_id"].isin(set(record_ids))
    pd.testing.assert_series_equal(got, want)


def _reference_overlapping(patients, concomitant, treatments, end):
    """``derive._overlapping`` before the keys: a join of the windows on the patient id."""
    win = pd.DataFrame(
        {"window_start": patients["day0_date"].to_numpy(), "window_end": end.to_numpy()},
        index=patients["patient_id"],
    )
    c = concomitant.loc[concomitant["drug"].isin(treatments)].join(win, on="patient_id")
    overlaps = (c["start_date"] <= c["window_end"]) & (
        c["stop_date"].isna() | (c["stop_date"] >= c["window_start"])
    )
    return c.loc[overlaps]


_DAY = st.integers(0, 30).map(lambda d: pd.Timestamp("2020-01-01") + pd.Timedelta(days=d))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_DAY | st.just(pd.NaT), _DAY | st.just(pd.NaT)), max_size=5),
    st.lists(
        st.tuples(
            st.sampled_from(["P0", "P1", "P2", "P3", "P9", None]),
            st.sampled_from(["minoxidil", "biotin"]),
            _DAY | st.just(pd.NaT),
            _DAY | st.just(pd.NaT),
        ),
        max_size=12,
    ),
    st.booleans(),
    st.sampled_from(["exposure", "response"]),
)
def test_overlapping_concomitant_equals_the_join_on_the_id(windows, records, keyed, window):
    from analysis.clean.derive import _overlapping
    from analysis.clean.per_patient import KEY, with_keys
    from analysis.studyfile.config import Derivation
    from analysis.studyfile.design import ConcomitantOverlap

    patients = pd.DataFrame(
        {
            "patient_id": pd.Series([f"P{i}" for i in range(len(windows))], dtype=object),
            "day0_date": pd.to_datetime([w[0] for w in windows]),
            "exposure_end_date": pd.to_datetime([w[1] for w in windows]),
        }
    )
    concomitant = pd.DataFrame(
        records, columns=["patient_id", "drug", "start_date", "stop_date"]
    ).astype({"patient_id": object, "start_date": "datetime64[ns]", "stop_date": "datetime64[ns]"})
    rule = ConcomitantOverlap(
        treatments=["minoxidil"], window=window, if_any="combined", otherwise="mono"
    )
    d = Derivation()
    if window == "exposure":
        end = patients["exposure_end_date"]
    else:  # no response assessed: day 0 plus the target month
        end = patients["day0_date"] + pd.Timedelta(
            days=int(d.response_target_month * d.days_per_month)
        )
    want = _reference_overlapping(patients, concomitant, ["minoxidil"], end)
    if keyed:
        patients, children = with_keys(patients, {"concomitant": concomitant})
        concomitant = children["concomitant"]
    got = _overlapping(patients, concomitant, rule, d)
    columns = [c for c in got.columns if c != KEY]
    pd.testing.assert_frame_equal(got[columns], want[columns], check_exact=True)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["P1", "P2", "P3", "P10"]), unique=True, min_size=1, max_size=4),
    st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3", "P10", "P99"]), DAYS), max_size=25),
    st.sampled_from([["min", "max", "size"], ["max"], ["size", "min"]]),
    st.booleans(),
)
def test_per_patient_of_dates_by_position_equals_pandas_groupby_of_the_positions(
    ids, rows, how, keyed
):
    """Every record's patient found (by the ids, or by the integer keys: -1 for P99, who is
    not a patient): the dates are aggregated by NumPy (``_dates_per_position``), including
    patients without records, records without a date and patients whose dates all are NaT."""
    index = np.arange(len(ids)) * 3 + 1  # labels apart from the positions
    patients = pd.DataFrame({"patient_id": pd.Series(ids, dtype=object, index=index)})
    records = _dated_records(rows, object)
    if keyed:
        key = {p: i for i, p in enumerate(ids)}
        patients[KEY] = np.arange(len(ids), dtype=np.int64)
        records[KEY] = np.array([key.get(p, -1) for p, _ in rows], dtype=np.int64)
    assume(record_positions(patients, records) is not None)  # else by the ids, tested above
    got = per_patient(patients, records, "start_date", how)
    pd.testing.assert_frame_equal(got, _grouped_by_position(patients, records, how))


def _grouped_by_position(patients, records, how):
    """``per_patient`` as pandas did it (the code before): ``groupby`` of the positions."""
    at = record_positions(patients, records)
    known = at >= 0
    values = records["start_date"].to_numpy()[known]
    g = pd.Series(values).groupby(at[known]).agg(how).reindex(np.arange(len(patients)))
    return pd.DataFrame({h: g[h].to_numpy() for h in how}, index=patients.index)
