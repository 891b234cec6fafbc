"""Page and column geometry of a Word table, measured from its text (pure functions).

Text is measured with the Adobe font metrics (AFM) of Times and Helvetica that matplotlib ships
(Times New Roman and Arial, and LibreOffice's Liberation fonts, have the same advance widths), so
the same table gives the same widths on every machine, whatever fonts it has. :func:`fit_table`
chooses, for one table: the orientation (portrait when the table fits the portrait width with its
numbers unbroken, else landscape), the font size (the style's, smaller only when the table would
otherwise need more than its page: too wide, or too tall where one page at a smaller size would
do) and the column widths (each column at least its longest word, number cells never wrapped,
the first column given the room its labels need, and what is left spread by need).
It is the geometry only: :mod:`analysis.tables.docx_style` writes it into the document.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

#: (width, height) in points, portrait
PAGE_SIZES_PT: dict[str, tuple[float, float]] = {
    "A4": (595.3, 841.9),
    "Letter": (612.0, 792.0),
}
MARGIN_PT = 56.7  # 2 cm on every side
CELL_PAD_PT = 8.0  # left + right cell margins (4 pt each), set on the table
SLACK = 1.03  # measured widths are stretched by 3% (+1.5 pt) so renderers never wrap a number
LINE_FACTOR = 1.17  # a single-spaced line is about 1.17 em in Times/Arial
MIN_FONT_PT = 7.0
LABELS_SHARE = 0.2
WRAPPED_MAX_PT = 8.5  # a table whose numbers must wrap is tried at this size and below first
_AFM = {
    ("Times New Roman", False): "ptmr8a.afm",
    ("Times New Roman", True): "ptmb8a.afm",
    ("Arial", False): "phvr8a.afm",
    ("Arial", True): "phvb8a.afm",
}
# glyph names of the AFM files for characters beyond ASCII that tables print
_GLYPHS = {
    "endash": "–",
    "emdash": "—",
    "periodcentered": "·",
    "plusminus": "±",
    "multiply": "×",
    "degree": "°",
    "quoteright": "’",
    "quoteleft": "‘",
    "dagger": "†",
    "daggerdbl": "‡",
    "section": "§",
    "bullet": "•",
    "mu": "µ",
    "minus": "−",
}
_OTHER_EM = 0.6  # width of a character the metrics lack (≥, ², Greek), in em


@dataclass(frozen=True)
class TableFit:
    """How a table is set: page orientation, font size (pt) and column widths (pt)."""

    landscape: bool
    font_pt: float
    widths_pt: tuple[float, ...]
    page_pt: tuple[float, float]  # (width, height) of the page as set


@cache
def _metrics(font: str, bold: bool) -> dict[str, float]:
    """Advance widths in em of the characters of ``font`` (bold or regular)."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "afm" / _AFM[(font, bold)]
    widths: dict[str, float] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if not line.startswith("C "):
            continue
        fields = dict(
            part.strip().split(" ", 1) for part in line.split(";") if part.strip().count(" ")
        )
        code, width, name = int(fields["C"]), float(fields["WX"]) / 1000, fields.get("N", "")
        if 32 <= code <= 126 and name not in ("quoteright", "quoteleft"):
            widths[chr(code)] = width
        if name in _GLYPHS:
            widths[_GLYPHS[name]] = width
    widths["'"] = widths.get("’", 0.33)
    return widths


def text_width(text: str, *, font: str, size_pt: float, bold: bool = False) -> float:
    """Width in points of ``text`` on one line (with a little room to spare: :data:`SLACK`)."""
    return _bare_width(text, font, size_pt, bold) * SLACK + (1.5 if text else 0.0)


@lru_cache(maxsize=65536)
def _bare_width(text: str, font: str, size_pt: float, bold: bool) -> float:
    em = _metrics(font, bold)
    return size_pt * sum(em.get(ch, _OTHER_EM) for ch in text)


def longest_word(text: str, *, font: str, size_pt: float, bold: bool = False) -> float:
    """Width in points of the longest word of ``text`` (the narrowest its column can be)."""
    words = text.split()
    return max((text_width(w, font=font, size_pt=size_pt, bold=bold) for w in words), default=0.0)


def page_points(page_size: str, *, landscape: bool) -> tuple[float, float]:
    """(width, height) in points of an A4 or Letter page."""
    w, h = PAGE_SIZES_PT[page_size]
    return (h, w) if landscape else (w, h)


@dataclass(frozen=True)
class _Needs:
    natural: tuple[float, ...]  # every cell on one line
    least: tuple[float, ...]  # headers and labels broken between words, numbers whole


def _needs(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    font: str,
    size: float,
    *,
    wrap_numbers: bool = False,
) -> _Needs:
    """One-line and least widths of every column; number cells count whole unless
    ``wrap_numbers`` (then they may break between words, e.g. a CI under its count)."""
    natural, least = [], []
    for j, head in enumerate(header):
        body = [str(r[j]) for r in rows]
        head_one = text_width(head, font=font, size_pt=size, bold=True)
        head_word = longest_word(head, font=font, size_pt=size, bold=True)
        cells = [text_width(t, font=font, size_pt=size) for t in body]
        if j == 0 or wrap_numbers:
            words = [longest_word(t, font=font, size_pt=size) for t in body]
        else:  # numbers: one line each
            words = cells
        natural.append(max([head_one, *cells], default=0.0) + CELL_PAD_PT)
        least.append(max([head_word, *words], default=0.0) + CELL_PAD_PT)
    return _Needs(tuple(natural), tuple(least))


def column_widths(needs: _Needs, available: float) -> tuple[float, ...] | None:
    """Widths filling ``available`` points, or None when even the least widths do not fit.

    Every column gets its least width; the first (labels) column then gets room for its labels
    on one line, up to a third of ``available``; what remains goes first to the columns that
    still wrap (in proportion to what they lack for one line each), then, when every cell has
    its line, to every column alike.
    """
    least, natural = list(needs.least), needs.natural
    spare = available - sum(least)
    if spare < 0:
        return None
    # the labels' column first: up to its one-line width, at most a third of the line
    first = min(natural[0] - least[0], spare, max(available / 3 - least[0], 0.0))
    least[0] += first
    spare -= first
    lack = [n - m for n, m in zip(natural, least, strict=True)]
    total_lack = sum(lack)
    if total_lack >= spare:
        return tuple(m + spare * d / total_lack for m, d in zip(least, lack, strict=True))
    extra = (spare - total_lack) / len(natural)
    return tuple(n + extra for n in natural)


def _lines(text: str, width: float, *, font: str, size: float, bold: bool = False) -> int:
    """Lines ``text`` takes in a column ``width`` points wide (greedy word wrap)."""
    room = max(width - CELL_PAD_PT, 1.0)
    space = _bare_width(" ", font, size, bold) * SLACK
    lines, used = 1, 0.0
    for word in text.split():
        w = _bare_width(word, font, size, bold) * SLACK
        if used and used + space + w > room:
            lines, used = lines + 1, w
        else:
            used = used + space + w if used else w
    return lines


def note_size(size_pt: float) -> float:
    """Font size of the footnotes under a table set at ``size_pt``."""
    return max(size_pt - 2, 6.5)


def _text_height(paragraphs: Sequence[str], width: float, *, font: str, size: float) -> float:
    """Height in points of ``paragraphs`` set ``width`` points wide, a little space after each."""
    lines = sum(_lines(p, width + CELL_PAD_PT, font=font, size=size) for p in paragraphs if p)
    return lines * size * LINE_FACTOR + 3.0 * len(paragraphs)


def table_height(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    font: str,
    size: float,
    extra_lines: int = 0,
) -> float:
    """Height in points of the table set in ``widths``, plus ``extra_lines`` lines (title,
    footnotes) at the same size."""
    line = size * LINE_FACTOR
    head = max(
        _lines(h, w, font=font, size=size, bold=True) for h, w in zip(header, widths, strict=True)
    )
    body = sum(
        max(_lines(str(c), w, font=font, size=size) for c, w in zip(r, widths, strict=True))
        for r in rows
    )
    return line * (head + body + extra_lines)


def fit_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    font: str,
    size_pt: float,
    page_size: Literal["A4", "Letter"] = "A4",
    title: str = "",
    notes: Sequence[str] = (),
) -> TableFit:
    """Orientation, font size and column widths of one table (see the module docstring).

    Tries the style's size, then smaller sizes by half points down to 7 pt: portrait when the
    table fits the portrait width with its number cells on one line and its labels' column at
    least a fifth of the line (or its labels on one line), else landscape when it fits that;
    then the same without the labels' fifth. A table that fits one page at a size at most
    1.5 pt smaller is set at that size rather than run on to a second page. A table too wide
    even so is set in landscape at the largest size up to 8.5 pt at which its number cells fit
    broken between words (a CI under its count: at a small size they break less often); only a
    table whose single words do not fit at 7 pt has its columns scaled down (words then break).
    """
    sizes = [size_pt - 0.5 * k for k in range(int((size_pt - MIN_FONT_PT) * 2) + 1)]
    page = {"page_size": page_size, "title": title, "notes": notes, "font": font}
    for share in (LABELS_SHARE, 0.0):
        fit = _first_fit(header, rows, sizes, share=share, **page)  # type: ignore[arg-type]
        if fit is not None:
            return fit
    compact = [z for z in sizes if z <= WRAPPED_MAX_PT] + [z for z in sizes if z > WRAPPED_MAX_PT]
    for size in compact:
        needs = _needs(header, rows, font, size, wrap_numbers=True)
        wrapped = _fit_at(needs, size, page_size, landscape=True)
        if wrapped is not None:
            return wrapped
    needs = _needs(header, rows, font, MIN_FONT_PT, wrap_numbers=True)
    paper = page_points(page_size, landscape=True)
    scale = (paper[0] - 2 * MARGIN_PT) / sum(needs.least)
    return TableFit(True, MIN_FONT_PT, tuple(math.floor(m * scale) for m in needs.least), paper)


def _first_fit(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    sizes: Sequence[float],
    *,
    share: float,
    page_size: str,
    font: str,
    title: str,
    notes: Sequence[str],
) -> TableFit | None:
    """The first size (largest first) and orientation (portrait first) at which the number
    cells fit on one line and the labels' column gets ``share`` of the line; a smaller size
    (by at most 1.5 pt) when that puts the table on one page."""
    first: TableFit | None = None
    for size in sizes:
        needs = _needs(header, rows, font, size)
        for landscape in (False, True):
            fit = _fit_at(needs, size, page_size, landscape=landscape, share=share)
            if fit is None:
                continue
            if _fits_page(fit, header, rows, font=font, title=title, notes=notes):
                return fit
            first = first or fit
            break  # a portrait fit stays portrait; a smaller size may bring it to one page
        if first is not None and size <= sizes[0] - 1.5:
            return first
    return first


def _fit_at(
    needs: _Needs, size: float, page_size: str, *, landscape: bool, share: float = LABELS_SHARE
) -> TableFit | None:
    """The table at ``size`` on the page, or None when its least widths do not fit across or
    leave the labels' column less than its one-line width and less than ``share`` of the
    line (labels wrapped word by word read badly)."""
    page = page_points(page_size, landscape=landscape)
    room = page[0] - 2 * MARGIN_PT
    widths = column_widths(needs, room)
    if widths is None or widths[0] < min(needs.natural[0], share * room):
        return None
    return TableFit(landscape, size, widths, page)


def _fits_page(
    fit: TableFit,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    font: str,
    title: str,
    notes: Sequence[str],
) -> bool:
    """Whether the title, table and footnotes fit on one page as ``fit`` sets them."""
    width, height = fit.page_pt
    room = width - 2 * MARGIN_PT
    tall = table_height(header, rows, fit.widths_pt, font=font, size=fit.font_pt)
    tall += _text_height([title], room, font=font, size=fit.font_pt + 1)
    tall += _text_height(notes, room, font=font, size=note_size(fit.font_pt))
    return tall <= height - 2 * MARGIN_PT


__all__ = [
    "PAGE_SIZES_PT",
    "TableFit",
    "column_widths",
    "fit_table",
    "longest_word",
    "note_size",
    "page_points",
    "table_height",
    "text_width",
]
