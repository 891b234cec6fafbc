"""How far the clean stage is: raw rows read and validated, rows a second, time left.

The clean stage reads every table, then validates each one; both passes go over every raw row.
The work of each table is known before anything is read: the size of its sources
(``source_size.source_bytes``, in bytes of CSV text), so the time left is the work not done yet
(each table read, then validated) at the pace so far, from the first table on. (It said "about
0 s left" throughout: it counted the work from the rows read so far, and the exposures, read in
the second process, came last.) De-duplication, derivations and inclusion follow; they are named
but not estimated. When a second process reads and validates some tables (``two_process``), its
reads and validations are counted here as they happen; the time left is a rough guide.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

Progress = Callable[[str], None]


class Pace:
    """Wraps a progress callback: ``read(table, rows)``, ``validated(table, rows)``, ``say``.

    ``work``: each table's size (bytes of its sources); without it the time left is not
    estimated."""

    def __init__(
        self,
        say: Progress,
        clock: Callable[[], float] = time.perf_counter,
        work: Mapping[str, int] | None = None,
    ) -> None:
        self._say, self._clock = say, clock
        self._start = clock()
        self._work = dict(work or {})
        self._total = 2 * sum(self._work.values())
        self._done = 0
        self.read_rows = 0
        self.validated_rows = 0

    def say(self, message: str) -> None:
        self._say(message)

    def _elapsed(self) -> float:
        return max(self._clock() - self._start, 1e-9)

    def _left(self, table: str, elapsed: float) -> str:
        """ "; about N s left to read and validate" from the work done so far, or ""."""
        self._done += self._work.get(table, 0)
        if not self._total or not self._done:
            return ""
        left = max(self._total - self._done, 0) * elapsed / self._done
        return f"; about {left:,.0f} s left to read and validate"

    def read(self, table: str, rows: int) -> None:
        """``rows`` raw rows of ``table`` read."""
        self.read_rows += rows
        elapsed = self._elapsed()
        self._say(
            f"read {table}: {rows:,} rows ({self.read_rows:,} of all tables so far, "
            f"{self.read_rows / elapsed:,.0f} rows/s){self._left(table, elapsed)}"
        )

    def validated(self, table: str, rows: int) -> None:
        """``rows`` rows of ``table`` validated (dates, numbers, ranges)."""
        self.validated_rows += rows
        elapsed = self._elapsed()
        rate = (self.read_rows + self.validated_rows) / elapsed
        self._say(
            f"validated {table}: {rows:,} rows ({self.validated_rows:,} of the "
            f"{self.read_rows:,} read so far; {rate:,.0f} rows/s read and validated)"
            f"{self._left(table, elapsed)}"
        )


__all__ = ["Pace"]
