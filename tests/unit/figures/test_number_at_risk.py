"""``number_at_risk`` counts, per group, the subjects whose follow-up is >= each time, as a
subject-by-subject count does: ties at a time count as at risk, missing times never, a
categorical level with no subject is left out, and the time column may be whole numbers,
floats or a nullable integer column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.figures import number_at_risk

TIMES = [0, 6, 12, 12.5, 24, 36]


def _by_subject(data: pd.DataFrame, *, time: str, by: str, times: list[float]) -> pd.DataFrame:
    levels = sorted(data[by].dropna().astype(str).unique())
    if isinstance(data[by].dtype, pd.CategoricalDtype):
        levels = [str(c) for c in data[by].cat.categories if (data[by] == c).any()]
    rows = {}
    for lv in levels:
        follow = [v for g, v in zip(data[by].astype(str), data[time], strict=True) if g == lv]
        rows[lv] = [sum(1 for v in follow if not pd.isna(v) and v >= t) for t in times]
    return pd.DataFrame.from_dict(rows, orient="index", columns=times)


@pytest.mark.parametrize("seed", range(8))
def test_counts_as_subject_by_subject(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    follow = rng.choice([0.0, 6.0, 12.0, 12.5, 24.0, 30.0, 36.0, 40.0], size=n)  # ties at ticks
    follow = follow + rng.choice([0.0, 0.25], size=n)
    follow[rng.random(n) < 0.1] = np.nan
    group = rng.choice(["female", "male", "other"], size=n)
    data = pd.DataFrame({"months": follow, "sex": group})
    if seed % 3 == 1:
        data["months"] = np.floor(data["months"]).astype("Int64")  # nullable whole numbers
    if seed % 3 == 2:
        data["sex"] = pd.Categorical(data["sex"], ["male", "female", "other", "unused"])
    got = number_at_risk(data, time="months", by="sex", times=TIMES)
    want = _by_subject(data, time="months", by="sex", times=TIMES)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_a_time_equal_to_a_tick_is_at_risk_at_it() -> None:
    data = pd.DataFrame({"months": [12.0, 12.0, 11.999, np.nan], "sex": ["f", "f", "f", "f"]})
    got = number_at_risk(data, time="months", by="sex", times=[0, 12, 12.001])
    assert got.loc["f"].tolist() == [3, 2, 0]


@pytest.mark.parametrize("name", ["surv", "time", "lower", "upper", "n_risk", "std_err"])
def test_a_group_named_as_a_column_of_the_curves_table_draws_the_same(name):
    """A `by` named as a column of `km_table` ("surv", "time", ...) stopped the KM figure with
    pandas' "Cannot index with multidimensional key"."""
    from matplotlib.figure import Figure

    from analysis.figures.survival import plot_km

    d = pd.DataFrame(
        {"t": [1, 2, 3, 4, 5, 6.0, 7, 8], "e": [1, 0, 1, 0, 1, 1, 0, 1], "g": list("abababab")}
    )

    def lines(frame: pd.DataFrame, by: str) -> list[list[float]]:
        ax = Figure().add_subplot()
        plot_km(frame, time="t", event="e", by=by, ax=ax)
        return [list(map(float, line.get_ydata())) for line in ax.get_lines()]

    assert lines(d.rename(columns={"g": name}), name) == lines(d, "g")
