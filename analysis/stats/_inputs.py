"""Checks every test applies to its input: a table of counts, a sample, groups, alpha.

Each raises ``ValueError`` naming the function and what is wrong, so a table that calls a test
on bad data stops with a message, not a NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln

from analysis.errors import ArgumentError


def count_table(table: ArrayLike, func: str, *, shape: tuple[int, int] | None = None) -> NDArray:
    """A validated copy of ``table`` as int64; every problem cell is named in the message."""
    try:
        arr = np.array(table, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            f"{func}: table must be a 2-D table of counts (rows x columns); it could not be read "
            f"as numbers ({exc})."
        ) from None
    if arr.ndim != 2:
        raise ArgumentError(
            f"{func}: table must be a 2-D table of counts (rows x columns); found an array with "
            f"shape {arr.shape}. Pass e.g. pd.crosstab(...) or a list of rows."
        )
    if shape is not None and arr.shape != shape:
        raise ArgumentError(
            f"{func}: table must have shape {shape}; found shape {arr.shape}. "
            + (
                "Use fisher_exact_rxc for larger tables."
                if func == "fisher_exact_2x2"
                else "Check which rows and columns were passed."
            )
        )
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        cells = ", ".join(
            f"table[{i}, {j}] = {float(arr[i, j])!r}" for i, j in zip(*np.nonzero(bad), strict=True)
        )
        raise ArgumentError(
            f"{func}: every cell must be a non-negative whole number of subjects; found {cells}. "
            "Pass counts, not proportions, and fill structural zeros with 0 rather than NaN."
        )
    return arr.astype(np.int64)


def sample(values: ArrayLike, name: str, func: str, *, min_size: int = 1) -> NDArray:
    try:
        arr = np.array(values, dtype=np.float64, copy=True).ravel()
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            f"{func}: {name} must be numeric; it could not be read ({exc})."
        ) from None
    n_missing = int(np.count_nonzero(np.isnan(arr)))
    if n_missing:
        raise ArgumentError(
            f"{func}: {name} has {n_missing} missing value(s) (NaN) out of {arr.size}; drop "
            "them before testing and report them as n_missing, so that no subject is lost "
            "silently."
        )
    if not np.isfinite(arr).all():
        raise ArgumentError(f"{func}: {name} contains infinite values; fix or drop them first.")
    if arr.size < min_size:
        raise ArgumentError(
            f"{func}: {name} has {arr.size} value(s); at least {min_size} are needed."
        )
    return arr


def groups(groups: Sequence[ArrayLike], func: str, *, min_size: int) -> list[NDArray]:
    if len(groups) < 2:
        raise ArgumentError(f"{func}: at least 2 groups are needed; found {len(groups)}.")
    return [sample(g, f"group {i}", func, min_size=min_size) for i, g in enumerate(groups)]


def check_alpha(alpha: float, func: str) -> float:
    if not 0.0 < float(alpha) < 1.0:
        raise ArgumentError(
            f"{func}: alpha must be strictly between 0 and 1 (0.05 for a 95% interval); "
            f"found {alpha!r}."
        )
    return float(alpha)


def log_factorial(x: ArrayLike) -> Any:
    return gammaln(np.asarray(x, dtype=np.float64) + 1.0)
