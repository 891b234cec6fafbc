"""Two commands writing one study's outputs at once each moved their files in at their end, and
the folder held a mix of both runs with nothing said. A command now holds a lock on each output
folder while it runs; a second one stops at once, naming the folder and what to do."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig
from analysis.write.folder_lock import LOCK_NAME, FolderLock


def test_a_second_command_on_a_locked_folder_stops_and_changes_nothing(mini_study):
    path = mini_study()
    runner = CliRunner()
    assert runner.invoke(app, ["clean", str(path)]).exit_code == 0
    processed = StudyConfig.load(path).processed_dir
    before = {p.name: p.read_bytes() for p in processed.iterdir() if p.is_file()}
    lock = FolderLock(processed, "paths.processed")
    lock.acquire()  # a command still running
    try:
        res = runner.invoke(app, ["clean", str(path)])
        said = " ".join(res.output.split())
        assert res.exit_code != 0
        assert "Traceback" not in res.output
        assert (
            f"is writing the outputs in {processed} (`paths.processed` of the study file)" in said
        )
        assert "Wait for it to end, then run this command again." in said
        after = {p.name: p.read_bytes() for p in processed.iterdir() if p.is_file()}
        assert {n: b for n, b in after.items() if n != LOCK_NAME} == before
    finally:
        lock.release()
    assert not (processed / LOCK_NAME).exists()
    assert runner.invoke(app, ["clean", str(path)]).exit_code == 0  # free again
    assert not (processed / LOCK_NAME).exists()  # no lock file left behind


def test_the_lock_of_a_killed_command_is_taken_over(tmp_path):
    """The kernel lets the lock of a dead process go; the file it leaves does not block."""
    code = (
        "import os, sys; from analysis.write.folder_lock import FolderLock; "
        "FolderLock(sys.argv[1], 'paths.reports').acquire(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    assert (tmp_path / LOCK_NAME).exists()  # left by the process that died holding it
    lock = FolderLock(tmp_path, "paths.reports")
    lock.acquire()
    lock.release()
    assert not (tmp_path / LOCK_NAME).exists()
