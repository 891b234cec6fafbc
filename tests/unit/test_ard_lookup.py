"""The ARD can be queried without knowing any grammar: explicit group columns (as R ``cards``),
``ard.get`` and ``ard.select``, checked on both shipped studies' published numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ard import ard_frame, get, groups_of, key_columns, published, select
from tests.golden.snapshot import GOLDEN, shipped_studies, snapshot_path


def _snapshot(stem: str) -> pd.DataFrame:
    frame = pd.read_csv(GOLDEN / f"{stem}.ard.csv", dtype=str, keep_default_na=False)
    return frame.assign(value=pd.to_numeric(frame["value"]))


ARD = _snapshot("dutasteride_mesotherapy")


def test_get_finds_the_published_pain_count():
    assert get(ARD, table="ae_incidence", variable="ae_term", level="pain", stat="n") == 246
    n = get(ARD, table="ae_incidence", variable="ae_term", level="pain", stat="N")
    assert n == 541


def test_get_with_groups_tests_and_comparisons():
    pain = {"table": "ae_incidence", "variable": "ae_term", "level": "pain"}
    assert get(ARD, **pain, stat="N", group={"sex": "female"}) == 219
    both = {"therapy_group": "combined", "sex": "female"}  # any order
    assert get(ARD, **pain, stat="n", group=both) == get(
        ARD, **pain, stat="n", group=dict(reversed(both.items()))
    )
    p = get(ARD, **pain, stat="p_value", group={"sex": ""})  # across every level of sex
    assert p == pytest.approx(0.1593331698)
    rd = get(
        ARD,
        table="ae_incidence",
        variable="ae_category",
        level="Administration site",
        stat="estimate",
        group={"sex": "male"},
        reference="female",
    )
    assert rd == pytest.approx(-17.04954763)
    odds = get(
        ARD,
        table="logistic_pain",
        variable="therapy_group",
        level="combined",
        reference="monotherapy",
        stat="estimate",
    )
    assert odds > 0


def test_get_says_what_exists_when_nothing_matches():
    with pytest.raises(KeyError, match="no ARD row .* levels: .*pain"):
        get(ARD, table="ae_incidence", variable="ae_term", level="pian", stat="n")
    with pytest.raises(KeyError, match="variables of 'ae_incidence'"):
        get(ARD, table="ae_incidence", variable="term", stat="n")
    with pytest.raises(KeyError, match=r"groups: .*\{'sex': 'female'\}"):
        get(ARD, table="ae_incidence", variable="ae_term", level="pain", stat="n",
            group={"sex": "woman"})  # fmt: skip


def test_builder_rows_are_spelt_out_in_columns():
    rows = [
        {"table": "t", "variable": "v", "level": "a", "group": g, "stat": "n", "value": 1}
        for g in ("overall", "sex=female", "sex=female;therapy_group=combined", "sex=*")
    ]
    rows.append({"table": "t", "variable": "v", "level": "a", "group": "sex=male vs female",
                 "stat": "estimate", "value": 0.5})  # fmt: skip
    out = published(ard_frame(rows, context="c"))
    assert "group" not in out.columns and set(out["context"]) == {"c"}
    assert out[
        ["group1", "group1_level", "group2", "group2_level", "reference"]
    ].values.tolist() == [
        ["", "", "", "", ""],
        ["sex", "female", "", "", ""],
        ["sex", "female", "therapy_group", "combined", ""],
        ["sex", "", "", "", ""],
        ["sex", "male", "", "", "female"],
    ]
    assert groups_of(out)[2] == {"sex": "female", "therapy_group": "combined"}
    assert len(select(out, stat="n", group={"sex": ""})) == 1


@pytest.mark.parametrize("study", shipped_studies(), ids=lambda p: p.stem)
def test_each_number_has_one_key(study):
    """``(table, variable, level, group*, reference, stat)`` names one row, and no old grammar
    (``=``, ``*``, `` vs ``) is left in a group column for a reader to parse."""
    ard = _snapshot(study.stem)
    assert list(ard.columns[:4]) == ["table", "context", "variable", "level"]
    assert list(ard.columns[-4:]) == ["reference", "stat", "value", "method"]
    assert not ard.duplicated(key_columns(ard)).any()
    groups = ard[[c for c in ard.columns if c.startswith("group")]]
    assert not groups.apply(lambda c: c.str.contains(r"=|\*| vs ")).any().any()
    assert (ard["context"] != "").all()
    assert snapshot_path(study).exists()
