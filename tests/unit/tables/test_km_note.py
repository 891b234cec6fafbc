"""The Kaplan–Meier table's first note names the CI transform and calls it R's default only
when it is (``conf.type = 'log'``): with ``km_conf_type: log-log`` it read "with the log-log
transform (R survfit default)"."""

from __future__ import annotations

import pytest

from analysis.tables.time_to_event import time_to_event_table


@pytest.fixture(scope="module")
def patients(reference_clean):
    return reference_clean.patients


TIME, EVENT, BY = "time_to_discontinuation_months", "is_discontinued", "therapy_group"


@pytest.mark.parametrize(
    ("conf_type", "said"),
    [
        ("log", "with the log transform (R survfit default);"),
        ("log-log", "with the log-log transform; median CI"),
        ("plain", "with the plain transform; median CI"),
    ],
)
def test_only_the_log_transform_is_called_r_default(patients, conf_type, said):
    result = time_to_event_table(patients, time=TIME, event=EVENT, by=BY, conf_type=conf_type)
    assert said in result.footnotes[0]
