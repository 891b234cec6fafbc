"""tables.docx without rendering: page geometry, column widths, Word structure, journal styles."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pydantic
import pytest

from analysis.studyfile.plan import AnalysisPlan
from analysis.tables.docx_fit import fit_table, longest_word, text_width
from analysis.tables.journal import format_p, journal_style, use_style
from analysis.tables.office import write_docx
from analysis.tables.render import fmt_ci, fmt_n_pct, fmt_p
from tests.unit.report._docx_tables import baseline_table, model_table, wide_table


def _fit(table, **kw):  # noqa: ANN001, ANN003, ANN202
    disp = table.display()
    rows = [list(r) for r in disp.itertuples(index=False)]
    return fit_table(list(disp.columns), rows, font="Times New Roman", size_pt=10, **kw), disp


def test_wide_table_goes_landscape_narrow_ones_portrait() -> None:
    wide, _ = _fit(wide_table())
    assert wide.landscape and wide.page_pt == (841.9, 595.3)
    for table in (baseline_table(), model_table()):
        fit, _ = _fit(table)
        assert not fit.landscape
    letter, _ = _fit(model_table(), page_size="Letter")
    assert letter.page_pt == (612.0, 792.0)


def test_columns_fit_the_page_and_hold_their_longest_word() -> None:
    for table in (baseline_table(), wide_table(), model_table()):
        fit, disp = _fit(table)
        assert sum(fit.widths_pt) <= fit.page_pt[0] - 2 * 56.7 + 0.5
        for j, col in enumerate(disp.columns):
            cells = [str(v) for v in disp.iloc[:, j]]
            widest_word = max(
                longest_word(t, font="Times New Roman", size_pt=fit.font_pt) for t in cells
            )
            assert fit.widths_pt[j] >= widest_word, (table.name, col)
            if j:  # number cells on one line
                assert fit.widths_pt[j] >= max(
                    text_width(t, font="Times New Roman", size_pt=fit.font_pt) for t in cells
                )
        assert fit.widths_pt[0] > min(fit.widths_pt[1:])  # labels get the room, not numbers


def test_bold_measures_wider_and_unknown_characters_count() -> None:
    assert text_width("Adverse", font="Times New Roman", size_pt=10, bold=True) > text_width(
        "Adverse", font="Times New Roman", size_pt=10
    )
    assert text_width("χ²", font="Arial", size_pt=10) > 0


def _docx_xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode()


def test_word_structure(tmp_path: Path) -> None:
    path = write_docx(
        [baseline_table(), wide_table(), model_table()], tmp_path / "t.docx", title="T"
    )
    body = _docx_xml(path, "word/document.xml")
    assert body.count("<w:sectPr") == 3  # one section per table
    assert body.count('w:orient="landscape"') == 1
    assert body.count('<w:pgSz w:w="11906" w:h="16838"') == 2  # A4 portrait (twips)
    assert body.count("<w:tblHeader/>") == 3  # the header row repeats on every page
    assert body.count('<w:tblLayout w:type="fixed"/>') == 3
    styles = _docx_xml(path, "word/styles.xml")
    for name in ("Document Title", "Table Title", "Table Note", "Table Text"):
        block = styles.split(f'<w:name w:val="{name}"/>')[1].split("</w:style>")[0]
        assert 'w:color w:val="000000"' in block and "themeColor" not in block, name
        assert 'w:ascii="Times New Roman"' in block and "asciiTheme" not in block, name
    assert "Heading1" not in body  # python-docx's blue heading style is not used


def test_every_page_is_numbered_and_a_tables_own_file_has_its_report_number(
    tmp_path: Path,
) -> None:
    """A journal's tables file is cited by page: it had no page number. A table's own Word
    file was "Table 1." whatever its number in the report (Table 4 there)."""
    path = write_docx([baseline_table(), wide_table()], tmp_path / "t.docx", title="T")
    footer = "".join(
        _docx_xml(path, name)
        for name in zipfile.ZipFile(path).namelist()
        if name.startswith("word/footer")
    )
    assert '<w:fldSimple w:instr=" PAGE ">' in footer
    assert '<w:fldSimple w:instr=" NUMPAGES ">' in footer
    assert "Page " in footer and " of " in footer
    body = _docx_xml(path, "word/document.xml")
    assert body.count("<w:footerReference") == 1  # set once; later sections repeat it
    names = zipfile.ZipFile(path).namelist()
    assert not [n for n in names if "thumbnail" in n]  # python-docx's picture of an empty page
    assert "<Application>retro</Application>" in _docx_xml(path, "docProps/app.xml")
    assert "python-docx" not in _docx_xml(path, "docProps/core.xml")
    own = write_docx([model_table()], tmp_path / "own.docx", first_number=4)
    assert "Table 4. " in _docx_xml(own, "word/document.xml")
    assert "Table 1. " not in _docx_xml(own, "word/document.xml")


def test_default_style_prints_what_was_always_printed() -> None:
    assert [fmt_p(p) for p in (0.0004, 0.0301, 0.106, 0.995)] == [
        "<0.001",
        "0.030",
        "0.106",
        "0.995",
    ]
    assert fmt_n_pct(34, 60.7) == "34 (60.7%)"
    assert fmt_ci(58.1, 66.3) == "58.1–66.3"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("jama", [".04", ".030", ".11", ">.99", "<.001"]),
        ("nejm", ["0.04", "0.030", "0.11", ">0.99", "<0.001"]),
        ("lancet", ["0.04", "0.030", "0.11", ">0.99", "0.0004"]),
    ],
)
def test_p_values_per_journal(name: str, expected: list[str]) -> None:
    """As gtsummary's theme_gtsummary_journal(): style_pvalue(digits = 2) for JAMA/NEJM (JAMA
    without the leading zero), the Lancet rule down to 0.0001 (its mid-point mark is applied
    with the table's decimals)."""
    style = journal_style(name)
    got = [format_p(p, style) for p in (0.04, 0.0301, 0.106, 0.995, 0.0004)]
    assert got[1:] == expected[1:]
    assert got[0] in (expected[0], expected[0] + "0")  # 0.04 prints as 0.040 (3 decimals)
    assert format_p(0.00001, journal_style("lancet")) == "<0.0001"


def test_journal_style_reaches_the_displayed_table_and_goes_away() -> None:
    table = model_table()
    default = table.display()
    with use_style("lancet"):
        lancet = table.display()
        assert fmt_n_pct(34, 60.7) == "34 (61%)" and fmt_n_pct(3, 3.14) == "3 (3.1%)"
    assert lancet.iloc[0, 1] == "1·64 (0·90 to 2·97)"
    assert lancet.iloc[0, 2] == "0·11"
    assert table.display().equals(default)  # the default comes back, cached apart
    assert default.iloc[0, 1] == "1.64 (0.90–2.97)"


def test_unknown_style_or_paper_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="journal_style"):
        AnalysisPlan.model_validate({"report": {"journal_style": "bmj"}})
    with pytest.raises(pydantic.ValidationError, match="page_size"):
        AnalysisPlan.model_validate({"report": {"page_size": "A5"}})
    with pytest.raises(ValueError, match="default, jama, nejm, lancet"):
        journal_style("bmj")
    plan = AnalysisPlan.model_validate({"report": {"page_size": "Letter"}})
    assert (plan.report.page_size, plan.report.journal_style) == ("Letter", "default")
