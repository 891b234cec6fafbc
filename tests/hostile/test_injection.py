"""No live formula: labels from raw exports are written as text in CSV / XLSX, and shown
literally in Word tables and figures (analysis.write.safe_cells and every writer that uses it)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.text as mtext
import pandas as pd
import pytest

from analysis.write.safe_cells import (
    map_text_cells,
    neutralise_cell,
    neutralise_frame,
    printable_text,
)

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
MATH = "$\\notacommand$ x_1"  # invalid mathtext: drawing it as math raises


@pytest.mark.parametrize(
    "text",
    [
        DDE,
        HYPERLINK,
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tlabel",
        "\rlabel",
        "-A1",
        "-1 (2)",
        "=1",
        "    =1",
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "pain",
        "a=b",
        "x-1",
        "",
        "'=already escaped",
        "-2.5",
        "+3",
        "-1e-3",
        "-4.2%",
        "-5.0–3.2",
        "-5 to 3",
        "-16.6 (-24.3 to -8.3)",
        "    -2.5",
        "    pain",
        -2.5,
        -3,
        None,
    ],
)
def test_safe_text_and_numbers_are_unchanged(value: object) -> None:
    assert neutralise_cell(value) == value
    assert type(neutralise_cell(value)) is type(value)


def test_a_frame_is_escaped_in_text_columns_and_headers_only() -> None:
    data = pd.DataFrame(
        {
            "term": [HYPERLINK, "pain", None],
            "@head": ["x", "y", "z"],
            "diff": [-2.5, 1.0, float("nan")],
            "cat": pd.Categorical(["-2+3", "ok", "ok"]),
        }
    )
    before = data.copy()
    out = neutralise_frame(data)
    pd.testing.assert_frame_equal(data, before)  # the input is not changed
    assert list(out.columns) == ["term", "'@head", "diff", "cat"]
    assert out["term"].tolist()[:2] == ["'" + HYPERLINK, "pain"]
    assert out["term"].isna().tolist() == [False, False, True]
    assert out["diff"].tolist()[:2] == [-2.5, 1.0]
    assert out["cat"].astype(str).tolist() == ["'-2+3", "ok", "ok"]


def test_a_safe_frame_is_returned_as_it_is() -> None:
    data = pd.DataFrame({"term": ["pain", "-1.5 (-2.0 to 0.1)"], "n": [1, 2]})
    assert neutralise_frame(data) is data
    assert map_text_cells(data, str.upper) is not data


def test_control_characters_become_a_visible_placeholder() -> None:
    assert (
        printable_text("bell\x07 esc\x1b tab\tline\nend") == "bell\ufffd esc\ufffd tab\tline\nend"
    )
    assert printable_text(3) == "3"


# ---------------------------------------------------------------- a study end to end


def _planted(yaml: str) -> str:
    """The mini study with formula-like levels (an AE term, the centre) and a mathtext-like
    therapy group, all reached through the study file's synonyms."""
    yaml = yaml.replace(
        "levels: [pain, edema]\n    synonyms: {pain: [dolor], edema: [edema frontal]}",
        f"levels: ['{HYPERLINK}', '-2+3']\n"
        f"    synonyms: {{'{HYPERLINK}': [dolor, pain], '-2+3': [edema]}}",
    )
    assert HYPERLINK in yaml
    yaml = yaml.replace('"Centre A"', '"@SUM(A1)"')
    return yaml.replace("[monotherapy, combined]", f"[monotherapy, '{MATH}']").replace(
        "if_any: combined", f"if_any: '{MATH}'"
    )


def _dangerous(text: str) -> bool:
    """Would a spreadsheet run ``text``? Written apart from the module under test: ``=``,
    ``+``, ``@``, tab, CR first, or ``-`` first followed by anything but digits, dots, spaces,
    ``%``, parentheses, en dashes and the word ``to`` (leading spaces skipped)."""
    text = text.lstrip(" ")
    if text[:1] in ("=", "+", "@", "\t", "\r"):
        return True
    return text[:1] == "-" and not re.fullmatch(r"[-0-9. %()–]*", text.replace(" to ", " "))


@pytest.fixture
def planted_study(mini_study, tmp_path: Path):  # noqa: ANN001, ANN201
    from analysis.run.study import Study

    study = Study.load(mini_study(yaml_edit=_planted))
    written = study.write_clean() + study.write_tables()
    return study, written


def test_every_csv_of_the_study_has_its_formula_labels_escaped(planted_study) -> None:  # noqa: ANN001
    _, written = planted_study
    csvs = [p for p in written if p.suffix == ".csv"]
    names = {p.name for p in csvs}
    assert {"ard.csv", "ae_incidence.csv", "flow.csv", "data_dictionary.csv"} <= names
    assert {"validation_report.csv", "accounting.csv"} <= names
    cells: dict[str, list[str]] = {}
    for path in csvs:
        with path.open(newline="", encoding="utf-8") as fh:
            cells[path.name] = [c for row in csv.reader(fh) for c in row]
        bad = [c for c in cells[path.name] if _dangerous(c)]
        assert bad == [], path.name
    # the planted labels are there, escaped (so the scan above did see them)
    assert "'" + HYPERLINK in cells["ard.csv"]
    assert "'-2+3" in cells["ard.csv"]
    assert "'    " + HYPERLINK in cells["ae_incidence.csv"]  # an indented row label
    assert "'@SUM(A1)" in cells["ard.csv"] + cells["data_dictionary.csv"]


def test_no_xlsx_table_of_the_study_holds_a_formula(planted_study) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    _, written = planted_study
    xlsxs = [p for p in written if p.suffix == ".xlsx"]
    assert xlsxs
    values = []
    for path in xlsxs:
        book = load_workbook(path, data_only=False)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        # text as written, marked "quote prefix" (Excel's own mark of text
                        # typed after an apostrophe): never run, even once edited
                        assert cell.data_type == "s", (path.name, cell.coordinate)
                        if _dangerous(cell.value):
                            assert cell.quotePrefix, (path.name, cell.coordinate, cell.value)
                        values.append(cell.value)
    assert "    " + HYPERLINK in values
    assert not any(v.startswith("'") for v in values)  # no apostrophe shown in a label


def test_xlsx_and_docx_show_control_characters_as_a_placeholder(tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    from analysis.tables.office import write_docx, write_xlsx
    from analysis.tables.render import TableResult

    table = TableResult(
        name="t",
        title="Bell\x07 and escape\x1b",
        frame=pd.DataFrame({"label": ["a\x07b", MATH, HYPERLINK], "n": [1, 2, 3]}),
        layout=lambda f: f,
        footnotes=("note\x1b",),
    )
    doc = docx.Document(str(write_docx([table], tmp_path / "t.docx", title="T\x07")))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "T\ufffd" in paragraphs
    assert "Table 1. Bell\ufffd and escape\ufffd" in paragraphs
    assert "1. note\ufffd" in paragraphs  # footnotes numbered as in the report
    body = [c.text for c in doc.tables[0].column_cells(0)]
    assert body == ["label", "a\ufffdb", MATH, HYPERLINK]  # Word runs no formula: as typed

    ws = load_workbook(write_xlsx([table], tmp_path / "t.xlsx")).active
    assert ws is not None
    assert ws["A1"].value == "Bell\ufffd and escape\ufffd"
    assert [ws.cell(row=r, column=1).value for r in range(3, 7)] == [
        "label",
        "a\ufffdb",
        MATH,
        HYPERLINK,
    ]
    assert ws.cell(row=6, column=1).data_type == "s" and ws.cell(row=6, column=1).quotePrefix
    assert ws.cell(row=7, column=1).value == "note\ufffd"


def test_figure_labels_are_drawn_as_typed_not_as_mathtext(planted_study, tmp_path) -> None:  # noqa: ANN001
    from analysis.figures.study_figures import draw_figures

    study, _ = planted_study
    figures = draw_figures(study)
    shown = []
    for fig in figures.values():
        fig.canvas.draw()  # mathtext would raise on "\notacommand"
        shown += [t.get_text() for t in fig.findobj(mtext.Text)]
        plt.close(fig)
    assert MATH in shown
    assert any(t.startswith(MATH + "\n") for t in shown)  # the flow diagram's box


def test_the_figure_theme_turns_mathtext_off(tmp_path: Path) -> None:
    from analysis.figures.theme import figure_theme

    with figure_theme():
        fig, ax = plt.subplots()
        title = ax.set_title("$x^2$ \\alpha _ " + MATH)
        fig.savefig(tmp_path / "f.svg")  # mathtext would raise on \notacommand
    plt.close(fig)
    assert title.get_text() == "$x^2$ \\alpha _ " + MATH
    assert title.get_parse_math() is False
    assert "$x^2$ \\alpha _ " + MATH in (tmp_path / "f.svg").read_text(encoding="utf-8")
