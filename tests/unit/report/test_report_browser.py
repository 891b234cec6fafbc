"""The report read in a real browser (headless Chromium) at 1280 px and on a 390 px phone, and
its PDF page by page, for both shipped studies.

In the browser: nothing spills past the screen's edge outside a sideways-scrolling box; every
table and figure caption is whole and on screen (none inside a scroll box); every box wider than
the screen shows its "scroll sideways" cue; no figure is drawn below its printed size (its 7 pt
text stays legible). Chromium is driven with no extra dependency: the report, with
``measure_layout.js`` appended, is shown in iframes of each width (a headless window cannot be
narrower than 500 px) and ``--dump-dom`` prints the measurements the script writes into the host
page. On paper: no text past the right margin and no page (but the last) two-thirds blank.

Needs the Debian packages ``chromium`` (``make system-deps`` installs it) and ``poppler-utils``
(``pdftotext``); each test says so and is skipped without them.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.figures.study_figures import draw_figures, save_figures
from analysis.report.build import study_claims
from analysis.report.html import render_report_html, report_inputs
from analysis.report.pdf import html_to_pdf
from analysis.run.study import Study
from tests.conftest import REPO

STUDIES = ("dutasteride_mesotherapy", "low_dose_oral_minoxidil")
WIDTHS = (1280, 390)
MEASURE_JS = Path(__file__).with_name("measure_layout.js")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """report.html of each shipped study, with its figures, as ``retro run`` writes it."""
    out: dict[str, str] = {}
    for name in STUDIES:
        study = Study.load(REPO / "studies" / f"{name}.yaml")
        fig_dir = tmp_path_factory.mktemp(name)
        files = save_figures(draw_figures(study), fig_dir, formats=("svg",))
        inputs = report_inputs(
            study,
            figures={stem: paths[0] for stem, paths in files.items()},
            claims=study_claims(study),
            provenance={"command": f"retro run studies/{name}.yaml"},
        )
        out[name] = render_report_html(inputs)
    return out


@pytest.fixture(scope="module")
def measured(reports: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``{(study, width): measurements}`` from one Chromium run over every study and width."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("Chromium not found: `sudo apt-get install chromium` (or `make system-deps`)")
    script = f"<script>{MEASURE_JS.read_text(encoding='utf-8')}</script></body>"
    frames = "".join(
        f'<iframe data-study="{name}" style="border:0;display:block;width:{w}px;height:900px" '
        f'srcdoc="{html.escape(page.replace("</body>", script), quote=True)}"></iframe>'
        for name, page in reports.items()
        for w in WIDTHS
    )
    host = tmp_path_factory.mktemp("browser") / "host.html"
    host.write_text(f"<!DOCTYPE html><html><body>{frames}</body></html>", encoding="utf-8")
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        + ["--window-size=1300,1000", "--virtual-time-budget=5000", "--dump-dom", host.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.findall(
        r'<script type="application/json" id="layout-measure">(.*?)</script>', done.stdout, re.S
    )
    results = [json.loads(f) for f in found]
    assert len(results) == len(reports) * len(WIDTHS), (
        f"Chromium measured {len(results)} of {len(reports) * len(WIDTHS)} pages; "
        f"its stderr ends: {done.stderr[-1500:]}"
    )
    return {(r["study"], r["width"]): r for r in results}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("study", STUDIES)
def test_nothing_spills_past_the_screen(measured: dict, study: str, width: int) -> None:
    m = measured[(study, width)]
    assert m["width"] == width
    assert m["page_width"] <= width, f"the page scrolls sideways: {m['page_width']} px"
    assert m["overflow"] == [], "outside any scroll box, past the screen's edge"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("study", STUDIES)
def test_every_caption_is_whole_and_on_screen(measured: dict, study: str, width: int) -> None:
    m = measured[(study, width)]
    assert m["captions"] >= 10
    assert m["tables_with_caption_inside"] == [], "a <caption> scrolls with its table"
    assert m["captions_cut"] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("study", STUDIES)
def test_what_scrolls_sideways_says_so(measured: dict, study: str, width: int) -> None:
    m = measured[(study, width)]
    assert m["no_cue"] == [], "wider than the screen without a visible 'scroll sideways' cue"
    if width >= 1280:  # at desktop width every table, p-values included, fits the screen
        assert m["scrolling"] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("study", STUDIES)
def test_figures_are_drawn_at_a_legible_size(measured: dict, study: str, width: int) -> None:
    m = measured[(study, width)]
    assert m["figures"] >= 4
    assert m["small_figures"] == [], "drawn below the printed size: 7 pt text illegible"


def test_every_figure_opens_full_size(reports: dict[str, str]) -> None:
    for page in reports.values():
        figures = re.findall(r'<figure id="fig-([^"]+)"', page)
        assert figures
        for stem in figures:
            assert f'<div class="zoom" id="zoom-{stem}">' in page
            assert f'href="#zoom-{stem}"' in page


@pytest.fixture(scope="module")
def pdf_words(reports: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``{study: [(page width, page height, [(xMax, yMax) of each word])]}`` of report.pdf."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not found: `sudo apt-get install poppler-utils`")
    out = {}
    for name, page in reports.items():
        pdf = html_to_pdf(page, tmp_path_factory.mktemp(name) / "report.pdf")
        bbox = subprocess.run(
            ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = []
        for w, h, body in re.findall(
            r'<page width="([0-9.]+)" height="([0-9.]+)">(.*?)</page>', bbox, re.S
        ):
            words = re.findall(
                r'<word xMin="[0-9.]+" yMin="[0-9.]+" xMax="([0-9.]+)" '
                r'yMax="([0-9.]+)"',
                body,
            )
            pages.append((float(w), float(h), [(float(x), float(y)) for x, y in words]))
        out[name] = pages
    return out


MM = 72 / 25.4


@pytest.mark.parametrize("study", STUDIES)
def test_pdf_text_stays_inside_the_margins(pdf_words: dict, study: str) -> None:
    for number, (w, _h, words) in enumerate(pdf_words[study], start=1):
        right = w - 15 * MM + 1  # both page kinds have 15 mm side margins
        past = [x for x, _y in words if x > right]
        assert past == [], f"{study} page {number}: text past the right margin"


@pytest.mark.parametrize("study", STUDIES)
def test_no_pdf_page_is_two_thirds_blank(pdf_words: dict, study: str) -> None:
    pages = pdf_words[study]
    for number, (w, h, words) in enumerate(pages[:-1], start=1):
        landscape = w > h
        top, bottom = (15 if landscape else 18) * MM, h - (18 if landscape else 20) * MM
        body = [y for _x, y in words if top < y < bottom]
        last = max(body, default=top)
        blank = (bottom - last) / (bottom - top)
        assert blank < 2 / 3, f"{study} page {number}: {blank:.0%} of the page blank"
