"""Sums of floating-point values on the engine add the values in the order the table holds
them, so the same data give the same means and SDs to the last digit, run after run.

Seen: two builds of the baseline table on the million-patient twin differed in 8 means and SDs
in their last digits (an SD of 7.639801905898116 against 7.639801905898055): DuckDB added the
values on two threads and combined their shares in the order the threads finished. A sum in
table order is what ``np.cumsum`` gives last."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.engine import counts


def _values(n: int = 1_000_000) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    # spread over orders of magnitude: a sum split in two shares rounds otherwise
    return pd.DataFrame({"x": rng.lognormal(3, 2, n), "g": rng.integers(0, 2, n)})


def _in_order(df: pd.DataFrame) -> list[float]:
    return [float(np.cumsum(s.to_numpy())[-1]) for _, s in df.groupby("g")["x"]]


def test_summaries_add_in_table_order_and_repeat() -> None:
    df = _values()
    t = counts.as_table(df)
    runs = [counts.numeric_summaries(t, variables=["x"], by=["g"]) for _ in range(4)]
    assert [float(v) for v in runs[0]["sum"]] == _in_order(df)
    for other in runs[1:]:
        pd.testing.assert_frame_equal(other, runs[0], check_exact=True)
    one = [counts.numeric_summary(t, variable="x", by=["g"]) for _ in range(2)]
    assert [float(v) for v in one[0]["sum"]] == _in_order(df)
    pd.testing.assert_frame_equal(one[1], one[0], check_exact=True)


def test_the_engine_keeps_its_threads() -> None:
    con = counts.process_connection()
    before = con.raw_sql("SELECT current_setting('threads')").fetchall()[0][0]
    counts.numeric_summaries(counts.as_table(_values(1000)), variables=["x"], by=["g"])
    assert con.raw_sql("SELECT current_setting('threads')").fetchall()[0][0] == before
