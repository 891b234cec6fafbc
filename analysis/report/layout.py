"""Where the blocks of a report section go: side by side, and on portrait or landscape pages.

A section is a list of blocks (flow table, figures, tables). Column-wide figures next to each
other share a row (``div.figs``), and so does a lone column-wide figure followed by a narrow
table, on wide screens and on paper. Wide tables are printed on landscape pages (the named page
``wide`` of report.css). WeasyPrint starts a new page whenever an element's page name changes
*to* a named page, but keeps later content on the landscape page it is on; so a run of landscape
blocks is named as one: from a section's first wide table to its end, and a whole section when
the section before it ended on landscape pages. Blocks before that stay on portrait pages, with
the content before them, instead of a landscape page of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A table with at most this many columns fits beside a column-wide figure.
NARROW_COLUMNS = 4


@dataclass(frozen=True)
class Block:
    """One block of a section: ``kind`` "figure", "table" or "flow"; ``wide``: a table for a
    landscape page; ``narrow``: a short table that fits beside a column-wide figure;
    ``column``: a column-wide figure."""

    kind: str
    html: str
    wide: bool = False
    narrow: bool = False
    column: bool = False


def _rows(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped into rows: runs of figures, a lone column-wide figure with the narrow
    table after it, every other block alone."""
    rows: list[list[Block]] = []
    for b in blocks:
        last = rows[-1] if rows else []
        pair_figures = b.kind == "figure" and last and all(x.kind == "figure" for x in last)
        beside = b.narrow and len(last) == 1 and last[0].kind == "figure" and last[0].column
        if pair_figures or beside:
            last.append(b)
        else:
            rows.append([b])
    return rows


def arrange(blocks: list[Block], *, after_landscape: bool) -> tuple[list[tuple[str, bool]], bool]:
    """A section's blocks in order as rows ``(html, landscape)``, several blocks of a row in one
    ``div.figs``, ``landscape``: printed on a landscape page; and whether the section ends on
    landscape pages. ``after_landscape``: the section before ended on landscape pages."""
    rows = _rows(blocks)
    first_wide = next((i for i, row in enumerate(rows) if any(b.wide for b in row)), None)
    if first_wide is None:
        return [(_row_html(row), False) for row in rows], False
    start = 0 if after_landscape else first_wide
    return [(_row_html(row), i >= start) for i, row in enumerate(rows)], True


def _row_html(row: list[Block]) -> str:
    if len(row) == 1:
        return row[0].html
    return '<div class="figs">' + "".join(b.html for b in row) + "</div>"
