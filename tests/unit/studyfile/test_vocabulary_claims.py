"""One vocabulary per column, the one the study file says: a variable's own ``vocabulary:`` lost
to a vocabulary of the column's name; a column in two ``applies_to`` was mapped by whichever came
first in the file (``N`` = no or yes by their order); a yes/no column's vocabulary of levels
``[No, Yes]`` set every value missing, with no audit row. Each runs as declared, or is refused."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from tests.study_files import shipped_study_changed


def _refused(tmp_path, change, stem: str = "dutasteride_mesotherapy") -> str:  # noqa: ANN001
    with pytest.raises(ConfigError) as err:
        shipped_study_changed(tmp_path, stem, change)
    return str(err.value)


def test_a_variables_own_vocabulary_wins_over_one_of_its_name(tmp_path):
    def change(d: dict) -> None:
        d["variables"]["patients"]["diagnosis"]["vocabulary"] = "dx_pt"
        d["vocabularies"]["dx_pt"] = dict(d["vocabularies"]["diagnosis"])
        d["vocabularies"]["diagnosis"]["applies_to"] = []  # claims no column

    config = shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", change)
    assert config.vocabulary_for("diagnosis")[0] == "dx_pt"


def test_a_variables_own_vocabulary_wins_even_named_as_the_column(tmp_path):
    def change(d: dict) -> None:
        d["variables"]["patients"]["diagnosis"]["vocabulary"] = "dx_pt"
        d["vocabularies"]["dx_pt"] = dict(d["vocabularies"]["diagnosis"])

    config = shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", change)
    assert config.vocabulary_for("diagnosis")[0] == "dx_pt"


def test_a_column_two_vocabularies_apply_to_is_refused(tmp_path):
    def change(d: dict) -> None:
        d["vocabularies"]["serious_pt"] = {
            "levels": ["no", "yes"],
            "applies_to": ["is_serious"],
            "synonyms": {"yes": ["N"]},
        }

    said = _refused(tmp_path, change)
    assert "vocabularies.serious_pt: column `is_serious` is mapped by vocabulary 'yes_no' too" in (
        said
    )


@pytest.mark.parametrize("levels", [["No", "Yes"], ["no", "sí"], ["no", "yes", "unknown"]])
def test_a_yes_no_columns_vocabulary_has_the_levels_no_and_yes(tmp_path, levels):
    def change(d: dict) -> None:
        vocab = d["vocabularies"]["yes_no"]
        vocab["levels"] = levels
        vocab["synonyms"] = {}

    said = _refused(tmp_path, change)
    assert "is a yes/no column, so its vocabulary's levels are `no` and `yes`" in said


def test_the_levels_shown_are_those_of_the_variables_own_vocabulary(tmp_path):
    from analysis.studyfile.labels import declared_levels

    def change(d: dict) -> None:
        d["variables"]["patients"]["diagnosis"]["vocabulary"] = "dx_pt"
        d["vocabularies"]["dx_pt"] = {"levels": ["scarring", "non-scarring"]}

    config = shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", change)
    assert declared_levels(config)["diagnosis"] == ["scarring", "non-scarring"]
