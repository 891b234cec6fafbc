"""YAML syntax errors said in plain words (``studyfile.yaml_syntax``): each common mistake by
its line and column, the line as written, the fix, and the parser's own words after them.
Before, the message was PyYAML's text ("while parsing a block mapping in "<unicode string>"
... expected <block end>, but found '<block mapping start>'")."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.studyfile.yaml_lines import safe_load_with_lines

GOOD = """\
study:
  name: mini
  title: "Mini study"
  seed: 7
sources:
  - name: patients
    table: patients
    columns: {patient_id: id, sex: sex}
    levels: [a, b]
"""


def _error(edit: tuple[str, str], what: str = "study file") -> str:
    text = GOOD.replace(*edit)
    assert text != GOOD
    with pytest.raises(ConfigError) as exc:
        safe_load_with_lines(text, Path("studies/s.yaml"), what=what)
    return str(exc.value)


def test_the_file_reads_as_it_is():
    data, _ = safe_load_with_lines(GOOD, Path("studies/s.yaml"))
    assert data["study"]["seed"] == 7


@pytest.mark.parametrize(
    ("edit", "where", "words", "line"),
    [
        (  # a key indented one space less than its block
            ("  seed: 7", " seed: 7"),
            "line 4, column 2",
            "this line starts in column 2, line 3 before it in column 3",
            "  the line:  seed: 7",
        ),
        (  # a key indented more than the key of the list item above it
            ("    table: patients", "      table: patients"),
            "line 7, column 12",
            "this line starts in column 7, line 6 before it in column 3, its key after the `- ` "
            "in column 5",
            "  the line:       table: patients",
        ),
        (
            ("  seed: 7", "\tseed: 7"),
            "line 4, column 1",
            "a tab character where YAML expects spaces",
            "  the line: →seed: 7",
        ),
        (
            ('  title: "Mini study"', '  title: "Mini study'),
            "line 3, column 10",
            "a quote opened on line 3 is not closed on that line",
            '  the line:   title: "Mini study',
        ),
        (  # closed by the next quote further down: the parser stops there, the line is 3
            ('  title: "Mini study"', '  title: "Mini study\n  other: "x"'),
            "line 3, column 3",
            "a quote opened on line 3 is not closed on that line",
            '  the line:   title: "Mini study',
        ),
        (
            ('  title: "Mini study"', "  title: Mini: study"),
            "line 3, column 14",
            "a second `: ` (colon and space) on this line",
            "  the line:   title: Mini: study",
        ),
        (
            ("  seed: 7", "  seed 7"),
            "line 4, column 3",
            "this line is neither `key: value` nor a list item `- value`",
            "  the line:   seed 7",
        ),
        (
            ("levels: [a, b]", "levels: [a, b"),
            "line 9, column 13",
            "the [ ] opened on line 9 is not closed there, or a comma is missing",
            "  the line:     levels: [a, b",
        ),
        (
            ("columns: {patient_id: id, sex: sex}", "columns: {patient_id: id, sex: sex"),
            "line 8, column 14",
            "the { } opened on line 8 is not closed there",
            "  the line:     columns: {patient_id: id, sex: sex",
        ),
    ],
)
def test_each_common_mistake_is_said_with_its_fix(edit, where, words, line):
    message = _error(edit)
    assert message.startswith(f"studies/s.yaml, {where}")
    assert words in message
    if line:
        assert f"\n{line}\n" in message
    assert "\n(the YAML parser said: " in message
    assert "<unicode string>" not in message  # the parser's own position text is gone


def test_a_claims_file_is_named_as_such():
    message = _error(("  seed: 7", "  seed: 7\n  oops: [1, 2\n"), what="claims file")
    assert message.startswith("studies/s.yaml, line ")
    assert message.startswith("studies/s.yaml, line 5, column 9: the [ ] opened on line 5")
