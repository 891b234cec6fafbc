"""Journal number styles: how p-values, percentages, CIs and decimals are printed, per journal.

A :class:`JournalStyle` is chosen in the study file (``analysis.report.journal_style``) and
applies at render time only: the ARD keeps every number unrounded. The formatters of
:mod:`analysis.tables.render` (``fmt_p``, ``fmt_pct``, ``fmt_n_pct``, ``fmt_ci``) read the style
in force (:func:`use_style`, a context variable, so nothing global is changed), and
``TableResult.display`` applies the decimal mark. ``default`` prints what this package always
printed (``<0.001``, 3 decimals, 1 decimal for percentages), so published numbers stay as they are.

The presets follow gtsummary's ``theme_gtsummary_journal()`` (R package gtsummary, file
``R/theme_gtsummary.R``; https://www.danieldsjoberg.com/gtsummary/reference/theme_gtsummary.html):

- ``jama`` and ``nejm``: p-values by ``style_pvalue(digits = 2)`` -- ``>0.99``, 2 decimals from
  0.10, 3 decimals from 0.001, ``<0.001``; confidence intervals "ll to ul"; percentages by
  ``style_percent()`` (no decimal from 10%, one below). ``jama`` also drops the leading zero of
  p-values (``.03``, ``<.001``), as the AMA Manual of Style asks for quantities that cannot
  exceed 1 (gtsummary keeps the zero).
- ``lancet``: mid-point decimal mark (``0·03``); p-values ``>0·99``, 2 decimals from 0·10,
  3 from 0·01, 4 from 0·0001, ``<0·0001``; intervals "ll to ul"; percentages as above.

The fonts and sizes are this package's choice for a manuscript file (gtsummary sets none for
Word; journals re-set accepted tables in their own type).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from analysis.errors import ArgumentError

PValueRule = Literal["three_decimals", "two_decimals", "lancet"]


@dataclass(frozen=True)
class JournalStyle:
    """How numbers and Word tables look: font, size and the number formats."""

    name: str
    font: Literal["Times New Roman", "Arial"] = "Times New Roman"
    font_size_pt: float = 10.0
    p_rule: PValueRule = "three_decimals"
    p_leading_zero: bool = True
    decimal_mark: str = "."
    #: decimals of a percentage of 10% or more, and of one below 10%
    pct_digits: tuple[int, int] = (1, 1)
    ci_sep: str = "–"


PRESETS: dict[str, JournalStyle] = {
    "default": JournalStyle("default"),
    "jama": JournalStyle(
        "jama",
        font="Arial",
        p_rule="two_decimals",
        p_leading_zero=False,
        pct_digits=(0, 1),
        ci_sep=" to ",
    ),
    "nejm": JournalStyle(
        "nejm", font="Arial", p_rule="two_decimals", pct_digits=(0, 1), ci_sep=" to "
    ),
    "lancet": JournalStyle(
        "lancet", p_rule="lancet", decimal_mark="·", pct_digits=(0, 1), ci_sep=" to "
    ),
}

_STYLE: ContextVar[JournalStyle] = ContextVar("journal_style", default=PRESETS["default"])
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def journal_style(name: str | JournalStyle | None) -> JournalStyle:
    """The preset named ``name`` (``default``, ``jama``, ``nejm``, ``lancet``), a style as is,
    or the default for None; an unknown name is a ``ValueError`` listing the presets (the study
    file's key is checked when the file is loaded, so users never reach it)."""
    if isinstance(name, JournalStyle):
        return name
    if name is None:
        return PRESETS["default"]
    try:
        return PRESETS[name]
    except KeyError:
        raise ArgumentError(
            f"unknown journal style {name!r}: expected one of {', '.join(PRESETS)}"
        ) from None


@contextmanager
def use_style(style: str | JournalStyle | None) -> Iterator[JournalStyle]:
    """Within the block, tables are formatted in ``style``; the previous style comes back after."""
    token = _STYLE.set(journal_style(style))
    try:
        yield _STYLE.get()
    finally:
        _STYLE.reset(token)


def current_style() -> JournalStyle:
    """The style in force (``default`` unless inside :func:`use_style`)."""
    return _STYLE.get()


def format_p(p: float, style: JournalStyle) -> str:
    """A p-value (a finite number in [0, 1]) as ``style`` prints it, decimal mark aside."""
    if style.p_rule == "three_decimals":
        text = "<0.001" if p < 0.001 else f"{p:.3f}"
    elif style.p_rule == "two_decimals":
        text = _two_decimals(p)
    else:
        text = _lancet(p)
    return text if style.p_leading_zero else text.replace("0.", ".", 1)


def _two_decimals(p: float) -> str:
    """gtsummary ``style_pvalue(digits = 2)``."""
    if p > 0.99:
        return ">0.99"
    if round(p, 2) >= 0.1:
        return f"{p:.2f}"
    if p >= 0.001:
        return f"{p:.3f}"
    return "<0.001"


def _lancet(p: float) -> str:
    """gtsummary's Lancet p-value rule (its decimal mark is applied with the table's)."""
    if p > 0.99:
        return ">0.99"
    if round(p, 2) >= 0.1:
        return f"{p:.2f}"
    if round(p, 3) >= 0.01:
        return f"{p:.3f}"
    if p >= 0.0001:
        return f"{p:.4f}"
    return "<0.0001"


def pct_digits(pct: float, style: JournalStyle, digits: int | None) -> int:
    """Decimals for a percentage: ``digits`` when a layout asks for them, else the style's."""
    if digits is not None:
        return digits
    large, small = style.pct_digits
    return large if not math.isnan(pct) and abs(round(pct, small)) >= 10 else small


def with_decimal_mark(text: str, style: JournalStyle) -> str:
    """``text`` with every decimal point between digits written as the style's mark."""
    if style.decimal_mark == ".":
        return text
    return _DECIMAL_POINT.sub(style.decimal_mark, text)


__all__ = [
    "PRESETS",
    "JournalStyle",
    "current_style",
    "format_p",
    "journal_style",
    "pct_digits",
    "use_style",
    "with_decimal_mark",
]
