"""Each denominator is one ARD row: the ``N`` the builders write beside every level is published
once per table, variable and group (``level`` ``""``) unless it differs by level; the key names
one row and no group of a variable repeats one ``N``, in both shipped studies."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.ard import ard_frame, get, group_cols, key_columns, one_denominator, published
from tests.golden.snapshot import shipped_studies, snapshot_path


def _snapshot(study: Path) -> pd.DataFrame:
    frame = pd.read_csv(snapshot_path(study), dtype=str, keep_default_na=False)
    return frame.assign(value=pd.to_numeric(frame["value"]))


def _row(level: str, group: str, stat: str, value: float) -> dict[str, object]:
    return {"table": "t", "variable": "v", "level": level, "group": group, "stat": stat,
            "value": value, "method": "m"}  # fmt: skip


def test_an_n_repeated_under_every_level_is_one_row_with_an_empty_level():
    rows = [_row(lv, g, s, x) for g in ("overall", "sex=female") for lv in ("a", "b")
            for s, x in (("n", 1 if lv == "a" else 2), ("N", 10 if g == "overall" else 6))]  # fmt: skip
    out = published(ard_frame(rows, context="c"))
    n = out.loc[out["stat"] == "N"]
    assert n[["level", "group1_level", "value"]].values.tolist() == [
        ["", "", 10.0],
        ["", "female", 6.0],
    ]
    assert (out["stat"] == "n").sum() == 4  # the counts stay one a level
    assert out["stat"].tolist() == ["n", "N", "n", "n", "N", "n"]  # rows keep their order


def test_an_n_that_differs_by_level_keeps_one_row_a_level():
    rows = [_row("a", "overall", "N", 10), _row("b", "overall", "N", 8)]  # e.g. sex-specific
    out = published(ard_frame(rows, context="c"))
    assert out[["level", "value"]].values.tolist() == [["a", 10.0], ["b", 8.0]]


def test_one_denominator_is_idempotent_and_keeps_a_hidden_n_hidden():
    rows = [_row(lv, "overall", "N", math.nan) for lv in ("a", "b")]
    once = published(ard_frame(rows, context="c"))
    assert len(once) == 1 and once["level"].tolist() == [""] and once["value"].isna().all()
    assert one_denominator(once).equals(once)
    mixed = [_row("a", "overall", "N", math.nan), _row("b", "overall", "N", 5)]
    assert len(published(ard_frame(mixed, context="c"))) == 2  # not the same number


def test_get_reads_a_levels_n_from_its_variables_one_n_row():
    ard = published(
        ard_frame([_row("a", "overall", "n", 1), _row("a", "overall", "N", 10),
                   _row("b", "overall", "n", 2), _row("b", "overall", "N", 10)], context="c")
    )  # fmt: skip
    assert get(ard, table="t", variable="v", level="b", stat="N") == 10
    assert get(ard, table="t", variable="v", stat="N") == 10
    with pytest.raises(KeyError, match="no ARD row"):
        get(ard, table="t", variable="v", level="typo", stat="N")  # not a level: no fallback


@pytest.mark.parametrize("study", shipped_studies(), ids=lambda p: p.stem)
def test_the_key_names_one_row(study: Path):
    ard = _snapshot(study)
    dup = ard.loc[ard.duplicated(key_columns(ard), keep=False)]
    assert dup.empty, dup.head().to_string()


@pytest.mark.parametrize("study", shipped_studies(), ids=lambda p: p.stem)
def test_no_group_of_a_variable_repeats_one_n(study: Path):
    ard = _snapshot(study)
    n = ard.loc[ard["stat"] == "N"]
    where = ["table", "variable", *group_cols(ard), "reference", "value"]
    # the terms of one sex (vocabulary `sex_specific`) share that sex's N, one row a term, told
    # apart from the variable's one N by its method; every other N is one row
    one_sex = n["method"].str.endswith(" subjects in the group") & (n["level"] != "")
    repeated = n.loc[~one_sex].loc[lambda d: d.duplicated(where, keep=False)]
    assert repeated.empty, repeated.head(8).to_string()
    own = n.loc[one_sex].merge(n.loc[n["level"] == ""], on=where, suffixes=("", "_one"))
    assert own.empty, own.head(8).to_string()  # never the same number as the variable's N
