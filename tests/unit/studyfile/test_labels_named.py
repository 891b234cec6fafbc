"""``analysis.labels`` names columns and levels the study has: a misspelt variable
(``age_yeras``) or level (``combned``) labelled nothing, and the tables showed the default words
with no message (``labels.descriptions`` was already checked)."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from tests.study_files import shipped_study_changed


def _refused(tmp_path, change) -> str:  # noqa: ANN001
    with pytest.raises(ConfigError) as err:
        shipped_study_changed(tmp_path, "dutasteride_mesotherapy", change)
    return str(err.value)


def test_a_misspelt_variable_is_refused(tmp_path):
    said = _refused(
        tmp_path, lambda d: d["analysis"]["labels"]["variables"].update({"age_yeras": "Age"})
    )
    assert "analysis.labels.variables: unknown column 'age_yeras' (did you mean 'age_years'?)" in (
        said
    )


def test_a_misspelt_column_of_levels_is_refused(tmp_path):
    said = _refused(
        tmp_path,
        lambda d: d["analysis"]["labels"]["levels"].update({"therapy_grp": {"combined": "X"}}),
    )
    assert (
        "analysis.labels.levels: unknown column 'therapy_grp' (did you mean 'therapy_group'?)"
        in (said)
    )


def test_a_misspelt_level_is_refused_with_the_columns_levels(tmp_path):
    said = _refused(
        tmp_path,
        lambda d: d["analysis"]["labels"]["levels"]["therapy_group"].update({"combned": "X"}),
    )
    assert (
        "analysis.labels.levels.therapy_group: 'combned' is not a level of `therapy_group` "
        "(did you mean 'combined'?); its levels are ['monotherapy', 'combined']" in said
    )


def test_levels_of_a_column_without_declared_levels_are_its_values(tmp_path):
    # the minoxidil study labels its daily doses (numbers) by their values: accepted as before
    config = shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", lambda d: None)
    assert "daily_dose_mg" in config.analysis.labels.levels
