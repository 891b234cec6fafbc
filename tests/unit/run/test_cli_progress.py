"""`retro clean --progress`: the clean stage's progress as lines on stderr without a terminal."""

from __future__ import annotations

from typer.testing import CliRunner

from analysis.run.cli import app


def test_clean_progress_prints_rows_and_rate_lines(mini_study):
    path = mini_study()
    result = CliRunner().invoke(app, ["clean", str(path), "--progress"])
    assert result.exit_code == 0, result.output
    assert "clean: read patients:" in result.output
    assert "rows/s, about" in result.output and "s left to validate" in result.output
    quiet = CliRunner().invoke(app, ["clean", str(path)])
    assert quiet.exit_code == 0 and "clean: read patients:" not in quiet.output
