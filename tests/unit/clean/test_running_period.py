"""The period an adverse event is charged to when periods overlap: the one running at onset
(``analysis.clean.running_period``). A probe: 1 mg/day from January with no stop date and
2 mg/day from March to May; an event in June was charged to the 2 mg period (the last to
start), while only the 1 mg period was running. An event in a gap between periods keeps the
period it followed (docs/derivations.md §5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.clean.derive import exposures_on_or_before
from analysis.clean.running_period import running_period

D = pd.Timestamp


def _number(exposures: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    counted = exposures_on_or_before(exposures, events["patient_id"], events["onset_date"])
    return running_period(exposures, events["patient_id"], events["onset_date"], counted)


def test_an_event_after_an_overlapping_period_stopped_goes_to_the_one_running():
    exposures = pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P2", "P2", "P2"],
            "start_date": [D("2020-01-01"), D("2020-03-01"), *map(D, ["2020-01-01", "2020-04-01", "2020-09-01"])],
            "stop_date": [pd.NaT, D("2020-05-01"), D("2020-04-01"), D("2020-06-30"), pd.NaT],
        }
    )  # fmt: skip
    events = pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P1", "P2", "P2", "P2"],
            "onset_date": map(D, ["2020-06-01", "2020-04-01", "2019-12-01", "2020-07-15", "2020-04-01", "2020-09-02"]),
        }
    )  # fmt: skip
    # P1: June, only the first (open) period runs -> 1; April, in the overlap -> the later, 2;
    # before the first -> 0. P2: July, a gap -> the period it followed, 2; the day one period
    # stops and the next starts -> the next, 2; September -> 3
    assert _number(exposures, events).tolist() == [1, 2, 0, 2, 2, 3]


def _reference(exposures: pd.DataFrame, pid: str, onset: pd.Timestamp) -> int:
    own = exposures.loc[exposures["patient_id"] == pid].sort_values("start_date")
    started = own.loc[own["start_date"] <= onset]
    if started.empty:
        return 0
    rank = np.arange(1, len(started) + 1)
    running = (started["stop_date"].isna() | (started["stop_date"] >= onset)).to_numpy()
    return int(rank[running][-1]) if running.any() else len(started)


@pytest.mark.parametrize("seed", range(8))
def test_each_event_as_a_per_event_reference_charges_it(seed):
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(30):
        starts = np.sort(rng.choice(400, size=rng.integers(1, 5), replace=False))
        for s in starts:
            stop = (
                pd.NaT
                if rng.random() < 0.2
                else D("2020-01-01") + pd.Timedelta(days=int(s + rng.integers(0, 150)))
            )
            rows.append((f"P{p}", D("2020-01-01") + pd.Timedelta(days=int(s)), stop))
    exposures = pd.DataFrame(rows, columns=["patient_id", "start_date", "stop_date"])
    events = pd.DataFrame(
        {
            "patient_id": [f"P{p}" for p in rng.integers(0, 30, 200)],
            "onset_date": [D("2020-01-01") + pd.Timedelta(days=int(d)) for d in rng.integers(-20, 600, 200)],
        }
    )  # fmt: skip
    expected = [
        _reference(exposures, p, o)
        for p, o in zip(events["patient_id"], events["onset_date"], strict=True)
    ]
    assert _number(exposures, events).tolist() == expected
