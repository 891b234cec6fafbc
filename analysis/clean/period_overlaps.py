"""Treatment periods of one patient that overlap are flagged (kept, audited).

A patient's periods usually follow one another: a titration stops one dose the day the next
starts. A period that starts while an earlier one of the same patient is still running (it stops
later, or has no stop date) is two doses at once, or a switch whose old stop date was never
entered: exposure ends at the latest stop either way, but an adverse event in the overlap is
attributed to the later-starting period and a "dose at onset" is then a choice the data did not
make. Each such period gets an audit row (check ``overlapping_period``, action ``flagged``)
naming the earlier period it overlaps, so the data manager can correct the stop date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.duplicates import start_date_flags
from analysis.clean.ordering import sorted_positions
from analysis.clean.per_patient import key_column
from analysis.clean.step import Step

_OFFSET = 1_000_000  # days added so that every day pandas can hold is positive
_SPAN = 1 << 22  # above every day number plus the offset
_OPEN = _SPAN - 1  # the day number of a period without a stop date


def flag_overlapping_periods(data: pd.DataFrame, noun: str = "period") -> Step:
    """An audit row for each period of ``data`` (exposures with ``start_date`` and
    ``stop_date``) that starts before an earlier-starting period of its patient stops; a period
    starting on the day the earlier one stops does not overlap it. ``data`` is returned as is."""
    if data.empty or "stop_date" not in data:
        return Step(data)
    patient = key_column(data, "patient_id")
    order = sorted_positions(data, [patient, "start_date", "source_row"])
    keys = data[patient].to_numpy()[order]
    start = _days(data["start_date"])[order]
    stop = _days(data["stop_date"])[order]
    stop = np.where(stop < 0, _OPEN, stop)  # no stop date: the period runs on
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    # the latest stop so far within each patient's run: one running maximum over the runs
    # lifted apart (each run's numbers above every number of the runs before it)
    base = (np.cumsum(first) - 1) * _SPAN
    lifted = base + stop
    top = np.maximum.accumulate(lifted)
    # the row holding it: a run's first row holds its own top, so no run sees another's
    holder = np.maximum.accumulate(np.where(lifted == top, np.arange(len(top)), -1))
    same = ~first
    previous = np.full(len(stop), -1, dtype=np.int64)
    before = np.full(len(stop), -1, dtype=np.int64)
    previous[1:] = top[:-1] - base[1:]  # read only where the row before is the same patient
    before[1:] = holder[:-1]
    overlap = same & (start >= 0) & (start < previous)
    if not overlap.any():
        return Step(data)
    rows = order[overlap]
    flagged = data.iloc[rows]
    earlier = data.iloc[order[before[overlap]]]
    messages = [
        f"{noun} starting {s:%Y-%m-%d} begins while the patient's earlier {noun} (started "
        f"{es:%Y-%m-%d}, row {er}, "
        + ("no stop date" if pd.isna(et) else f"stopped {et:%Y-%m-%d}")
        + f") still runs; both kept: an adverse event in the overlap is attributed to the "
        f"later-starting {noun}. If the earlier one stopped when this one began, enter its "
        "stop date in the export"
        for s, es, er, et in zip(
            flagged["start_date"],
            earlier["start_date"],
            earlier["source_row"],
            earlier["stop_date"],
            strict=True,
        )
    ]
    audit = start_date_flags(
        flagged, "overlapping_period", pd.Series(messages, index=flagged.index)
    )
    return Step(data, audit=audit)


def _days(dates: pd.Series) -> np.ndarray:
    """Day numbers (positive; -1 where the date is missing)."""
    values = dates.to_numpy(dtype="datetime64[D]").astype("int64")
    return np.where(np.isnat(dates.to_numpy(dtype="datetime64[D]")), -1, values + _OFFSET)


__all__ = ["flag_overlapping_periods"]
