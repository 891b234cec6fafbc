"""``as_table`` of a frame whose text column comes in runs of one object (the ids of a table
sorted by patient, as the clean stage writes the exposures) holds the rows the frame holds, and
a query over it counts as over the frame converted cell by cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.engine.counts import as_table, execute
from analysis.write.object_runs import object_runs, python_cells
from analysis.write.parquet import RUNS_FROM


def _exposures(n_patients: int = RUNS_FROM // 3) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    per = rng.integers(1, 8, size=n_patients)
    ids = np.repeat(np.array([f"HB-{i:07d}" for i in range(n_patients)], dtype=object), per)
    number = np.concatenate([np.arange(1, k + 1) for k in per])
    return pd.DataFrame(
        {"patient_id": pd.array(ids, dtype="string"), "exposure_number": number.astype("int64")}
    )


def test_a_frame_in_runs_is_the_same_table() -> None:
    df = _exposures()
    assert len(df) >= RUNS_FROM
    assert object_runs(python_cells(df["patient_id"]), 2) is not None  # the runs path is taken
    got = as_table(df).to_pyarrow()
    want = pa.Table.from_pandas(df, preserve_index=False)
    assert got.num_rows == len(df)
    assert got.select(want.column_names).to_pydict() == want.to_pydict()
    t = as_table(df)
    per_number = execute(t.group_by("exposure_number").agg(n=t.patient_id.nunique()))
    expected = df.groupby("exposure_number")["patient_id"].nunique()
    assert dict(zip(per_number["exposure_number"], per_number["n"], strict=True)) == dict(
        expected.items()
    )
