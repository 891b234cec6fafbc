"""The event of a time-to-event analysis as 0/1, from the yes/no forms a study gives it.

A yes/no column (True/False), 0/1 numbers, or a category whose levels are yes and no (a group
of the study file by conditions, e.g. "stopped for an adverse event": yes / no) are events;
anything else is refused with the column, what was found and the fix. Before, a group as the
event stopped the run with pandas' "Cannot cast object dtype to int64", and an event with
missing values with "Cannot convert float NaN to integer", neither naming the column.
"""

from __future__ import annotations

import pandas as pd

from analysis.errors import ArgumentError

#: the levels read as "the event happened" / "censored", in the languages of the vocabularies
YES = frozenset({"yes", "y", "true", "1", "sí", "si", "oui", "ja", "sim"})
NO = frozenset({"no", "n", "false", "0", "non", "nein", "não", "nao"})


def event_flag(values: pd.Series, column: str) -> pd.Series:
    """``values`` as int 0/1 (1: the event happened at the time; 0: censored then)."""
    missing = int(values.isna().sum())
    if missing:
        raise ArgumentError(
            f"the event `{column}` is missing for {missing} patient(s); a time-to-event analysis "
            "needs it for every patient (yes: the event happened at the time; no: censored "
            f"then). Leave them out with a `population` whose where is "
            f"[{{column: {column}, op: not_missing}}], or give them a value"
        )
    if values.dtype == bool or str(values.dtype) == "boolean":
        return values.astype(int)
    if pd.api.types.is_numeric_dtype(values.dtype) and not isinstance(
        values.dtype, pd.CategoricalDtype
    ):
        odd = [f"{v:g}" for v in sorted(set(values.unique().tolist()) - {0, 1})]
        if odd:
            raise ArgumentError(
                f"the event `{column}` holds numbers other than 0 and 1 ({', '.join(odd[:5])}); the event "
                "is yes/no (1 or yes: the event happened at the time; 0 or no: censored then)"
            )
        return values.astype(int)
    words = values.astype(str).str.strip().str.lower()
    found = sorted(set(words.unique()))
    if not set(found) <= YES | NO or not found:
        raise ArgumentError(
            f"the event `{column}` has the levels {found[:6]}; the event is yes/no (yes: the "
            "event happened at the time; no: censored then). Give it the levels yes and no "
            "(for a group: `levels: [yes, no]`), or name a yes/no column"
        )
    return words.isin(YES).astype(int)


__all__ = ["NO", "YES", "event_flag"]
