"""Where report blocks go (side by side, portrait or landscape pages) and figure sizes."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from analysis.report.figure_html import figure_html, image_size
from analysis.report.layout import Block, arrange

FIG = Block("figure", "<figure>f</figure>", column=True)
WIDE_FIG = Block("figure", "<figure>F</figure>", column=False)
NARROW = Block("table", "<div>n</div>", narrow=True)
TABLE = Block("table", "<div>t</div>")
WIDE = Block("table", "<div>w</div>", wide=True)


def test_consecutive_figures_share_a_row():
    rows, landscape = arrange([FIG, WIDE_FIG, TABLE], after_landscape=False)
    assert rows == [
        ('<div class="figs"><figure>f</figure><figure>F</figure></div>', False),
        ("<div>t</div>", False),
    ]
    assert landscape is False


def test_a_narrow_table_sits_beside_a_lone_column_figure_only():
    rows, _ = arrange([FIG, NARROW], after_landscape=False)
    assert rows == [('<div class="figs"><figure>f</figure><div>n</div></div>', False)]
    rows, _ = arrange([WIDE_FIG, NARROW], after_landscape=False)
    assert len(rows) == 2
    rows, _ = arrange([FIG, FIG, NARROW], after_landscape=False)
    assert len(rows) == 2


def test_landscape_runs_from_the_first_wide_table_to_the_section_end():
    rows, landscape = arrange([FIG, TABLE, WIDE, TABLE], after_landscape=False)
    assert [ls for _, ls in rows] == [False, False, True, True]
    assert landscape is True


def test_a_section_after_landscape_pages_stays_on_them_when_it_has_a_wide_table():
    rows, _ = arrange([FIG, TABLE, WIDE], after_landscape=True)
    assert [ls for _, ls in rows] == [True, True, True]
    rows, landscape = arrange([FIG, TABLE], after_landscape=True)
    assert [ls for _, ls in rows] == [False, False]
    assert landscape is False


def _png(path: Path, width: int, height: int) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def test_image_size_is_the_printed_size_in_css_pixels(tmp_path):
    svg = tmp_path / "a.svg"
    svg.write_text(
        '<?xml version="1.0"?>\n<svg width="252pt" height="180pt" viewBox="0 0 252 180"></svg>'
    )
    assert image_size(svg) == (336.0, 240.0)
    assert image_size(_png(tmp_path / "a.png", 300, 150)) == (96.0, 48.0)  # 300 dpi
    (tmp_path / "b.svg").write_text('<svg width="100%" height="100%"></svg>')
    assert image_size(tmp_path / "b.svg") is None


def test_a_figure_opens_full_size_and_keeps_its_printed_width(tmp_path):
    svg = tmp_path / "flow.svg"
    svg.write_text('<svg width="518.4pt" height="316.8pt"></svg>')
    out = figure_html("flow", svg, 1, 'Flow <of> "patients"')
    assert 'style="--w:691px;--a:1.636"' in out
    assert 'width="691" height="422"' in out
    assert '<div class="zoom" id="zoom-flow">' in out and 'href="#zoom-flow"' in out
    assert "Flow &lt;of&gt; &quot;patients&quot;" in out
