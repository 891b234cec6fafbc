"""``run_study``: the stages run in order, each announced by name, and the outputs are the same
bytes whether the last writers run side by side (the default) or one after another."""

from __future__ import annotations

from pathlib import Path

from analysis.run.outputs import run_study
from analysis.run.study import Study

STAGES = [
    "clean",
    "tables",
    "figures",
    "report, figure files and table files",
    "manifest",
    "moving the outputs into place",
    "written",
]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _run(path: Path, jobs: int | None) -> tuple[list[str], dict[str, bytes]]:
    """The stages announced by one run and every file it wrote (reports and processed data)."""
    study = Study.load(path)
    stages: list[str] = []
    made = run_study(study, command="test", jobs=jobs, write_clean=True, on_stage=stages.append)
    assert made.manifest is not None and made.manifest.is_file()
    assert all(p.is_file() for p in made.all())
    root = path.parent.parent
    return stages, {
        f"{top}/{name}": data
        for top in ("reports", "processed")
        for name, data in _files(root / top).items()
    }


def test_the_run_calls_its_stages_in_order_with_the_same_bytes_one_by_one(mini_study):
    path = mini_study()
    stages, side_by_side = _run(path, jobs=None)
    assert stages == STAGES
    assert any(name.endswith("figures/flow_diagram.png") for name in side_by_side)
    assert any(name.endswith("/report.pdf") for name in side_by_side)
    stages_one, one_by_one = _run(path, jobs=1)
    assert stages_one == STAGES
    assert sorted(one_by_one) == sorted(side_by_side)
    assert [name for name in side_by_side if side_by_side[name] != one_by_one[name]] == []
