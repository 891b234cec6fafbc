"""Ctrl-C (issue 12, class 9): a real ``retro`` process (with the kernels of ``retro notebooks``)
gets SIGINT on its whole process group as a terminal sends it, at a chosen moment (a hook in
``_interrupt_hooks``) or after a delay.

Each time: exit status 130; one line on stderr saying where it stopped and what became of the
outputs; no traceback from any process; every child gone; no staging folder, temporary file or
temporary file in TMPDIR left; and the output folders either byte for byte as the previous run left them, or
complete and equal to their new manifest.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.run.cli import app
from tests.hostile._runs import child_env, consistent, copy_study, leftovers, tree, write_mini

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
HOOKED = "from tests.hostile._interrupt_hooks import main; main()"


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> Path:
    """A mini study after a complete ``retro run`` (its root folder)."""
    root = tmp_path_factory.mktemp("done")
    res = runner.invoke(app, ["run", str(write_mini(root))])
    assert res.exit_code == 0, res.output
    return root


@pytest.fixture
def study(done, tmp_path) -> Path:
    return copy_study(done, tmp_path / "study")


def _retro(hook: str, *args: str, spool: Path, when: str | None = None):  # noqa: ANN202
    """Run ``retro *args`` with ``hook`` in a session of its own; with ``when`` (a glob
    under the study's folder), send SIGINT to the group as soon as a file matches it. Returns
    the finished process."""
    spool.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOOKED, hook, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a hang is shown where it hangs: SIGABRT makes faulthandler print every thread's stack
        env=child_env({"TMPDIR": str(spool), "PYTHONFAULTHANDLER": "1"}),
        start_new_session=True,
    )
    if when is not None:
        root = Path(args[1]).parent.parent
        deadline = time.monotonic() + 240
        while not any(root.glob(when)) and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGABRT)
        out, err = proc.communicate(timeout=60)
        pytest.fail(
            f"retro {' '.join(args)} still ran 300 s after Ctrl-C; its stacks:\n{err[-8000:]}"
        )
    _all_gone(proc.pid)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _all_gone(group: int) -> None:
    for _ in range(100):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("a process of the command still runs")


def _one_line(res) -> str:  # noqa: ANN001
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def _unchanged(command: str, stage: str, *folders: Path) -> str:
    names = " and ".join(str(f) for f in folders)
    return (
        f"retro {command}: interrupted (Ctrl-C) during stage '{stage}'; nothing was written: "
        f"the previous files in {names} are unchanged."
    )


def _complete(command: str, *folders: Path) -> str:
    names = " and ".join(str(f) for f in folders)
    return f"retro {command}: interrupted (Ctrl-C) after its new outputs were written: {names} complete."


def _state(root: Path) -> dict[str, dict[str, str]]:
    return {"processed": tree(root / "processed"), "reports": tree(root / "reports")}


@pytest.mark.parametrize(
    ("hook", "stage"),
    [
        ("cleaning", "clean"),  # while this process cleans the data
        ("tables", "tables"),  # while this process builds the tables
        ("pdf", "report"),  # report.pdf half-written
        ("docx", "tables"),  # a table's .docx half-written
        ("alone", "tables"),  # SIGINT to this process alone (kill -INT), not its group
        ("figure", "figures"),  # a figure PNG half-written
        ("manifest", "manifest"),  # the new manifest written, nothing moved yet
        ("twice", "clean"),  # a second Ctrl-C during the clean-up
    ],
)
def test_run_interrupted_leaves_the_previous_outputs(study, tmp_path, hook, stage):
    root = study.parent.parent
    before = _state(root)
    res = _retro(hook, "run", str(study), spool=tmp_path / "spool")
    assert res.returncode == 130, res.stderr
    assert _one_line(res) == _unchanged("run", stage, root / "processed", root / "reports")
    assert _state(root) == before
    assert leftovers(root) == []
    assert list((tmp_path / "spool").iterdir()) == []


@pytest.mark.parametrize("hook", ["moving", "after"])
def test_run_interrupted_once_its_outputs_move_ends_complete(study, tmp_path, hook):
    # Ctrl-C while the files move into place waits for the last one (a fraction of a second)
    root = study.parent.parent
    before = _state(root)
    (root / "reports" / "report.html").write_text("an older report", encoding="utf-8")
    res = _retro(hook, "run", str(study), spool=tmp_path / "spool")
    assert res.returncode == 130, res.stderr
    assert _one_line(res) == _complete("run", root / "processed", root / "reports")
    assert consistent(root / "reports") == []
    after = _state(root)  # every file rewritten (the command in the manifest and report differs)
    assert {k: sorted(v) for k, v in after.items()} == {k: sorted(v) for k, v in before.items()}
    older = hashlib.sha256(b"an older report").hexdigest()
    assert after["reports"]["report.html"] != older
    assert leftovers(root) == []
    assert list((tmp_path / "spool").iterdir()) == []


def test_a_first_run_interrupted_writes_nothing(tmp_path):
    path = write_mini(tmp_path / "study")
    root = path.parent.parent
    res = _retro("cleaning", "run", str(path), spool=tmp_path / "spool")
    assert res.returncode == 130
    assert _one_line(res) == _unchanged("run", "clean", root / "processed", root / "reports")
    assert _state(root) == {"processed": {}, "reports": {}}
    assert leftovers(root) == []


@pytest.mark.parametrize(
    ("hook", "command", "stage", "folder"),
    [
        ("parquet", "clean", "writing the clean outputs", "processed"),  # half a Parquet file
        ("xlsx", "tables", "tables", "reports"),  # half a table's workbook
    ],
)
def test_other_commands_interrupted(study, tmp_path, hook, command, stage, folder):
    root = study.parent.parent
    before = _state(root)
    res = _retro(hook, command, str(study), spool=tmp_path / "spool")
    assert res.returncode == 130, res.stderr
    assert _one_line(res) == _unchanged(command, stage, root / folder)
    assert _state(root) == before
    assert leftovers(root) == []


def test_synth_interrupted_leaves_the_raw_folder(tmp_path):
    (tmp_path / "studies").mkdir()
    shutil.copy(REPO / "studies" / "low_dose_oral_minoxidil.yaml", tmp_path / "studies")
    shipped = REPO / "data" / "raw" / "low_dose_oral_minoxidil"
    raw = tmp_path / "data" / "raw" / "low_dose_oral_minoxidil"
    shutil.copytree(shipped, raw)
    before = tree(raw)
    path = tmp_path / "studies" / "low_dose_oral_minoxidil.yaml"
    res = _retro("synth", "synth", str(path), spool=tmp_path / "spool")
    assert res.returncode == 130, res.stderr
    assert _one_line(res) == (
        f"retro synth: interrupted (Ctrl-C) during stage 'writing the synthetic twin'; nothing "
        f"was written: the previous files in {raw} are unchanged."
    )
    assert tree(raw) == before
    assert leftovers(tmp_path / "data") == []


STAGED = "*/.retro-staging-*"


@pytest.mark.parametrize(
    "when",
    [
        STAGED,  # the staging folders are just made
        f"{STAGED}/figures/*.svg",  # the first figure is written
        f"{STAGED}/figures/*.png",  # its PNG
        f"{STAGED}/tables/*.html",  # the first table file
        f"{STAGED}/ard.csv",  # the last table files, before the figures
    ],
)
def test_ctrl_c_at_any_moment(study, tmp_path, when):
    # a real SIGINT from outside, sent to the whole group as soon as the run reaches a point
    # (it may have gone on a little, even to its end)
    root = study.parent.parent
    before = _state(root)
    res = _retro("none", "run", str(study), spool=tmp_path / "spool", when=when)
    assert res.returncode in (0, 130), res.stderr
    assert leftovers(root) == []
    assert list((tmp_path / "spool").iterdir()) == []
    assert consistent(root / "reports") == []
    if res.returncode == 130:
        line = _one_line(res)
        if line != _complete("run", root / "processed", root / "reports"):
            expected = _unchanged("run", "STAGE", root / "processed", root / "reports")
            assert re.fullmatch(re.escape(expected).replace("STAGE", "[a-z, ]+"), line), line
            assert _state(root) == before


def test_notebooks_interrupted_stop_their_kernels(tmp_path):
    # two notebooks running side by side, each in a worker with its own kernel
    import nbformat

    path = write_mini(tmp_path / "study")
    folder = tmp_path / "nbs"
    folder.mkdir()
    for name in ("01-a", "02-b"):
        nb = nbformat.v4.new_notebook()
        marker = tmp_path / f"{name}.running"
        nb.cells = [
            nbformat.v4.new_code_cell(
                f"import time\nopen({str(marker)!r}, 'w').close()\ntime.sleep(120)"
            )
        ]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    spool = tmp_path / "spool"
    spool.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", HOOKED, "none", "notebooks", str(path), "--folder", str(folder)]
        + ["--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env({"TMPDIR": str(spool)}),
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while len(list(tmp_path.glob("*.running"))) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    _all_gone(proc.pid)  # the kernels too
    res = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert res.returncode == 130, res.stderr
    line = _one_line(res)
    reports = path.parent.parent / "reports" / "notebooks"
    # the stage is 'clean' while this process still computes the numbers to compare with
    # the executed copies are staged: none of the last run's is replaced
    expected = (
        f"retro notebooks: interrupted (Ctrl-C) during stage 'STAGE'; nothing was written: the "
        f"previous files in {reports} are unchanged."
    )
    assert not reports.exists() or not list(reports.iterdir())
    assert re.fullmatch(re.escape(expected).replace("STAGE", "(clean|notebooks)"), line), line


def test_a_killed_run_keeps_the_previous_outputs_and_the_next_run_tidies_up(study, tmp_path):
    # SIGKILL (or a power cut) gives no chance to clean up: the staging folders stay, hidden,
    # beside the untouched previous outputs, and the next command removes them
    root = study.parent.parent
    before = _state(root)
    spool = tmp_path / "spool"
    spool.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", HOOKED, "none", "run", str(study)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env({"TMPDIR": str(spool)}),
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while not any(root.glob(f"{STAGED}/tables/*.html")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    _all_gone(proc.pid)
    left = leftovers(root)
    assert {p.split("/")[0] for p in left} >= {"reports"}
    assert {
        k: {n: h for n, h in v.items() if ".retro-staging-" not in n}
        for k, v in _state(root).items()
    } == before
    # a staging folder of a command still running is left alone
    alive = root / "reports" / f".retro-staging-{os.getpid()}-0000"
    alive.mkdir()
    res = runner.invoke(app, ["run", str(study)])
    assert res.exit_code == 0, res.output
    assert leftovers(root) == [f"reports/{alive.name}"]
    assert consistent(root / "reports") == []
