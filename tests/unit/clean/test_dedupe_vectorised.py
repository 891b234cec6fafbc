"""The vectorised de-duplication steps equal their per-group reference (the code before),
exactly: kept rows, merged values, log rows and conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.duplicates import deduplicate_patients, drop_duplicate_records
from analysis.errors import SourceError
from tests.unit.clean import _dedupe_reference as reference

ROWS = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", "P3", "P4"]),
        st.sampled_from(["male", "female", None]),
        st.sampled_from([30.0, 31.0, np.nan]),
        st.sampled_from([pd.Timestamp("2020-01-02"), pd.Timestamp("2021-05-06"), pd.NaT]),
        st.sampled_from(["a.csv", "b.xlsx"]),
        st.sampled_from(["HN III", "Ludwig I", None]),
        st.sampled_from([True, False, None]),
    ),
    min_size=0,
    max_size=16,
)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    names = ["patient_id", "sex", "age_years", "first_visit_date", "f", "grade", "flag"]
    df = pd.DataFrame(rows, columns=names)
    df = df.astype({"age_years": "float64", "first_visit_date": "datetime64[ns]"})
    # the dtypes the vocabularies give: categorical levels, yes/no as nullable booleans
    df["grade"] = pd.Categorical(df["grade"], categories=["HN III", "Ludwig I"])
    df["flag"] = df["flag"].astype("boolean")
    df["sex"] = df["sex"].astype(object)
    df["source_file"] = df.pop("f")
    df["source_sheet"] = np.where(df["source_file"] == "b.xlsx", "Patients", "")
    df["source_row"] = np.arange(2, 2 + len(df))
    df["_source"] = "s"
    df.index = np.arange(len(df)) * 3 + 1  # labels that are not positions
    return df


def _same_audit(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """The audit rows of the values filled (one per record and column), in any order."""
    order = ["row", "column"]
    pd.testing.assert_frame_equal(
        got.sort_values(order).reset_index(drop=True),
        want.sort_values(order).reset_index(drop=True),
        check_dtype=False,
    )


@settings(max_examples=150, deadline=None)
@given(ROWS)
def test_deduplicate_patients_equals_the_per_group_reference(rows):
    data = _frame(rows)
    got, got_conflicts = deduplicate_patients(data)
    want, want_conflicts = reference.deduplicate_patients(data)
    pd.testing.assert_frame_equal(got.data, want.data)
    pd.testing.assert_frame_equal(got.excluded, want.excluded)
    pd.testing.assert_frame_equal(got_conflicts, want_conflicts)
    _same_audit(got.audit, want.audit)


@settings(max_examples=100, deadline=None)
@given(ROWS)
def test_deduplicate_patients_equals_the_reference_with_labels_decreasing(rows):
    """Labels not increasing (never so in the stage): the records are put in label order by
    pandas, as the reference puts them."""
    data = _frame(rows)
    data.index = np.arange(len(data))[::-1] * 2
    got, got_conflicts = deduplicate_patients(data)
    want, want_conflicts = reference.deduplicate_patients(data)
    pd.testing.assert_frame_equal(got.data, want.data)
    pd.testing.assert_frame_equal(got.excluded, want.excluded)
    pd.testing.assert_frame_equal(got_conflicts, want_conflicts)
    _same_audit(got.audit, want.audit)


@settings(max_examples=150, deadline=None)
@given(ROWS)
def test_drop_duplicate_records_equals_the_reference(rows):
    data = _frame(rows).rename(columns={"first_visit_date": "start_date"})
    data["dose_mg"] = data["age_years"]
    got = drop_duplicate_records(data, "exposures", on_conflict="keep_first")
    want = reference.drop_duplicate_records(data, "exposures")
    pd.testing.assert_frame_equal(got.data, want.data)
    pd.testing.assert_frame_equal(got.excluded, want.excluded)
    _same_audit(got.audit, want.audit)
    # by default a duplicate whose other values differ stops the run, else nothing changes
    if want.excluded["reason"].str.contains("other values differ").any():
        with pytest.raises(SourceError, match="as an earlier record but other values"):
            drop_duplicate_records(data, "exposures")
    else:
        pd.testing.assert_frame_equal(drop_duplicate_records(data, "exposures").data, want.data)
