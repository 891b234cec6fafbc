"""The subject floor under which a curve stops or exposure numbers are pooled."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.stats.at_risk import (
    floor_rule_text,
    km_stop_time,
    km_stop_times,
    stops_text,
    subject_floor,
)


def test_floor_is_the_larger_of_the_minimum_and_the_fraction():
    assert subject_floor(401, fraction=0.10, minimum=10) == 41  # 40.1 rounded up
    assert subject_floor(140, fraction=0.10, minimum=10) == 14
    assert subject_floor(60, fraction=0.10, minimum=10) == 10
    assert subject_floor(500, fraction=0.10, minimum=10) == 50  # exactly 10%: no extra subject
    assert subject_floor(541, fraction=0.10, minimum=20) == 55
    assert subject_floor(541, fraction=0, minimum=0) == 0


@pytest.mark.parametrize(("fraction", "minimum"), [(1.5, 10), (-0.1, 10), (0.1, -1)])
def test_floor_rejects_impossible_settings(fraction, minimum):
    with pytest.raises(ValueError, match="must be"):
        subject_floor(100, fraction=fraction, minimum=minimum)


def test_stop_time_is_the_last_time_with_enough_at_risk():
    times = [1.0, 2, 3, 4, 5, 6]
    assert km_stop_time(times, 2) == 5.0  # at risk at 5: {5, 6}; at 6: {6}
    assert km_stop_time(times, 1) == 6.0 and km_stop_time(times, 0) == 6.0
    assert km_stop_time(times, 7) is None  # never 7 at risk


def test_stop_times_per_group_and_in_words():
    d = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6, 7], "g": ["a"] * 5 + ["b"] * 2})
    stops = km_stop_times(d, time="t", by="g", fraction=0.5, minimum=2)
    assert stops == {"a": (3, 3.0), "b": (2, 6.0)}
    assert stops_text(stops, {"a": "Arm A"}, "months") == (
        "arm A at 3.0 months, before fewer than 3 remain at risk; b at 6.0 months, before fewer "
        "than 2 remain at risk"
    )
    assert floor_rule_text(fraction=0.1, minimum=10) == (
        "the larger of 10 patients and 10% of the group"
    )
    assert floor_rule_text(fraction=0, minimum=20) == "20 patients"
