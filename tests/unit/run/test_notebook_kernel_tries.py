"""``execute_notebook`` (``papermill_tries``) starts a notebook's kernel again when papermill failed before any cell
ran (a kernel that died at start, e.g. its port taken by another kernel started at the same
moment), at most ``KERNEL_TRIES`` times; a failure after a cell ran is reported at once."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from analysis.run.notebooks import execute_notebook
from analysis.run.papermill_tries import KERNEL_TRIES, ran_a_cell


def _notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("print(x)")]
    path = tmp_path / "01-demo.ipynb"
    nbformat.write(nb, path)
    return path


def _fake(outcomes: list[str], calls: list[int]):
    """papermill.execute_notebook whose n-th call writes the copy and then: ``"start"`` fails
    before any cell ran, ``"cell"`` fails after the first cell ran, ``"ok"`` runs every cell."""

    def execute(source: str, output: str, **_: object) -> None:
        outcome = outcomes[len(calls)]
        calls.append(1)
        nb = nbformat.read(source, as_version=4)
        ran = {"start": 0, "cell": 1, "ok": len(nb.cells)}[outcome]
        for i, cell in enumerate(nb.cells[:ran]):
            cell.execution_count = i + 1
        nbformat.write(nb, output)
        if outcome == "start":
            raise RuntimeError("Kernel died before replying to kernel_info")
        if outcome == "cell":
            raise RuntimeError("a cell raised")

    return execute


@pytest.mark.parametrize(
    ("outcomes", "tries", "returncode"),
    [
        (["start", "ok"], 2, 0),  # started again, then ran
        (["start"] * KERNEL_TRIES, KERNEL_TRIES, 1),  # never started: reported after the tries
        (["cell", "ok"], 1, 1),  # a cell ran: reported at once, never rerun
        (["ok"], 1, 0),
    ],
)
def test_a_kernel_that_ran_no_cell_is_started_again(
    tmp_path, monkeypatch, outcomes, tries, returncode
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(papermill, "execute_notebook", _fake(outcomes, calls))
    run = execute_notebook(_notebook(tmp_path), tmp_path / "out")
    assert len(calls) == tries
    assert run.returncode == returncode
    said = [f"try {i} of {KERNEL_TRIES}: no cell ran" for i in range(1, tries)]
    assert all(s in run.log for s in said)
    if returncode:
        assert "RuntimeError" in run.log


def test_no_copy_written_counts_as_no_cell_run(tmp_path) -> None:
    assert not ran_a_cell(tmp_path / "missing.ipynb")
