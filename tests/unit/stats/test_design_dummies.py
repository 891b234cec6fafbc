"""Treatment coding from each distinct value's label (``design._dummies``) against labelling
every row with ``astype(str)`` and comparing it with each level (kept here as the reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.design import _dummies, levels_of


def reference(data, cov, s, reference_level, n_used):
    """``_dummies`` as it was: one label per row, one comparison per level over every row."""
    if pd.api.types.is_bool_dtype(s):
        values = s.astype(bool).map({False: "no", True: "yes"})
        declared = ["no", "yes"]
    else:
        values = s.astype(str)
        declared = levels_of(data, cov)
    observed = [lv for lv in declared if (values == lv).any()]
    observed += sorted(set(values) - set(observed))
    if len(observed) < 2:
        raise ValueError("constant")
    ref = str(reference_level if reference_level is not None else observed[0])
    if ref not in observed:
        raise ValueError("no reference")
    coded = {
        f"{cov}[{lv}]": (lv, (values == lv).to_numpy(dtype=float)) for lv in observed if lv != ref
    }
    return coded, ref, [lv for lv in declared if lv not in observed]


def _columns(n: int, rng: np.random.Generator) -> dict[str, pd.Series]:
    cat = pd.Categorical(
        rng.choice(["b", "a", "c"], n), categories=["c", "a", "b", "unused"], ordered=False
    )
    mixed = pd.Series(rng.choice(np.array([1, "1", 2.0, "x", True], dtype=object), n))
    return {
        "categorical": pd.Series(cat),
        "text": pd.Series(rng.choice(["low", "high", "mid"], n), dtype=object),
        "string": pd.Series(rng.choice(["u", "v"], n), dtype="string"),
        "boolean": pd.Series(rng.random(n) < 0.4),
        "nullable_boolean": pd.Series(rng.random(n) < 0.4, dtype="boolean"),
        "mixed": mixed,
        "categorical_missing": pd.Series(cat).where(rng.random(n) < 0.9),
        "int_categories": pd.Series(pd.Categorical(rng.integers(1, 4, n))),
        "text_missing": pd.Series(rng.choice(["p", "q"], n), dtype=object).where(
            rng.random(n) < 0.9
        ),
    }


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    "cov",
    [
        "categorical",
        "text",
        "string",
        "boolean",
        "nullable_boolean",
        "mixed",
        "categorical_missing",
        "int_categories",
        "text_missing",
    ],
)
def test_labels_of_distinct_values_code_as_every_row(seed, cov):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(_columns(300 + 50 * seed, rng))
    s = data[cov].iloc[::2]
    for ref_level in (None, "b", "yes", "x", "high", "2", "q"):
        try:
            expected = reference(data, cov, s, ref_level, len(s))
        except ValueError:
            with pytest.raises(ValueError):
                _dummies(data, cov, s, ref_level, len(s))
            continue
        ours = _dummies(data, cov, s, ref_level, len(s))
        assert ours[1:] == expected[1:]
        assert list(ours[0]) == list(expected[0])
        for col, (lv, values) in expected[0].items():
            assert ours[0][col][0] == lv
            np.testing.assert_array_equal(ours[0][col][1], values)


def test_a_constant_covariate_is_refused():
    data = pd.DataFrame({"g": pd.Categorical(["a"] * 10, categories=["a", "b"])})
    with pytest.raises(ValueError, match="constant"):
        _dummies(data, "g", data["g"], None, 10)
