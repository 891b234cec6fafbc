"""tables.docx as a journal sees it: rendered to PDF by LibreOffice, then its pages measured.

Skipped (with the reason) when LibreOffice (``soffice``) or poppler-utils (``pdfinfo``,
``pdftotext``) are absent; ``make test`` installs them (the Makefile's docx-render-deps).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.tables.office import write_docx
from tests.unit.report._docx_tables import LONG_WORDS, baseline_table, model_table, wide_table

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdfinfo") and shutil.which("pdftotext")),
    reason="LibreOffice (soffice) and poppler-utils (pdfinfo, pdftotext) are needed to render "
    "tables.docx: apt-get install libreoffice-writer-nogui poppler-utils",
)


def _to_pdf(docx: Path) -> Path:
    """``docx`` converted by LibreOffice, in a private profile (tests may run side by side)."""
    profile = docx.parent / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(docx.parent),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return docx.with_suffix(".pdf")


def _pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", out)]


def _page_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three tables in one document (narrow, wide, model; the orientation must change
    back and forth), on A4 and on Letter, as PDFs."""
    out = {}
    for paper in ("A4", "Letter"):
        folder = tmp_path_factory.mktemp(paper)
        docx = write_docx(
            [baseline_table(), wide_table(), model_table()],
            folder / "tables.docx",
            title="A study",
            page_size=paper,  # type: ignore[arg-type]
        )
        out[paper] = _to_pdf(docx)
    return out


def test_each_table_on_its_own_page_wide_one_landscape_on_a4(rendered: dict[str, Path]) -> None:
    pages = _pages(rendered["A4"])
    assert len(pages) == 3, f"one page per table expected, got {len(pages)}"
    portrait, landscape = (595.3, 841.9), (841.9, 595.3)
    for (w, h), want in zip(pages, (portrait, landscape, portrait), strict=True):
        assert (round(w), round(h)) == (round(want[0]), round(want[1]))
    assert "Table 1." in _page_text(rendered["A4"], 1)
    assert "Table 2." in _page_text(rendered["A4"], 2)
    assert "Table 3." in _page_text(rendered["A4"], 3)


def test_letter_paper_when_asked(rendered: dict[str, Path]) -> None:
    pages = _pages(rendered["Letter"])
    assert [(round(w), round(h)) for w, h in pages] == [(612, 792), (792, 612), (612, 792)]


def test_no_word_of_a_table_broken(rendered: dict[str, Path]) -> None:
    """Every long word of the 13-column table, its headers' words and a whole number cell
    survive on one line of the rendered page."""
    text = _page_text(rendered["A4"], 2)
    for word in (*LONG_WORDS, "monotherapy", "combined", "(overall)"):
        assert word in text, f"{word!r} broken or missing on the landscape page:\n{text}"
    assert "34 (60.7%) [52]" in text
    assert "−16.6 (−24.3 to −8.3)" in text  # minus signs: no line break after them


def test_table_1_on_one_page_with_its_footnote(rendered: dict[str, Path]) -> None:
    text = _page_text(rendered["A4"], 1)
    assert "Concomitant treatment number 9" in text
    assert "n (%)." in text.split("Concomitant treatment number 9")[1]
