"""A Cox model that cannot be fitted says why in the words of the cause. With no event at all
it blamed each level of a covariate ("arm = a (5 subjects), arm = b ... have no event; merge
the level with another"); with a covariate missing for everyone it called the covariate
"constant among the 0 complete cases"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.tables.models import logistic_model
from analysis.tables.time_to_event import cox_table


def _data(**changes) -> pd.DataFrame:
    base = {
        "t": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        "e": [1, 0, 1, 1, 0, 1, 0, 1, 1, 0],
        "arm": ["a", "b"] * 5,
        "x": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0],
    }
    return pd.DataFrame({**base, **changes})


def test_no_event_at_all_is_said_so():
    with pytest.raises(ValueError) as err:
        cox_table(_data(e=[0] * 10), time="t", event="e", covariates={"arm": None})
    text = str(err.value)
    assert text.startswith("the Cox model has no event to fit: none of the 10 subjects")
    assert "Merge the level" not in text


def test_a_covariate_missing_for_everyone_is_said_so():
    with pytest.raises(ValueError) as err:
        cox_table(_data(x=[np.nan] * 10), time="t", event="e", covariates={"x": None})
    text = str(err.value)
    assert text.startswith("no subject has a value of every covariate (missing: `x` 10 of 10)")
    assert "constant" not in text


def test_the_same_words_for_a_logistic_model():
    with pytest.raises(ValueError, match=r"missing: `x` 10 of 10"):
        logistic_model(_data(x=[np.nan] * 10), outcome="e", covariates=["x"])
