"""``part_pipe``: an object through a pipe between the two processes of the clean stage, its
arrays out of band, comes out equal to the value, dtype and missing marker (None, NaN, NaT,
pd.NA stay apart), and a pipe cut short says so."""

from __future__ import annotations

import os
import threading
from multiprocessing.connection import Connection

import numpy as np
import pandas as pd
import pytest

from analysis.clean import part_pipe

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the two processes are POSIX only")


def _through_pipe(obj: object) -> object:
    read_fd, write_fd = os.pipe()
    part_pipe.widen(read_fd)
    reader, writer = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    sent = threading.Thread(target=part_pipe.send, args=(writer, obj))
    sent.start()  # larger than the pipe: the writer blocks until the reader reads
    try:
        header = reader.recv()
        assert header[0] == part_pipe.HEADER
        return part_pipe.receive(reader, header[1])
    finally:
        sent.join()
        reader.close()
        writer.close()


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ids = np.array([f"P{i}" for i in rng.integers(0, n // 3 + 1, n)], dtype=object)
    ids[::11] = None
    mixed = np.array(["a", None, np.nan, pd.NA, pd.NaT, 3, 2.5, "é ü"] * (n // 8), dtype=object)
    frame = pd.DataFrame(
        {
            "patient_id": ids,
            "start_date": pd.to_datetime("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 900, n), "D"),
            "dose_mg": rng.normal(size=n),
            "source_row": np.arange(n, dtype=np.int64) + 2,
            "flag": rng.integers(0, 2, n).astype(bool),
            "count": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "dose_text": pd.array(["1 mg", None] * (n // 2), dtype="string"),
            "grade": pd.Categorical(rng.choice(["mild", "moderate", "severe"], n)),
            "mixed": mixed[:n] if len(mixed) >= n else np.resize(mixed, n),
        },
        index=pd.RangeIndex(5, 5 + n),
    )
    frame.loc[frame.index[::7], "start_date"] = pd.NaT
    frame.loc[frame.index[::5], "count"] = pd.NA
    frame.attrs["source"] = "sessions.csv"
    return frame


def _same_missing_markers(a: pd.Series, b: pd.Series) -> None:
    assert [type(v) for v in a] == [type(v) for v in b]


def test_a_frame_larger_than_the_pipe_comes_out_equal():
    frame = _frame(400_000)  # ~20 MB of arrays: many pipe-fulls
    got = _through_pipe({"table": "exposures", "data": frame, "rows": 3})
    assert got["table"] == "exposures" and got["rows"] == 3
    out = got["data"]
    pd.testing.assert_frame_equal(out, frame, check_exact=True)
    assert out.attrs == frame.attrs
    _same_missing_markers(out["mixed"], frame["mixed"])
    _same_missing_markers(out["patient_id"], frame["patient_id"])
    out.loc[out.index[0], "dose_mg"] = 99.0  # arrays built on the received buffers: writable
    assert frame["dose_mg"].iloc[0] != 99.0


def test_small_and_empty_objects():
    assert _through_pipe(("end",)) == ("end",)
    empty = _frame(8).iloc[:0]
    pd.testing.assert_frame_equal(_through_pipe(empty), empty)
    array = np.arange(12.0).reshape(3, 4)[:, ::2]  # not contiguous: pickled in band
    np.testing.assert_array_equal(_through_pipe(array), array)
    fortran = np.asfortranarray(np.arange(12).reshape(3, 4))
    assert _through_pipe(fortran).tolist() == fortran.tolist()


def test_a_pipe_cut_short_says_so():
    read_fd, write_fd = os.pipe()
    reader = Connection(read_fd, writable=False)
    os.write(write_fd, b"x" * 10)
    os.close(write_fd)
    with pytest.raises(EOFError, match="90 bytes before the end"):
        part_pipe.receive(reader, [100])
    reader.close()
