"""Labels from a study file broken into lines that fit the room a figure gives them.

A label is whatever the study names a level, a term or a group: "Combined therapy: a topical
treatment of 5% + an oral one of 1 mg, or light therapy" under two bars of a single-column figure
once ran under its neighbours and squeezed the bars to slivers (the layout gave the axes what
the text left). ``fit(text, width_in)`` breaks a label at its spaces into lines no wider than
``width_in`` inches, measured in the font the figure draws with (matplotlib's own text
metrics, so a CJK character counts its real width); a word wider than a line on its own is
cut where it no longer fits, with a hyphen. Lines already in the label are kept. A label that
fits is returned unchanged, so the shipped studies' figures do not move.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from analysis.figures.theme import SMALL_FONT_PT

_MEASURE = TextToPath()
POINTS_PER_INCH = 72.0


@lru_cache(maxsize=4096)
def _width_pt(text: str, size: float, weight: str, fonts: tuple[str, ...]) -> float:
    prop = FontProperties(size=size, weight=weight)
    with warnings.catch_warnings():  # a missing glyph is reported when the figure is drawn
        warnings.simplefilter("ignore")
        width, _, _ = _MEASURE.get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def text_width_in(text: str, size: float = SMALL_FONT_PT, weight: str = "normal") -> float:
    """The width (inches) of the widest line of ``text`` in the figures' font at ``size`` pt."""
    fonts = (*mpl.rcParams["font.family"], *mpl.rcParams["font.sans-serif"])  # the cache's key
    lines = str(text).split("\n")
    return max(_width_pt(line, size, weight, fonts) for line in lines) / POINTS_PER_INCH


def figure_width_in(ax: Axes) -> float:
    """The width (inches) of the figure ``ax`` is drawn in (the whole figure for an Axes of a
    subfigure)."""
    fig = ax.get_figure(root=True)
    return float(fig.get_figwidth()) if fig is not None else 0.0


def fit(text: object, width_in: float, size: float = SMALL_FONT_PT, weight: str = "normal") -> str:
    """``text`` broken at spaces into lines at most ``width_in`` inches wide (see the module);
    unchanged when it fits."""
    text = str(text)
    if width_in <= 0 or text_width_in(text, size, weight) <= width_in:
        return text
    return "\n".join(
        out for line in text.split("\n") for out in _fit_line(line, width_in, size, weight)
    )


def shorten(
    text: object, width_in: float, size: float = SMALL_FONT_PT, weight: str = "normal"
) -> str:
    """``text`` on one line at most ``width_in`` inches wide: cut with "…" when longer (for a
    row of a table drawn in a figure, whose lines have a fixed pitch; the full label is in the
    legend beside it). Unchanged when it fits."""
    text = " ".join(str(text).split())
    if text_width_in(text, size, weight) <= width_in:
        return text
    keep = _longest_prefix(text, width_in, size, weight, end="…")
    return text[:keep].rstrip() + "…"


def _fit_line(line: str, width_in: float, size: float, weight: str) -> list[str]:
    def wide(s: str) -> bool:
        return text_width_in(s, size, weight) > width_in

    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        trial = f"{current} {word}" if current else word
        if not wide(trial):
            current = trial
            continue
        if current:
            lines.append(current)
        current = word
        while wide(current) and len(current) > 1:  # a word longer than a line: cut it
            cut = _longest_prefix(current, width_in, size, weight, end="-")
            lines.append(current[:cut] + "-")
            current = current[cut:]
    lines.append(current)
    return lines


def _longest_prefix(word: str, width_in: float, size: float, weight: str, end: str) -> int:
    """How many characters of ``word`` (at least one) fit on a line with ``end`` after them."""
    low, high = 1, len(word) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if text_width_in(word[:mid] + end, size, weight) <= width_in:
            low = mid
        else:
            high = mid - 1
    return low


__all__ = ["figure_width_in", "fit", "shorten", "text_width_in"]
