"""A command writing into a reports folder says what it does to the outputs already there: a
whole run replacing a suppressed folder with an unsuppressed one (``retro notebooks`` did it
without a word), and ``retro tables`` / ``retro figures`` leaving an earlier run's report,
claims check and manifest beside tables they no longer describe."""

from __future__ import annotations

import json

from analysis.run.folder_mode import (
    earlier_suppression,
    replaced_suppression,
    stale_run_files,
)


def _run_folder(tmp_path, k):
    (tmp_path / "manifest.json").write_text(json.dumps({"suppress_below": k}), encoding="utf-8")
    (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
    return tmp_path


def test_a_suppressed_folder_replaced_unsuppressed_is_said(tmp_path):
    folder = _run_folder(tmp_path, 5)
    assert earlier_suppression(folder) == 5
    said = replaced_suppression(folder, None)
    assert said is not None and "suppressed below 5" in said and "NOT suppressed" in said
    assert "--suppress-below 5" in said
    assert replaced_suppression(folder, 5) is None  # the same rule: nothing to say
    assert "suppressed below 10" in (replaced_suppression(folder, 10) or "")


def test_an_unsuppressed_or_new_folder_says_nothing(tmp_path):
    assert replaced_suppression(tmp_path, None) is None  # no manifest yet
    assert replaced_suppression(_run_folder(tmp_path, None), 5) is None
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert earlier_suppression(tmp_path) is None


def test_tables_after_a_run_name_the_files_that_no_longer_match(tmp_path):
    folder = _run_folder(tmp_path, 5)
    said = stale_run_files(folder, "tables")
    assert said is not None
    assert said.startswith("report.html, manifest.json in ")
    assert "the tables just written are not, so the folder now mixes the two" in said
    empty = tmp_path / "new"
    empty.mkdir()
    assert stale_run_files(empty, "figures") is None
