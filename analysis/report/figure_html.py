"""Figures in the HTML report: shown at their printed size (never scaled below it, so their
7 pt text stays legible on a phone: a figure wider than the screen scrolls sideways), opened full
size on tap (the figure's own image in a full-screen box, no second copy of the data).
``analysis.report.layout`` places them beside each other on wide screens and paper.

The image size is read from the file: an SVG's ``width``/``height`` in points, a PNG's pixels at
the 300 dpi the figures are written with.
"""

from __future__ import annotations

import base64
import re
import struct
from pathlib import Path

from analysis.tables.render import escape

#: CSS pixels per point (96 px per inch, 72 pt per inch).
PX_PER_PT = 96 / 72
#: The resolution of the PNG figures (``analysis.figures.theme.PNG_DPI``).
PNG_DPI = 300
#: Figures at most this wide (CSS px) are column-wide: two of them fit side by side on paper.
COLUMN_PX = 400

_UNITS = {"pt": PX_PER_PT, "px": 1.0, "in": 96.0, "mm": 96 / 25.4, "": 1.0}


def image_size(path: Path) -> tuple[float, float] | None:
    """Printed size of an SVG or PNG figure in CSS pixels, ``(width, height)``; None when the
    file does not say (an SVG sized by percentages, a file of another kind)."""
    if path.suffix == ".svg":
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        svg = re.search(r"<svg\b[^>]*>", head)
        if svg is None:
            return None
        sizes = [
            re.search(rf'\b{name}="([0-9.]+)(pt|px|in|mm|)"', svg.group(0))
            for name in ("width", "height")
        ]
        if sizes[0] is None or sizes[1] is None:
            return None
        w, h = (float(m.group(1)) * _UNITS[m.group(2)] for m in sizes if m is not None)
        return w, h
    if path.suffix == ".png":
        png = path.read_bytes()[:24]
        if png[:8] != b"\x89PNG\r\n\x1a\n":
            return None
        w_px, h_px = struct.unpack(">II", png[16:24])
        return w_px * 96 / PNG_DPI, h_px * 96 / PNG_DPI
    return None


def figure_html(stem: str, path: Path, number: int, caption: str) -> str:
    """One figure: the image in a sideways-scrolling box at its printed size, a link around it
    that opens it full screen (``#zoom-<stem>``, CSS ``:target``), and its caption."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    size = image_size(path)
    style, dims, kind = "", "", "fig"
    if size is not None:
        w, h = size
        style = f' style="--w:{w:.0f}px;--a:{w / h:.3f}"'
        dims = f' width="{w:.0f}" height="{h:.0f}"'
        kind = "fig column" if w <= COLUMN_PX else "fig full"
    sid = escape(stem)
    return (
        f'<figure id="fig-{sid}" class="{kind}"{style}>'
        f'<div class="zoom" id="zoom-{sid}">'
        f'<a class="close" href="#fig-{sid}">Close &#x2715;</a>'
        f'<div class="hscroll"><a class="open" href="#zoom-{sid}" '
        f'title="Open the figure full size"><img alt="{escape(caption)}"{dims} '
        f'src="data:{mime};base64,{data}"/></a></div></div>'
        f"<figcaption><b>Figure {number}.</b> {escape(caption)} "
        f'<a class="full" href="#zoom-{sid}">Full size</a></figcaption></figure>'
    )
