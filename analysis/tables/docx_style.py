"""The Word side of ``tables.docx``: explicit styles, page setup and one journal table.

python-docx's template gives headings a theme colour (blue) and theme fonts; every style used
here is defined with a named font, black text and no theme attributes, so Word and LibreOffice
show the same plain document. python-docx is imported inside the functions (importing the
package does no work).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analysis.tables.docx_fit import CELL_PAD_PT, TableFit
from analysis.tables.journal import JournalStyle
from analysis.tables.render import is_sub_row

DOC_TITLE = "Document Title"
TABLE_TITLE = "Table Title"
TABLE_NOTE = "Table Note"
TABLE_TEXT = "Table Text"
MARGIN_TWIPS = 1134  # 2 cm: analysis.tables.docx_fit.MARGIN_PT in twentieths of a point
_THEME_FONT_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
# the order of w:tblPr's children in the Office Open XML schema (Word rejects other orders)
_TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
)


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _plain_font(rpr: Any, font: str) -> None:
    """Set ``font`` for every script on a ``w:rPr`` element; drop its theme fonts."""
    from docx.oxml import OxmlElement

    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(_qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(_qn(f"w:{attr}"), font)


def define_styles(doc: Any, journal: JournalStyle) -> None:
    """Normal (the journal font and size, no space between paragraphs), the document title,
    table title, table text and table note styles; all black, no theme fonts."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    defaults = doc.styles.element.find(_qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(_qn("w:rPrDefault"))
        rpr = None if rpr_default is None else rpr_default.find(_qn("w:rPr"))
        if rpr is not None:
            _plain_font(rpr, journal.font)
    specs = {
        "Normal": (journal.font_size_pt, False, 0.0),
        DOC_TITLE: (journal.font_size_pt + 4, True, 8.0),
        TABLE_TITLE: (journal.font_size_pt + 1, True, 4.0),
        TABLE_TEXT: (journal.font_size_pt, False, 0.0),
        TABLE_NOTE: (journal.font_size_pt - 2, False, 1.0),
    }
    for name, (size, bold, after) in specs.items():
        if name == "Normal":
            style = doc.styles["Normal"]
        else:
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = doc.styles["Normal"]
            style.quick_style = True
        _plain_font(style.element.get_or_add_rPr(), journal.font)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.0
        fmt.widow_control = True
    doc.styles[DOC_TITLE].paragraph_format.keep_with_next = True
    doc.styles[TABLE_TITLE].paragraph_format.keep_with_next = True
    _outline_level(doc.styles[DOC_TITLE], 0)
    _outline_level(doc.styles[TABLE_TITLE], 1)


def _outline_level(style: Any, level: int) -> None:
    """Show paragraphs of ``style`` in Word's navigation pane at ``level`` (0 = top)."""
    from docx.oxml import OxmlElement

    ppr = style.element.get_or_add_pPr()
    el = OxmlElement("w:outlineLvl")
    el.set(_qn("w:val"), str(level))
    ppr.append(el)


def set_page(section: Any, fit: TableFit) -> None:
    """Paper size, orientation and 2 cm margins of ``section`` as ``fit`` says (set in full:
    a new section starts as a copy of the one before)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt, Twips

    width, height = fit.page_pt
    section.orientation = WD_ORIENT.LANDSCAPE if fit.landscape else WD_ORIENT.PORTRAIT
    section.page_width = Pt(width)
    section.page_height = Pt(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(MARGIN_TWIPS))
    section.header_distance = Twips(567)
    section.footer_distance = Twips(567)


def add_table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]], fit: TableFit) -> Any:
    """A journal table at ``fit``'s widths and size: the header row bold and repeated on each
    page, rows kept whole, numbers centred, indented sub-rows (labels starting with spaces)
    indented, horizontal rules only. Gives the python-docx table.

    Each kind of body row (indented or not, last or not) is built once with python-docx's
    API; the other rows of that kind are copies of it with their own text, set as python-docx
    sets a run's text: the same XML in a third of the time (the API looks up each cell's
    properties in turn: under the profiler this function took 0.81 s of the 1.70 s that the
    reference study's twelve DOCX files took, 0.25 s now).
    """
    import copy

    table, text_style = start_table(doc, header, fit, last=not rows)
    built: dict[tuple[bool, bool], Any] = {}  # a row of each kind, as python-docx built it
    run_tag = _qn("w:r")
    for r, values in enumerate(map(list, rows), start=1):
        kind = (bool(values) and _indented(0, str(values[0])), r == len(rows))
        like = built.get(kind)
        if like is None:
            row = table.add_row()
            fill_row(row, values, fit, text_style, header=False, last=kind[1])
            built[kind] = row._tr
            continue
        tr = copy.deepcopy(like)
        for j, (run, value) in enumerate(zip(tr.iter(run_tag), values, strict=True)):
            run.text = _shown(j, str(value))  # python-docx's Run.text: w:t, w:tab, w:br
        table._tbl.append(tr)
    return table


def start_table(doc: Any, header: Sequence[str], fit: TableFit, *, last: bool) -> tuple[Any, str]:
    """A new table of ``doc`` at ``fit``'s widths with its header row (``last``: no body
    row follows); gives the python-docx table and the style id of its text."""
    from docx.shared import Pt

    text_style = doc.styles[TABLE_TEXT].style_id
    table = doc.add_table(rows=1, cols=len(header))
    table.autofit = False
    _table_properties(table, fit)
    for j, width in enumerate(fit.widths_pt):
        table.columns[j].width = Pt(width)
    fill_row(table.rows[0], list(header), fit, text_style, header=True, last=last)
    return table, text_style


def _indented(j: int, text: str) -> bool:
    """Whether the cell of column ``j`` holding ``text`` is an indented label: the first
    column's sub-row, by the rule the HTML renderers read (``render.is_sub_row``)."""
    return j == 0 and is_sub_row(text)


def _shown(j: int, text: str) -> str:
    """A cell's text as set in its run: an indented label without its spaces (the paragraph is
    indented instead)."""
    return text.strip() if _indented(j, text) else text


def fill_row(
    row: Any, values: Sequence[object], fit: TableFit, text_style: str, *, header: bool, last: bool
) -> None:
    """One row's properties and cells, with python-docx's API (``add_table`` copies it)."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    _row_properties(row, header=header)
    for j, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
        cell.width = Pt(fit.widths_pt[j])
        para = cell.paragraphs[0]
        para._p.style = text_style  # python-docx's style setter searches every style
        text = str(value)
        if _indented(j, text):
            para.paragraph_format.left_indent = Pt(fit.font_pt)
        run = para.add_run(_shown(j, text))
        run.font.size = Pt(fit.font_pt)
        if header:
            run.bold = True
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        if j:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if last:  # the last row stays with the first footnote
            para.paragraph_format.keep_with_next = True


def _table_properties(table: Any, fit: TableFit) -> None:
    """Fixed layout at the fitted width, 4 pt cell margins left and right, journal rules."""
    from docx.oxml import OxmlElement

    tbl_pr = table._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(_qn("w:w"), str(round(sum(fit.widths_pt) * 20)))
    width.set(_qn("w:type"), "dxa")
    _put_in_tblpr(tbl_pr, width)
    borders = OxmlElement("w:tblBorders")
    for edge, val in (
        ("top", "single"),
        ("left", "nil"),
        ("bottom", "single"),
        ("right", "nil"),
        ("insideH", "nil"),
        ("insideV", "nil"),
    ):
        el = OxmlElement(f"w:{edge}")
        el.set(_qn("w:val"), val)
        el.set(_qn("w:sz"), "8")
        el.set(_qn("w:space"), "0")
        el.set(_qn("w:color"), "000000")
        borders.append(el)
    _put_in_tblpr(tbl_pr, borders)
    layout = OxmlElement("w:tblLayout")
    layout.set(_qn("w:type"), "fixed")
    _put_in_tblpr(tbl_pr, layout)
    margins = OxmlElement("w:tblCellMar")
    for side, pts in (("top", 0.0), ("left", CELL_PAD_PT / 2), ("bottom", 0.0)):
        el = OxmlElement(f"w:{side}")
        el.set(_qn("w:w"), str(round(pts * 20)))
        el.set(_qn("w:type"), "dxa")
        margins.append(el)
    right = OxmlElement("w:right")
    right.set(_qn("w:w"), str(round(CELL_PAD_PT / 2 * 20)))
    right.set(_qn("w:type"), "dxa")
    margins.append(right)
    _put_in_tblpr(tbl_pr, margins)


def _put_in_tblpr(tbl_pr: Any, el: Any) -> None:
    """Put ``el`` into ``w:tblPr`` in schema order, replacing one of the same name."""
    name = el.tag.split("}")[1]
    for old in tbl_pr.findall(el.tag):
        tbl_pr.remove(old)
    later = _TBLPR_ORDER[_TBLPR_ORDER.index(name) + 1 :]
    for child in tbl_pr:
        if child.tag.split("}")[1] in later:
            child.addprevious(el)
            return
    tbl_pr.append(el)


def _row_properties(row: Any, *, header: bool) -> None:
    """Rows never split across pages; the header row repeats and has a rule under it."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if not header:
        return
    tr_pr.append(OxmlElement("w:tblHeader"))
    for cell in row.cells:
        tc_pr = cell._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        bottom = OxmlElement("w:bottom")
        bottom.set(_qn("w:val"), "single")
        bottom.set(_qn("w:sz"), "6")
        bottom.set(_qn("w:space"), "0")
        bottom.set(_qn("w:color"), "000000")
        borders.append(bottom)
        tc_pr.append(borders)


__all__ = [
    "DOC_TITLE",
    "TABLE_NOTE",
    "TABLE_TEXT",
    "TABLE_TITLE",
    "add_table",
    "define_styles",
    "fill_row",
    "set_page",
    "start_table",
]


def set_running_header(doc: Any, text: str, *, font: str) -> None:
    """``text`` as the page header of every page of ``doc`` (small, grey, right-aligned, in
    ``font``): set on the first section, which every later section repeats (python-docx links
    a new section's header to the one before). Used for the mark of a synthetic study."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    header = doc.sections[0].header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = para.add_run(text)
    run.font.size = Pt(8)
    run.font.name = font
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    for later in doc.sections[1:]:
        later.header.is_linked_to_previous = True


def set_page_numbers(doc: Any, *, font: str) -> None:
    """ "Page n of N" centred in the footer of every page of ``doc`` (Word's PAGE and NUMPAGES
    fields, which Word and LibreOffice fill in as they lay the pages out): set on the first
    section, which every later section repeats. A journal's tables file is read on paper and
    cited by page; it had no number."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def text(words: str) -> None:
        run = para.add_run(words)
        run.font.size, run.font.name = Pt(8), font

    def field(code: str) -> None:
        run = para.add_run()
        run.font.size, run.font.name = Pt(8), font
        simple = OxmlElement("w:fldSimple")
        simple.set(qn("w:instr"), f" {code} ")
        inner = OxmlElement("w:r")
        shown = OxmlElement("w:t")
        shown.text = "1"  # what a reader that does not compute fields shows
        inner.append(shown)
        simple.append(inner)
        run._r.addnext(simple)  # noqa: SLF001 - python-docx has no field API

    text("Page ")
    field("PAGE")
    text(" of ")
    field("NUMPAGES")
    for later in doc.sections[1:]:
        later.footer.is_linked_to_previous = True
