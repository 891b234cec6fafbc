"""The key (and so the line) of a cross-check's message: messages naming a source or criterion
in brackets, a mapping key with a space, or a key followed by words showed "(top level)"."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.yaml_lines import _key_in_message


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("analysis.tables.x.by[0]: unknown column", ["analysis", "tables", "x", "by", 0]),
        ("sources[3] (conc): unknown canonical column(s)", ["sources", 3]),
        (
            "inclusion[0] (followup).where[0].value: holds numbers",
            ["inclusion", 0, "where", 0, "value"],
        ),
        (
            "derive.grade_severity.HN IV: 'moderat' must be one of",
            ["derive", "grade_severity", "HN IV"],
        ),
        (
            "sources[0].synonyms.sex names unknown level(s) ['mael']",
            ["sources", 0, "synonyms", "sex"],
        ),
        ("variables.patients.a=b;c: a refused name", ["variables", "patients", "a=b;c"]),
        ("source names must be unique; repeated: ['aes']", []),
        ("the Welch t-test compares two", []),
    ],
)
def test_the_key_a_message_starts_with(message, key):
    assert _key_in_message(message) == key


def test_a_cross_check_on_a_named_source_gives_its_line(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace("dose_mg: dose}", "dose_mg: dose, dosis: x}"))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "  - (line 19) sources[1] (sessions): unknown canonical column(s) ['dosis']" in str(
        exc.value
    )
