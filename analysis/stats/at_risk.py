"""How many subjects are "enough": the floor below which a curve or a per-exposure column stops.

A Kaplan–Meier curve whose last steps rest on a handful of subjects, or a per-exposure
percentage among the few who received a 15th exposure, looks as precise as the rest and is not.
``subject_floor`` gives the smallest number of subjects still worth showing on its own: the
larger of ``minimum`` and ``fraction`` of the starting number (``fraction=0.10, minimum=10``: a
group of 401 needs 41 at risk, a group of 60 needs 10). ``km_stop_times`` says where each curve
of a Kaplan–Meier plot stops under that floor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.errors import ArgumentError
from analysis.words import in_sentence


def subject_floor(n: float, *, fraction: float, minimum: int) -> int:
    """The larger of ``minimum`` and ``fraction`` × ``n`` rounded up (``n`` the subjects at the
    start: a group's size, the subjects who received the first exposure)."""
    if not 0 <= fraction <= 1:
        raise ArgumentError(f"fraction={fraction!r} must be between 0 and 1 (0.10 for 10%).")
    if minimum < 0:
        raise ArgumentError(f"minimum={minimum!r} must be 0 or more subjects.")
    return max(int(minimum), math.ceil(round(fraction * float(n), 9)))


def at_risk_counts(sorted_times: np.ndarray, times: np.ndarray | Sequence[float]) -> np.ndarray:
    """How many of ``sorted_times`` (one group's follow-up times, sorted, none missing) are at
    risk at each of ``times``: those >= t, all but the ones sorted before t."""
    return len(sorted_times) - np.searchsorted(
        sorted_times, np.asarray(times, dtype=float), side="left"
    )


def km_stop_time(times: np.ndarray | pd.Series, floor: int) -> float | None:
    """The last time at which at least ``floor`` subjects of one group are still at risk
    (at risk at t: follow-up time >= t): the ``floor``-th largest follow-up time. ``None`` when
    the group has fewer than ``floor`` subjects (no part of its curve rests on enough), and the
    largest time when ``floor`` is 0 or 1 (the whole curve)."""
    t = np.sort(np.asarray(times, dtype=float))[::-1]
    if floor <= 1:
        return float(t[0]) if len(t) else None
    return float(t[floor - 1]) if len(t) >= floor else None


def km_stop_times(
    data: pd.DataFrame, *, time: str, by: str, fraction: float, minimum: int
) -> dict[str, tuple[int, float | None]]:
    """Per level of ``by`` (as text): ``(floor, stop time)`` of its Kaplan–Meier curve, the
    floor from the group's size (``subject_floor``) and the stop from ``km_stop_time``."""
    out: dict[str, tuple[int, float | None]] = {}
    # the time column alone split by group: splitting the whole table sorts every column
    for level, times in data[time].groupby(data[by].astype(str), sort=True, observed=True):
        floor = subject_floor(len(times), fraction=fraction, minimum=minimum)
        out[str(level)] = (floor, km_stop_time(times.dropna(), floor))
    return out


def floor_rule_text(*, fraction: float, minimum: int, noun: str = "patients") -> str:
    """The floor in words: "the larger of 10 patients and 10% of the group"."""
    parts = []
    if minimum > 0:
        parts.append(f"{minimum} {noun}")
    if fraction > 0:
        parts.append(f"{100 * fraction:g}% of the group")
    if len(parts) == 2:
        return f"the larger of {parts[0]} and {parts[1]}"
    return parts[0] if parts else "1 " + noun.rstrip("s")


def stops_text(stops: Mapping[str, tuple[int, float | None]], names: Mapping[str, str],
               unit: str) -> str:  # fmt: skip
    """Where each curve stops, in words: "combined at 33.1 months, before fewer than 41 remain
    at risk; ..." (each group's label with a small first letter, inside the sentence)."""
    parts = []
    for level, (floor, stop) in stops.items():
        name = in_sentence(names.get(level, level))  # a label inside a sentence
        where = f"at {stop:.1f} {unit}" if stop is not None else "not drawn (group too small)"
        parts.append(f"{name} {where}, before fewer than {floor} remain at risk")
    return "; ".join(parts)


__all__ = [
    "at_risk_counts",
    "floor_rule_text",
    "km_stop_time",
    "km_stop_times",
    "stops_text",
    "subject_floor",
]
