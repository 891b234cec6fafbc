"""The text a reader meets in a study's outputs, and the code names, backticks and missing-value
markers in it (used by ``test_reader_text.py``; ``python -m tests.unit.report.reader_text
reports/<study>`` prints the findings of a reports folder).

Read: ``report.html`` (without scripts and styles), ``report.pdf`` (``pdftotext``),
``tables.docx`` and each table's DOCX (paragraphs, headers and cells), each table's CSV, XLSX
and HTML, every figure's SVG text, and any extra text given (the command's summary).

Allowed, by pattern only (:data:`ALLOWED`): a file name with an extension or a path with a slash
(``ard.csv``, ``data/raw/x/centre_a/export.xlsx``, ``data/processed/x``: the provenance list,
the command line and the folders it names),
and a software name followed by its version (``great_tables 1.1.0``, the methods' software
sentence) -- nothing else, and no word by name.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path

#: What a reader must not meet: a snake_case code name, a backtick, a missing-value marker.
FORBIDDEN = {
    "snake_case": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "backtick": re.compile(r"`"),
    "nan": re.compile(r"\bnan\b", re.IGNORECASE),
    "<NA>": re.compile(r"<NA>"),
    "None": re.compile(r"\bNone\b"),
}

_EXTENSIONS = "csv|xlsx|xls|yaml|yml|html|pdf|docx|parquet|json|txt|png|svg|ipynb|py|md|sav|dta"
#: Patterns removed before the scan (each documented in the module docstring).
ALLOWED = {
    "file name or path": re.compile(rf"[\w./-]*\w\.(?:{_EXTENSIONS})\b|(?:[\w.-]*/)+[\w.-]*"),
    "software and version": re.compile(r"\b[a-z][\w-]* \d+(?:\.\d+)+\w*"),
}


def _html_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _docx_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def _xlsx_text(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    cells = [
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
    ]
    book.close()
    return "\n".join(c for c in cells if c != "None")  # an empty cell reads back as None


def _csv_text(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as f:
        return "\n".join(cell for row in csv.reader(f) for cell in row)


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _svg_text(path: Path) -> str:
    svg = path.read_text(encoding="utf-8")
    return "\n".join(unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S))


def reader_texts(folder: Path) -> Iterator[tuple[str, str]]:
    """``(file, text)`` for every reader-facing output of one study's reports folder."""
    readers = {
        "report.html": lambda p: _html_text(p.read_text(encoding="utf-8")),
        "report.pdf": _pdf_text,
        "tables.docx": _docx_text,
    }
    for name, read in readers.items():
        if (folder / name).exists():
            yield name, read(folder / name)
    by_suffix = {
        ".csv": _csv_text,
        ".xlsx": _xlsx_text,
        ".html": lambda p: _html_text(p.read_text(encoding="utf-8")),
        ".docx": _docx_text,
    }
    for path in sorted((folder / "tables").glob("*")):
        if path.suffix in by_suffix:
            yield f"tables/{path.name}", by_suffix[path.suffix](path)
    for path in sorted((folder / "figures").glob("*.svg")):
        yield f"figures/{path.name}", _svg_text(path)


def findings(text: str) -> list[tuple[str, str, str]]:
    """``(kind, match, context)`` of each forbidden string in ``text`` (allowed patterns
    removed first)."""
    for pattern in ALLOWED.values():
        text = pattern.sub(" ", text)
    flat = re.sub(r"\s+", " ", text)
    out = []
    for kind, pattern in FORBIDDEN.items():
        for m in pattern.finditer(flat):
            context = flat[max(0, m.start() - 60) : m.end() + 40]
            out.append((kind, m.group(0), context))
    return out


def main(folder: str) -> None:
    for name, text in reader_texts(Path(folder)):
        for kind, match, context in findings(text):
            print(f"{name}: {kind} {match!r}: ...{context}...")


if __name__ == "__main__":
    main(sys.argv[1])
