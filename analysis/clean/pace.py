"""How far the clean stage is: raw rows read and validated, rows a second, time left.

The clean stage reads every table, then validates each one; both passes go over every raw row,
so the work is counted as twice the raw rows. While reading, the total is not yet known and only
the rate is shown; from the first validated table on, the time left of the two passes is the
work left at the rate so far. (De-duplication, derivations and inclusion follow; they are
named but not estimated.) When a second process reads and validates some tables
(``two_process``), its reads and validations are counted here as they happen, its steps named
"(in the second process)"; the time left is then a rough guide.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[str], None]


class Pace:
    """Wraps a progress callback: ``read(table, rows)``, ``validated(table, rows)``, ``say``."""

    def __init__(self, say: Progress, clock: Callable[[], float] = time.perf_counter) -> None:
        self._say, self._clock = say, clock
        self._start = clock()
        self.read_rows = 0
        self.validated_rows = 0

    def say(self, message: str) -> None:
        self._say(message)

    def _rate(self, done: int) -> float:
        return done / max(self._clock() - self._start, 1e-9)

    def read(self, table: str, rows: int) -> None:
        """``rows`` raw rows of ``table`` read."""
        self.read_rows += rows
        rate = self._rate(self.read_rows)
        self._say(f"read {table}: {self.read_rows:,} rows so far, {rate:,.0f} rows/s")

    def validated(self, table: str, rows: int) -> None:
        """``rows`` rows of ``table`` validated (dates, numbers, ranges)."""
        self.validated_rows += rows
        done = self.read_rows + self.validated_rows
        rate = self._rate(done)
        left = max(2 * self.read_rows - done, 0) / rate if rate else 0.0
        self._say(
            f"validated {table}: {self.validated_rows:,} of {self.read_rows:,} rows, "
            f"{rate:,.0f} rows/s, about {left:,.0f} s left to validate"
        )


__all__ = ["Pace"]
