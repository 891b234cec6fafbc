"""A categorical baseline row with nothing to compare says so. With its values in one group only
(every man's smoking status missing), or a single level observed (every patient "yes"), the
row had no p-value and no SMD, and no footnote said why: a reader could not tell a test left
out from a test forgotten. Continuous rows already named such a reason
(``test_baseline_small_groups``); categorical and yes/no rows now do too."""

from __future__ import annotations

import pandas as pd

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
