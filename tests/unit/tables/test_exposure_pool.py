"""Which exposure numbers a per-exposure table shows on its own and which it pools."""

from __future__ import annotations

import pandas as pd

from analysis.tables.ae_detail import ae_by_exposure
from analysis.tables.exposure_pool import pool_exposures, pooled_label, pooling_note

SIZES = {1: 541, 2: 539, 3: 500, 10: 165, 11: 102, 12: 60, 13: 32, 14: 16, 15: 9}


def test_each_number_is_shown_while_enough_received_it():
    p = pool_exposures(SIZES, (0.10, 20))
    assert p.floor == 55 and p.start == 13 and p.pooled == (13, 14, 15)


def test_max_exposure_pools_earlier_whatever_the_floor():
    assert pool_exposures(SIZES, (0.10, 20), max_exposure=11).start == 11


def test_a_tail_of_one_number_is_not_pooled():
    p = pool_exposures({1: 100, 2: 90, 3: 5}, (0.10, 20))
    assert p.start is None and p.pooled == ()


def test_no_floor_pools_nothing():
    assert pool_exposures(SIZES, (0, 0)).start is None


def test_labels_and_note():
    assert pooled_label("13+") == "≥ 13" and pooled_label("12") == "12"
    p = pool_exposures(SIZES, (0.10, 20))
    note = pooling_note(p, noun="session", pooled_n=32)
    assert note.startswith("Each session number is shown while at least 55 patients received it")
    assert "sessions 13–15 are pooled as ≥ 13 (N = 32" in note


def test_the_table_pools_the_tail_and_says_so():
    # 30 subjects with a first session, 30 with a second, 5 with a third, 3 with a fourth
    sessions = pd.DataFrame(
        {"patient_id": [f"p{i}" for i in range(30)] * 2 + [f"p{i}" for i in range(5)]
         + [f"p{i}" for i in range(3)],
         "exposure_number": [1] * 30 + [2] * 30 + [3] * 5 + [4] * 3}
    )  # fmt: skip
    events = pd.DataFrame(
        {"patient_id": ["p0", "p1", "p2"], "ae_term": ["pain"] * 3,
         "exposure_number": [1, 3, 4], "is_teae": [True] * 3}
    )  # fmt: skip
    t = ae_by_exposure(events, sessions, pool_below=(0.10, 20), noun="session")
    f = t.frame
    assert list(dict.fromkeys(f["group"])) == [
        "exposure_number=1", "exposure_number=2", "exposure_number=3+",
    ]  # fmt: skip
    pooled = f[(f["group"] == "exposure_number=3+") & (f["level"] == "pain")]
    assert pooled.set_index("stat")["value"][["n", "N", "events"]].tolist() == [2, 5, 2]
    assert any("pooled as ≥ 3 (N = 5" in n for n in t.footnotes)
    assert "Session ≥ 3 (N=5)" in t.display().columns
    shown = " ".join(t.display().columns)
    assert "CI" not in shown  # the intervals are in the ARD only, and the note says where
    assert set(f["stat"]) >= {"ci_low", "ci_high"}
    assert (
        "95% CIs of the percentages (Wilson score interval) are not shown; they are in the analysis"
        in (" ".join(t.footnotes))
    )


def test_no_exposure_in_the_data_is_said_so_not_as_a_floor_of_0():
    """An empty exposures table (a subgroup without any) said "shown while at least 0
    patients received it (the larger of 20 and 10% of the 0 ...)"."""
    note = pooling_note(pool_exposures({}), noun="session", pooled_n=None)
    assert note == "No patient received a first session in these data: no session number is shown."
