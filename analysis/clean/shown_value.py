"""A cell's value as a message shows it (the helper was inline in ``numbers``, for date
cells only; every message quoting a cell uses it now)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def shown_value(value: object) -> str:
    """A cell's value in a message, quoted as the user would write it: a date or time cell as
    the sheet shows it ('2026-05-01', '2026-05-01 08:30'), a NumPy number as the number (9.0),
    anything else as its repr; never Python's Timestamp('2026-05-01 00:00:00') or
    np.float64(9.0), which a probe's message about a date outside the study window showed."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dt.timedelta):
        return f"'{value}'"
    if isinstance(value, dt.date | dt.time):
        if value is pd.NaT:
            return "'NaT'"
        return "'" + value.isoformat().replace("T00:00:00", "").replace("T", " ") + "'"
    return repr(value)


__all__ = ["shown_value"]
