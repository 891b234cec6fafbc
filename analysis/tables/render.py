"""A built table: its ARD slice, plus rendering to HTML / DOCX / XLSX / CSV at the last moment.

``TableResult.frame`` is the tidy numeric ARD; ``display()`` formats it into strings through the
table's own layout function; the writers read only that. In Jupyter the object shows itself as
HTML (great_tables) with the footnotes naming tests, CI methods and denominators.

Over 400 lines as one job: the one place a number becomes the text a table prints (counts,
percentages, CIs, ratios, p-values, withheld markers), so that every table prints alike.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.tables.journal import current_style, format_p, pct_digits, with_decimal_mark
from analysis.tables.suppress_sets import Cell
from analysis.write.safe_cells import neutralise_frame

Layout = Callable[[pd.DataFrame], pd.DataFrame]

#: How a layout marks a sub-row (a level under its variable, a term under its class): its
#: label starts with four spaces. Each renderer indents it its own way (HTML collapses spaces).
SUB_ROW = "    "


def is_sub_row(label: object) -> bool:
    """Whether a first-column ``label`` marks a sub-row (starts with :data:`SUB_ROW`): the one
    rule every renderer (HTML, report, Word) reads."""
    return isinstance(label, str) and label.startswith(SUB_ROW)


_TICKED = re.compile(r"`([^`]+)`")


def unticked(text: str) -> str:
    """``text`` without the backticks that mark code names in the toolkit's own notes."""
    return _TICKED.sub(r"\1", text)


@dataclass(frozen=True)
class TableResult:
    """One table: ``name``, ``title``, numeric ``frame`` (ARD), ``layout`` and ``footnotes``."""

    name: str
    title: str
    frame: pd.DataFrame
    layout: Layout
    footnotes: tuple[str, ...] = ()
    row_groups: str | None = field(default=None)
    # For small-cell suppression only (``shown``): the counts of the contingency table a model
    # is a function of (its covariates all categorical), and the table's own footnotes rebuilt
    # from a suppressed frame (footnotes that quote counts, e.g. subjects per outcome level).
    source_counts: tuple[int, ...] = field(default=(), repr=False, compare=False)
    notes_of: Callable[[pd.DataFrame], tuple[str, ...]] | None = field(
        default=None, repr=False, compare=False
    )
    # For small-cell suppression across tables: given k, the cells of this table that another
    # table of the study gives away (``analysis.tables.suppress_across``); set by the study's
    # tables (``StudyTables``), None for a table on its own.
    linked: Callable[[int], frozenset[Cell]] | None = field(default=None, repr=False, compare=False)
    # formatted tables already laid out, by suppress_below, and suppressed frames by
    # ("ard", suppress_below) (every renderer asks for one)
    _displayed: dict[object, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def shown(self, *, suppress_below: int | None = None) -> pd.DataFrame:
        """The ARD as shown: ``frame`` itself, or with small cells suppressed and the
        statistics resting on them withheld (``suppress_small_cells``; four more columns),
        co-ordinated with the study's other tables when it is one of them (``linked``)."""
        if not suppress_below:
            return self.frame
        key = ("ard", suppress_below)
        if key not in self._displayed:
            from analysis.tables.suppress import suppress_small_cells

            self._displayed[key] = suppress_small_cells(
                self.frame,
                k=suppress_below,
                source_counts=self.source_counts,
                also_hide=self.linked(suppress_below) if self.linked else (),
            )
        return self._displayed[key]

    def display(self, *, suppress_below: int | None = None) -> pd.DataFrame:
        """The formatted table (strings), optionally with small cells suppressed, in the
        journal style in force (:func:`analysis.tables.journal.use_style`; ``default`` unless
        set)."""
        style = current_style()
        key: object = suppress_below if style.name == "default" else (suppress_below, style)
        if key not in self._displayed:
            laid = self.layout(self.shown(suppress_below=suppress_below))
            if style.decimal_mark != ".":
                laid = _map_text(laid, lambda t: with_decimal_mark(t, style))
            self._displayed[key] = laid
        return self._displayed[key].copy()

    @property
    def ard(self) -> pd.DataFrame:
        """This table's numbers as the study's ``ard.csv`` publishes them
        (:func:`analysis.ard.published`: one row per number, each denominator once, each
        method in words); ``frame`` is the builder's working form, with its ``group`` key."""
        from analysis.ard import published

        return published(self.frame)

    @property
    def heading(self) -> str:
        """The title as a reader meets it: the code names it quotes without their backticks
        (a study's plan gives them in its words already; a direct call keeps the codes)."""
        return unticked(self.title)

    def notes(self, *, suppress_below: int | None = None) -> tuple[str, ...]:
        """Footnotes, plus the suppression rule and what was withheld and why when small cells
        are hidden; as a reader meets them, without backticks (see ``heading``)."""
        if not suppress_below:
            return tuple(unticked(n) for n in self.footnotes)
        from analysis.tables.suppress import suppression_footnotes

        shown = self.shown(suppress_below=suppress_below)
        own = self.footnotes
        if self.notes_of is not None:
            rebuilt = self.notes_of(shown)  # the table's own notes come first; extras follow
            own = (*rebuilt, *self.footnotes[len(rebuilt) :])
        return tuple(unticked(n) for n in (*own, *suppression_footnotes(shown, suppress_below)))

    def with_footnote(self, note: str) -> TableResult:
        return replace(self, footnotes=(*self.footnotes, note))

    # ------------------------------------------------------------------ renderers
    def to_gt(self, *, suppress_below: int | None = None):  # noqa: ANN201 - great_tables.GT
        from great_tables import GT

        disp = self.display(suppress_below=suppress_below)
        stub = disp.columns[0]
        # a sub-row's label starts with four spaces, which HTML collapses: indented by style
        sub = disp[stub].map(is_sub_row).to_numpy()
        disp[stub] = [v.strip() if indent else v for v, indent in zip(disp[stub], sub, strict=True)]
        gt = GT(disp, rowname_col=stub, groupname_col=self.row_groups, id=f"tbl-{self.name}")
        gt = gt.tab_header(title=self.heading).tab_stubhead(label=stub)
        if sub.any():
            gt = gt.tab_stub_indent(rows=np.flatnonzero(sub).tolist(), indent=3)
        for note in self.notes(suppress_below=suppress_below):
            gt = gt.tab_source_note(note)
        return gt.opt_table_font(font=["Helvetica", "Arial", "sans-serif"]).tab_options(
            table_font_size="12px", heading_title_font_size="14px", source_notes_font_size="10px"
        )

    def to_html(self, *, suppress_below: int | None = None) -> str:
        """A self-contained HTML fragment (no external resources)."""
        return self.to_gt(suppress_below=suppress_below).as_raw_html(inline_css=False)

    def to_report_html(
        self, *, suppress_below: int | None = None, number: int | None = None
    ) -> str:
        """Lean journal-style HTML (title, header rule, indented sub-rows, footnotes) for the
        report: no per-table stylesheet, so the PDF renders fast and looks the same. The title
        is a paragraph before the table's scroll box (``div.hscroll``), not a ``<caption>``
        inside it."""
        disp = self.display(suppress_below=suppress_below)
        head = "".join(
            f'<th scope="col">{_unbroken(escape(c), _HYPHENATED)}</th>' for c in disp.columns
        )
        rows = []
        parent = ""  # the row an indented sub-row belongs to ("Centre, n (%)" of "Centre A")
        for row in disp.itertuples(index=False):
            cells = []
            for j, v in enumerate(row):
                text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                indent = j == 0 and is_sub_row(text)
                css = ' class="sub"' if indent else (' class="num"' if j else "")
                shown = escape(text.strip() if indent else minus_signs(text) if j else text)
                if j:
                    cells.append(f"<td{css}>{_unbroken(shown, _NUMBER_UNITS)}</td>")
                    continue
                # the first cell heads its row for a screen reader; a sub-row is named with
                # the row it belongs to, which the page shows by indentation alone
                named = f' aria-label="{escape(f"{parent}: {text.strip()}")}"' if indent else ""
                parent = parent if indent else text
                cells.append(f'<td role="rowheader"{css}{named}>{shown}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        notes = "".join(
            f"<li>{_unbroken(escape(n), _HYPHENATED)}</li>"
            for n in self.notes(suppress_below=suppress_below)
        )
        label = f"Table {number}. " if number is not None else ""
        css = "rt xwide" if disp.shape[1] > 11 else "rt"
        # The caption sits outside the sideways-scrolling box, so a narrow screen never cuts it;
        # report.js puts a "scroll sideways" cue under it when the table is wider than the screen.
        return (
            f'<p class="tcap" id="cap-{escape(self.name)}">{escape(label + self.heading)}</p>'
            f'<div class="hscroll" tabindex="0" role="region" '
            f'aria-labelledby="cap-{escape(self.name)}">'
            f'<table class="{css}" aria-labelledby="cap-{escape(self.name)}">'
            f"<thead><tr>{head}"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            f'<ol class="notes">{notes}</ol>'
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self, *, suppress_below: int | None = None, width: int = 100) -> str:
        """The table as aligned plain text: title, header, rows and footnotes."""
        from analysis.tables.text_table import text_table

        disp = self.display(suppress_below=suppress_below)
        notes = self.notes(suppress_below=suppress_below)
        return text_table(self.heading, disp, notes, row_groups=self.row_groups, width=width)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def to_csv(
        self, path: str | Path, *, suppress_below: int | None = None, first_line: str = ""
    ) -> Path:
        """The formatted table as CSV; ``first_line`` (with its line end), when given, before
        the header (the mark of a synthetic study, ``analysis.synthetic.csv_line``)."""
        from analysis.write.atomic import write_atomic

        frame = neutralise_frame(self.display(suppress_below=suppress_below))

        def write(p: Path) -> None:
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(first_line)
                frame.to_csv(f, index=False, lineterminator="\n")

        return write_atomic(path, write)

    def to_xlsx(self, path: str | Path, *, suppress_below: int | None = None) -> Path:
        from analysis.tables.office import write_xlsx

        return write_xlsx([self], path, suppress_below=suppress_below)

    def to_docx(self, path: str | Path, *, suppress_below: int | None = None) -> Path:
        from analysis.tables.office import write_docx

        return write_docx([self], path, suppress_below=suppress_below)


# ------------------------------------------------------------------------- formats
def fmt_count(x: float | None) -> str:
    from analysis.tables.suppress import format_suppressed

    text = format_suppressed(x)
    if text is not None:
        return text
    return "" if x is None or _missing(x) else f"{int(round(x))}"


def fmt_pct(x: float | None, digits: int | None = None) -> str:
    """A percentage with ``digits`` decimals, or as many as the journal style says (1 by
    default); one above 0 that would round to 0 is shown as "<0.1%", one below 100 that would
    round to 100 as ">99.9%" (at one decimal): never a count of some as "0.0%", nor of fewer
    than all as "100.0%"."""
    text = _marker(x)
    if text is not None:
        return text
    if x is None or _missing(x):
        return ""
    places = pct_digits(float(x), current_style(), digits)
    shown = f"{x:.{places}f}"
    step = 10.0**-places  # the smallest percentage shown at these decimals
    if x > 0 and float(shown) == 0:  # 1 of 2,469: "<0.1%", not "0.0%", which reads as none
        return f"<{step:.{places}f}%"
    if x < 100 and float(shown) == 100:  # not all: ">99.9%", not "100.0%"
        return f">{100 - step:.{places}f}%"
    return f"{shown}%"


def fmt_n_pct(n: float | None, pct: float | None, digits: int | None = None) -> str:
    """``n (pct%)``; the percentage's decimals as in :func:`fmt_pct`."""
    from analysis.tables.suppress import format_suppressed

    text = format_suppressed(n)
    if text is not None:
        return text
    if n is None or _missing(n):
        return ""
    if pct is None or _missing(pct):
        return fmt_count(n)
    return f"{int(round(n))} ({fmt_pct(pct, digits)})"


def fmt_num(x: float | None, digits: int = 1) -> str:
    text = _marker(x)
    if text is not None:
        return text
    return "" if x is None or _missing(x) else f"{x:.{digits}f}"


def fmt_ci(lo: float | None, hi: float | None, digits: int = 1, scale: float = 1.0) -> str:
    text = _marker(lo) or _marker(hi)
    if text is not None:
        return text
    if lo is None or hi is None or _missing(lo) or _missing(hi):
        return ""
    return f"{lo * scale:.{digits}f}{current_style().ci_sep}{hi * scale:.{digits}f}"


#: the most decimals :func:`ratio_digits` gives a ratio before it stops looking for a difference
RATIO_MOST_DIGITS = 6


def ratio_digits(
    estimate: float | None, lo: float | None, hi: float | None, digits: int = 2
) -> int:
    """The decimals that print a ratio (odds, hazard) and its CI so that they read as they are:
    ``digits``, or more (up to :data:`RATIO_MOST_DIGITS`) while a CI limit that is not 1 prints
    as 1 ("1.01 (1.00–1.02)" for a lower limit of 0.996 reads as if the CI touched 1) or the
    estimate prints the same as a limit (or the two limits the same). A ratio per unit of a
    numeric covariate (per year of age) is often this close to 1."""
    values = [estimate, lo, hi]
    if any(v is None or _missing(v) or _marker(v) is not None for v in values):
        return digits
    est, low, high = (float(v) for v in values)  # type: ignore[arg-type]
    if not all(map(math.isfinite, (est, low, high))):
        return digits
    places = digits
    while places < RATIO_MOST_DIGITS:
        e, a, b = (f"{v:.{places}f}" for v in (est, low, high))
        one = f"{1:.{places}f}"
        touches_one = any(t == one and v != 1 for t, v in ((a, low), (b, high)))
        same = (e == a and est != low) or (e == b and est != high) or (a == b and low != high)
        if not (touches_one or same):
            break
        places += 1
    return places


def fmt_ratio(estimate: float | None, lo: float | None, hi: float | None, digits: int = 2) -> str:
    """``estimate (lo–hi)`` of a ratio, at :func:`ratio_digits` decimals (one number of
    decimals for the three); the estimate alone when the limits are missing."""
    places = ratio_digits(estimate, lo, hi, digits)
    ci = fmt_ci(lo, hi, places)
    est = fmt_num(estimate, places)
    return f"{est} ({ci})" if ci and _marker(estimate) is None else est


def fmt_p(p: float | None) -> str:
    """p-values as journals print them: by default 3 decimals, ``<0.001`` below (the journal
    style in force may say otherwise: :func:`analysis.tables.journal.format_p`); ``†`` when
    withheld."""
    text = _marker(p)
    if text is not None:
        return text
    if p is None or _missing(p):
        return ""
    return format_p(float(p), current_style())


def _marker(x: object) -> str | None:
    """The text of a hidden number (``<5``, ``*``, ``†``), else None."""
    from analysis.tables.suppress import format_suppressed

    return format_suppressed(x)


def _missing(x: object) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def stat_lookup(frame: pd.DataFrame) -> dict[tuple[str, str, str, str], float]:
    """``(variable, level, group, stat) -> value`` for fast layout code; suppressed cells carry
    their marker (``<k`` / ``*``) so the formatters print it instead of the number."""
    from analysis.tables.suppress import suppressed_markers

    look = {
        (r.variable, r.level, r.group, r.stat): r.value
        for r in frame[["variable", "level", "group", "stat", "value"]].itertuples(index=False)
    }
    look.update(suppressed_markers(frame))
    return look


def _map_text(frame: pd.DataFrame, fn: Callable[[str], str]) -> pd.DataFrame:
    """``frame`` with ``fn`` applied to every text cell and column name."""
    out = frame.copy()
    for col in out.columns:
        out[col] = out[col].map(lambda v: fn(v) if isinstance(v, str) else v)
    return out.rename(columns=lambda c: fn(c) if isinstance(c, str) else c)


# What a line never breaks inside when the report's table cells wrap (a narrow column of a
# wide table): a count with its percentage, "158 (72.1%)", and an interval; in a header or a
# note, a hyphenated word ("p-value", not "p-" / "value"), a unit with a slash and an equation
# ("n = 237691", not "n" / "= 237691"). Matched on escaped text.
_NUMBER_UNITS = re.compile(
    r"[^\s()\[\]]+ \([^\s()]*%\)"  # 158 (72.1%)
    r"|\([^\s()]+ to [^\s()]+\)"  # (-24.3 to -8.3)
    r"|[^\s()\[\]–]+–[^\s()\[\]–]+"  # 58.1–66.3
)
_HYPHENATED = re.compile(
    r"\w+(?:-\w+)+"  # p-value
    r"|[^\s/]+(?:/[^\s/]+)+"  # mg/day, 3×/week
    r"|\b\w+ (?:=|&lt;|&gt;|≤|≥) [^\s;,)]+"  # n = 237691, p &lt; 0.001 (escaped text)
)


def _unbroken(html_text: str, units: re.Pattern[str]) -> str:
    """``html_text`` with each match of ``units`` in a span that does not wrap."""
    return units.sub(lambda m: f'<span class="nw">{m.group()}</span>', html_text)


_NW_SPAN = re.compile(r'<span class="nw">([^<]*)</span>')
_JOINED = re.compile(r"([-–—/])")
NO_BREAK_SPACE, WORD_JOINER = "\u00a0", "\u2060"


def print_unbroken(html_text: str) -> str:
    """The report's HTML as the PDF prints it: each unit that does not wrap (``_unbroken``'s
    spans, whose nowrap style is for print) written with no-break spaces, and word joiners
    around its hyphens, dashes and slashes, instead of the span. The same lines; but WeasyPrint
    lays out a nowrap span after other text wrongly: "1. Logistic" alone on a line, the rest of
    the note on the next (its inline line breaking, WeasyPrint issue #1614); text it breaks
    by Unicode's rules (UAX #14) alone. On screen the spans stay, and wrap where they must."""

    def joined(m: re.Match[str]) -> str:
        text = _JOINED.sub(f"{WORD_JOINER}\\1{WORD_JOINER}", m.group(1))
        return text.replace(" ", NO_BREAK_SPACE)

    return _NW_SPAN.sub(joined, html_text)


_MINUS = re.compile(r"(?<![\w.])-(?=\d)")


def minus_signs(text: str) -> str:
    """Minus signs (U+2212) for the hyphens before numbers in a number cell: the typeset sign
    in the Word tables, the report's HTML and its PDF alike (the PDF had hyphens where the Word
    file had minus signs), and no line breaks after it as after a hyphen."""
    return _MINUS.sub("\u2212", text)


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)
