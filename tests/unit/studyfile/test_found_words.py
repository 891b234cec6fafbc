"""What a key of the study file was given, said after pydantic's message with how to write
what it wants (``yaml_lines.found_words``). An unquoted ``no`` where text belongs read
"Input should be a valid string; found False"; a list where one value belongs said nothing of
the list."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.yaml_lines import found_words


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            ("  title: Mini study", "  title: no"),
            "`study.title` (line 3): Input should be a valid string; found false, which is how "
            "YAML reads an unquoted yes, no, on, off, true or false: write the text in quotes, "
            'e.g. `"no"`',
        ),
        (
            ("  title: Mini study", "  title: 12"),
            "`study.title` (line 3): Input should be a valid string; found the number 12: if it "
            "is meant as text, write it in quotes",
        ),
        (
            ("    table: exposures", "    table: [exposures]"),
            "`sources[1].table` (line 20): Input should be 'patients', 'exposures', "
            "'adverse_events', 'concomitant' or 'assessments'; found a list of 1: give one "
            "value, without [ ]",
        ),
        (  # a choice given as an unquoted no: the same words as text (it said "found False")
            ("    table: exposures", "    table: no"),
            "`sources[1].table` (line 20): Input should be 'patients', 'exposures', "
            "'adverse_events', 'concomitant' or 'assessments'; found false, which is how YAML "
            "reads an unquoted yes, no, on, off, true or false: write the text in quotes, e.g. "
            '`"no"`',
        ),
        (  # one value where a list belongs: the list to write reads back as text
            ('    synonyms:\n      sex: {male: ["M"]}', '    synonyms:\n      sex: {male: "M"}'),
            "`sources[0].synonyms.sex.male` (line 18): Input should be a valid list; found one "
            "value, 'M': write it as a list, `[\"M\"]`",
        ),
        (  # an unquoted no where a list belongs ("`[False]`" was the hint)
            ('    synonyms:\n      sex: {male: ["M"]}', "    synonyms:\n      sex: {male: no}"),
            "`sources[0].synonyms.sex.male` (line 18): Input should be a valid list; found "
            "false, which is how YAML reads an unquoted yes, no, on, off, true or false: write "
            'the list with the text in quotes, e.g. `["no"]`',
        ),
        (  # nothing where a list belongs ("`[None]`" was the hint)
            ('    synonyms:\n      sex: {male: ["M"]}', "    synonyms:\n      sex: {male: }"),
            "`sources[0].synonyms.sex.male` (line 18): Input should be a valid list; found no "
            "value: list the values in [ ], or remove the key",
        ),
    ],
)
def test_the_value_found_and_how_to_write_it(mini_study, edit, said):
    path = mini_study(yaml_edit=lambda y: y.replace(*edit))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert f"  - {said}" in str(exc.value).splitlines()


def test_each_kind_of_value_found():
    assert found_words("string_type", True).startswith("; found true, which is how YAML reads")
    assert found_words("enum", {"a": 1}) == "; found a mapping (`key: value` pairs): give one value"
    assert found_words("list_type", "F") == "; found one value, 'F': write it as a list, `[\"F\"]`"
    # pydantic said only "Input should be a valid list" of `where: {column: ...}`
    assert found_words("list_type", {"a": 1}).startswith("; found one mapping (`key: value`")
    assert found_words("int_parsing", "seven") == "; found 'seven'"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        # `value` is a key elsewhere in the file (a criterion's); here `values` is meant
        (("values: [yes]", "value: [yes]"), "(did you mean `values`?)"),
        # a source's key misspelt: the closest key a source takes
        (("    file: sessions.csv", "    fiel: sessions.csv"), "(did you mean `file`?)"),
    ],
)
def test_did_you_mean_names_a_key_the_mapping_takes(mini_study, edit, said):
    def when(body: str) -> str:
        return body.replace(
            "    columns: {patient_id: id, start_date: date, dose_mg: dose}\n",
            "    columns: {patient_id: id, start_date: date, dose_mg: dose}\n"
            "    records_when: {column: dose, values: [yes]}\n",
        ).replace(*edit)

    path = mini_study(yaml_edit=when)
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert said in str(exc.value)
