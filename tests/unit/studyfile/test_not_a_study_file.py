"""A file that is not a study file (a password file, a text file of ``name: value`` lines)
passed as one was answered with an "unknown key" line per line of it: the file's own lines,
whoever's data they are, echoed to the terminal and any log. It is now refused as another file,
its keys not shown; a study file whose keys are all misspelt is still told which."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.report.claims import load_claims
from analysis.studyfile.config import StudyConfig


@pytest.mark.parametrize(
    "text",
    [
        "root:*:19000:0:99999:7:::\nalice:$6$salt$hash:19000:0:99999:7:::\n",
        "name: Alice Example\nphone: 555 0100\n",
    ],
)
def test_another_file_is_refused_without_quoting_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        StudyConfig.load(path)
    said = str(err.value)
    assert said.startswith(f"{path}: not a study file: none of its 2 top-level key(s) is one")
    assert "study, subgroups, variables, vocabularies); they are not shown" in said
    for secret in ("root", "alice", "Alice", "phone", "555"):
        assert secret not in said.replace(str(path), "")
    with pytest.raises(ConfigError) as err:
        load_claims(path)
    said = str(err.value)
    assert said.startswith(f"{path}: not a claims file: none of its 2 top-level key(s)")
    assert "lice" not in said.replace(str(path), "")


def test_a_study_file_with_misspelt_keys_is_told_which(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("Study: {name: x}\nPaths: {raw: raw}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        StudyConfig.load(path)
    said = str(err.value)
    assert "unknown key `Study` (line 1) (did you mean `study`?)" in said
    assert "unknown key `Paths` (line 2) (did you mean `paths`?)" in said
