"""`retro run` end to end: every output written and hashed in the manifest; a failing stage is
named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.run.cli import app
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


def test_run_writes_every_output_and_hashes_it_in_the_manifest(reference_copy):
    path = reference_copy
    reports = path.parent.parent / "reports"
    res = runner.invoke(app, ["run", str(path)])  # an absolute path
    assert res.exit_code == 0, res.output
    written = _outputs(reports)
    # the report and the manifest may be shared: the study file relative to the project folder
    shared = [f"{n}" for n in written if n.endswith(("report.html", "manifest.json"))]
    assert len(shared) == 2
    for name in shared:
        assert str(path.parent.parent).encode() not in written[name], name
    names = set(written)
    study_dir = next(iter(names)).split("/")[0]
    for expected in ("report.html", "report.pdf", "tables.docx", "manifest.json", "ard.parquet"):
        assert f"{study_dir}/{expected}" in names, expected
    for suffix in (".png", ".svg", ".pdf"):
        assert any(n.startswith(f"{study_dir}/figures/") and n.endswith(suffix) for n in names)
    for suffix in (".html", ".docx", ".xlsx", ".csv"):
        assert any(n.startswith(f"{study_dir}/tables/") and n.endswith(suffix) for n in names)
    manifest = json.loads(written[f"{study_dir}/manifest.json"])
    assert manifest["command"] == "retro run studies/dutasteride_mesotherapy.yaml"
    hashed = {Path(k).name for k in json.dumps(manifest["outputs"]).split('"') if "." in k}
    assert {"report.pdf", "tables.docx", "ae_incidence.xlsx"} <= hashed
    # each table's own Word file has the number the report and tables.docx give it
    folder = reports / study_dir

    def titles(path: Path) -> list[str]:
        import docx

        return [
            p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Table Title"
        ]

    numbered = titles(folder / "tables.docx")
    assert len(numbered) > 3 and numbered[0].startswith("Table 1. ")
    own = [titles(p)[0] for p in sorted((folder / "tables").glob("*.docx"))]
    assert sorted(own) == sorted(numbered)


def test_a_failing_stage_stops_the_run_naming_it(reference_copy, monkeypatch):
    import analysis.figures.study_figures as fig_study

    real = fig_study.save_figures

    def broken(figures, out_dir, *, formats):  # noqa: ANN001, ANN202
        if "png" in formats:
            raise OSError("disk full")
        return real(figures, out_dir, formats=formats)

    monkeypatch.setattr(fig_study, "save_figures", broken)
    res = runner.invoke(app, ["run", str(reference_copy)])
    assert res.exit_code == 2
    assert "retro run: stage 'figures' failed: OSError: disk full." in res.output
    assert "Traceback" not in res.output
