"""The values a merged duplicate patient record took from its later rows, as audit rows.

Agreeing duplicate rows of a patient (no column with two different values) are merged into the
first row, each of its missing values filled by the first later row that has one
(``duplicates.deduplicate_patients``). A filled value is a changed value: each gets an audit row
naming the column, the value and the row it came from (check ``duplicate``, action
``corrected``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.step import AUDIT_COLUMNS, audit_rows, concat_rows


def filled_values(
    dups: pd.DataFrame,
    cols: list[str],
    group: np.ndarray,
    firsts: list[int],
    places: list[str],
) -> pd.DataFrame:
    """Audit rows of the values the first row of each merged id (positions ``firsts`` of
    ``dups``; ``group``: each row's id number) takes from a later row (``places``: each row's
    location), as ``_fill`` of ``duplicates`` fills them."""
    if not firsts:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    first = np.asarray(firsts)
    frames = []
    for c in cols:
        present = dups[c].notna().to_numpy()
        lacking = ~present[first]
        if present.all() or not lacking.any():
            continue
        at = np.flatnonzero(present)
        first_present = pd.Series(at).groupby(group[at]).first()  # id -> its first value's row
        source = first_present.reindex(group[first[lacking]]).to_numpy(dtype=float)
        found = ~np.isnan(source)
        if not found.any():
            continue
        kept, source = first[lacking][found], source[found].astype(int)
        values = dups[c].iloc[source].astype(str).to_numpy()
        messages = pd.Series(
            [
                f"`{c}` was missing in this record; filled with {v!r} from its duplicate at "
                f"{places[s]}"
                for v, s in zip(values, source, strict=True)
            ],
            index=dups.index[kept],
        )
        blank = pd.Series("", index=dups.index[kept])
        frames.append(
            audit_rows(dups.iloc[kept], "patients", c, "duplicate", blank, "corrected", messages)
        )
    return concat_rows(frames, AUDIT_COLUMNS)


__all__ = ["filled_values"]
