"""Mistakes a notebook user makes with the Python API are errors of the toolkit's own
(:class:`RetroError`), shown in Jupyter as their message: a table name misspelt was a bare
``KeyError: 'adverse_event'`` with a traceback, ``by="sex"`` read as the columns 's', 'e', 'x',
an empty subject table an ``IndexError``, ``Study.load(None)`` a ``TypeError``."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ArgumentError, ConfigError, RetroError, UnknownNameError
from analysis.run.study import Study
from analysis.studyfile.config import StudyConfig
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_severity import ae_severity
from tests.unit.tables.test_ae_layout_rules import EVENTS, SUBJECTS


def test_an_analysis_table_that_is_not_there_lists_those_there_are(mini_study):
    result = clean_study(StudyConfig.load(mini_study()))
    with pytest.raises(UnknownNameError) as err:
        result.tables["adverse_event"]
    assert isinstance(err.value, RetroError) and isinstance(err.value, KeyError)
    assert str(err.value).startswith("no analysis table 'adverse_event' in this study; its ")
    assert "'adverse_events'" in str(err.value)
    assert result.tables.get("adverse_event") is None  # a mapping as before


def test_a_study_table_that_is_not_there_lists_those_there_are(mini_study):
    study = Study.load(mini_study())
    with pytest.raises(UnknownNameError, match=r"^no table 'ae_incidnce' in this study"):
        study.tables["ae_incidnce"]


def test_a_wrong_reference_is_an_argument_error():
    with pytest.raises(ArgumentError, match="reference 'Female' is not a level of `sex`"):
        ae_incidence(SUBJECTS, EVENTS, by=["sex"], reference="Female")


@pytest.mark.parametrize("table", [ae_incidence, ae_severity])
def test_by_one_column_as_text_is_that_column(table):
    events = EVENTS.assign(severity=pd.Categorical(["mild"] * len(EVENTS), ["mild", "severe"]))
    one = table(SUBJECTS, events, by="sex")
    listed = table(SUBJECTS, events, by=["sex"])
    pd.testing.assert_frame_equal(one.frame, listed.frame)


def test_an_empty_subject_table_gives_a_table_of_no_subjects():
    t = ae_incidence(SUBJECTS.iloc[:0], EVENTS, by=["sex"])
    f = t.frame
    assert set(f.loc[f["stat"] == "N", "value"]) == {0}
    assert set(f.loc[f["stat"] == "n", "value"]) == {0}


def test_a_study_path_that_is_not_a_path_is_a_config_error():
    with pytest.raises(ConfigError, match="expected the path of a YAML file"):
        Study.load(None)  # type: ignore[arg-type]
