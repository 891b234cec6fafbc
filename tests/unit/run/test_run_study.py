"""``run_study``: the stages run in order, each announced by name; ``retro run`` writes the
same bytes with ``--jobs 1`` as by default (the option is accepted and changes nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.run.cli import app
from analysis.run.outputs import run_study
from analysis.run.study import Study

STAGES = [
    "clean",
    "tables",
    "figures",
    "report",
    "manifest",
    "moving the outputs into place",
    "written",
]


def _files(root: Path) -> dict[str, bytes]:
    """Every file the run wrote (reports and processed data), by path under ``root``."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for top in ("reports", "processed")
        for p in sorted((root / top).rglob("*"))
        if p.is_file()
    }


def test_the_run_calls_its_stages_in_order(mini_study):
    path = mini_study()
    stages: list[str] = []
    made = run_study(Study.load(path), command="test", write_clean=True, on_stage=stages.append)
    assert stages == STAGES
    assert made.manifest is not None
    assert [p.name for p in made.report] == ["report.html", "report.pdf", "tables.docx"]
    assert all(p.is_file() for p in made.all())
    assert sorted(made.figures["flow_diagram"]) == sorted(
        made.figures["flow_diagram"][0].with_suffix(s) for s in (".svg", ".png", ".pdf")
    )


def test_jobs_1_and_the_default_write_the_same_bytes(mini_study):
    path = mini_study()
    root = path.parent.parent
    res = CliRunner().invoke(app, ["run", str(path)])
    assert res.exit_code == 0, res.output
    default = _files(root)
    assert any(name.endswith("/report.pdf") for name in default)
    res = CliRunner().invoke(app, ["run", str(path), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    one = _files(root)
    assert sorted(one) == sorted(default)
    assert [name for name in default if default[name] != one[name]] == []


def test_jobs_on_run_says_it_changes_nothing() -> None:
    """--jobs is kept for old scripts, and says that it changes nothing (nothing silent)."""
    from analysis.run import cli

    # capture(), not console.file = ...: setting the file back would pin the console to the
    # stream of this test, and later commands (CliRunner swaps sys.stderr) would print nowhere
    with cli.console.capture() as shown:
        cli._say_jobs_unused(2)
        cli._say_jobs_unused(None)
    assert shown.get().count("--jobs has no effect") == 1


def test_study_takes_a_path_or_a_config_and_says_so_otherwise() -> None:
    from analysis.errors import ConfigError
    from analysis.run.study import Study

    path = Path("studies/dutasteride_mesotherapy.yaml")
    assert Study(path).config == Study.load(path).config
    assert Study(str(path)).config.study.name == Study.load(path).config.study.name
    with pytest.raises(ConfigError, match=r"takes a study file's path or a StudyConfig; found int"):
        Study(3)  # type: ignore[arg-type]
