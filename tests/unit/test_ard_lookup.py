"""The ARD can be queried without knowing its group grammar: ``ard.get`` and ``group_columns``
(cards-style group1/group1_level columns), checked on the reference study's published numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ard import get, group_columns
from tests.golden.snapshot import GOLDEN

ARD = pd.read_csv(GOLDEN / "dutasteride_mesotherapy.ard.csv", dtype=str, keep_default_na=False)
ARD["value"] = pd.to_numeric(ARD["value"])


def test_get_finds_the_published_pain_count():
    assert get(ARD, table="ae_incidence", variable="ae_term", level="pain", stat="n") == 246
    n = get(ARD, table="ae_incidence", variable="ae_term", level="pain", stat="N")
    assert n == 541


def test_get_with_groups_tests_and_comparisons():
    female = get(
        ARD,
        table="ae_incidence",
        variable="ae_term",
        level="pain",
        stat="N",
        group={"sex": "female"},
    )
    assert female == 219
    p = get(
        ARD,
        table="ae_incidence",
        variable="ae_term",
        level="pain",
        stat="p_value",
        group={"sex": "*"},
    )
    assert p == pytest.approx(0.1593331698)
    rd = get(
        ARD,
        table="ae_incidence",
        variable="ae_category",
        level="Administration site",
        stat="estimate",
        group={"sex": "male vs female"},
    )
    assert rd == pytest.approx(-17.04954763)


def test_get_says_what_exists_when_nothing_matches():
    with pytest.raises(KeyError, match="no ARD row .* levels: .*pain"):
        get(ARD, table="ae_incidence", variable="ae_term", level="pian", stat="n")
    with pytest.raises(KeyError, match="variables of 'ae_incidence'"):
        get(ARD, table="ae_incidence", variable="term", stat="n")


def test_group_columns_spell_out_the_group():
    frame = pd.DataFrame(
        {
            "group": ["overall", "sex=female", "sex=female;therapy_group=combined", "sex=*"],
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    out = group_columns(frame)
    assert out[["group1", "group1_level", "group2", "group2_level"]].values.tolist() == [
        ["", "", "", ""],
        ["sex", "female", "", ""],
        ["sex", "female", "therapy_group", "combined"],
        ["sex", "*", "", ""],
    ]
    assert list(out["group"]) == list(frame["group"])


def test_group_columns_on_the_whole_reference_ard_round_trip():
    out = group_columns(ARD)
    rebuilt = [
        ";".join(f"{k}={v}" for k, v in zip(keys[::2], keys[1::2], strict=True) if k) or "overall"
        for keys in out[[c for c in out.columns if c.startswith("group") and c != "group"]].values
    ]
    assert rebuilt == list(ARD["group"])
