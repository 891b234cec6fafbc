"""Duplicate records of a child table that disagree: the same key, other values different.

A child record (a session, an adverse event, a treatment, an assessment) is a duplicate when an
earlier record of its table has the same key (``columns.DUPLICATE_KEYS``: the patient, the date
and, for adverse events, the term); the first is kept and the others are logged. When their
other values differ (the same event on the same day, once mild and once severe and serious), the
record dropped may be the one that is right, and dropping it changes the tables: a serious event
disappears. So such conflicts stop the run by default, listing each with its rows and values,
as conflicting patient rows are excluded; ``cleaning.conflicting_records: keep_first`` keeps the
first record of each key and logs the others with the values they differ in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.per_patient import KEY
from analysis.errors import SourceError

_NOT_VALUES = {"patient_id", "source_file", "source_sheet", "source_row", KEY}
#: conflicts listed in the message that stops the run (all are counted)
SHOWN = 10


def differing_values(
    data: pd.DataFrame, dropped: np.ndarray, kept: np.ndarray, keys: list[str]
) -> list[str]:
    """For each dropped record (positions in ``data``) and the kept one of its key, the values
    both have that differ, in words ("severity 'grave' vs 'lev'"; "" when none)."""
    details: list[list[str]] = [[] for _ in range(len(dropped))]
    for column in data.columns:
        if column in _NOT_VALUES or column in keys or str(column).startswith("_"):
            continue
        a, b = data[column].iloc[dropped], data[column].iloc[kept]
        both = a.notna().to_numpy(bool) & b.notna().to_numpy(bool)
        if not both.any():
            continue
        a_text = a.astype(str).to_numpy()
        b_text = b.astype(str).to_numpy()
        for i in np.flatnonzero(both & (a_text != b_text)):
            details[i].append(f"{column} {a_text[i]!r} vs {b_text[i]!r}")
    return ["; ".join(d) for d in details]


#: what keeping one of two differing records could lose, in the words of its table
_AT_STAKE = {
    "adverse_events": " (a severe or serious event among them)",
    "assessments": " (a better or a worse grade on the same day)",
    "exposures": " (another dose on the same day)",
}


def stop_on_conflicts(
    table: str, keys: list[str], details: list[str], dropped: list[str], kept: list[str]
) -> None:
    """Raise a ``SourceError`` listing the records whose values differ from the kept record of
    their key (``details`` non-empty), with the fix."""
    found = [(d, w, k) for d, w, k in zip(details, dropped, kept, strict=True) if d]
    lines = [f"  - {w}, against {k}: {d}" for d, w, k in found[:SHOWN]]
    more = f"\n  ... and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
    raise SourceError(
        f"{table}: {len(found)} record(s) have the same {', '.join(keys)} as an earlier record "
        f"but other values that differ:\n" + "\n".join(lines) + more + "\nKeeping one would "
        f"drop the other's values without a word{_AT_STAKE.get(table, '')}. "
        "Correct the export so that one record remains, or, to keep the first record of each "
        "and log the others with the values they differ in, set "
        "`cleaning.conflicting_records: keep_first`."
    )


__all__ = ["SHOWN", "differing_values", "stop_on_conflicts"]
