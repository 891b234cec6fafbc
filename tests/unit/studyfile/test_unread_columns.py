"""An optional column no source of the study reads is not a column of its analysis tables: the
study file may not use it (refused at load, saying why), and the default plan and the derived
columns made from it leave it out. Before, such a column passed the checks, then stopped the
run with a bare column name, or, in an inclusion rule, read as missing or False everywhere (an
empty or an unfiltered cohort, exit 0)."""

from __future__ import annotations

import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.plan_defaults import effective_plan

#: the mini study's patient source without its discontinuation columns
UNMAPPED = (
    "              last_visit_date: last_visit, is_discontinued: discontinued,\n"
    "              discontinuation_date: disc_date, discontinuation_reason: disc_reason}"
)


def _without_discontinuation(y: str) -> str:
    assert UNMAPPED in y
    return y.replace(UNMAPPED, "              last_visit_date: last_visit}")


def test_the_default_plan_and_derived_columns_leave_an_unread_column_out(mini_study):
    config = StudyConfig.load(mini_study(yaml_edit=_without_discontinuation))
    assert "time_to_discontinuation" not in effective_plan(config).tables
    patients = clean_study(config).patients
    assert "is_discontinued" not in patients
    assert "time_to_discontinuation_months" not in patients  # every patient censored: not made


@pytest.mark.parametrize(
    ("added", "key"),
    [
        (
            "inclusion:\n  - id: stayed\n    label: Stayed\n"
            "    where: [{column: is_discontinued, op: '==', value: false}]\n",
            "inclusion[0] (stayed).where[0]: unknown column 'is_discontinued' (a column of that "
            "table, but no source of this study reads",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: time_to_event, time: "
            "time_to_discontinuation_months, event: is_discontinued, by: sex}\n",
            "analysis.tables.t.time: unknown variable 'time_to_discontinuation_months' (made "
            "from `is_discontinued`, which no source of this study reads",
        ),
    ],
)
def test_a_study_file_using_an_unread_column_is_refused_saying_why(mini_study, added, key):
    def edit(y: str) -> str:
        y = _without_discontinuation(y)
        if added.startswith("inclusion:"):
            return y.replace("inclusion:\n", added, 1)
        return y + added

    with pytest.raises(ConfigError) as err:
        StudyConfig.load(mini_study(yaml_edit=edit))
    text = str(err.value)
    assert key in text


def test_a_duration_table_without_a_duration_read_is_refused(mini_study):
    """It passed the checks, then stopped the run with "IbisTypeError: Column 'duration_days'
    is not found ... This is an unexpected error"."""
    plan = "analysis:\n  tables:\n    d: {kind: ae_duration}\n"
    with pytest.raises(ConfigError, match=r"analysis.tables.d: a table of kind ae_duration "):
        StudyConfig.load(mini_study(yaml_edit=lambda y: y + plan))
