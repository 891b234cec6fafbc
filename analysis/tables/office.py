"""Word and Excel output of built tables (journals want Word; data managers want Excel)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.write.atomic import atomic_path
from analysis.write.ooxml import REPORT_ZIP_TIME, normalise_file
from analysis.write.safe_cells import map_text_cells, printable_text, sheet_text

if TYPE_CHECKING:
    from analysis.tables.render import TableResult


def write_docx(
    tables: Sequence[TableResult],
    path: str | Path,
    *,
    title: str | None = None,
    suppress_below: int | None = None,
) -> Path:
    """One Word document, one table per section, footnotes under each table.

    Journal style: Times New Roman 10 pt, horizontal rules only (top, under the header, bottom),
    bold title above, footnotes in 8 pt below. Core properties carry no creation time, so the
    same tables give the same document text. Control characters in labels (which Word cannot
    hold) are shown as "\ufffd" (:func:`~analysis.write.safe_cells.printable_text`).
    """
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10)
    if title:
        doc.add_heading(printable_text(title), level=1)
    for i, tab in enumerate(tables):
        disp = tab.display(suppress_below=suppress_below)
        section = doc.add_section() if i else doc.sections[0]
        wide = disp.shape[1] > 5
        if wide:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
        p = doc.add_paragraph()
        run = p.add_run(printable_text(f"Table {i + 1}. {tab.title}"))
        run.bold = True
        table = doc.add_table(rows=1, cols=disp.shape[1])
        hdr = table.rows[0].cells
        for j, col in enumerate(disp.columns):
            hdr[j].text = printable_text(col)
            for r in hdr[j].paragraphs[0].runs:
                r.bold = True
        for row in disp.itertuples(index=False):
            cells = table.add_row().cells
            for j, value in enumerate(row):
                cells[j].text = "" if value is None else printable_text(value)
        _rules(table, OxmlElement, qn)
        for note in tab.notes(suppress_below=suppress_below):
            fp = doc.add_paragraph()
            fr = fp.add_run(printable_text(note))
            fr.font.size = Pt(8)
    props = doc.core_properties
    props.author = "retro"
    props.title = printable_text(title or (tables[0].title if tables else ""))
    import datetime as dt

    fixed = dt.datetime(2000, 1, 1)
    props.created = fixed
    props.modified = fixed
    props.last_modified_by = "retro"
    props.revision = 1
    path = Path(path)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
        normalise_file(tmp, date_time=REPORT_ZIP_TIME)
    return path


def _rules(table, OxmlElement, qn) -> None:  # noqa: ANN001, N803 - docx internals
    """Journal rules: top border, a rule under the header row, bottom border; no verticals."""
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge, val in (
        ("top", "single"),
        ("bottom", "single"),
        ("insideH", "nil"),
        ("insideV", "nil"),
        ("left", "nil"),
        ("right", "nil"),
    ):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), val)
        el.set(qn("w:sz"), "8")
        borders.append(el)
    tbl_pr.append(borders)
    for cell in table.rows[0].cells:
        tc_pr = cell._tc.get_or_add_tcPr()
        tc_borders = OxmlElement("w:tcBorders")
        bottom = OxmlElement("w:bottom")
        bottom.set(qn("w:val"), "single")
        bottom.set(qn("w:sz"), "6")
        tc_borders.append(bottom)
        tc_pr.append(tc_borders)


def write_xlsx(
    tables: Sequence[TableResult], path: str | Path, *, suppress_below: int | None = None
) -> Path:
    """One sheet per table: title in A1, the table from row 3, footnotes below it.

    Text that a spreadsheet would run as a formula (``=...``, ``+...``, ``@...``) is written as
    text with a leading apostrophe, as in the CSV files, and control characters (which openpyxl
    refuses) as "\ufffd" (:func:`~analysis.write.safe_cells.sheet_text`).
    """
    import pandas as pd

    path = Path(path)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for i, tab in enumerate(tables):
                disp = map_text_cells(tab.display(suppress_below=suppress_below), sheet_text)
                sheet = (tab.name or f"table{i + 1}")[:31]
                disp.to_excel(xw, sheet_name=sheet, startrow=2, index=False)
                ws = xw.sheets[sheet]
                ws.cell(row=1, column=1, value=sheet_text(tab.title))
                for k, note in enumerate(tab.notes(suppress_below=suppress_below)):
                    ws.cell(row=4 + len(disp) + k, column=1, value=sheet_text(note))
                for col_cells in ws.columns:
                    width = (
                        max(len(str(c.value or "")) for c in col_cells[2:])
                        if len(col_cells) > 2
                        else 10
                    )
                    ws.column_dimensions[col_cells[0].column_letter].width = min(
                        max(width + 2, 10), 60
                    )
            xw.book.properties.creator = "retro"
        normalise_file(tmp, date_time=REPORT_ZIP_TIME)
    return path
