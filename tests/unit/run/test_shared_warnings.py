"""A warning a notebook prints names the file it was raised in: the kernel's temporary file of
the cell (``/tmp/ipykernel_<pid>/<hash>.py``), or a file of this machine. An executed copy of
``retro notebooks`` kept that path (a machine's path in a shareable file, and different on
every run); it now shows ``<cell>`` or the path relative to the project."""

from __future__ import annotations

from pathlib import Path

import nbformat

from analysis.run.notebooks import strip_machine_details


def _executed(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("study.write_report()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=text)]
    nb.cells = [cell]
    return nb


def test_a_warnings_file_is_shown_without_the_machines_path(tmp_path: Path):
    site = tmp_path / ".venv" / "lib" / "pandas" / "core.py"
    text = (
        "/tmp/ipykernel_25563/1223359802.py:2: UserWarning: removed the earlier run's files\n"
        "  study.write_report()\n"
        f"{site}:88: FutureWarning: a change\n"
        "/home/someone/elsewhere/lib.py:7: DeprecationWarning: old\n"
        "a line of its own at /tmp/x.py:3: that is no warning's place\n"
    )
    nb = _executed(text)
    strip_machine_details(nb, root=tmp_path)
    assert nb.cells[0].outputs[0]["text"] == (
        "<cell>:2: UserWarning: removed the earlier run's files\n"
        "  study.write_report()\n"
        ".venv/lib/pandas/core.py:88: FutureWarning: a change\n"
        "lib.py:7: DeprecationWarning: old\n"
        "a line of its own at /tmp/x.py:3: that is no warning's place\n"
    )
    again = _executed(text.replace("25563/1223359802", "31000/998877"))
    strip_machine_details(again, root=tmp_path)
    assert again.cells[0].outputs[0]["text"] == nb.cells[0].outputs[0]["text"]  # byte-identical
