"""``add_table`` copies one row of each kind and sets the other rows' text: the table's XML is
the one python-docx's API gives row by row (``fill_row`` for every row, as before the copies),
whatever the text holds."""

from __future__ import annotations

import docx
import pytest
from lxml import etree

from analysis.tables.docx_fit import fit_table
from analysis.tables.docx_style import add_table, define_styles, fill_row, start_table
from analysis.tables.journal import journal_style

HEADER = ["Characteristic", "Female (N=3)", "Male (N=4)"]
ROWS = [
    ["Age, years", "", ""],
    ["    Mean (SD)", "41.2 (3.1)", "−2.0 (1.0)"],
    ["    Median [Q1, Q3]", " 40 [38, 44]", "39 [35, 41] "],
    ["Sex <&> \"quoted\" 'x'", "1 (33.3%)", "—"],
    ["tab\there", "line\nbreak", "carriage\rreturn"],
    ["    indented\tand tabbed", "", "0 (0.0%)"],
    ["Last row", "  spaced", "p < 0.001"],
]


def _row_by_row(doc, header, rows, fit):  # noqa: ANN001, ANN202 - the reference: every row by the API
    table, text_style = start_table(doc, header, fit, last=not rows)
    for r, values in enumerate(rows, start=1):
        fill_row(table.add_row(), values, fit, text_style, header=False, last=r == len(rows))
    return table


@pytest.mark.parametrize("n_rows", [0, 1, 2, len(ROWS)])
def test_copied_rows_are_the_rows_python_docx_builds(n_rows: int) -> None:
    rows = ROWS[:n_rows]
    style = journal_style(None)
    fit = fit_table(HEADER, rows, font=style.font, size_pt=style.font_size_pt, page_size="A4")
    tables = []
    for build in (add_table, _row_by_row):
        doc = docx.Document()
        define_styles(doc, style)
        tables.append(etree.tostring(build(doc, HEADER, rows, fit)._tbl))
    assert tables[0] == tables[1]
    assert len(docx.Document().tables) == 0  # (each document above is its own)


def test_each_copy_holds_its_own_text() -> None:
    style = journal_style(None)
    rows = ROWS * 3
    fit = fit_table(HEADER, rows, font=style.font, size_pt=style.font_size_pt, page_size="A4")
    doc = docx.Document()
    define_styles(doc, style)
    table = add_table(doc, HEADER, rows, fit)
    got = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    shown = [
        [v.strip() if j == 0 and v.startswith("    ") else v for j, v in enumerate(r)] for r in rows
    ]
    assert got == [[v.replace("\r", "\n") for v in r] for r in shown]  # Word: a break either way
