"""A whole run removes the files of the previous run it no longer writes (its manifest lists
them), keeps and names those changed since, and touches nothing its manifest does not list or
that lies outside the reports folder. A run with no claims file left the previous run's
``claims_check.csv``, with its FAIL, beside a report that no longer mentions it."""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

from analysis.run.leftovers import earlier_outputs, leftovers_words, remove_leftovers
from analysis.run.outputs import run_study
from analysis.run.study import Study


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _list_in_manifest(reports: Path, entries: dict[str, str]) -> None:
    """Add ``{relative path: sha256}`` to the manifest, as the run that wrote them would."""
    manifest = reports / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for name, sha in entries.items():
        data["outputs"][name] = {"sha256": sha, "size_bytes": 1}
    manifest.write_text(json.dumps(data), encoding="utf-8")


def test_a_run_removes_the_earlier_runs_files_it_no_longer_writes(mini_study):
    path = mini_study()
    study = Study.load(path)
    first = run_study(study, command="test")
    reports = study.reports_dir
    old = reports / "claims_check.csv"
    old.write_text("id,passed\npain,False\n", encoding="utf-8")
    edited = reports / "tables" / "dropped_table.csv"
    edited.write_text("someone's notes\n", encoding="utf-8")
    outside = reports.parent / "outside.csv"
    outside.write_text("x\n", encoding="utf-8")
    mine = reports / "my_notes.txt"  # listed by no manifest: the user's own
    mine.write_text("keep\n", encoding="utf-8")
    _list_in_manifest(
        reports,
        {
            "claims_check.csv": _sha(old),
            "tables/dropped_table.csv": "0" * 64,  # changed since that run wrote it
            "../outside.csv": _sha(outside),
        },
    )
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        second = run_study(Study.load(path), command="test")
    assert not old.exists()
    assert edited.exists() and outside.exists() and mine.exists()
    words = " ".join(str(w.message) for w in said)
    assert "removed the earlier run's files this run no longer writes: claims_check.csv." in words
    assert "tables/dropped_table.csv" in words and "outside.csv" not in words
    # what both runs write is all there
    assert sorted(p.name for p in second.all()) == sorted(p.name for p in first.all())
    assert all(p.is_file() for p in second.all())


def test_nothing_is_said_when_the_run_writes_what_the_last_one_did(mini_study):
    path = mini_study()
    run_study(Study.load(path), command="test")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        run_study(Study.load(path), command="test")
    assert not [w for w in said if "earlier run" in str(w.message)]


def test_without_a_readable_manifest_nothing_is_removed(tmp_path):
    (tmp_path / "a.csv").write_text("a\n", encoding="utf-8")
    assert earlier_outputs(tmp_path, "s") == {}
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert earlier_outputs(tmp_path, "s") == {}
    study = '"study": {"name": "s"}'
    (tmp_path / "manifest.json").write_text(f'{{{study}, "outputs": ["a.csv"]}}', "utf-8")
    assert earlier_outputs(tmp_path, "s") == {}
    sha = hashlib.sha256(b"a\n").hexdigest()
    listed = f'"outputs": {{"a.csv": {{"sha256": "{sha}"}}}}'
    (tmp_path / "manifest.json").write_text(f"{{{study}, {listed}}}", "utf-8")
    assert earlier_outputs(tmp_path, "s") == {(tmp_path / "a.csv").resolve(): sha}
    # another study's manifest in the same folder: none of its files is this run's to remove
    assert earlier_outputs(tmp_path, "other") == {}
    assert remove_leftovers({}, []) == ([], [])
    assert leftovers_words([], [], tmp_path) is None
    assert (tmp_path / "a.csv").exists()


def test_a_listed_file_written_again_or_already_gone_is_left_alone(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("k\n", encoding="utf-8")
    earlier = {kept.resolve(): _sha(kept), (tmp_path / "gone.csv").resolve(): "0" * 64}
    assert remove_leftovers(earlier, [kept]) == ([], [])
    assert kept.exists()
