"""A Cox coefficient that does not settle at a finite value is refused, not shown: with a level
without events the table read "HR 0.00 (0.00-inf), p = 1.000" (coefficient -25.6, SE 3.4e5),
where R ``coxph`` warns "Loglik converged before variable 1; coefficient may be infinite" and
lifelines ends at coefficient -13.9, SE 970. The logistic models refuse separation alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.survival import cox_model
from analysis.tables.time_to_event import cox_table


def cohort(n: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "months": rng.exponential(12, n).round(1) + 0.1,
            "stopped": rng.random(n) < 0.6,
            "arm": np.where(np.arange(n) % 2, "oral", "topical"),
        }
    )


def test_a_level_without_events_is_named():
    data = cohort()
    data.loc[0, "arm"] = "mesotherapy"
    data.loc[0, "stopped"] = False
    with pytest.raises(ValueError) as exc:
        cox_table(data, time="months", event="stopped", covariates={"arm": "oral"})
    text = str(exc.value)
    assert "`arm` = mesotherapy (1 subject) has no event" in text
    assert "Merge the level with another" in text


def test_a_reference_level_without_events_is_named_too():
    data = cohort()
    data.loc[data["arm"] == "oral", "stopped"] = False
    with pytest.raises(ValueError, match=r"`arm` = oral \(30 subjects\) has no event"):
        cox_table(data, time="months", event="stopped", covariates={"arm": "oral"})


def test_every_event_of_a_group_after_the_other_left_is_refused():
    # the x = 1 subjects have every event while x = 0 subjects are at risk; the x = 0 events
    # come when no x = 1 subject is left: the partial likelihood grows with the coefficient
    data = pd.DataFrame(
        {
            "t": [1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 8.0],
            "e": [1, 1, 1, 1, 1, 1, 0],
            "x": [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        }
    )
    with pytest.raises(ValueError, match=r"cannot estimate a finite hazard ratio for `x` \(SE"):
        cox_model(data, time="t", event="e", covariates=["x"])


def test_a_finite_fit_is_untouched():
    data = cohort()
    table = cox_table(data, time="months", event="stopped", covariates={"arm": "oral"})
    hr = table.frame.query("stat == 'estimate'")["value"].iloc[0]
    assert 0.2 < hr < 5
