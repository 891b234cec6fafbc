"""A study on synthetic data says so in every output; a study on real data in none.

The same small study is run with ``retro run`` twice, ``study.synthetic`` true and false (and
a claims file), and each output is read back: every figure (its matplotlib texts, and the
SVG), the header of every section of ``tables.docx`` and of each table's DOCX, each table's
XLSX (A2 and the printed header, no formula anywhere), each table's CSV (first line) and HTML,
the report HTML (banner, claims note) and every page of the PDF (``pdftotext`` page by page),
the sidecar beside the ARD, and what the command printed. The ARD and the claims check are the
same files either way. The executed notebook's first cell and the figures of the shipped
(synthetic) reference study are checked apart.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis import synthetic as syn
from analysis.run.cli import app

runner = CliRunner()

CLAIMS = """\
study: mini
claims:
  - id: patients
    text: "3 patients were included"
    source_ref: "a test"
    source: {table: baseline, variable: N, stat: N}
    expected: 3
"""


def _flag(synthetic: bool):  # noqa: ANN202
    def edit(yaml: str) -> str:
        return yaml.replace("  seed: 7\n", f"  seed: 7\n  synthetic: {str(synthetic).lower()}\n")

    return edit


@pytest.fixture(params=[True, False], ids=["synthetic", "real"])
def run(request, mini_study) -> tuple[bool, Path, str]:  # noqa: ANN001
    """``(synthetic, reports folder, printed output)`` of ``retro run`` on the mini study."""
    path = mini_study(yaml_edit=_flag(request.param))
    path.with_name("mini.claims.yaml").write_text(CLAIMS, encoding="utf-8")
    res = runner.invoke(app, ["run", str(path), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    return request.param, path.parent.parent / "reports", res.output


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_output_is_marked_only_when_synthetic(run):
    import docx
    import openpyxl

    synthetic, out, printed = run
    # the command: the notice before the flow, the claims note after the claims check
    # the mini study's files are not a twin `retro synth` wrote: no word of a calibration
    notice = syn.NOTICE_UNCALIBRATED
    assert (notice in _flat(printed)) is synthetic
    assert "calibrated" not in printed
    assert (syn.CLAIMS_NOTE in _flat(printed)) is synthetic
    assert "claims check: 1/1 reproduced" in printed
    # report.html: the banner of page 1, the note of the claims check, the running header rule
    html = unescape((out / "report.html").read_text(encoding="utf-8"))
    assert (notice in html) is synthetic and "calibrated" not in html
    assert (syn.CLAIMS_NOTE in html) is synthetic
    assert (syn.page_rule() in html) is synthetic
    # report.pdf: every page carries the mark (the running header), and only then
    pages = _pdf_pages(out / "report.pdf")
    assert len(pages) >= 2
    assert [syn.MARK in page for page in pages] == [synthetic] * len(pages)
    # figures: the SVG files the report shows
    svgs = sorted((out / "figures").glob("*.svg"))
    assert svgs
    assert [syn.MARK in p.read_text(encoding="utf-8") for p in svgs] == [synthetic] * len(svgs)
    # tables.docx and each table's DOCX: every section's page header
    docs = [out / "tables.docx", *sorted((out / "tables").glob("*.docx"))]
    for path in docs:
        headers = [s.header for s in docx.Document(str(path)).sections]
        texts = ["".join(p.text for p in h.paragraphs) for h in headers]
        assert texts == [syn.MARK if synthetic else ""] * len(texts), path.name
    # tables.docx: the sentence under its title (the header alone said "Synthetic data" and
    # nothing of what they are)
    body = [p.text for p in docx.Document(str(out / "tables.docx")).paragraphs[:3]]
    assert (notice in body) is synthetic
    # each table's XLSX: A2 and the printed header; the table still starts in row 3; no formula
    for path in sorted((out / "tables").glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        for ws in book:
            assert ws.cell(row=2, column=1).value == (syn.MARK if synthetic else None)
            assert (ws.oddHeader.right.text == syn.MARK) is synthetic
            assert ws.cell(row=3, column=1).value  # the table's header row, as before
            assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # each table's CSV: a first comment line; the table reads with skiprows=1
    for path in sorted((out / "tables").glob("*.csv")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert (first == syn.csv_line(notice).rstrip("\n")) is synthetic
        table = pd.read_csv(path, skiprows=1 if synthetic else 0)
        assert len(table.columns) > 1
    for path in sorted((out / "tables").glob("*.html")):
        page = path.read_text(encoding="utf-8")
        assert (syn.MARK in page) is synthetic
        assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
        if synthetic:  # the mark is in the page's body, above the table
            assert page.index("<body>") < page.index(syn.MARK) < page.index('<div id="tbl-')
    # the files tools parse keep their plain form; the sidecar beside them says it
    assert (out / "ard.csv").read_text(encoding="utf-8").startswith("table,")
    assert (out / "claims_check.csv").read_text(encoding="utf-8").startswith("id,")
    assert (out / syn.SIDECAR).is_file() is synthetic
    if synthetic:
        assert (out / syn.SIDECAR).read_text(encoding="utf-8").startswith(notice)


def test_the_marks_change_no_number(mini_study, tmp_path):
    """The ARD and the claims check are the same bytes with the flag on or off."""
    outputs = []
    for synthetic in (True, False):
        path = mini_study(yaml_edit=_flag(synthetic))
        path.with_name("mini.claims.yaml").write_text(CLAIMS, encoding="utf-8")
        res = runner.invoke(app, ["tables", str(path)])
        assert res.exit_code == 0, res.output
        ard = path.parent.parent / "reports" / "ard.csv"
        outputs.append(ard.read_bytes())
    assert outputs[0] == outputs[1]


def _pdf_pages(path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_figures_of_the_reference_study_are_marked(reference_clean):
    """The shipped study is synthetic: each of its figures has the mark among its texts, drawn
    in the top-right corner above every axes."""
    from analysis.figures.study_figures import draw_figures
    from analysis.run.study import Study
    from tests.conftest import REFERENCE_STUDY

    study = Study.load(REFERENCE_STUDY)
    study.__dict__["clean"] = (
        reference_clean  # the session's cleaned twin, as Study.clean caches it
    )
    assert syn.is_synthetic(study.config)
    figures = draw_figures(study)
    assert figures
    for stem, fig in figures.items():
        marks = [t for t in fig.texts if t.get_text() == syn.MARK]
        assert len(marks) == 1, stem
        x, y = marks[0].get_position()
        assert (x, y) == (0.995, 0.995) and marks[0].get_ha() == "right", stem


def test_figures_of_a_real_study_are_not_marked(mini_study):
    from analysis.figures.study_figures import draw_figures
    from analysis.run.study import Study

    study = Study.load(mini_study(yaml_edit=_flag(False)))
    for stem, fig in draw_figures(study).items():
        texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        assert syn.MARK not in texts, stem


@pytest.mark.parametrize("synthetic", [True, False])
def test_executed_notebook_starts_with_the_mark(tmp_path, synthetic):
    from analysis.run.notebooks import execute_notebook, kernel_for_this_python

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('hello')")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    source = tmp_path / "01-x.ipynb"
    nbformat.write(nb, source)
    run = execute_notebook(
        source,
        tmp_path / "out",
        kernel=kernel_for_this_python(),
        first_cell=syn.notebook_cell() if synthetic else None,
    )
    assert run.ok, run.log
    cells = nbformat.read(run.output, as_version=4).cells
    first = cells[0]
    if synthetic:
        assert first.cell_type == "markdown" and first.source.startswith(f"**{syn.MARK}.**")
        assert [o.get("text") for o in cells[1].outputs] == ["hello\n"]
    else:
        assert first.cell_type == "code"
        assert not any(syn.MARK in c.source for c in cells)


def test_only_a_twin_written_by_retro_synth_is_said_to_be_calibrated(mini_study):
    """Every synthetic study was said to be "a synthetic twin of the study calibrated to its
    published aggregates", a study of invented records without a publication too."""
    from analysis.studyfile.config import StudyConfig
    from tests.golden.snapshot import shipped_studies

    for path in shipped_studies():  # the twins: their raw folders hold the synth manifest
        assert syn.notice(StudyConfig.load(path)) == syn.NOTICE
    mini = StudyConfig.load(mini_study(yaml_edit=_flag(True)))
    assert syn.notice(mini) == syn.NOTICE_UNCALIBRATED
    (mini.raw_dir / syn.TWIN_MANIFEST).write_text("{}", encoding="utf-8")
    assert syn.notice(mini) == syn.NOTICE
