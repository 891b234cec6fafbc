"""The engine's DuckDB connection: one per process, a forked child's own, Parquet views reused."""

from __future__ import annotations

import multiprocessing as mp

import ibis
import pandas as pd
import pytest

from analysis.engine import counts as engine
from analysis.run.parallel import fork_available


def _views(con) -> set[str]:  # noqa: ANN001
    rows = con.con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    return {r[0] for r in rows}


def test_one_connection_per_process_and_a_view_per_parquet_file(tmp_path):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"patient_id": [1, 2, 3], "sex": ["f", "m", "f"]}).to_parquet(path)
    con = engine.process_connection()
    assert engine.process_connection() is con
    before = _views(con)
    first = engine.as_table(str(path))
    second = engine.as_table(path)
    assert second is first  # the view is made once
    assert _views(con) - before == {first.get_name()}
    assert first.count().execute() == 3
    # rewriting the file gives a view of its own, with the new rows
    pd.DataFrame({"patient_id": [1, 2, 3, 4], "sex": ["f", "m", "f", "m"]}).to_parquet(path)
    third = engine.as_table(path)
    assert third.count().execute() == 4


def _count_in_child(conn, path) -> None:  # noqa: ANN001
    frame = pd.DataFrame({"x": [1, 2, 3]})
    out = engine.execute(engine.as_table(frame).aggregate(n=lambda t: t.count()))
    rows = engine.as_table(path).count().execute()  # the parent's view is not the child's
    conn.send((id(engine.process_connection()), int(out["n"].item()), int(rows)))
    conn.close()


@pytest.mark.skipif(not fork_available(), reason="needs fork")
def test_a_forked_child_opens_its_own_connection(tmp_path):
    parent = engine.process_connection()
    engine.execute(engine.as_table(pd.DataFrame({"x": [1]})).aggregate(n=lambda t: t.count()))
    path = tmp_path / "x.parquet"
    pd.DataFrame({"x": [1, 2]}).to_parquet(path)
    view = engine.as_table(path)
    ctx = mp.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_count_in_child, args=(writer, path))
    proc.start()
    writer.close()
    assert reader.poll(60), "the child's query did not finish"
    child_id, n, rows = reader.recv()
    proc.join()
    assert (n, rows) == (3, 2)
    assert child_id != id(parent)
    assert engine.process_connection() is parent
    assert engine.as_table(path) is view


@pytest.mark.parametrize(
    "ids",
    [
        [1, 2, 3, 4],  # unique
        [5, 7, 5, 9, 7, 7],  # 3 duplicate rows
        [-3, -3, 0, 2],  # negative ids
        [1, None, None, 4],  # missing ids are not distinct ids, as with count(distinct)
        [0, 2**40, 2**40],  # range beyond the bitmap: hash set
        ["S1", "S2", "S1"],  # text ids: hash set
    ],
)
def test_duplicate_count_equals_rows_minus_distinct_ids(tmp_path, ids):
    frame = pd.DataFrame({"patient_id": ids})
    if not isinstance(ids[0], str):
        frame["patient_id"] = frame["patient_id"].astype("Int64")
    want = len(ids) - frame["patient_id"].nunique()
    path = tmp_path / "s.parquet"
    frame.to_parquet(path)
    for data in (frame, path):
        t = engine.as_table(data)
        expr = engine.duplicate_count(t, "patient_id")
        assert int(expr.execute()) == want
        sql = str(ibis.to_sql(expr))
        bitmap = isinstance(ids[0], int) and max(i for i in ids if i is not None) < 2**28
        assert ("BITSTRING_AGG" in sql.upper()) == bitmap, sql


def test_subject_table_check_names_duplicates_on_the_bitmap_path():
    t = engine.as_table(pd.DataFrame({"patient_id": [3, 1, 3, 3], "sex": list("fmff")}))
    with pytest.raises(ValueError, match="2 duplicate or missing `patient_id` value"):
        engine.check_subject_table(t, by=["sex"], subject_id="patient_id")
