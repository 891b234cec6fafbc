"""Levels keep their vocabulary's declared order in every table (as the docs promise), and
levels without one sort numbers by value: the minoxidil reasons for stopping were listed
alphabetically (a categorical summarised as categories was cast to text), and a numeric column
summarised as categories read 1, 10, 11, ..., 2."""

from __future__ import annotations

import pandas as pd

from analysis.stats.design import levels_of
from analysis.tables.baseline import baseline_table


def _rows(result) -> list[str]:
    return [str(v).strip() for v in result.display().iloc[:, 0]]


def test_a_categorical_keeps_its_declared_order_when_listed_as_categorical():
    order = ["adverse event", "lack of efficacy", "cost", "lost to follow-up", "other"]
    reasons = pd.Categorical(["cost", "other", "adverse event", "cost", "lack of efficacy"], order)
    data = pd.DataFrame({"patient_id": [f"P{i}" for i in range(5)], "reason": reasons})
    result = baseline_table(
        data,
        by=None,
        variables={"reason": "Reason"},
        categorical=["reason"],
        categorical_test="none",
    )
    assert _rows(result) == ["Reason, n (%)", *order]  # a level of none is shown too


def test_numbers_summarised_as_categories_sort_by_value():
    data = pd.DataFrame(
        {"patient_id": [f"P{i}" for i in range(6)], "n_visits": [1, 10, 2, 11, 2, 3]}
    )
    assert levels_of(data.assign(n_visits=data["n_visits"].astype("string")), "n_visits") == [
        "1",
        "2",
        "3",
        "10",
        "11",
    ]
    result = baseline_table(
        data,
        by=None,
        variables={"n_visits": "Visits"},
        categorical=["n_visits"],
        categorical_test="none",
    )
    rows = [r for r in _rows(result) if r.isdigit()]
    assert rows == ["1", "2", "3", "10", "11"]
