"""A date in a condition of the study file (``{column: day0_date, op: ">=", value:
2021-01-01}``): YAML reads an unquoted ``2021-01-01`` as a date and a quoted one as text; both
mean that day. The comparison is made with that day as a timestamp, the type of a date column
of the cleaned tables (compared with a ``datetime.date``, pandas stopped with "Invalid
comparison between dtype=datetime64[ns] and date", and ``==`` matched nobody).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def condition_date(value: object) -> pd.Timestamp | None:
    """The day a condition's value names: a YAML date or date-time, or ISO ``YYYY-MM-DD``
    text (None: not a date)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.date):  # a datetime too
        return pd.Timestamp(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return pd.Timestamp(value.strip())
        except ValueError:  # 2021-02-30
            return None
    return None


__all__ = ["condition_date"]
