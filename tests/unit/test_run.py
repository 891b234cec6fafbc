"""`retro run` end to end: every output written, identical whether the last writers run side by
side in forked workers or one after another; a failing stage is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.run import parallel
from analysis.run.cli import app
from analysis.run.parallel import JobFailed, run_side_by_side
from tests.conftest import REFERENCE_STUDY

runner = CliRunner()


def _outputs(reports: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(reports)): p.read_bytes()
        for p in sorted(reports.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    """The reference study's YAML and claims in a scratch root whose data/raw is the repo's, so
    that its outputs go under ``tmp_path``."""
    (tmp_path / "studies").mkdir()
    for name in ("dutasteride_mesotherapy.yaml", "dutasteride_mesotherapy.claims.yaml"):
        shutil.copy(REFERENCE_STUDY.parent / name, tmp_path / "studies" / name)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw").symlink_to(REFERENCE_STUDY.parent.parent / "data" / "raw")
    return tmp_path / "studies" / "dutasteride_mesotherapy.yaml"


def test_run_writes_identical_outputs_with_and_without_side_by_side_jobs(reference_copy):
    path = reference_copy
    reports = path.parent.parent / "reports"
    res = runner.invoke(app, ["run", str(path), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    one_by_one = _outputs(reports)
    for p in reports.rglob("*"):
        if p.is_file():
            p.unlink()
    res = runner.invoke(app, ["run", str(path), "--jobs", "3"])
    assert res.exit_code == 0, res.output
    side_by_side = _outputs(reports)
    assert sorted(side_by_side) == sorted(one_by_one)
    names = set(side_by_side)
    study_dir = next(iter(names)).split("/")[0]
    for expected in ("report.html", "report.pdf", "tables.docx", "manifest.json", "ard.parquet"):
        assert f"{study_dir}/{expected}" in names, expected
    for suffix in (".png", ".svg", ".pdf"):
        assert any(n.startswith(f"{study_dir}/figures/") and n.endswith(suffix) for n in names)
    for suffix in (".html", ".docx", ".xlsx", ".csv"):
        assert any(n.startswith(f"{study_dir}/tables/") and n.endswith(suffix) for n in names)
    differing = [n for n in names if side_by_side[n] != one_by_one[n]]
    assert differing == []
    manifest = json.loads(side_by_side[f"{study_dir}/manifest.json"])
    hashed = {Path(k).name for k in json.dumps(manifest["outputs"]).split('"') if "." in k}
    assert {"report.pdf", "tables.docx", "ae_incidence.xlsx"} <= hashed


def _ok(value: int) -> list[int]:
    return [value]


def _boom() -> list[int]:
    raise ValueError("no such column `sexx`")


@pytest.mark.parametrize("processes", [1, 2, 4])
def test_side_by_side_returns_results_in_order(processes):
    jobs = {"a": lambda: _ok(1), "b": lambda: _ok(2), "c": lambda: _ok(3)}
    out = run_side_by_side(jobs, processes=processes)
    assert list(out) == ["a", "b", "c"]
    assert out == {"a": [1], "b": [2], "c": [3]}


@pytest.mark.parametrize("processes", [1, 3])
def test_a_failing_job_is_named_with_its_cause(processes):
    jobs = {"report": lambda: _ok(1), "figures": _boom, "tables": lambda: _ok(3)}
    with pytest.raises(JobFailed) as err:
        run_side_by_side(jobs, processes=processes)
    assert err.value.job == "figures"
    assert isinstance(err.value.cause, ValueError)
    assert "no such column `sexx`" in str(err.value)


def _touch(path: Path) -> list[bool]:
    path.touch()
    return [True]


def test_every_job_runs_after_a_failure_side_by_side(tmp_path):
    jobs = {"a": lambda: _ok(1), "b": _boom, "c": lambda: _touch(tmp_path / "c")}
    with pytest.raises(JobFailed) as err:
        run_side_by_side(jobs, processes=2)
    assert err.value.job == "b"
    assert (tmp_path / "c").exists()


def test_jobs_run_in_forked_workers_that_need_no_pickling(tmp_path):
    # a job closing over an unpicklable object runs in a worker (another process)
    import os
    import threading

    lock = threading.Lock()
    jobs = {"here": lambda: [os.getpid()], "there": lambda: [os.getpid(), lock.locked()]}
    out = run_side_by_side(jobs, processes=2)
    assert out["here"] == [os.getpid()]
    assert out["there"][0] != os.getpid() and out["there"][1] is False


def test_without_fork_jobs_run_one_after_another(monkeypatch):
    monkeypatch.setattr(parallel, "fork_available", lambda: False)
    seen: list[str] = []
    jobs = {k: (lambda k=k: seen.append(k) or [k]) for k in ("x", "y", "z")}
    assert run_side_by_side(jobs, processes=4) == {"x": ["x"], "y": ["y"], "z": ["z"]}
    assert seen == ["x", "y", "z"]  # all in this process, in order


def test_a_worker_that_dies_fails_its_job_by_name():
    import os

    jobs = {"report": lambda: _ok(1), "tables": lambda: os._exit(3)}
    with pytest.raises(JobFailed) as err:
        run_side_by_side(jobs, processes=2)
    assert err.value.job == "tables"
    assert "ended without a result" in str(err.value.cause)


def test_a_failing_stage_in_a_worker_stops_the_run_naming_it(reference_copy, monkeypatch):
    import analysis.figures.study_figures as fig_study

    real = fig_study.save_figures

    def broken(figures, out_dir, *, formats):  # noqa: ANN001, ANN202
        if "png" in formats:
            raise OSError("disk full")
        return real(figures, out_dir, formats=formats)

    monkeypatch.setattr(fig_study, "save_figures", broken)
    res = runner.invoke(app, ["run", str(reference_copy), "--jobs", "2"])
    assert res.exit_code == 2
    assert "retro run: stage 'figures' failed: OSError: disk full." in res.output
    assert "Traceback" not in res.output


class _Unpicklable(Exception):
    def __reduce__(self):  # noqa: ANN204
        raise TypeError("cannot pickle this")


def _raise_unpicklable() -> None:
    raise _Unpicklable("lock held")


def test_a_failure_that_cannot_travel_arrives_as_its_text():
    with pytest.raises(JobFailed) as err:
        run_side_by_side({"report": lambda: _ok(1), "tables": _raise_unpicklable}, processes=2)
    assert err.value.job == "tables"
    assert isinstance(err.value.cause, RuntimeError)
    assert str(err.value.cause) == "_Unpicklable: lock held"
    assert "_raise_unpicklable" in err.value.child_traceback
