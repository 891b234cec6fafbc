"""`retro clean --progress`: the clean stage's progress as lines on stderr without a terminal."""

from __future__ import annotations

from typer.testing import CliRunner

from analysis.run.cli import app


def test_clean_progress_prints_rows_and_rate_lines(mini_study):
    path = mini_study()
    result = CliRunner().invoke(app, ["clean", str(path), "--progress"])
    assert result.exit_code == 0, result.output
    assert "clean: read patients:" in result.output
    assert "rows/s); about" in result.output and "s left to read and validate" in result.output
    # the time left is estimated from the first table on, from the sizes of every source
    first = next(line for line in result.output.splitlines() if "read patients:" in line)
    assert "s left to read and validate" in first
    quiet = CliRunner().invoke(app, ["clean", str(path)])
    assert quiet.exit_code == 0 and "clean: read patients:" not in quiet.output
