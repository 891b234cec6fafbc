"""Adverse events without a readable onset date, said under every adverse-event table.

An event whose onset is blank, or written so that no day can be read from it (``2020-03``, a
month without its day), is excluded at cleaning: whether it began on treatment, and so whether
it is treatment-emergent, cannot be told. The exclusion log holds each one; a reader of the
table saw only fewer events. Each adverse-event table now counts those of its own patients in a
footnote (records and patients, no identifier).
"""

from __future__ import annotations

import pandas as pd

from analysis.words import counted

#: the exclusion-log steps of a record whose required value is blank or unreadable
_STEPS = ("missing", "parse")


def undated_events_note(exclusions: pd.DataFrame, patients: pd.Series) -> list[str]:
    """The footnote counting the adverse-event records of ``patients`` (ids) excluded at
    cleaning for a blank or unreadable onset date; none when there are none."""
    if exclusions.empty or "table" not in exclusions:
        return []
    # the cheap tests first, the text and the ids only on what they leave (at a million
    # patients the log has ~450,000 rows and none of them may be undated events)
    rows = exclusions.loc[
        (exclusions["table"] == "adverse_events") & exclusions["step"].isin(_STEPS)
    ]
    rows = rows.loc[rows["reason"].astype(str).str.contains("`onset_date`", regex=False)]
    if rows.empty:
        return []
    rows = rows.loc[rows["patient_id"].isin(patients)]
    if rows.empty:
        return []
    n = len(rows)
    one = n == 1
    return [
        f"{counted(n, 'adverse-event record')} of "
        f"{counted(rows['patient_id'].nunique(), 'patient')} in this table "
        f"{'has' if one else 'have'} no readable onset date (blank, or without its day) and "
        f"{'is' if one else 'are'} not counted: whether {'it' if one else 'they'} began on "
        "treatment cannot be told (see the exclusion log)."
    ]


__all__ = ["undated_events_note"]
