"""What a reader of either shipped study meets speaks words, not code names.

Both shipped studies are run once (``run_study`` into a temporary folder) and every output a
reader opens is read back (``reader_text.reader_texts``: report HTML without scripts and styles,
the PDF through ``pdftotext``, ``tables.docx`` and each table's DOCX, CSV, XLSX and HTML, every
figure's SVG text), with what the command prints (the clean summary and the claims check). None
may hold a snake_case identifier, a backtick, ``nan``, ``<NA>`` or ``None``; file names and
software versions are allowed by pattern only (``reader_text.ALLOWED``). A table cell that is a
declared level never shows the level's code when its label differs ("female" -> "Female"), nor
does a figure's text.
Executed notebooks are not read here (they take minutes; ``tests/notebooks`` runs them).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.golden.snapshot import shipped_studies
from tests.unit.report.reader_text import ALLOWED, FORBIDDEN, findings, reader_texts

STUDIES = shipped_studies()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str, object]]:
    """study name -> (its reports folder, what the command prints, its config): each shipped
    study run once."""
    from analysis.clean.outputs import validation_report
    from analysis.run import cli_summary
    from analysis.run.outputs import run_study
    from analysis.run.study import Study

    out = {}
    for path in STUDIES:
        folder = tmp_path_factory.mktemp(path.stem)
        study = Study.load(path, reports_dir=folder)
        with cli_summary.out.capture() as said, cli_summary.console.capture() as warned:
            cli_summary.print_clean_summary(
                study.clean, validation_report(study.clean), study.config
            )
            run_study(study, command=f"retro run {path.relative_to(path.parents[1])}")
            cli_summary.print_claims_summary(study)
        out[path.stem] = (folder, said.get() + warned.get(), study.config)
    return out


@pytest.mark.parametrize("study", [p.stem for p in STUDIES])
def test_every_reader_facing_text_speaks_words(shipped, study: str) -> None:
    folder, printed, _ = shipped[study]
    texts = [*reader_texts(folder), ("what retro run prints", printed)]
    assert {name for name, _ in texts} >= {"report.html", "report.pdf", "tables.docx"}
    assert any(name.startswith("figures/") for name, _ in texts)
    assert any(name.endswith(".xlsx") for name, _ in texts)
    found = [
        f"{name}: {kind} {match!r} in ...{context}..."
        for name, text in texts
        for kind, match, context in findings(text)
    ]
    assert not found, f"{len(found)} code name(s) a reader would see:\n" + "\n".join(found[:40])


@pytest.mark.parametrize("study", [p.stem for p in STUDIES])
def test_table_cells_show_level_labels_not_codes(shipped, study: str) -> None:
    """A cell that is a level code with a letter ("female") shows its label; a number never
    becomes a level's words: no cell right of the row labels is the label of a numeric level
    (a count of 1 once read "1 mg/day", an SMD of 0.21 "0.5 mg 3×/week")."""
    from analysis.studyfile.labels import level_words
    from analysis.tables.relabel import has_letter

    folder, _, config = shipped[study]
    relabelled = level_words(config)  # level code -> its different label ("female" -> "Female")
    lettered = {c for c in relabelled if has_letter(c)}
    numeric_words = {w for c, w in relabelled.items() if not has_letter(c)}
    codes, numbers = [], []
    for path in sorted((folder / "tables").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = [row for row in csv.reader(f) if row and not row[0].startswith("#")]
        cells = {cell.strip() for row in rows for cell in row}
        codes += [f"{path.name}: {c!r}" for c in sorted(cells & lettered)]
        body = {cell.strip() for row in rows[1:] for cell in row[1:]}
        numbers += [f"{path.name}: {c!r}" for c in sorted(body & numeric_words)]
    assert not codes, "levels shown by their code, not their label:\n" + "\n".join(codes)
    assert not numbers, "numbers shown as a level's words:\n" + "\n".join(numbers)


@pytest.mark.parametrize("study", [p.stem for p in STUDIES])
def test_every_p_value_column_has_one_form_of_head(shipped, study: str) -> None:
    """A p-value column reads "p-value", "<test> p-value" ("Log-rank p-value") or "p-value,
    <stratum> (<what is compared>)" in every table (the reviewer found "p, overall (Sex)", "p, overall", "p-value
    (all)", "p" and "p-value" in one report)."""
    import re

    folder = shipped[study][0]
    odd = []
    for path in sorted((folder / "tables").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            head = next(row for row in csv.reader(f) if row and not row[0].startswith("#"))
        for name in head:
            if re.match(r"(?i)p\b|p-value|.* p$|.* p-value", name) and not re.fullmatch(
                r"(?:[\w-]+(?: test)? )?p-value|p-value, [^,()]+(, [^,()]+)* \([^()]+\)", name
            ):
                odd.append(f"{path.name}: {name!r}")
    assert not odd, "p-value columns headed another way:\n" + "\n".join(odd)


@pytest.mark.parametrize("study", [p.stem for p in STUDIES])
def test_figures_show_level_labels_not_codes(shipped, study: str) -> None:
    """A figure's text that the tables' relabelling would change (a level shown by its code,
    "Sex: male vs female") is a finding; numbers are not levels here (axis ticks)."""
    import re
    from html import unescape

    from analysis.studyfile.labels import column_words, level_words
    from analysis.tables.relabel import relabel_text

    folder, _, config = shipped[study]
    levels, names = level_words(config), column_words(config)
    found = set()
    for path in sorted((folder / "figures").glob("*.svg")):
        svg = path.read_text(encoding="utf-8")
        for raw in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S):
            text = unescape(re.sub(r"<[^>]+>", "", raw)).strip()
            if re.fullmatch(r"[\d.,%−+-]*", text):
                continue
            if relabel_text(text, levels, names) != text:
                found.add((study, path.name, text))
    assert found == set(), "figure text with level codes, not labels"


def test_the_scan_catches_each_kind_and_allows_only_patterns() -> None:
    text = (
        "Events (`is_teae`): therapy_group nan <NA> None; data/raw/centre_a/x_y.xlsx, ard.csv "
        "and great_tables 1.1.0 are allowed."
    )
    kinds = sorted({kind for kind, _, _ in findings(text)})
    assert kinds == sorted(FORBIDDEN)
    assert [m for k, m, _ in findings(text) if k == "snake_case"] == ["is_teae", "therapy_group"]
    assert findings("Reads great_tables without a version.") != []
    assert findings("Outputs in /work/data/processed/x_y") == []
    assert set(ALLOWED) == {"file name or path", "software and version"}


@pytest.mark.parametrize("study", [p.stem for p in STUDIES])
def test_tables_docx_numbers_the_tables_as_the_report_does(shipped, study: str) -> None:
    """ "Table 3" in the Word file is the report's Table 3 (the minoxidil Word file once
    numbered its tables in plan order while the report numbered them by section)."""
    import html
    import re

    import docx

    folder = shipped[study][0]
    page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    in_report = list(dict.fromkeys(re.findall(r"Table (\d+)\. ([^<\n]+)", page)))
    words = [p.text for p in docx.Document(str(folder / "tables.docx")).paragraphs]
    in_docx = [m.groups() for p in words if (m := re.match(r"Table (\d+)\. (.+)", p))]
    assert in_docx[: len(in_report)] == [(n, t.strip()) for n, t in in_report]
    assert len(in_report) >= 5


@pytest.mark.parametrize("study", [p.stem for p in STUDIES])
def test_pdf_pages_keep_notes_lead_ins_and_units_whole(shipped, study: str) -> None:
    """A table's numbered notes stay whole, on the page of its last rows (the dutasteride
    report once opened page 8 with note 6 of Table 3), a paragraph leading into a list
    ("References (statistical methods):") is never the last line of a page, a wrapped
    table cell breaks between units, not inside one, and a note's first line holds more than
    its first word."""
    import re
    import subprocess

    folder = shipped[study][0]
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / "report.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    stranded, dangling = [], []
    # a wrapped table cell never breaks an interval after its dash ("[60.0–" / "87.6]"),
    # "p-value" at its hyphen (the dutasteride report once did both on pages 5 and 10), a
    # unit at its slash ("0.25 mg/" / "day" in the minoxidil dose table's header), nor an
    # equation ("n" / "= 918509" in the 1M twin's severity note)
    unit_broken = r"\d–(\s|$)|(^|\s)p-(\s|$)|\w/(\s|$)|^\s*(=|&lt;|<) "
    broken = [ln.strip() for ln in text.splitlines() if re.search(unit_broken, ln)]
    assert not broken, "table cells broken inside a unit:\n" + "\n".join(broken)
    # a note's first line is never its first word alone, the rest on the next line (WeasyPrint
    # laid out the print-only nowrap spans so: "1. Logistic" / "regression (statsmodels ...")
    lines = [line.strip() for line in text.splitlines()]
    alone = [
        f"{line!r} then {after!r}"
        for line, after in zip(lines, lines[1:], strict=False)
        if re.fullmatch(r"\d+\. \S+", line) and after and not re.match(r"\d+\. ", after)
    ]
    assert not alone, "notes whose first word stands alone on a line:\n" + "\n".join(alone)
    for number, page in enumerate(text.split("\f")[:-1], start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = lines[1:-1]  # without the running header and the page number
        if body and re.match(r"\d+\. ", body[0]):
            stranded.append(f"page {number}: {body[0]}")
        if body and body[-1].endswith(":"):
            dangling.append(f"page {number}: {body[-1]}")
    assert not stranded, "pages that open with a table's note:\n" + "\n".join(stranded)
    assert not dangling, "pages that end on a lead-in:\n" + "\n".join(dangling)
