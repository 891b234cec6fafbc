"""A Cox model names a numeric covariate's unit as the logistic and proportional-odds models
do (``labels.units``): the shipped study's sessions read "per exposure" in a Cox table and
"per session" in its logistic tables; the ARD's method ends with the unit too, as theirs."""

from __future__ import annotations

import pytest

from analysis.tables.time_to_event import cox_table


@pytest.fixture(scope="module")
def patients(reference_clean):
    return reference_clean.patients


TIME, EVENT = "time_to_discontinuation_months", "is_discontinued"


def test_the_unit_of_a_numeric_covariate_is_the_studys(patients):
    result = cox_table(
        patients,
        time=TIME,
        event=EVENT,
        covariates={"n_exposures": None},
        units={"n_exposures": "session"},
    )
    methods = result.frame.loc[
        (result.frame["variable"] == "n_exposures") & (result.frame["stat"] == "estimate"),
        "method",
    ]
    assert methods.str.endswith("; per session").all() and len(methods) == 1
    assert any("per session" in str(v) for v in result.display().iloc[:, 0])
