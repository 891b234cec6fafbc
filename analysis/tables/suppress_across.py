"""Small-cell suppression co-ordinated across the tables of a study.

``analysis.tables.suppress`` hides counts below k and solves each table's totals so that no
hidden count comes back by subtraction. A reader holds every table of the report at once,
though, and a probe read hidden counts of the shipped twin back by setting one table against
another (``--suppress-below 5``):

- the duration table showed a term's events with a duration (5) and without one (0) while the
  incidence table hid that term as ``*``: the category's 7 events less those 5 gave the other,
  hidden term's 2 events exactly;
- the proportional-odds model showed its complete cases at "worsening" (8) while the response
  table hid that total as ``*`` so that two ``<5`` of 4 + 4 could not be read back.

Two relations are seen here, from the ARD's keys:

1. **The same cell in two tables.** A count of one ``(variable, level, groups)`` cell with the
   same value in another table is the same number: hidden in one table, it is hidden in the
   others (the model's subjects per outcome level and the response table's overall column).
2. **A cell describing a hidden cell's subjects.** A cell whose groups hold a level that
   another table hides, within the same groups, describes (some of) those subjects (a duration
   summary by adverse-event term, a table by a rare diagnosis): it is hidden with it.

``coordinated`` repeats the per-table suppression with the cells these relations add, until no
table adds one (each pass can hide more cells, which can hide more in turn); cells are only
ever added, so it ends. What it does not see is written in ``suppress``'s Limits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from analysis.tables.suppress import COUNT_STATS, cell_keys, suppress_small_cells
from analysis.tables.suppress_sets import Cell, Groups

# a cell without its table: the same cell in two tables
_Key = tuple[str, str, Groups]


def coordinated(
    frames: Mapping[str, pd.DataFrame],
    k: int,
    source_counts: Mapping[str, Sequence[int]] | None = None,
) -> tuple[dict[str, frozenset[Cell]], dict[str, pd.DataFrame]]:
    """``(cells each table hides because of another table, each table's suppressed frame)``
    for the ARD frames of a study's tables (``frames``, by table name), suppressed with ``k``;
    ``source_counts`` as ``suppress_small_cells`` takes them, by table name."""
    counts = source_counts or {}
    forced: dict[str, set[Cell]] = {name: set() for name in frames}
    while True:
        shown = {
            name: suppress_small_cells(
                frame, k=k, source_counts=counts.get(name, ()), also_hide=forced[name]
            )
            for name, frame in frames.items()
        }
        grew = False
        for name, cells in linked_cells(frames, shown).items():
            new = cells - forced[name]
            if new:
                forced[name] |= new
                grew = True
        if not grew:
            return {name: frozenset(cells) for name, cells in forced.items()}, shown


def linked_cells(
    frames: Mapping[str, pd.DataFrame], shown: Mapping[str, pd.DataFrame]
) -> dict[str, set[Cell]]:
    """The cells of each table (by name) still shown that another table's hidden cells give
    away (the module's two relations); ``frames``: the tables' ARD frames, ``shown``: the same
    as ``suppress_small_cells`` returns them."""
    hidden_counts: dict[tuple[_Key, str, float], set[str]] = {}
    hidden_cells: dict[tuple[str, str], list[tuple[frozenset[tuple[str, str]], str]]] = {}
    rows: dict[str, list[tuple[Cell, str, float, bool]]] = {}
    for name, frame in shown.items():
        mine = rows[name] = _count_rows(frames[name], frame)
        for cell, stat, value, hidden in mine:
            if hidden and value == value:  # not NaN
                hidden_counts.setdefault((cell[1:], stat, value), set()).add(name)
                within = frozenset(cell[3])
                hidden_cells.setdefault((cell[1], cell[2]), []).append((within, name))
    out: dict[str, set[Cell]] = {name: set() for name in shown}
    for name, mine in rows.items():
        for cell, stat, value, hidden in mine:
            if hidden:
                continue
            if hidden_counts.get((cell[1:], stat, value), {name}) - {name}:
                out[name].add(cell)  # relation 1: the same count, hidden elsewhere
            elif _describes_hidden(cell, name, hidden_cells):
                out[name].add(cell)  # relation 2: the subjects of a hidden level
    return out


def _count_rows(frame: pd.DataFrame, shown: pd.DataFrame) -> list[tuple[Cell, str, float, bool]]:
    """``(cell, stat, value, hidden)`` of each count row of an ARD ``frame``, hidden or not in
    ``shown`` (the same rows, suppressed)."""
    if frame.empty:
        return []
    at = frame["stat"].isin(COUNT_STATS).to_numpy()
    cells = [c for c, keep in zip(cell_keys(frame), at, strict=True) if keep]
    values = frame.loc[at, "value"].astype(float)
    hidden = shown.loc[at, "suppressed"].astype(bool)
    return list(zip(cells, frame.loc[at, "stat"].astype(str), values, hidden, strict=True))


def _describes_hidden(
    cell: Cell,
    table: str,
    hidden_cells: Mapping[tuple[str, str], Collection[tuple[frozenset[tuple[str, str]], str]]],
) -> bool:
    """Whether one of the cell's group levels is a cell another table hides within the cell's
    other groups (the cell counts some of that hidden cell's subjects or events)."""
    groups = frozenset(cell[3])
    for pair in cell[3]:
        for within, other in hidden_cells.get(pair, ()):
            if other != table and within <= groups - {pair}:
                return True
    return False


__all__ = ["coordinated", "linked_cells"]
