"""A claim reads the exact row it names: a level's denominator is its variable's one ``N`` only
in a group where the level has rows. A term only men reported has no denominator among women;
the claim "N = 219 for erectile dysfunction among women" passed on the women's N before."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ard import ard_frame, get, published
from analysis.report.claims import CellSelector, ValueClaim, verify_claims
from tests.conftest import ard_rows


@pytest.fixture
def ard() -> pd.DataFrame:
    rows = [
        *ard_rows("ae", "ae_term", "pain", "sex=female", n=90, N=219),
        *ard_rows("ae", "ae_term", "pain", "sex=male", n=150, N=322),
        *ard_rows("ae", "ae_term", "erectile dysfunction", "sex=male", n=7, N=322),
    ]
    return published(ard_frame(rows))


def _n_of(level: str, sex: str) -> ValueClaim:
    return ValueClaim(
        id=f"{level}_{sex}".replace(" ", "_"),
        text="N",
        source_ref="Results",
        source=CellSelector(
            table="ae", variable="ae_term", level=level, group={"sex": sex}, stat="N"
        ),
        expected=219 if sex == "female" else 322,
    )


def test_a_denominator_in_a_group_without_the_level_is_not_found(ard):
    assert set(ard.loc[ard["stat"] == "N", "level"]) == {""}  # one N row per group
    result = verify_claims(ard, [_n_of("erectile dysfunction", "female")]).iloc[0]
    assert not result["passed"]
    assert result["note"] == (
        "not found in ARD: ae.ae_term[erectile dysfunction] @ sex=female: N "
        "(no group 'sex=female' here; groups: 'sex=male')"
    )


def test_a_denominator_in_the_levels_own_group_is_its_variables_n(ard):
    result = verify_claims(ard, [_n_of("erectile dysfunction", "male"), _n_of("pain", "female")])
    assert result["passed"].tolist() == [True, True]
    assert result["computed"].tolist() == [322, 219]


def test_the_ard_lookup_refuses_the_same_off_group_denominator(ard):
    assert get(ard, table="ae", variable="ae_term", level="pain", group={"sex": "female"},
               stat="N") == 219  # fmt: skip
    with pytest.raises(KeyError, match="no ARD row for table='ae'"):
        get(ard, table="ae", variable="ae_term", level="erectile dysfunction",
            group={"sex": "female"}, stat="N")  # fmt: skip
