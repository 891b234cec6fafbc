"""A categorical baseline row with nothing to compare says so. With its values in one group only
(every man's smoking status missing), or a single level observed (every patient "yes"), the
row had no p-value and no SMD, and no footnote said why: a reader could not tell a test left
out from a test forgotten. Continuous rows already named such a reason
(``test_baseline_small_groups``); categorical and yes/no rows now do too."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.tables.baseline import NOT_TESTED, baseline_table


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(8)],
            "sex": ["female"] * 4 + ["male"] * 4,
            "smoker": pd.Categorical(["yes", "yes", "no", "yes", *[None] * 4], ["yes", "no"]),
            "pattern": ["vertex", "vertex", "vertex", "vertex", "vertex", None, "vertex", "vertex"],
            "treated": [True] * 8,
            "scalp": ["dry", "oily", "dry", "oily", "dry", "dry", "oily", "oily"],
        }
    )


LABELS = {"smoker": "Smoker", "pattern": "Pattern", "treated": "Treated", "scalp": "Scalp"}


def test_each_row_without_a_test_has_its_reason():
    t = baseline_table(_data(), by="sex", variables=LABELS)
    f = t.frame
    tested = set(f.loc[f["stat"].isin(["p_value", "smd"]), "variable"])
    assert tested == {"scalp"}  # two groups, two levels: the only row with a test
    note = next(n for n in t.footnotes if n.startswith(f"{NOT_TESTED} = not tested"))
    assert "Smoker: values in one group only" in note
    assert "Pattern, Treated: a single level observed" in note
    shown = t.layout(f)
    assert NOT_TESTED in " ".join(shown.astype(str).to_numpy().ravel())


def test_with_the_fisher_test_the_same_rows_have_their_reason():
    t = baseline_table(_data(), by="sex", variables=LABELS, categorical_test="fisher")
    note = next(n for n in t.footnotes if n.startswith(f"{NOT_TESTED} = not tested"))
    assert "Smoker: values in one group only" in note
    assert "Scalp" not in note


def test_no_reason_is_given_when_no_test_was_asked_for():
    t = baseline_table(_data(), by="sex", variables=LABELS, categorical_test="none")
    assert not (t.frame["stat"] == "p_value").any()
    assert not any(n.startswith(f"{NOT_TESTED} = not tested") for n in t.footnotes)


def _three_arms() -> pd.DataFrame:
    # arm C's patients have neither a smoking status nor an age
    return pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(9)],
            "arm": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
            "smoker": ["yes", "no", "yes", "no", "no", "yes", None, None, None],
            "age": [30.0, 40.0, 50.0, 60.0, 35.0, 45.0, None, None, None],
        }
    )


def test_a_group_without_values_is_named_where_the_others_are_tested():
    # the 3-arm table showed a p-value and an SMD of arms A and B with no word of arm C
    import scipy.stats as sps

    t = baseline_table(
        _three_arms(), by="arm", variables={"smoker": "Smoker", "age": "Age"},
        continuous_test="anova",
    )  # fmt: skip
    f = t.frame
    p = f.loc[(f["variable"] == "smoker") & (f["stat"] == "p_value"), "value"].iloc[0]
    chi2 = sps.chi2_contingency([[2, 1], [1, 2]], correction=False)
    assert p == pytest.approx(chi2.pvalue, rel=1e-12)
    age_p = f.loc[(f["variable"] == "age") & (f["stat"] == "p_value"), "value"].iloc[0]
    assert age_p == pytest.approx(sps.f_oneway([30, 40, 50], [60, 35, 45]).pvalue, rel=1e-12)
    assert not (f["stat"] == "smd").any()  # no SMD of two of the three arms
    assert "Smoker; Age: no value in arm C; tested across the other groups." in t.footnotes
