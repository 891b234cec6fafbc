"""The last steps of the clean stage on two threads (``both_cores``): the same result as one
thread to the value, dtype, attrs and log order; the same error first."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from analysis.clean import both_cores, two_process
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_YAML
from tests.unit.clean.test_two_process import EXCLUDE, MESSY, _assert_same


def _threaded(monkeypatch: pytest.MonkeyPatch, config: StudyConfig):
    """Two threads as ``auto`` decides for a large study (threshold lowered to 0 rows, two
    cores), one process; returns the result and how many calls ran on two threads."""
    monkeypatch.delenv(two_process.ENV, raising=False)
    monkeypatch.setattr(both_cores, "MIN_ROWS", 0)
    monkeypatch.setattr(two_process, "cores", lambda: 2)
    shared: list[int] = []
    each = both_cores.each

    def counted(calls, weights, threads):
        shared.append(threads)
        return each(calls, weights, threads)

    monkeypatch.setattr(both_cores, "each", counted)
    return clean_study(config), shared


def _one_thread(monkeypatch: pytest.MonkeyPatch, config: StudyConfig):
    monkeypatch.setenv(two_process.ENV, "1")
    return clean_study(config)


def test_two_threads_give_what_one_gives_on_a_messy_study(mini_study, monkeypatch):
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML + EXCLUDE))
    threaded, shared = _threaded(monkeypatch, config)
    assert shared == [2, 2], shared  # the derivation and the finalising, both on two threads
    one = _one_thread(monkeypatch, config)
    _assert_same(one, threaded)
    assert len(one.exclusions) and len(one.audit)  # messy: there is an order to keep


def test_two_threads_give_what_one_gives_on_the_reference_twin(
    reference_config, reference_clean, monkeypatch
):
    threaded, shared = _threaded(monkeypatch, reference_config)
    assert set(shared) == {2}
    _assert_same(reference_clean, threaded)


def test_the_results_come_in_the_order_given_and_the_heaviest_starts_first():
    started: list[str] = []
    lock = threading.Lock()

    def call(name: str):
        def run() -> str:
            with lock:
                started.append(name)
            time.sleep(0.05)
            return name.upper()

        return run

    calls = {name: call(name) for name in ["a", "b", "c"]}
    out = both_cores.each(calls, {"a": 1, "b": 5, "c": 3}, 2)
    assert list(out.items()) == [("a", "A"), ("b", "B"), ("c", "C")]
    assert started[:2] == ["b", "c"] and started[2] == "a", started
    started.clear()
    assert both_cores.each(calls, {"a": 1, "b": 5, "c": 3}, 1) == out
    assert started == ["a", "b", "c"]  # one thread: in the order given


def test_the_first_failure_in_the_order_given_is_raised_after_every_call_ended():
    ended: list[str] = []

    def fails(name: str, delay: float):
        def run() -> None:
            time.sleep(delay)
            ended.append(name)
            raise ValueError(name)

        return run

    # the second fails first (sooner, and started first as the heavier), the first is raised
    calls = {"first": fails("first", 0.2), "second": fails("second", 0.0)}
    with pytest.raises(ValueError, match="^first$"):
        both_cores.each(calls, {"first": 1, "second": 2}, 2)
    assert sorted(ended) == ["first", "second"]
    ended.clear()
    with pytest.raises(ValueError, match="^first$"):
        both_cores.each(calls, {"first": 1, "second": 2}, 1)
    assert ended == ["first"]  # one thread stops at the first failure, as before


@pytest.mark.parametrize(
    ("env", "cores", "rows", "threads"),
    [
        (None, 2, both_cores.MIN_ROWS, 2),
        (None, 2, both_cores.MIN_ROWS - 1, 1),
        ("auto", 4, 10**7, 2),
        (None, 1, 10**7, 1),
        ("1", 2, 10**7, 1),
        ("2", 2, 10, 2),
        ("2", 1, 10, 1),
    ],
)
def test_how_many_threads(monkeypatch, env, cores, rows, threads):
    if env is None:
        monkeypatch.delenv(two_process.ENV, raising=False)
    else:
        monkeypatch.setenv(two_process.ENV, env)
    monkeypatch.setattr(two_process, "cores", lambda: cores)
    assert both_cores.threads_for(rows) == threads


def test_a_frame_of_its_own_shares_the_arrays_under_new_blocks_and_a_new_index():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5]}, index=pd.Index([7, 3, 9]))
    own = both_cores.own(frame)
    pd.testing.assert_frame_equal(own, frame, check_exact=True)
    assert own.index is not frame.index and not np.shares_memory(own.index, frame.index)
    assert np.shares_memory(own["a"].to_numpy(), frame["a"].to_numpy())  # no copy of the data
    assert own._mgr.blocks[0] is not frame._mgr.blocks[0]
    own.loc[3]  # a lookup on the new index leaves the frame's index as it was
    assert "_engine" not in frame.index._cache
