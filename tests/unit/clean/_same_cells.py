"""Cell equality for the reference tests of the clean stage's fast paths."""

from __future__ import annotations

import numpy as np


def same_cell(a: object, b: object) -> bool:
    """Equal cells of the same type: None, NaN, NA and NaT told apart, ``-0.0`` from ``0.0``,
    ``1`` from ``1.0`` and ``True``; tuples cell by cell."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_cell(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return bool((np.isnan(a) and np.isnan(b)) or (a == b and np.signbit(a) == np.signbit(b)))
    return bool(a == b)
