"""``multi_level_counts`` (each variable counted by value, then labelled) against counting the
text label of every row (kept here as the reference)."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from analysis.engine import counts as engine


def reference(data, *, variables, by=()):
    parts = [
        data.select(*by, variable=ibis.literal(var), level=data[var].cast("string"))
        for var in variables
    ]
    stacked = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    keys = [*by, "variable", "level"]
    return engine.execute(stacked.group_by(keys).aggregate(n=stacked.count()), keys)


@pytest.mark.parametrize("by", [[], ["g"], ["g", "h"]])
@pytest.mark.parametrize("seed", range(3))
def test_counts_by_value_then_label_equal_counts_by_label(seed, by):
    rng = np.random.default_rng(seed)
    n = 3000
    frame = pd.DataFrame(
        {
            "g": rng.choice(["a", "b", None], n),
            "h": rng.integers(0, 2, n),
            "cat": pd.Categorical(rng.choice(["u", "v", "w"], n), categories=["w", "v", "u", "z"]),
            "flag": pd.Series(rng.random(n) < 0.3, dtype="boolean"),
            "num": rng.choice([1.0, -0.0, 0.0, 2.5, np.nan], n),
            "text": rng.choice(["x", "y", None], n),
            "count": pd.array(rng.integers(0, 4, n), dtype="Int64"),
        }
    )
    frame.loc[rng.random(n) < 0.1, "cat"] = None
    frame.loc[rng.random(n) < 0.1, "flag"] = pd.NA
    t = engine.as_table(frame)
    variables = ["cat", "flag", "num", "text", "count"]
    ours = engine.multi_level_counts(t, variables=variables, by=by)
    pd.testing.assert_frame_equal(ours, reference(t, variables=variables, by=by))
