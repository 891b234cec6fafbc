"""What the figures' font cannot draw, said once per figure in words, and the fonts it falls
back on.

The figures are drawn in DejaVu Sans (bundled with matplotlib, so every machine draws the same
glyphs). A label in Chinese, Japanese or Korean has no glyph there: matplotlib draws an empty
box and warns once per character and per drawing ("Glyph 23383 (\\N{CJK UNIFIED
IDEOGRAPH-5B57}) missing from font(s) DejaVu Sans."), a line of its own source file before
each. ``relayed`` turns those into one warning per figure that names the figure, the
characters and the fix; a font of the Noto family installed on the machine is used for the
characters DejaVu Sans lacks (``fallback_fonts``; matplotlib takes each glyph from the first
font of the list that has it), so the text DejaVu Sans draws does not change.

Right-to-left scripts (Arabic, Hebrew) are drawn left to right, letter by letter: matplotlib
neither reorders nor joins them. A figure with such a label is named in a warning too.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

#: installed fonts tried, in order, for a glyph DejaVu Sans lacks
FALLBACKS = (
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
)

_GLYPH = re.compile(r"Glyph (\d+) \(.*\) missing from font\(s\) (.+?)\.?$")
_RIGHT_TO_LEFT = {"R", "AL"}


@lru_cache(maxsize=1)
def fallback_fonts() -> tuple[str, ...]:
    """The fonts of ``FALLBACKS`` installed on this machine, in that order."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(name for name in FALLBACKS if name in installed)


def relayed(stem: str, caught: Sequence[warnings.WarningMessage], fig: Figure) -> None:
    """Warn again what drawing figure ``stem`` warned, the missing glyphs as one warning that
    names them, and a label in a right-to-left script as another."""
    missing: dict[str, None] = {}
    fonts: dict[str, None] = {}
    for w in caught:
        hit = _GLYPH.match(str(w.message))
        if hit:
            missing[chr(int(hit.group(1)))] = None
            fonts[hit.group(2)] = None
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if missing:
        warnings.warn(missing_glyphs_message(stem, list(missing), list(fonts)), stacklevel=2)
    rtl = right_to_left(_texts(fig))
    if rtl:
        warnings.warn(
            f"figure {stem!r}: {len(rtl)} label(s) in a right-to-left script (such as "
            f"{rtl[0]!r}) are drawn left to right, letter by letter: matplotlib neither "
            "reorders nor joins them. The tables show them as written; for the figure, give "
            "the level a label in a left-to-right script under `labels.levels` of the study "
            "file.",
            stacklevel=2,
        )


def missing_glyphs_message(stem: str, chars: Sequence[str], fonts: Sequence[str]) -> str:
    shown = "".join(chars[:12]) + ("…" if len(chars) > 12 else "")
    return (
        f"figure {stem!r}: {len(chars)} character(s) of its labels ({shown}) are not in the "
        f"font {' / '.join(fonts)} and are drawn as empty boxes. Install a font that has them "
        "(for Chinese, Japanese and Korean the Noto Sans CJK fonts, Debian package "
        "fonts-noto-cjk; for other scripts fonts-noto-core): the figures then take those "
        f"characters from it ({', '.join(FALLBACKS[:3])}, … are looked for)."
    )


def right_to_left(texts: Iterable[str]) -> list[str]:
    """The texts that hold a letter of a right-to-left script, in order, each once."""
    found: dict[str, None] = {}
    for text in texts:
        if any(unicodedata.bidirectional(c) in _RIGHT_TO_LEFT for c in text):
            found[text] = None
    return list(found)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


__all__ = ["FALLBACKS", "fallback_fonts", "relayed", "right_to_left"]
