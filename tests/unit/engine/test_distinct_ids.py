"""``distinct_ids``: the fast path for ids in strictly increasing order counts as hashing does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.engine.counts import check_subject_table, distinct_ids

CASES = {
    "sorted text": pd.Series(["P001", "P002", "P010"], dtype="string"),
    "sorted text, object": pd.Series(["a", "b", "c"], dtype=object),
    "equal neighbours": pd.Series(["a", "b", "b", "c"], dtype="string"),
    "unsorted, distinct": pd.Series(["b", "a", "c"], dtype="string"),
    "unsorted, repeated": pd.Series(["b", "a", "b"], dtype="string"),
    "decreasing": pd.Series([3, 2, 1]),
    "missing text": pd.Series(["a", None, "c"], dtype="string"),
    "missing object": pd.Series(["a", "b", None], dtype=object),
    "missing number": pd.Series([1.0, np.nan, 3.0]),
    "numbers and text": pd.Series([1, "a", "b"], dtype=object),
    "sorted numbers": pd.Series([1, 2, 5, 9]),
    "categorical": pd.Series(pd.Categorical(["a", "b", "c"])),
    "categorical repeated": pd.Series(pd.Categorical(["a", "a", "c"])),
    "dates": pd.Series(pd.to_datetime(["2020-01-01", "2020-01-02"])),
    "one": pd.Series(["a"], dtype="string"),
    "none": pd.Series([], dtype="string"),
    "all missing": pd.Series([None, None], dtype="string"),
}


@pytest.mark.parametrize("case", CASES)
def test_counts_as_hashing_does(case):
    ids = CASES[case]
    assert distinct_ids(ids) == ids.nunique()


@pytest.mark.parametrize("seed", range(20))
def test_random_ids_count_as_hashing_does(seed):
    rng = np.random.default_rng(seed)
    ids = pd.Series(rng.integers(0, 40, size=int(rng.integers(0, 30))).astype(str), dtype="string")
    if seed % 2:
        ids = ids.sort_values(ignore_index=True)
    if seed % 3 == 0 and len(ids):
        ids[int(rng.integers(0, len(ids)))] = None
    assert distinct_ids(ids) == ids.nunique()


@pytest.mark.parametrize("repeat_at", [None, 10, 4_095, 4_096, 4_097, 9_998])
def test_long_ids_checked_past_the_first_4096(repeat_at):
    ids = [f"P{i:06d}" for i in range(10_000)]
    if repeat_at is not None:  # an equal id (another object) just after its twin
        ids.insert(repeat_at + 1, "".join(ids[repeat_at]))
    series = pd.Series(ids, dtype="string")
    assert distinct_ids(series) == series.nunique() == 10_000


def test_sorted_table_with_a_repeated_id_is_refused():
    subjects = pd.DataFrame({"patient_id": ["a", "b", "b", "c"], "sex": ["F", "M", "M", "F"]})
    with pytest.raises(ValueError, match="has 1 duplicate or missing `patient_id`"):
        check_subject_table(subjects, by=["sex"], subject_id="patient_id")


def test_a_subject_without_an_id_is_not_called_a_duplicate_alone():
    # a missing id was reported as "1 duplicate `patient_id` value(s)" and nothing else
    subjects = pd.DataFrame({"patient_id": [1.0, 2.0, None], "sex": ["F", "M", "F"]})
    with pytest.raises(ValueError, match="1 duplicate or missing `patient_id` value"):
        check_subject_table(subjects, by=["sex"], subject_id="patient_id")
