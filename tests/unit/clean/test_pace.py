"""The clean stage's progress: rows read and validated, rows a second, time left."""

from __future__ import annotations

from analysis.clean.pace import Pace


def test_pace_counts_rows_and_estimates_the_time_left_from_the_rate_so_far():
    said: list[str] = []
    now = iter([0.0, 1.0, 2.0, 3.0])
    pace = Pace(said.append, clock=lambda: next(now))
    pace.read("patients", 1000)  # t=1: 1,000 rows/s
    pace.read("exposures", 3000)  # t=2: 4,000 rows in 2 s
    pace.validated("patients", 2000)  # t=3: 6,000 of 8,000 units in 3 s -> 2,000/s, 1 s left
    assert said == [
        "read patients: 1,000 rows so far, 1,000 rows/s",
        "read exposures: 4,000 rows so far, 2,000 rows/s",
        "validated patients: 2,000 of 4,000 rows, 2,000 rows/s, about 1 s left to validate",
    ]
