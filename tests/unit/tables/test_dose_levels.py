"""The dose of a dose period as a level of the per-dose tables. Doses were rounded to 2
decimals to name the level, and the rounded name was the group: 0.2142857 mg/day (0.5 mg three
times a week) and 0.21 mg/day were one level "0.21", their periods pooled in silence."""

from __future__ import annotations

import math

import pandas as pd

from analysis.tables.plan_ae import _levels_of_numbers


def test_each_distinct_dose_is_a_level_of_its_own():
    doses = pd.Series([0.5 * 3 / 7, 0.21, 0.5, 1.0, math.nan, 0.21, 2.5])
    levels = _levels_of_numbers(doses)
    assert list(levels.cat.categories) == ["0.21", "0.214", "0.5", "1", "2.5"]
    assert levels.tolist()[:4] == ["0.214", "0.21", "0.5", "1"]
    assert pd.isna(levels.iloc[4])
    assert levels.cat.ordered


def test_doses_two_decimals_keep_apart_keep_their_names():
    """The shipped minoxidil twin's doses keep the names its tables print."""
    doses = pd.Series([0.5 * 3 / 7, 0.25, 0.5, 1.0, 2.5, 5.0])
    levels = _levels_of_numbers(doses)
    assert list(levels.cat.categories) == ["0.21", "0.25", "0.5", "1", "2.5", "5"]
    assert levels.tolist() == ["0.21", "0.25", "0.5", "1", "2.5", "5"]


def test_float_noise_is_one_level():
    levels = _levels_of_numbers(pd.Series([0.1 + 0.2, 0.3, 1.0]))
    assert len(levels.cat.categories) == 2
