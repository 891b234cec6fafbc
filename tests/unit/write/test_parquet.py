"""``write_parquet`` writes the very bytes ``DataFrame.to_parquet(index=False, engine="pyarrow",
compression="zstd", coerce_timestamps="us")`` writes (pandas 2.x, pyarrow), whether a text column is converted once per
run of one object or whole; ``object_runs`` finds runs by identity, not by equal value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.write import parquet
from analysis.write.object_runs import addresses, object_runs
from analysis.write.parquet import RUNS_FROM, arrow_table, from_pandas_by_runs, write_parquet

N = RUNS_FROM + 1234
#: times are written in microseconds, which Spark reads (it refuses nanoseconds)
MICROSECONDS = {"coerce_timestamps": "us", "allow_truncated_timestamps": False}


class Tag(str):
    """A ``str`` subclass: its cells must stay of their own type through the runs."""


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Patient ids in runs of 1-9 cells, one object per run (as a read table holds them), some
    runs missing (pd.NA)."""
    lengths = rng.integers(1, 10, size=n)
    objects = [pd.NA if i % 97 == 0 else f"P{i:07d}" for i in range(n)]
    return np.repeat(np.array(objects, dtype=object), lengths)[:N]


def _frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    files = np.array(["site_a/visits.csv", "site_b/Visites (2019).csv"], dtype=object)
    nan_a, nan_b = float("nan"), float("nan")  # two NaN objects: two runs
    mixed = np.empty(N, dtype=object)
    mixed[: N // 3] = nan_a
    mixed[N // 3 : N // 2] = None
    mixed[N // 2 : 2 * N // 3] = nan_b
    mixed[2 * N // 3 :] = "Visite 2"
    tags = np.empty(N, dtype=object)
    tags[:] = Tag("Feuil1")
    tags[: N // 5] = "Sheet1"
    free = np.array([f"note {i} é" for i in rng.integers(0, 10**9, size=N)], dtype=object)
    return pd.DataFrame(
        {
            "patient_id": pd.array(_ids(rng, N), dtype=pd.StringDtype("python")),
            "number": rng.integers(1, 40, size=N),
            "start_date": pd.to_datetime("2019-01-01")
            + pd.to_timedelta(rng.integers(0, 2000, size=N), unit="D"),
            "dose_mg": np.where(rng.random(N) < 0.05, np.nan, rng.random(N)),
            "flag": rng.random(N) < 0.5,
            "grade": pd.Categorical.from_codes(
                rng.integers(-1, 3, size=N), ["mild", "moderate", "severe"]
            ),
            "source_file": np.repeat(files, [N // 3, N - N // 3]),
            "source_sheet": tags,
            "visit": mixed,
            "note": free,
        }
    )


def _bytes_of(df: pd.DataFrame, tmp_path, name: str) -> tuple[bytes, bytes]:
    ours = write_parquet(df, tmp_path / "ours" / f"{name}.parquet")
    theirs = tmp_path / f"{name}.pandas.parquet"
    df.to_parquet(theirs, index=False, engine="pyarrow", compression="zstd", **MICROSECONDS)
    return ours.read_bytes(), theirs.read_bytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_runs_give_the_bytes_to_parquet_writes(seed: int, tmp_path) -> None:
    df = _frame(seed)
    assert parquet._with_runs(df) is not None  # the runs were used, not the whole conversion
    ours, theirs = _bytes_of(df, tmp_path, f"s{seed}")
    assert ours == theirs
    assert pq.read_metadata(tmp_path / "ours" / f"s{seed}.parquet").num_rows == N


def test_attrs_reordered_rows_and_a_small_frame(tmp_path) -> None:
    df = _frame(4)
    df.attrs = {"study": "twin", "n": 3}
    shuffled = df.sample(frac=1.0, random_state=0)  # runs broken up, the index not 0..n-1
    small = df.head(500)
    for name, frame in {"attrs": df, "shuffled": shuffled, "small": small}.items():
        ours, theirs = _bytes_of(frame, tmp_path, name)
        assert ours == theirs, name


def test_a_column_whose_sample_types_differ_is_converted_whole(tmp_path) -> None:
    """A text column without runs, missing on every row that starts a run elsewhere: pyarrow
    types it null there but string over all rows, so the table is converted whole."""
    df = _frame(5)[["source_file"]].copy()
    sparse = np.full(N, None, dtype=object)
    sparse[1::2] = [f"x{i}" for i in range(len(sparse[1::2]))]
    sparse[N // 3] = None  # the second file's first row
    df["sparse"] = sparse
    assert parquet._with_runs(df) is None
    ours, theirs = _bytes_of(df, tmp_path, "sparse")
    assert ours == theirs


def test_a_column_of_mixed_types_fails_as_to_parquet_does(tmp_path) -> None:
    df = pd.DataFrame({"x": np.repeat(np.array([1, "a"], dtype=object), N // 2)})
    with pytest.raises(Exception) as ours:
        arrow_table(df)
    with pytest.raises(Exception) as theirs:
        df.to_parquet(tmp_path / "x.parquet", index=False, engine="pyarrow")
    assert type(ours.value) is type(theirs.value)


def test_object_runs_by_identity() -> None:
    a, b = "same", "".join(["sa", "me"])  # equal, two objects
    assert a == b and a is not b
    cells = np.array([a] * 100 + [b] * 100 + [None] * 56, dtype=object)
    objects, lengths = object_runs(cells, 64)
    assert [o is x for o, x in zip(objects, [a, b, None], strict=True)] == [True] * 3
    assert lengths.tolist() == [100, 100, 56]
    assert object_runs(cells, 128) is not None  # two changes in 256 cells: one per 128
    assert object_runs(cells, 129) is None  # more than one per 129
    assert object_runs(np.array([], dtype=object), 2) is None
    assert (addresses(cells[:2]) == id(a)).all()
    with pytest.raises(ValueError, match="contiguous 1-D object array"):
        addresses(cells[::2])


@pytest.mark.parametrize("seed", [6, 7])
def test_the_table_by_runs_is_the_table_from_pandas(seed: int) -> None:
    """What the engine's in-memory tables are made of (``engine.counts.as_table``): the table
    ``pa.Table.from_pandas`` makes, schema and pandas metadata included, runs or not."""
    df = _frame(seed)
    for frame in (df, df.sample(frac=1.0, random_state=seed), df.head(500), df[["source_file"]]):
        ours = from_pandas_by_runs(frame)
        assert ours.equals(pa.Table.from_pandas(frame, preserve_index=False), check_metadata=True)
    assert parquet._with_runs(df) is not None  # the runs were used for the whole frame


def test_times_are_written_in_microseconds_and_read_back_equal(tmp_path) -> None:
    """Spark refuses ``TIMESTAMP(NANOS)``; the dates come back as the same values."""
    df = _frame(6)
    path = write_parquet(df, tmp_path / "t.parquet")
    assert pq.read_schema(path).field("start_date").type == pa.timestamp("us")
    back = pd.read_parquet(path)
    assert (back["start_date"] == df["start_date"]).all()
    # pandas keeps the file's unit: the same instants as datetime64[us]
    assert str(back["start_date"].dtype) == "datetime64[us]"
    same = ["patient_id", "number", "dose_mg", "flag", "grade", "source_file"]
    pd.testing.assert_frame_equal(back[same], df[same])


def test_a_time_finer_than_a_microsecond_is_an_error_not_cut(tmp_path) -> None:
    df = pd.DataFrame({"seen_at": pd.to_datetime(["2020-01-01 00:00:00.000000001"])})
    with pytest.raises(ValueError, match=r"\['seen_at'\] hold times finer than a microsecond"):
        write_parquet(df, tmp_path / "t.parquet")
