"""The clean stage's progress: rows read and validated, rows a second, time left. It said
"about 0 s left" throughout a 34 s clean (the work was counted from the rows read so far, and
the exposures, read in the second process, came last), and labelled the rows of all tables as
one table's ("read adverse_events: 406,790 rows so far" of 203,393 events)."""

from __future__ import annotations

from analysis.clean.pace import Pace


def test_pace_says_each_tables_rows_and_the_time_left_of_all_the_work():
    said: list[str] = []
    now = iter([0.0, 1.0, 2.0, 4.0])
    # 1,000 bytes of patients, 3,000 of exposures: 8,000 bytes of work (read, then validate)
    pace = Pace(said.append, clock=lambda: next(now), work={"patients": 1000, "exposures": 3000})
    pace.read("patients", 100)  # t=1: 1,000 of 8,000 bytes in 1 s -> 7 s left
    pace.read("exposures", 300)  # t=2: 4,000 bytes in 2 s -> 2 s left
    pace.validated("patients", 100)  # t=4: 5,000 bytes in 4 s -> 2.4 s left
    assert said == [
        "read patients: 100 rows (100 of all tables so far, 100 rows/s); about 7 s left to read "
        "and validate",
        "read exposures: 300 rows (400 of all tables so far, 200 rows/s); about 2 s left to "
        "read and validate",
        "validated patients: 100 rows (100 of the 400 read so far; 125 rows/s read and "
        "validated); about 2 s left to read and validate",
    ]


def test_without_the_work_no_time_left_is_guessed():
    said: list[str] = []
    now = iter([0.0, 1.0])
    Pace(said.append, clock=lambda: next(now)).read("patients", 10)
    assert said == ["read patients: 10 rows (10 of all tables so far, 10 rows/s)"]
