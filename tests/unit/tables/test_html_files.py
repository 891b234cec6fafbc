"""A table's HTML: sub-rows indented by style (HTML collapses the layout's leading spaces),
the first column's header shown, and each ``tables/<name>.html`` a page of its own."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd

from analysis.tables.render import SUB_ROW, TableResult, print_unbroken
from analysis.tables.study_tables import html_file


def _table() -> TableResult:
    shown = pd.DataFrame(
        {
            "Characteristic": ["Age, years, mean (SD)", f"{SUB_ROW}missing", "Sex, n (%)",
                               f"{SUB_ROW}Female", f"{SUB_ROW}Male <&>"],
            "Overall (N=10)": ["40.0 (5.0)", "1", "", "4 (40.0%)", "6 (60.0%)"],
        }
    )  # fmt: skip
    return TableResult("t1", "Baseline & more", shown, layout=lambda df: df)


class _Stub(HTMLParser):
    """Each stub cell's text and classes."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "th" and "gt_stub" in classes.split():
            self._open = classes

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.cells.append((data, self._open))
            self._open = None


def test_sub_rows_are_indented_by_style_and_the_stub_has_its_header():
    html = _table().to_html()
    stub = _Stub()
    stub.feed(html)
    indented = {text: "gt_indent_" in classes for text, classes in stub.cells}
    assert indented == {
        "Age, years, mean (SD)": False,
        "missing": True,
        "Sex, n (%)": False,
        "Female": True,
        "Male <&>": True,
    }
    assert re.search(r'<th class="gt_col_heading[^>]*scope="col"[^>]*>Characteristic</th>', html)


def test_a_table_file_is_a_page_of_its_own():
    page = html_file("Baseline & more", _table().to_html())
    assert page.startswith("<!DOCTYPE html>\n<html")
    assert '<meta charset="utf-8">' in page
    assert "<title>Baseline &amp; more</title>" in page
    assert page.index('id="tbl-t1"') < page.rindex("</body>")
    # (tests/unit/report/test_synthetic_marking.py checks the files written are such pages)


def test_the_report_table_keeps_each_number_unit_on_one_line():
    """In the report's table a wrapped cell breaks between units, never inside a count with its
    percent, an interval or a hyphenated header word (the span's style is the print one)."""
    shown = pd.DataFrame(
        {
            "Adverse event": ["Any", f"{SUB_ROW}Pain"],
            "Female (N=219)": ["158 (72.1%) [245]", "26 (46.4%) [36]"],
            "95% CI": ["[60.0–87.6]", "0.0–0.7"],
            "RD (95% CI)": ["-16.6 (-24.3 to -8.3)", "1.64 (0.90–2.97)"],
            "p-value": ["<0.001", "0.861"],
        }
    )
    html = TableResult("t2", "T", shown, layout=lambda df: df).to_report_html()
    units = re.findall(r'<span class="nw">(.*?)</span>', html)
    assert units == [
        "p-value",
        "158 (72.1%)", "60.0–87.6", "(−24.3 to −8.3)", "26 (46.4%)", "0.0–0.7", "0.90–2.97",
    ]  # fmt: skip
    # minus signs (U+2212) in the number cells, as tables.docx has them (the PDF had hyphens)
    assert '<td class="num">−16.6 ' in html and "-16.6" not in html
    assert '<td role="rowheader">Any</td>' in html and "&lt;0.001" in html  # labels as they were
    # the first cell heads its row; a sub-row is named with the row it belongs to (the page
    # shows it by indentation alone), the scroll box is a named region a keyboard can scroll
    assert '<td role="rowheader" class="sub" aria-label="Any: Pain">Pain</td>' in html
    assert '<th scope="col">Female (N=219)</th>' in html
    assert '<div class="hscroll" tabindex="0" role="region" aria-labelledby="cap-t2">' in html
    noted = TableResult("t3", "T", shown, layout=lambda df: df, footnotes=("Monte Carlo p-value.",))
    assert '<li>Monte Carlo <span class="nw">p-value</span>.</li>' in noted.to_report_html()
    # a note's equations and slashed units stay whole too (the 1M twin's note broke "n" /
    # "= 237691"; a dose table's header "0.25 mg/" / "day"), and print as characters that do
    # not break (no span: WeasyPrint misplaces a nowrap span after other text)
    note = "n = 237691, 680818 and 918509 > 10000; p < 0.001 at 0.25 mg/day."
    said = TableResult("t4", "T", shown, layout=lambda df: df, footnotes=(note,)).to_report_html()
    kept = re.findall(r'<span class="nw">(.*?)</span>', said.split("<ol", 1)[1])
    assert kept == ["n = 237691", "918509 &gt; 10000", "p &lt; 0.001", "mg/day."]
    printed = print_unbroken(said)
    assert '<span class="nw">' not in printed
    assert "n\u00a0=\u00a0237691" in printed and "mg\u2060/\u2060day" in printed


def test_every_renderer_reads_the_same_sub_rows():
    """Word, the report's HTML and great_tables indent the same labels: those starting with
    ``SUB_ROW``. A label with two or three leading spaces is not a sub-row in any of them
    (Word used to indent from two spaces, the HTML renderers from four)."""
    import docx

    from analysis.tables.office import write_docx

    shown = pd.DataFrame(
        {
            "Characteristic": ["Sex", f"{SUB_ROW}Female", "  two spaces", "   three", "Age"],
            "Overall (N=10)": ["", "4 (40.0%)", "1", "2", "40.0 (5.0)"],
        }
    )
    table = TableResult("t1", "Sub-rows", shown, layout=lambda df: df)
    expected = [False, True, False, False, False]

    report = re.findall(r"<tr><td([^>]*)>", table.to_report_html())
    assert [' class="sub"' in css for css in report] == expected

    stub = _Stub()
    stub.feed(table.to_html())
    assert ["gt_indent_" in classes for _, classes in stub.cells] == expected

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        doc = docx.Document(str(write_docx([table], Path(tmp) / "t.docx")))
    cells = [row.cells[0].paragraphs[0] for row in doc.tables[0].rows[1:]]
    assert [p.paragraph_format.left_indent is not None for p in cells] == expected
    assert [p.text for p in cells][1:4] == ["Female", "  two spaces", "   three"]
