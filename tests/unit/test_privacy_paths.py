"""Paths as shareable outputs show them: relative to the project folder, never absolute."""

from __future__ import annotations

from pathlib import Path

from analysis.privacy import shareable_path


def test_a_path_in_the_project_is_shown_relative_to_it(tmp_path: Path):
    assert shareable_path(tmp_path / "reports" / "s", tmp_path) == "reports/s"
    assert shareable_path(tmp_path / "studies" / ".." / "studies" / "s.yaml", tmp_path) == (
        "studies/s.yaml"
    )


def test_a_path_outside_the_project_is_shown_by_its_name_alone(tmp_path: Path):
    # ``../`` would name the folders above the project (``/home/<user>``, ``pytest-of-<user>``)
    assert shareable_path(tmp_path / "elsewhere" / "report", tmp_path / "project") == "report"
