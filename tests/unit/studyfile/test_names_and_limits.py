"""Study-file mistakes that stopped the clean stage with an unexpected pandas error naming no key
or line ("Categorical categories must be unique", "min_value = 100.0 and max_value = 16.0
defines an empty interval") are refused where they are written."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from tests.study_files import shipped_study_changed


def _refused(tmp_path, change, stem: str = "dutasteride_mesotherapy") -> str:  # noqa: ANN001
    with pytest.raises(ConfigError) as err:
        shipped_study_changed(tmp_path, stem, change)
    return str(err.value)


@pytest.mark.parametrize(
    ("where", "change", "repeated"),
    [
        (
            "`vocabularies.severity.levels`",
            lambda d: d["vocabularies"]["severity"]["levels"].append("mild"),
            "'mild'",
        ),
        (
            "`groups.therapy_group.levels`",
            lambda d: d["groups"]["therapy_group"]["levels"].append("combined"),
            "'combined'",
        ),
        (
            "`analysis.tables.baseline_sex.variables`",
            lambda d: d["analysis"]["tables"]["baseline_sex"]["variables"].append("age_years"),
            "'age_years'",
        ),
    ],
)
def test_a_name_listed_twice_is_refused_with_its_key_and_line(tmp_path, where, change, repeated):
    said = _refused(tmp_path, change)
    assert f"{where} (line " in said
    assert f"{repeated} is listed twice ([" in said and "list each once" in said


def test_a_check_whose_min_is_above_its_max_is_refused(tmp_path):
    said = _refused(tmp_path, lambda d: d["checks"][0].update(min=100, max=16))
    assert "`checks[0]` (line " in said
    assert "`min` (100) is greater than `max` (16)" in said


def test_a_check_without_limits_is_refused(tmp_path):
    said = _refused(tmp_path, lambda d: d["checks"][0].update(min=None, max=None))
    assert "a check without limits checks nothing" in said


def test_a_vocabulary_applied_to_an_unknown_column_is_refused(tmp_path):
    # `applies_to: [is_serious, is_discontinued, bogus_col]` mapped nothing, with no message
    def change(d: dict) -> None:
        d["vocabularies"]["yes_no"]["applies_to"].append("is_seriuos")

    said = _refused(tmp_path, change)
    assert "vocabularies.yes_no.applies_to[" in said
    assert "unknown column 'is_seriuos' (did you mean 'is_serious'?)" in said


@pytest.mark.parametrize(
    ("change", "key", "said"),
    [
        (lambda d: d["study"].update(seed="20220707"), "`study.seed`", "write a number"),
        (
            lambda d: d["exposure"].update(teae_days_after_last="90"),
            "`exposure.teae_days_after_last`",
            "write a number",
        ),
        (lambda d: d["checks"][0].update(min="16"), "`checks[0].min`", "write a number"),
        (lambda d: d["checks"][0].update(min=True), "`checks[0].min`", "write a number"),
        (
            lambda d: d["analysis"].setdefault("options", {}).update(alpha="0.05"),
            "`analysis.options.alpha`",
            "write a number",
        ),
        (lambda d: d["study"].update(synthetic="yes"), "`study.synthetic`", "write yes/no"),
        (
            lambda d: d["vocabularies"]["severity"].update(ordered="no"),
            "`vocabularies.severity.ordered`",
            "write yes/no",
        ),
    ],
)
def test_a_quoted_number_or_yes_no_is_refused_at_its_own_key(tmp_path, change, key, said):
    # pydantic's lax mode read seed: "20220707" as a number and synthetic: "yes" as true, with
    # no message, while a condition's value: "6" was refused
    text = _refused(tmp_path, change)
    assert f"{key} (line " in text and said in text
    # "without quotes" of a quoted value only (min: true is no quoted number)
    assert ("without quotes" in text) == ("(found '" in text)


def test_a_group_level_no_rule_gives_is_refused(tmp_path):
    # `map: {"no": monotherapy, "yes": monotherapy}` with levels [monotherapy, combined]: one
    # group in every table, the model without the grouping, and no message
    def change(d: dict) -> None:
        d["groups"]["therapy_group"]["from_column"]["map"]["yes"] = "monotherapy"

    said = _refused(tmp_path, change, "low_dose_oral_minoxidil")
    assert "`groups.therapy_group` (line " in said
    assert "no rule gives level(s) ['combined'] of levels ['monotherapy', 'combined']" in said


def test_a_map_key_the_column_cannot_hold_is_refused(tmp_path):
    def change(d: dict) -> None:
        d["groups"]["therapy_group"]["from_column"]["map"]["maybe"] = "combined"

    said = _refused(tmp_path, change, "low_dose_oral_minoxidil")
    assert (
        "groups.therapy_group.from_column.map: 'maybe' is not a value of "
        "`has_topical_treatment`; its values are ['no', 'yes']" in said
    )
