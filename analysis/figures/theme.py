"""The house look of the study figures, applied only inside a context manager.

    with figure_theme():
        fig = new_figure(width="single", height=2.6)
        plot_response_by_sex_therapy(patients, ax=fig.axes[0])
        save_figure(fig, "response_by_sex_therapy", out_dir)

Colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"; Wong 2011,
Nat Methods 8:441), distinguishable with the common colour-vision deficiencies; the ordered
response grades use a red-grey-blue diverging scale whose lightness changes monotonically from
the middle outward (ColorBrewer RdBu, Brewer 2003), so it survives greyscale printing. Sizes
are journal column widths (single 3.5 in = 89 mm, double 7.2 in = 183 mm); all text is
>= 7 pt at that printed size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, cast

import matplotlib as mpl
import seaborn as sns
from cycler import cycler
from matplotlib.figure import Figure

from analysis.errors import ArgumentError
from analysis.figures.font_check import fallback_fonts
from analysis.write.atomic import atomic_path

SINGLE_COLUMN_IN = 3.5
DOUBLE_COLUMN_IN = 7.2
FONT_PT = 8.0
SMALL_FONT_PT = 7.0
PNG_DPI = 300
CREATOR = "analysis.figures (retro-analysis)"
SVG_HASHSALT = "retro-analysis"

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}
#: Colour cycle for unnamed categories (yellow last: too light for lines on white).
CYCLE = tuple(
    OKABE_ITO[k]
    for k in (
        "blue",
        "vermillion",
        "bluish_green",
        "reddish_purple",
        "orange",
        "sky_blue",
        "black",
        "grey",
        "yellow",
    )
)
#: Response grades, worst to best: red < neutral grey < light blue < dark blue.
GRADE_COLORS = ("#B2182B", "#BABABA", "#92C5DE", "#2166AC")
#: Fixed colour per role, so a group has the same colour in every figure.
ROLE_COLORS: dict[str, str] = {
    "female": OKABE_ITO["vermillion"],
    "male": OKABE_ITO["blue"],
    "monotherapy": OKABE_ITO["orange"],
    "combined": OKABE_ITO["bluish_green"],
    "overall": OKABE_ITO["black"],
    "worsening": GRADE_COLORS[0],
    "stabilization": GRADE_COLORS[1],
    "mild improvement": GRADE_COLORS[2],
    "marked improvement": GRADE_COLORS[3],
}


def theme_rc() -> dict[str, Any]:
    """The rcParams of the house style (seaborn "ticks" style + print sizes + fixed outputs)."""
    rc: dict[str, Any] = dict(sns.axes_style("ticks"))
    rc.update(
        {
            "figure.figsize": (SINGLE_COLUMN_IN, 2.6),
            "figure.dpi": 100,
            "savefig.dpi": PNG_DPI,
            "font.family": "sans-serif",
            # Bundled with matplotlib, so every machine draws the same glyphs (image tests);
            # a Noto font installed draws only the glyphs it lacks (figures.font_check)
            "font.sans-serif": ["DejaVu Sans", *fallback_fonts()],
            "font.size": FONT_PT,
            "axes.titlesize": FONT_PT,
            "axes.labelsize": FONT_PT,
            "xtick.labelsize": SMALL_FONT_PT,
            "ytick.labelsize": SMALL_FONT_PT,
            "legend.fontsize": SMALL_FONT_PT,
            "legend.title_fontsize": SMALL_FONT_PT,
            "legend.frameon": False,
            "axes.linewidth": 0.6,
            "xtick.major.width": 0.6,
            "ytick.major.width": 0.6,
            "xtick.major.size": 3.0,
            "ytick.major.size": 3.0,
            "lines.linewidth": 1.2,
            "lines.markersize": 4.0,
            "patch.linewidth": 0.5,
            "axes.prop_cycle": cycler(color=list(CYCLE)),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "svg.fonttype": "none",
            "svg.hashsalt": SVG_HASHSALT,
            "path.simplify": True,
            # labels come from raw data: "$x^2$" is drawn as typed, never parsed as mathtext
            "text.parse_math": False,
        }
    )
    return rc


@contextmanager
def figure_theme(rc: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Apply the house style (plus ``rc`` overrides) inside a ``with`` block only.

    Uses :func:`matplotlib.rc_context`, so ``matplotlib.rcParams`` are restored on exit, even
    after an error; seaborn's ``set_theme`` (which changes them for the whole session) is not
    called. Yields the rc dictionary in force.
    """
    params = {**theme_rc(), **(dict(rc) if rc else {})}
    with mpl.rc_context(cast(Any, params)):
        yield params


def color_for(level: object, index: int = 0) -> str:
    """The fixed colour of a role (``"female"``, ``"combined"``, a response grade), else the
    ``index``-th colour of the cycle."""
    key = str(level).strip().casefold()
    return ROLE_COLORS.get(key, CYCLE[index % len(CYCLE)])


def grade_colors(grades: Sequence[object]) -> list[str]:
    """Colours of ordered grades, worst to best, by their place on the scale (not their
    names): :data:`GRADE_COLORS` for four grades, else as many from the same red-to-blue ramp
    (a neutral middle for an odd number)."""
    if len(grades) == len(GRADE_COLORS):
        return list(GRADE_COLORS)
    return list(sns.color_palette("RdBu", n_colors=len(grades)).as_hex())


def colors_for(levels: Iterable[object]) -> list[str]:
    """Colours for a sequence of levels: role colours where defined, distinct cycle colours else."""
    levels = list(levels)
    fixed = {ROLE_COLORS[str(lv).casefold()] for lv in levels if str(lv).casefold() in ROLE_COLORS}
    free = iter(c for c in CYCLE if c not in fixed)
    return [ROLE_COLORS.get(str(lv).casefold()) or next(free, CYCLE[0]) for lv in levels]


def text_color_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance)."""
    r, g, b = mpl.colors.to_rgb(background)

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "black" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "white"


def darker(color: str, amount: float = 0.35) -> str:
    """``color`` mixed with ``amount`` of black: light palette colours (Okabe-Ito orange) as
    readable text on white."""
    r, g, b = mpl.colors.to_rgb(color)
    return mpl.colors.to_hex((r * (1 - amount), g * (1 - amount), b * (1 - amount)))


def new_figure(
    *,
    width: str | float = "single",
    height: float = 2.6,
    layout: Literal["constrained", "compressed", "tight"] | None = "constrained",
) -> Figure:
    """A figure with one Axes at journal width (``"single"`` 3.5 in, ``"double"`` 7.2 in, or
    inches), made without pyplot so that nothing is registered globally."""
    w = {"single": SINGLE_COLUMN_IN, "double": DOUBLE_COLUMN_IN}.get(str(width))
    fig = Figure(figsize=(float(width) if w is None else w, height), layout=layout)
    fig.add_subplot()
    return fig


def save_figure(
    fig: Figure,
    stem: str,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    dpi: int = PNG_DPI,
) -> list[Path]:
    """Write ``fig`` as ``<out_dir>/<stem>.<format>``, byte-identical from run to run.

    No timestamps: the PDF ``CreationDate`` and SVG ``Date`` are dropped, the PNG carries only
    a fixed ``Software`` entry, SVG element ids come from the fixed ``svg.hashsalt``; the
    producer/creator strings are fixed. PNG at ``dpi`` (300 by default); SVG and PDF are
    vector with text kept as text (TrueType fonts embedded in the PDF). The figure's layout
    engine is run once and then switched off (positions frozen), so repeated saves agree.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # A layout engine (constrained, tight) starts each pass from the positions of the previous
    # one, so a second save would move the Axes by ~1e-11 and change the bytes. Lay out once,
    # then keep those positions for every format and every later save.
    if fig.get_layout_engine() is not None:
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
    metadata: dict[str, dict[str, Any]] = {
        "png": {"Software": CREATOR},
        "svg": {"Date": None, "Creator": CREATOR},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": CREATOR, "Producer": CREATOR},
    }
    unknown = sorted(set(formats) - set(metadata))
    if unknown:
        raise ArgumentError(
            f"save_figure: unknown format(s) {unknown}; use some of {list(metadata)}."
        )
    rc = {
        "svg.hashsalt": SVG_HASHSALT,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
        "pdf.compression": 6,
    }
    written = []
    with mpl.rc_context(cast(Any, rc)):
        for fmt in formats:
            with atomic_path(out / f"{stem}.{fmt}") as tmp:
                fig.savefig(
                    tmp,
                    format=fmt,
                    dpi=dpi if fmt == "png" else "figure",
                    metadata=metadata[fmt],
                    facecolor="white",
                )
            written.append(out / f"{stem}.{fmt}")
    return written


__all__ = [
    "CYCLE",
    "DOUBLE_COLUMN_IN",
    "FONT_PT",
    "GRADE_COLORS",
    "grade_colors",
    "OKABE_ITO",
    "ROLE_COLORS",
    "SINGLE_COLUMN_IN",
    "SMALL_FONT_PT",
    "color_for",
    "colors_for",
    "darker",
    "figure_theme",
    "new_figure",
    "save_figure",
    "text_color_on",
    "theme_rc",
]
