"""Provenance manifest: input and output hashes, versions, git state, determinism."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.clean.read import sha256_file
from analysis.errors import PipelineError, SourceError
from analysis.report import manifest as manifest_mod
from analysis.report.manifest import (
    PACKAGES,
    build_manifest,
    dumps_manifest,
    git_state,
    write_manifest,
)
from analysis.studyfile.config import StudyConfig

COMMAND = "retro run studies/mini.yaml"


@pytest.fixture
def mini(mini_study) -> StudyConfig:
    return StudyConfig.load(mini_study())


def _outputs(config: StudyConfig) -> list[Path]:
    tables = config.reports_dir / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    (tables / "b.csv").write_text("b\n2\n", encoding="utf-8")
    (tables / "a.csv").write_text("a\n1\n", encoding="utf-8")
    (config.reports_dir / "ard.csv").write_text("x\n", encoding="utf-8")
    return [tables / "b.csv", config.reports_dir / "ard.csv", tables / "a.csv"]


def test_every_source_file_is_hashed_once(reference_config):
    m = build_manifest(reference_config, [], COMMAND)
    files = {reference_config.source_path(s).resolve() for s in reference_config.sources}
    assert len(m["inputs"]) == len(files) < len(reference_config.sources)
    for path in files:
        rel = path.relative_to(reference_config.root.resolve()).as_posix()
        assert m["inputs"][rel]["sha256"] == sha256_file(path)
        assert m["inputs"][rel]["size_bytes"] == path.stat().st_size
    workbook = m["inputs"]["data/raw/dutasteride_mesotherapy/centre_a/clinic_export.xlsx"]
    assert workbook["sources"] == [
        "centre_a_adverse_events",
        "centre_a_assessments",
        "centre_a_concomitant",
        "centre_a_patients",
        "centre_a_sessions",
    ]


def test_config_and_claims_are_hashed(reference_config, mini):
    m = build_manifest(reference_config, [], COMMAND)
    assert m["config"] == {
        "path": "studies/dutasteride_mesotherapy.yaml",
        "sha256": sha256_file(reference_config.path),
    }
    claims = reference_config.root / "studies" / "dutasteride_mesotherapy.claims.yaml"
    assert m["claims"] == {
        "path": "studies/dutasteride_mesotherapy.claims.yaml",
        "sha256": sha256_file(claims),
    }
    assert build_manifest(mini, [], COMMAND)["claims"] is None


def test_outputs_are_relative_to_the_reports_folder_and_sorted(mini):
    outputs = _outputs(mini)
    m = build_manifest(mini, outputs, COMMAND)
    assert list(m["outputs"]) == ["ard.csv", "tables/a.csv", "tables/b.csv"]
    text = dumps_manifest(m)
    assert text.index('"ard.csv"') < text.index('"tables/a.csv"') < text.index('"tables/b.csv"')
    for rel, entry in m["outputs"].items():
        assert entry["sha256"] == sha256_file(mini.reports_dir / rel)
    assert m["command"] == COMMAND
    assert m["study"] == {"name": "mini", "synthetic": False}


def test_outputs_outside_the_reports_folder_keep_a_relative_path(mini):
    processed = mini.processed_dir
    processed.mkdir(parents=True, exist_ok=True)
    (processed / "patients.parquet").write_bytes(b"PAR1")
    m = build_manifest(mini, [processed / "patients.parquet"], COMMAND)
    assert list(m["outputs"]) == ["../processed/patients.parquet"]


def test_two_manifests_of_the_same_outputs_are_identical(mini):
    outputs = _outputs(mini)
    first = write_manifest(mini, outputs, COMMAND)
    text1 = first.read_bytes()
    second = write_manifest(mini, [*reversed(outputs), first], COMMAND)  # manifest itself ignored
    assert second == first == mini.reports_dir / "manifest.json"
    assert second.read_bytes() == text1
    assert "manifest.json" not in json.loads(text1)["outputs"]


def test_manifest_text_is_canonical_json_without_timestamps(mini):
    path = write_manifest(mini, _outputs(mini), COMMAND)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert not any(k in text for k in ("generated_at", "timestamp", "created"))
    assert str(mini.root.resolve()) not in text  # no absolute paths
    assert set(data) == {
        "manifest_version",
        "study",
        "command",
        "config",
        "claims",
        "inputs",
        "outputs",
        "engine",
        "packages",
        "git",
        "suppress_below",
    }


def test_a_changed_output_changes_the_manifest(mini):
    outputs = _outputs(mini)
    before = dumps_manifest(build_manifest(mini, outputs, COMMAND))
    outputs[0].write_text("b\n3\n", encoding="utf-8")
    assert dumps_manifest(build_manifest(mini, outputs, COMMAND)) != before


def test_package_versions():
    versions = manifest_mod.package_versions()
    assert set(versions) == {"python", *PACKAGES}
    assert versions["pandas"] == __import__("pandas").__version__
    assert versions["numpy"] == __import__("numpy").__version__


def test_missing_package_is_null(monkeypatch):
    monkeypatch.setitem(manifest_mod.PACKAGES, "nonexistent", "surely-not-installed-xyz")
    assert manifest_mod.package_versions()["nonexistent"] is None


def test_missing_output_is_an_error(mini):
    with pytest.raises(PipelineError, match=r"manifest: output .*nope\.csv does not exist"):
        build_manifest(mini, [mini.reports_dir / "nope.csv"], COMMAND)


def test_missing_input_is_an_error(mini):
    (mini.raw_dir / "conc.csv").unlink()
    with pytest.raises(SourceError, match=r"input file .*conc\.csv \(sources \['conc'\]\)"):
        build_manifest(mini, [], COMMAND)


# ----------------------------------------------------------------------------- git
def _git_available() -> bool:
    return shutil.which("git") is not None


def test_not_a_git_checkout_gives_nulls(mini):
    if not _git_available():
        pytest.skip("git is not installed")
    inside = subprocess.run(
        ["git", "-C", str(mini.root), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    if inside.returncode == 0:
        pytest.skip(f"the temp folder {mini.root} is inside a git checkout")
    assert build_manifest(mini, [], COMMAND)["git"] == {"commit": None, "dirty": None}


def test_without_git_executable_gives_nulls(mini, monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(manifest_mod.subprocess, "run", no_git)
    assert git_state(mini.root) == {"commit": None, "dirty": None}


def test_git_commit_and_dirty_flag(tmp_path):
    if not _git_available():
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.txt").write_text("a\n")

    def git(*args: str) -> str:
        return subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.org",
                "-c",
                "commit.gpgsign=false",
                *args,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    git("init", "-q")
    assert git_state(repo) == {"commit": None, "dirty": None}  # no commit yet
    git("add", "a.txt")
    git("commit", "-q", "-m", "init")
    head = git("rev-parse", "HEAD").strip()
    assert git_state(repo) == {"commit": head, "dirty": False}
    (repo / "a.txt").write_text("changed\n")
    assert git_state(repo) == {"commit": head, "dirty": True}


def test_the_manifest_names_the_engine_the_counts_ran_on(mini):
    # a study given a SparkSession counted on Spark while its file (and so the manifest's
    # record of it) said duckdb
    from types import SimpleNamespace

    on_duckdb = build_manifest(mini, _outputs(mini), COMMAND)
    assert on_duckdb["engine"] == "duckdb" and "pyspark" not in on_duckdb["packages"]
    on_spark = build_manifest(
        SimpleNamespace(config=mini, _spark=object()), _outputs(mini), COMMAND
    )
    assert on_spark["engine"] == "spark" and "pyspark" in on_spark["packages"]


def test_the_methods_name_pyspark_only_for_a_run_on_spark(reference_config):
    # adding pyspark to the manifest's packages made the report's software sentence say a
    # DuckDB analysis used it
    import pandas as pd

    from analysis.report.methods import methods_paragraphs

    ard = pd.DataFrame(columns=["table", "context", "variable", "level", "stat", "value", "method"])
    (software,) = [
        p for p in methods_paragraphs(reference_config, ard) if p.startswith("Software.")
    ]
    assert "pyspark" not in software and "duckdb" in software


def test_a_raw_folder_linked_to_a_share_is_listed_where_the_study_reads_it(mini_study, tmp_path):
    """Raw data kept on a secure share and linked into the project: the manifest (and the
    report's table of inputs) list them under the project's raw folder, as they list them
    without the link; resolving the link wrote the share's place on this machine."""
    path = mini_study()
    plain = build_manifest(StudyConfig.load(path), [], COMMAND)["inputs"]
    share = tmp_path.parent / f"{tmp_path.name}-share" / "hospital_x"
    share.parent.mkdir()
    shutil.move(tmp_path / "raw", share)
    (tmp_path / "raw").symlink_to(share, target_is_directory=True)
    linked = build_manifest(StudyConfig.load(path), [], COMMAND)["inputs"]
    assert linked == plain
    assert all(name.startswith("raw/") for name in linked), sorted(linked)


def test_a_linked_study_file_reads_the_data_of_the_project_it_is_linked_into(mini_study, tmp_path):
    """Paths are relative to the parent of the study file's folder: the folder of the link,
    not of the file it leads to (that read another project's data and wrote there)."""
    path = mini_study()
    templates = tmp_path.parent / f"{tmp_path.name}-templates" / "studies"
    templates.mkdir(parents=True)
    shutil.move(path, templates / path.name)
    path.symlink_to(templates / path.name)
    config = StudyConfig.load(path)
    assert config.root == tmp_path
    assert config.raw_dir == tmp_path / "raw"
    assert config.path == path


def test_a_source_path_going_up_from_a_linked_folder_is_the_file_read(mini_study, tmp_path):
    """A `..` after a linked folder leads where the link leads, as the system reads the file:
    the manifest named and hashed the file at the place the text names (another file, or
    none: then the run failed at its manifest)."""
    path = mini_study()
    share = tmp_path.parent / f"{tmp_path.name}-share"
    (share / "exports").mkdir(parents=True)
    shutil.move(tmp_path / "raw", share / "exports" / "raw")
    (tmp_path / "raw").symlink_to(share / "exports" / "raw", target_is_directory=True)
    (share / "exports" / "other").mkdir()
    shutil.move(share / "exports" / "raw" / "aes.csv", share / "exports" / "other" / "aes.csv")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "aes.csv").write_text("not the file read\n", encoding="utf-8")
    text = path.read_text(encoding="utf-8").replace("file: aes.csv", "file: ../other/aes.csv")
    path.write_text(text, encoding="utf-8")
    inputs = build_manifest(StudyConfig.load(path), [], COMMAND)["inputs"]
    read = share / "exports" / "other" / "aes.csv"
    entry = [e for e in inputs.values() if e["sources"] == ["aes"]]
    assert entry and entry[0]["sha256"] == sha256_file(read)
    assert "other/aes.csv" not in inputs  # the project's file of that name was not read


def test_a_linked_study_file_is_shown_and_reread_where_its_link_is(mini_study, tmp_path):
    from analysis.privacy import shareable_path
    from analysis.studyfile.config import study_location

    path = mini_study()
    templates = tmp_path.parent / f"{tmp_path.name}-tpl" / "studies"
    templates.mkdir(parents=True)
    shutil.move(path, templates / path.name)
    path.symlink_to(templates / path.name)
    assert shareable_path(path, StudyConfig.load(path).root) == "studies/mini.yaml"
    (tmp_path / "studies" / "lib").symlink_to(templates, target_is_directory=True)
    up = tmp_path / "studies" / "lib" / ".." / "mini.yaml"  # the system: templates/../mini.yaml
    assert study_location(up) == templates.parent / "mini.yaml"
