"""A table as aligned plain text, for terminals and ``print(table)``.

The formatted cells of ``TableResult.display()`` in columns: the first (row labels) left-aligned,
the others right-aligned, a rule under the title and header, rows of a row group under their
group's name, and the footnotes wrapped below.
"""

from __future__ import annotations

import math
import textwrap

import pandas as pd


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def text_table(
    title: str,
    display: pd.DataFrame,
    notes: tuple[str, ...] = (),
    *,
    row_groups: str | None = None,
    width: int = 100,
) -> str:
    """``title``, the formatted table ``display`` (strings) and its ``notes`` as aligned text.
    A ``row_groups`` column, when given, becomes a heading line above its rows."""
    groups = display[row_groups].map(_cell) if row_groups in display else None
    body = display.drop(columns=[row_groups]) if groups is not None else display
    header = [str(c) for c in body.columns]
    rows = [[_cell(v) for v in row] for row in body.itertuples(index=False)]
    widths = [max([len(h), *(len(r[j]) for r in rows)]) for j, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        parts = [cells[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    out = [title, rule, line(header), rule]
    previous = None
    for i, row in enumerate(rows):
        if groups is not None and groups.iloc[i] != previous:
            previous = groups.iloc[i]
            out.append(previous)
        out.append(line(row))
    out.append(rule)
    for note in notes:
        out += textwrap.wrap(note, width=width, subsequent_indent="  ") or [""]
    return "\n".join(out)
