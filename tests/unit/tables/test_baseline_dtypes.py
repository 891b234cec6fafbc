"""Table 1 of the columns pandas really gives: the same numbers whatever the dtype holding the
values, or a refusal in words. An object column of True/False (a yes/no column with gaps,
after a fill, from a workbook) was counted 0 (0.0%) in every cell, with the footnote "a single
level observed"; a date of Arrow type was listed one row per date, each 0 (0.0%); a table of no
subjects with a categorical variable stopped on an IndexError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ArgumentError
from analysis.tables import baseline_table


@pytest.fixture
def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    d = pd.DataFrame(
        {
            "patient_id": range(200),
            "sex": rng.choice(["female", "male"], 200),
            "age": rng.integers(18, 80, 200),
            "score": rng.choice([1.5, 2.0, 3.0], 200),
        }
    )
    return d.assign(flag=d["age"] > 50)


def _numbers(frame: pd.DataFrame) -> list[tuple]:
    keep = frame.loc[frame["stat"].isin(["n", "N", "pct", "n_missing", "p_value"])]
    return sorted(
        (r.variable, r.level, r.group, r.stat, round(float(r.value), 12)) for r in keep.itertuples()
    )


def test_an_object_column_of_true_false_counts_as_the_boolean_column(cohort):
    """By hand: 45 women and 49 men over 50 (the boolean column's counts, and pandas')."""
    expected = _numbers(baseline_table(cohort, by="sex", variables=["flag"]).frame)
    by_hand = cohort.groupby("sex")["flag"].sum().to_dict()
    shown = {r[2]: r[4] for r in expected if r[3] == "n" and r[1] == "yes"}
    assert shown == {"sex=female": by_hand["female"], "sex=male": by_hand["male"], "overall": 94}
    as_object = cohort.assign(flag=cohort["flag"].astype(object))
    assert _numbers(baseline_table(as_object, by="sex", variables=["flag"]).frame) == expected
    gaps = cohort["flag"].astype(object).where(cohort.index >= 5, None)
    with_gaps = _numbers(
        baseline_table(cohort.assign(flag=gaps), by="sex", variables=["flag"]).frame
    )
    nullable = cohort.assign(flag=cohort["flag"].astype("boolean").where(cohort.index >= 5))
    assert with_gaps == _numbers(baseline_table(nullable, by="sex", variables=["flag"]).frame)
    assert ("flag", "", "overall", "n_missing", 5.0) in with_gaps


def test_numbers_in_an_object_column_count_as_their_categories(cohort):
    as_category = cohort.assign(score=cohort["score"].astype(str).astype("category"))
    expected = _numbers(baseline_table(as_category, by="sex", variables=["score"]).frame)
    as_object = cohort.assign(score=cohort["score"].astype(object))
    got = _numbers(baseline_table(as_object, by="sex", variables=["score"], categorical=[]).frame)
    assert got == expected
    mixed = cohort.assign(score=cohort["score"].map(lambda v: "3.0" if v == 3.0 else v))
    assert _numbers(baseline_table(mixed, by="sex", variables=["score"]).frame) == expected


@pytest.mark.parametrize(
    "as_dates",
    [
        lambda s: s,
        lambda s: s.astype("timestamp[us][pyarrow]"),
        lambda s: s.dt.date,
        lambda s: s.dt.date.astype("date32[pyarrow]"),
        lambda s: s.astype(object),
        lambda s: s.dt.tz_localize("Europe/Madrid"),
    ],
    ids=["datetime64", "arrow-timestamp", "python-date", "arrow-date", "object-datetime", "zoned"],
)
def test_dates_in_every_form_are_refused(cohort, as_dates):
    day0 = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(200), "D"))
    with pytest.raises(ArgumentError, match=r"\['day0'\] hold dates"):
        baseline_table(cohort.assign(day0=as_dates(day0)), by="sex", variables=["day0"])


def test_no_subjects_gives_an_empty_table_saying_there_are_no_values():
    empty = pd.DataFrame(
        {
            "patient_id": pd.Series([], dtype=str),
            "sex": pd.Series([], dtype=str),
            "grp": pd.Series([], dtype=str),
            "age": pd.Series([], dtype=float),
        }
    )
    table = baseline_table(empty, by="sex", variables=["grp", "age"])
    n = table.frame.loc[table.frame["stat"] == "N", "value"]
    assert (n == 0).all()
    assert "grp, age: no values" in " ".join(table.footnotes)
