"""The values a merged duplicate record took from its later rows, as audit rows.

Agreeing duplicate rows of a patient (no column with two different values) are merged into the
first row, each of its missing values filled by the first later row that has one
(``duplicates.deduplicate_patients``). Duplicate records of a child table (the same key, e.g.
patient, onset date and term of an adverse event) are merged alike (:func:`child_fills`): the
first record is kept, and a value it lacks is taken from the first later duplicate that has
one, so that a severity or seriousness written only on the second copy of an event is not lost
with it. A filled value is a changed value: each gets an audit row naming the column, the value
and the row it came from (check ``duplicate``, action ``corrected``).
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class ChildFills:
    """What the kept records of a child table take from their dropped duplicates."""

    values: dict[str, tuple[np.ndarray, np.ndarray]]  # column -> (kept positions, values)
    audit: pd.DataFrame
    givers: np.ndarray  # a flag per dropped record: it gave a value


def child_fills(
    data: pd.DataFrame,
    dropped: np.ndarray,
    kept: np.ndarray,
    skip: set[str],
    table: str,
    places: list[str],
) -> ChildFills:
    """The values each kept record (positions ``kept`` in ``data``, one per dropped record of
    ``dropped``, ascending) lacks and a dropped duplicate of it has, the first such duplicate's
    (``places``: the location of each dropped record); columns of ``skip`` and those whose name
    starts with ``_`` are not values."""
    values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    frames = []
    givers = np.zeros(len(dropped), dtype=bool)
    for c in data.columns:
        if c in skip or str(c).startswith("_"):
            continue
        column = data[c]
        gives = column.iloc[dropped].notna().to_numpy(bool) & column.iloc[kept].isna().to_numpy(
            bool
        )
        if not gives.any():
            continue
        at = np.flatnonzero(gives)
        _, first = np.unique(kept[at], return_index=True)  # dropped in order: the first giver
        at = at[first]
        givers[at] = True
        taken = column.iloc[dropped[at]]
        values[c] = (kept[at], taken.to_numpy())
        shown = taken.astype(str).to_numpy()
        messages = pd.Series(
            [
                f"`{c}` was missing in this record; filled with {v!r} from its duplicate at "
                f"{places[i]}"
                for v, i in zip(shown, at, strict=True)
            ],
        )
        rows = data.iloc[kept[at]]
        messages.index = rows.index
        blank = pd.Series("", index=rows.index)
        frames.append(audit_rows(rows, table, c, "duplicate", blank, "corrected", messages))
    return ChildFills(values, concat_rows(frames, AUDIT_COLUMNS), givers)


def with_fills(
    data: pd.DataFrame, fills: ChildFills, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """``data`` with the values of ``fills`` put in (a new frame; only the columns filled are
    copied). ``rows``: the positions of the original table that ``data`` holds, ascending
    (None: ``data`` is that table)."""
    if not fills.values:
        return data
    out = data.copy(deep=False)
    for c, (positions, values) in fills.values.items():
        at = positions if rows is None else np.searchsorted(rows, positions)
        column = out[c].copy()
        column.iloc[at] = values
        out[c] = column
    return out


__all__ = ["ChildFills", "child_fills", "filled_values", "with_fills"]
