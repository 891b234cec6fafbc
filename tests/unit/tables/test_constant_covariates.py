"""``constant_covariates`` reads categorical columns by their codes; the same answer as the
distinct Python objects of every row (kept here as the reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.tables.plan_context import constant_covariates


def reference(data, outcome, covariates):
    complete = data[[outcome, *covariates]].dropna()
    out = {}
    for cov in covariates:
        values = pd.unique(complete[cov].astype(object))
        if len(values) < 2:
            out[cov] = str(values[0]) if len(values) else "missing"
    return out


@pytest.mark.parametrize("seed", range(3))
def test_codes_give_the_values_of_every_row(seed):
    rng = np.random.default_rng(seed)
    n = 500
    data = pd.DataFrame(
        {
            "y": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
            "varies": pd.Categorical(rng.choice(["a", "b"], n)),
            "one": pd.Categorical(["k"] * n, categories=["j", "k"]),
            "ints": pd.Categorical([3] * n),
            "one_kept": pd.Categorical(np.where(rng.random(n) < 0.5, "m", None)),
            "flag": np.ones(n, dtype=bool),
            "number": np.full(n, 2.5),
            "text": rng.choice(["p", "q"], n).astype(object),
        }
    )
    covariates = [c for c in data.columns if c != "y"]
    assert constant_covariates(data, "y", covariates) == reference(data, "y", covariates)
    none = data.assign(y=np.nan)
    assert constant_covariates(none, "y", covariates) == reference(none, "y", covariates)
