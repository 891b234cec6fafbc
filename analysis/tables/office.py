"""Word and Excel output of built tables (journals want Word; data managers want Excel)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from analysis.tables.docx_fit import fit_table, note_size
from analysis.tables.docx_style import (
    DOC_TITLE,
    TABLE_NOTE,
    TABLE_TITLE,
    add_table,
    define_styles,
    set_page,
    set_page_numbers,
    set_running_header,
)
from analysis.tables.journal import JournalStyle, journal_style, use_style
from analysis.tables.render import minus_signs
from analysis.write.atomic import atomic_path
from analysis.write.ooxml import REPORT_ZIP_TIME, normalise_file
from analysis.write.safe_cells import is_dangerous, map_text_cells, printable_text

if TYPE_CHECKING:
    from analysis.tables.render import TableResult


def write_docx(
    tables: Sequence[TableResult],
    path: str | Path,
    *,
    title: str | None = None,
    suppress_below: int | None = None,
    page_size: Literal["A4", "Letter"] = "A4",
    style: str | JournalStyle | None = None,
    page_header: str | None = None,
    lead: str | None = None,
    first_number: int = 1,
) -> Path:
    """One Word document, each table in its own section, footnotes under each table.

    Takes the tables, the target path, the document title, the small-cell rule, the paper
    (``A4`` or ``Letter``) and the journal style (a preset name of
    :mod:`analysis.tables.journal` or a :class:`~analysis.tables.journal.JournalStyle`; its
    number formats apply to the cells, its font and size to the text) and ``page_header``, a line
    printed at the top of every page (e.g. ``analysis.synthetic.MARK``), and ``lead``, a
    sentence under the title (e.g. ``analysis.synthetic.notice``: a header alone said
    "Synthetic data" and nothing of what they are), and ``first_number``, the number of the
    first table ("Table 4." for a table's own file: the number the report gives it). Gives the
    path.

    Each table is set as :func:`~analysis.tables.docx_fit.fit_table` measures it: portrait, or
    landscape when too wide for portrait; column widths from the text (no word broken); a
    smaller size only when needed to fit the width, or to keep a table on one page. Journal
    look: horizontal rules only (top, under the header, bottom), the header row repeated on every
    page a table runs to, rows never split across pages, bold black title, footnotes numbered
    as in the report and 2 pt
    smaller. Every style used is defined here in black with named fonts (no theme colours or
    theme fonts). Core properties carry no creation time, so the same tables give the same
    document text. Control characters in labels (which Word cannot hold) are shown as "\ufffd"
    (:func:`~analysis.write.safe_cells.printable_text`).
    """
    import docx
    from docx.shared import Pt

    journal = journal_style(style)
    doc = docx.Document()
    define_styles(doc, journal)
    with use_style(journal):
        for i, tab in enumerate(tables):
            disp = tab.display(suppress_below=suppress_below)
            header = [printable_text(c) for c in disp.columns]
            rows = [
                [_cell_text(v) if not j else minus_signs(_cell_text(v)) for j, v in enumerate(row)]
                for row in disp.itertuples(index=False)
            ]
            notes = [printable_text(n) for n in tab.notes(suppress_below=suppress_below)]
            caption = printable_text(f"Table {first_number + i}. {tab.heading}")
            fit = fit_table(
                header,
                rows,
                font=journal.font,
                size_pt=journal.font_size_pt,
                page_size=page_size,
                title=caption + (f" {title} {lead or ''}" if title and not i else ""),
                notes=notes,
            )
            section = doc.add_section() if i else doc.sections[0]
            set_page(section, fit)
            if title and not i:
                doc.add_paragraph(printable_text(title), style=DOC_TITLE)
                if lead:
                    doc.add_paragraph(printable_text(lead), style=TABLE_NOTE)
            heading = doc.add_paragraph(caption, style=TABLE_TITLE)
            heading.runs[0].font.size = Pt(fit.font_pt + 1)
            add_table(doc, header, rows, fit)
            for k, note in enumerate(notes):
                para = doc.add_paragraph(
                    f"{k + 1}. {note}", style=TABLE_NOTE
                )  # as the PDF numbers them
                para.runs[0].font.size = Pt(note_size(fit.font_pt))
                para.paragraph_format.keep_with_next = k < len(notes) - 1
    if page_header:
        set_running_header(doc, printable_text(page_header), font=journal.font)
    set_page_numbers(doc, font=journal.font)
    _fix_properties(doc, title or (tables[0].title if tables else ""))
    path = Path(path)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
        normalise_file(tmp, date_time=REPORT_ZIP_TIME)
    return path


def _cell_text(value: object) -> str:
    """A cell as text: empty for None and NaN, control characters replaced."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return printable_text(value)


def _fix_properties(doc, title: str) -> None:  # noqa: ANN001 - python-docx Document
    """Author, title and fixed dates, so the same tables give the same document."""
    import datetime as dt

    props = doc.core_properties
    props.author = "retro"
    props.title = printable_text(title)
    fixed = dt.datetime(2000, 1, 1)
    props.created = fixed
    props.modified = fixed
    props.last_modified_by = "retro"
    props.revision = 1
    props.comments = ""  # python-docx's template said "generated by python-docx"
    _own_package(doc)


#: the extended properties of the documents written here (python-docx's template named
#: "Microsoft Macintosh Word" 14.0 with the page and word counts of its empty document)
_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>retro</Application><DocSecurity>0</DocSecurity>'
    b"</Properties>"
)


def _own_package(doc) -> None:  # noqa: ANN001 - python-docx Document
    """The package's own metadata: its application named, the template's thumbnail (a picture
    of python-docx's empty page, shown by file browsers) left out."""
    rels = doc.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            rels.pop(rid)
        elif rel.reltype.endswith("/extended-properties"):
            rel.target_part._blob = _APP_XML  # noqa: SLF001 - python-docx has no API for it


def _printable(value: object) -> object:
    """Text with control characters replaced (:func:`printable_text`); others unchanged."""
    return printable_text(value) if isinstance(value, str) else value


def _text_as_text(ws) -> None:  # noqa: ANN001 - an openpyxl worksheet
    """Every text cell of ``ws`` a string (openpyxl makes one starting with "=" a formula), and
    marked "quote prefix" where a spreadsheet would otherwise run it once edited."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if is_dangerous(cell.value):
                    cell.quotePrefix = True


def write_xlsx(
    tables: Sequence[TableResult],
    path: str | Path,
    *,
    suppress_below: int | None = None,
    page_header: str | None = None,
) -> Path:
    """One sheet per table: title in A1, the table from row 3, footnotes below it;
    ``page_header`` (e.g. ``analysis.synthetic.MARK``), when given, in A2 and as the printed page
    header of every sheet.

    Every text cell is an XLSX string, never a formula: one a spreadsheet would run as a formula
    once edited (``=...``, ``+...``, ``-...``, ``@...``: :func:`~analysis.write.safe_cells.
    is_dangerous`) is also marked "quote prefix", Excel's own mark of text typed after an
    apostrophe, so it shows as written (a label "=1+1" reads "=1+1", not "'=1+1" as in the CSV
    files, where the apostrophe is the only mark there is). Control characters (which openpyxl
    refuses) are written as "\ufffd" (:func:`~analysis.write.safe_cells.printable_text`).
    """
    import pandas as pd

    path = Path(path)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for i, tab in enumerate(tables):
                disp = map_text_cells(tab.display(suppress_below=suppress_below), _printable)
                sheet = (tab.name or f"table{i + 1}")[:31]
                disp.to_excel(xw, sheet_name=sheet, startrow=2, index=False)
                ws = xw.sheets[sheet]
                ws.cell(row=1, column=1, value=printable_text(tab.heading))
                if page_header:
                    ws.cell(row=2, column=1, value=printable_text(page_header))
                    ws.oddHeader.right.text = page_header.replace("&", "&&")
                for k, note in enumerate(tab.notes(suppress_below=suppress_below)):
                    ws.cell(row=4 + len(disp) + k, column=1, value=printable_text(note))
                _text_as_text(ws)
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
