"""Work offered to the clean stage for the time it waits on its second process.

With a second process (``two_process``), this process ends its own tables first and then waits
for the other's validations: about 5 s at a million patients, one core idle. ``retro run``
offers the imports of its later stages (tables, figures, report: ~2 s still to import at that
point, paid anyway) for that time (``offered``); the stage runs what is offered once, when it would
otherwise only wait (``run_offered``). An offer that fails is dropped without a word: it is
done again where it belongs, and fails there in the open (an import that raised leaves no
module behind). Offers change no result: they only move work into an idle moment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

_OFFERED: list[Callable[[], object]] = []


@contextlib.contextmanager
def offered(*work: Callable[[], object]) -> Iterator[None]:
    """Within the block, ``work`` runs (once, in order) when the clean stage next waits; what
    has not run by the end of the block is withdrawn."""
    _OFFERED.extend(work)
    try:
        yield
    finally:
        for w in work:
            with contextlib.suppress(ValueError):
                _OFFERED.remove(w)


def run_offered() -> int:
    """Run and withdraw every offer; returns how many ran."""
    ran = 0
    while _OFFERED:
        work = _OFFERED.pop(0)
        with contextlib.suppress(Exception):
            work()
        ran += 1
    return ran


__all__ = ["offered", "run_offered"]
