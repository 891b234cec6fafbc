"""Every number of both shipped studies' ARDs equals its snapshot (``tests/golden/*.ard.csv``,
written by ``python -m tests.golden.snapshot``): a refactor that changes a number fails here,
naming the rows."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.golden.snapshot import KEY, shipped_studies, snapshot_path, study_ard


@pytest.mark.parametrize("study", shipped_studies(), ids=lambda p: p.stem)
def test_ard_equals_snapshot(study):
    expected = pd.read_csv(snapshot_path(study), dtype=str, keep_default_na=False)
    found = study_ard(study)
    merged = expected.merge(
        found, on=KEY, how="outer", suffixes=("_snapshot", "_now"), indicator=True
    )
    only = merged.loc[merged["_merge"] != "both", [*KEY, "_merge"]]
    assert only.empty, f"rows only in one side:\n{only.head(30).to_string()}"
    differ = merged.loc[
        (merged["value_snapshot"] != merged["value_now"])
        | (merged["method_snapshot"] != merged["method_now"])
    ]
    assert differ.empty, f"{len(differ)} numbers changed:\n{differ.head(30).to_string()}"
    assert len(found) == len(expected) > 100
