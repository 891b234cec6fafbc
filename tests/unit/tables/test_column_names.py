"""A study's column may be named as a table builder's own columns (``n``, ``N``, ``level``,
``variable``, a helper's ``_level``...): the table then has the same numbers as with an
ordinary name, under the study's name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.tables.baseline import baseline_table
from analysis.tables.response import response_table

#: names the builders, the engine's counts and the ARD use for columns of their own
CLASHING = [
    "n", "N", "level", "variable", "mean", "n_missing", "t", "rank_sum", "_midrank", "_level",
    "_c0", "a column",
]  # fmt: skip

RNG = np.random.default_rng(11)
SIZE = 40
GRADES = ["worse", "stable", "mild improvement", "marked improvement"]
PATIENTS = pd.DataFrame(
    {
        "patient_id": [f"p{i}" for i in range(SIZE)],
        "sex": pd.Categorical(RNG.choice(["female", "male"], SIZE), categories=["female", "male"]),
        "centre": pd.Categorical(RNG.choice(["A", "B", "C"], SIZE), categories=["A", "B", "C"]),
        "age_years": np.where(RNG.random(SIZE) < 0.1, np.nan, RNG.normal(45, 12, SIZE).round()),
        "has_x": RNG.random(SIZE) < 0.3,
        "grade": pd.Categorical(RNG.choice(GRADES, SIZE), categories=GRADES, ordered=True),
    }
)


def _baseline(data: pd.DataFrame, name: dict[str, str], **options: str) -> pd.DataFrame:
    def r(c: str) -> str:
        return name.get(c, c)

    variables = [r("age_years"), r("centre"), r("has_x")]
    return baseline_table(data, by=r("sex"), variables=variables, **options).frame


def _response(data: pd.DataFrame, name: dict[str, str]) -> pd.DataFrame:
    def r(c: str) -> str:
        return name.get(c, c)

    return response_table(data, by=r("sex"), within=r("centre"), outcome=r("grade")).frame


BUILDERS = {
    "baseline": (_baseline, ["sex", "age_years", "centre", "has_x"]),
    "baseline_kruskal": (
        lambda d, n: _baseline(d, n, continuous_test="kruskal"),
        ["sex", "age_years"],
    ),
    "response": (_response, ["sex", "centre", "grade"]),
}


def _named_back(frame: pd.DataFrame, new: str, old: str) -> pd.DataFrame:
    """``frame`` with ``new`` written as ``old`` wherever it names the column (the variable,
    the group keys and columns, the table's name), the group sizes' rows left as they are."""

    def key(text: str) -> str:
        parts = [f"{old}{p[len(new) :]}" if p.startswith(f"{new}=") else p for p in text.split(";")]
        return ";".join(parts)

    out = frame.copy()
    sizes = out["context"] == "group_size"
    out.loc[~sizes & (out["variable"] == new), "variable"] = old
    out["group"] = out["group"].map(key)
    for col in [c for c in out.columns if c.startswith("group") and not c.endswith("_level")]:
        out[col] = out[col].replace({new: old})
    out["table"] = out["table"].str.replace(f"_{new}", f"_{old}", regex=False)
    return out.drop(columns="method")  # a method may name the column in words


@pytest.mark.parametrize("builder", list(BUILDERS))
@pytest.mark.parametrize("name", CLASHING)
def test_a_column_named_as_the_builders_own_gives_the_same_numbers(builder: str, name: str):
    build, roles = BUILDERS[builder]
    expected = build(PATIENTS, {}).drop(columns="method")
    for role in roles:
        renamed = PATIENTS.rename(columns={role: name})
        got = _named_back(build(renamed, {role: name}), name, role)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{role} as {name}")


def test_a_variable_named_N_is_laid_out_beside_the_group_sizes():
    data = PATIENTS.rename(columns={"centre": "N"})
    result = baseline_table(data, by="sex", variables=["N", "age_years"])
    heads = [c for c in result.layout(result.frame).columns if "(N=" in c]
    sizes = PATIENTS["sex"].value_counts()
    assert heads == [
        f"female (N={sizes['female']})",
        f"male (N={sizes['male']})",
        f"Overall (N={SIZE})",
    ]
