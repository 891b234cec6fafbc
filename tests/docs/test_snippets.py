"""Every Python code block of the README and the docs runs as written (issue 14: the first hour).

The blocks of one page run in order in one namespace, from the repository root, as a newcomer
pasting them into a notebook would; a block that fails names its page and first line.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """``(first line number, code)`` of each fenced Python block of ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 2, m.group(1)) for m in BLOCK.finditer(text)]


PAGES_WITH_CODE = [p for p in PAGES if python_blocks(p)]


def test_the_readme_has_runnable_examples() -> None:
    assert len(python_blocks(ROOT / "README.md")) >= 2


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=lambda p: p.name)
def test_every_python_block_runs_as_written(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__snippet__"}
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        for line, code in python_blocks(page):
            shown = io.StringIO()
            try:
                with contextlib.redirect_stdout(shown):
                    exec(compile(code, f"{page.name}:{line}", "exec"), namespace)  # noqa: S102
            except Exception as exc:  # pragma: no cover - the failure message
                pytest.fail(f"{page.name}, the block at line {line} fails: {exc!r}")
    finally:
        os.chdir(here)


def test_a_printed_table_is_aligned_text() -> None:
    """``print(table)`` shows the table (title, header, rows, footnotes), not an object."""
    namespace: dict[str, object] = {}
    blocks = python_blocks(ROOT / "README.md")
    adam = next(code for _, code in blocks if "adsl" in code)
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        exec(compile(adam, "README.md", "exec"), namespace)  # noqa: S102
    text = shown.getvalue().splitlines()
    assert text[0] == "Adverse events: subjects with at least one event"
    header = next(ln for ln in text if ln.startswith("Adverse event "))
    headache = next(ln for ln in text if ln.strip().startswith("Headache"))
    # every column but the first right-aligned: each cell ends where its header ends
    ends = [m.end() for m in re.finditer(r"\S+(?: \S+)*", header)][1:]
    assert [m.end() for m in re.finditer(r"\S+(?: \S+)*", headache)][1:] == ends
    assert "TableResult(" not in shown.getvalue()
