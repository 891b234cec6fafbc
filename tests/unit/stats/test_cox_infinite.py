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


def _dose_without_events_at_its_low_value(n: int = 200, seed: int = 5) -> pd.DataFrame:
    """Half the patients at 0.5 mg, none of whom stopped; the others at 1 mg (a probe study:
    "Initial dose mg (per mg), 4.7e26 (0.00–inf)" printed with exit 0)."""
    rng = np.random.default_rng(seed)
    dose = np.where(np.arange(n) % 2 == 0, 0.5, 1.0)
    return pd.DataFrame(
        {
            "months": rng.exponential(12, n).round(1) + 0.1,
            "stopped": (dose == 1.0) & (rng.random(n) < 0.6),
            "dose_mg": dose,
            "female": (rng.random(n) < 0.5).astype(float),
        }
    )


def test_a_numeric_covariate_with_a_value_without_events_is_refused():
    data = _dose_without_events_at_its_low_value()
    with pytest.raises(ValueError, match=r"(did not converge|cannot estimate a finite)"):
        cox_model(data, time="months", event="stopped", covariates=["dose_mg", "female"])


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_a_numeric_covariate_is_judged_per_standard_deviation_not_per_unit(scale):
    from analysis.stats.cox_refusals import refuse_infinite

    x = pd.DataFrame({"dose": np.linspace(0, 1, 50) * scale})
    # an SE of 30 per unit is 8.7 per SD (SD 0.29): finite; the same per 1/1000 unit too
    fine = pd.DataFrame({"coef": [1.0 / scale], "se": [30.0 / scale]}, index=["dose"])
    refuse_infinite(fine, x)
    wild = pd.DataFrame({"coef": [60.0 / scale], "se": [100.0 / scale]}, index=["dose"])
    with pytest.raises(ValueError, match=r"finite hazard ratio for `dose`"):
        refuse_infinite(wild, x)


def test_a_fit_that_does_not_converge_is_refused_quoting_why():
    from analysis.stats.cox_refusals import refuse_unconverged

    refuse_unconverged(["Column x have very low variance ..."])  # advice alone: no refusal
    with pytest.raises(ValueError) as exc:
        refuse_unconverged(
            [
                "Column age has high sample correlation with the duration column. This may harm "
                "convergence.",
                "Newton-Raphson failed to converge sufficiently. Please see ...",
            ]
        )
    text = str(exc.value)
    assert text.startswith(
        "the Cox model's fit did not converge (Column age has high sample correlation with the "
        "duration column):"
    )


def test_events_ordered_by_a_numeric_covariate_are_refused():
    rng = np.random.default_rng(7)
    age = rng.integers(20, 80, 150).astype(float)
    data = pd.DataFrame(
        {"age": np.sort(age)[::-1], "months": np.arange(1, 151) / 10.0, "stopped": True}
    )
    with pytest.raises(ValueError, match=r"(did not converge|cannot estimate a finite)"):
        cox_model(data, time="months", event="stopped", covariates=["age"])
