"""The report: self-contained, escaped, free of patient identifiers, deterministic."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.ard import key_columns
from analysis.clean.read import sha256_file
from analysis.report.html import render_report_html, report_inputs
from analysis.report.pdf import html_to_pdf
from analysis.run.study import Study
from tests.conftest import REFERENCE_STUDY, REPO


@pytest.fixture(scope="module")
def study():
    return Study.load(REFERENCE_STUDY)


@pytest.fixture(scope="module")
def html(study):
    return render_report_html(
        report_inputs(study, figures={}, claims=None, provenance={"command": "retro run x"})
    )


def test_html_is_self_contained(html):
    # no external resource of any kind: every src/href is a data URI or an in-page anchor
    for attr in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html):
        assert attr.startswith(("data:", "#")), attr
    assert not re.search(r"https?://", html)
    assert "@import" not in html and "url(http" not in html


def test_every_section_is_present(html):
    for heading in (
        "Methods",
        "Patient flow",
        "Baseline characteristics",
        "Adverse events",
        "Response at 12 months",
        "Models",
        "Time to treatment discontinuation",
        "Provenance",
    ):
        assert f">{heading}</h2>" in html


def test_no_patient_identifier_anywhere_in_the_report(study, html):
    ids = set(study.clean.patients["patient_id"]) | set(
        study.clean.exclusions["patient_id"].dropna()
    )
    assert ids
    leaked = [i for i in ids if i.strip() and i.strip() in html]
    assert leaked == []
    for t in study.tables.values():
        text = t.display().to_csv() + t.frame.to_csv()
        assert not [i for i in ids if i.strip() and i.strip() in text]


def test_user_strings_are_escaped(study):
    cfg = study.config.model_copy(
        update={
            "study": study.config.study.model_copy(
                update={"title": "<script>alert(1)</script> & co", "description": '"quoted" <b>'}
            )
        }
    )
    inputs = report_inputs(study, figures={}, claims=None, provenance={})
    inputs = type(inputs)(
        **{**inputs.__dict__, "title": cfg.study.title, "description": cfg.study.description}
    )
    out = render_report_html(inputs)
    assert "<script>alert" not in out
    assert out.count("<script>") == 1  # the report's own script (report.js), nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in out
    assert "&quot;quoted&quot; &lt;b&gt;" in out


def test_pdf_is_byte_identical_across_runs_and_tagged(html, tmp_path):
    import subprocess

    a = html_to_pdf(html, tmp_path / "a.pdf")
    b = html_to_pdf(html, tmp_path / "b.pdf")
    assert a.read_bytes()[:5] == b"%PDF-"
    assert sha256_file(a) == sha256_file(b)
    # structure tags for screen readers (poppler's pdfinfo, which make test installs)
    info = subprocess.run(["pdfinfo", str(a)], check=True, capture_output=True, text=True).stdout
    assert "Tagged:          yes" in info


def test_tables_and_ard_are_identical_across_runs(study):
    again = Study.load(REFERENCE_STUDY)
    pd.testing.assert_frame_equal(study.ard, again.ard)
    for name, t in study.tables.items():
        assert t.to_html() == again.tables[name].to_html(), name


def test_ard_has_one_row_per_key(study):
    keys = key_columns(study.ard)
    assert "group1" in keys and "reference" in keys and "group" not in study.ard.columns
    assert not study.ard.duplicated(keys).any()
    assert study.ard["value"].dtype == "float64"


def test_short_tables_are_kept_whole_on_the_page(study, html):
    """Short tables (<= 25 rows) carry the class the print CSS keeps unbroken, also on
    landscape pages; long ones may break across pages."""
    assert '<div class="table short" id="tbl-ae_by_exposure">' in html
    assert '<div class="table" id="tbl-baseline_sex">' in html  # 40+ rows: may break
    assert len(study.tables["baseline_sex"].display()) > 25
    css = (REPO / "analysis" / "report" / "report.css").read_text()
    assert ".landscape div.table.short { break-inside: avoid; }" in css
