"""``part_pipe``: an object through a pipe or a Unix socket pair (``channel``) between the two
processes of the clean stage, its arrays out of band, comes out equal to the value, dtype and
missing marker (None, NaN, NaT, pd.NA stay apart); sent by ``Outbox``, messages and parts keep
their order; a channel cut short says so."""

from __future__ import annotations

import os
import socket
import threading
from multiprocessing.connection import Connection

import numpy as np
import pandas as pd
import pytest

from analysis.clean import part_pipe

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the two processes are POSIX only")


KINDS = ["pipe", "socket"]


def _ends(kind: str) -> tuple[int, int]:
    if kind == "socket":
        return part_pipe.channel()
    read_fd, write_fd = os.pipe()
    part_pipe.widen(read_fd)
    return read_fd, write_fd


def _through_pipe(obj: object, kind: str = "pipe") -> object:
    read_fd, write_fd = _ends(kind)
    reader, writer = Connection(read_fd, writable=False), Connection(write_fd, readable=False)

    def send() -> None:
        try:
            part_pipe.write(writer, part_pipe.pickled(obj))
        except BaseException:
            writer.close()  # the reader gets to the end instead of waiting
            raise

    sent = threading.Thread(target=send)
    sent.start()  # larger than the pipe: the writer blocks until the reader reads
    try:
        header = reader.recv()
        assert header[0] == part_pipe.HEADER
        return part_pipe.receive(reader, header[1])
    finally:
        sent.join()
        reader.close()
        if not writer.closed:
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


@pytest.mark.parametrize("kind", KINDS)
def test_a_frame_larger_than_the_pipe_comes_out_equal(kind):
    frame = _frame(400_000)  # ~20 MB of arrays: many pipe-fulls
    got = _through_pipe({"table": "exposures", "data": frame, "rows": 3}, kind)
    assert got["table"] == "exposures" and got["rows"] == 3
    out = got["data"]
    pd.testing.assert_frame_equal(out, frame, check_exact=True)
    assert out.attrs == frame.attrs
    _same_missing_markers(out["mixed"], frame["mixed"])
    _same_missing_markers(out["patient_id"], frame["patient_id"])
    out.loc[out.index[0], "dose_mg"] = 99.0  # arrays built on the received buffers: writable
    assert frame["dose_mg"].iloc[0] != 99.0


@pytest.mark.parametrize("kind", KINDS)
def test_small_and_empty_objects(kind):
    assert _through_pipe(("end",), kind) == ("end",)
    empty = _frame(8).iloc[:0]
    pd.testing.assert_frame_equal(_through_pipe(empty, kind), empty)
    array = np.arange(12.0).reshape(3, 4)[:, ::2]  # not contiguous: pickled in band
    np.testing.assert_array_equal(_through_pipe(array, kind), array)
    fortran = np.asfortranarray(np.arange(12).reshape(3, 4))
    assert _through_pipe(fortran, kind).tolist() == fortran.tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_a_pipe_cut_short_says_so(kind):
    read_fd, write_fd = _ends(kind)
    reader = Connection(read_fd, writable=False)
    os.write(write_fd, b"x" * 10)
    os.close(write_fd)
    with pytest.raises(EOFError, match="90 bytes before the end"):
        part_pipe.receive(reader, [100])
    reader.close()


def test_the_socket_is_read_blocking_whatever_the_default_timeout():
    read_fd, write_fd = part_pipe.channel()
    reader, writer = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    views = part_pipe.pickled(np.arange(10))
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.01)  # a library's global timeout must not cut a part short
    try:
        writer.send((part_pipe.HEADER, [v.nbytes for v in views]))

        def the_bytes_late() -> None:
            for view in views:
                os.write(write_fd, view)

        late = threading.Timer(0.3, the_bytes_late)
        late.start()
        header = reader.recv()
        assert part_pipe.receive(reader, header[1]).tolist() == list(range(10))
        late.join()
        # the descriptor is still blocking for the connection's own reads
        later = threading.Timer(0.3, writer.send, args=(("end",),))
        later.start()
        assert reader.recv() == ("end",)
        later.join()
    finally:
        socket.setdefaulttimeout(before)
        reader.close()
        writer.close()


def test_the_outbox_keeps_the_order_and_lets_the_sender_go_on():
    read_fd, write_fd = part_pipe.channel()
    reader = Connection(read_fd, writable=False)
    out = part_pipe.Outbox(Connection(write_fd, readable=False))
    frame = _frame(400_000)
    out.send(("say", "first"))
    out.part(frame)  # returns once pickled: the reader has not read it yet
    out.send(("say", "second"))
    out.part({"rows": 3})
    got: list[object] = []
    listener = threading.Thread(target=lambda: got.extend(_read_all(reader)))
    listener.start()
    out.close()
    listener.join()
    reader.close()
    assert [g if not isinstance(g, pd.DataFrame) else "frame" for g in got] == [
        ("say", "first"),
        "frame",
        ("say", "second"),
        {"rows": 3},
    ]
    pd.testing.assert_frame_equal(got[1], frame, check_exact=True)


def test_the_outbox_raises_a_failed_write_on_the_next_call():
    read_fd, write_fd = part_pipe.channel()
    os.close(read_fd)  # the other end is gone
    out = part_pipe.Outbox(Connection(write_fd, readable=False))
    out.part(np.arange(10))
    with pytest.raises(OSError):  # BrokenPipeError, once the thread has tried
        for _ in range(1000):
            out.send(("say", "x"))
            threading.Event().wait(0.01)
    with pytest.raises(OSError):
        out.close()


def _read_all(reader: Connection) -> list[object]:
    got: list[object] = []
    while True:
        try:
            message = reader.recv()
        except EOFError:
            return got
        if message[0] == part_pipe.HEADER:
            got.append(part_pipe.receive(reader, message[1]))
        else:
            got.append(message)


class _Text(str):
    """A ``str`` subclass: equal to a ``str`` of the same text, not of its type."""


def test_object_columns_in_runs_come_out_cell_for_cell():
    n = 200_000
    file_a, file_b, nan_a, nan_b = "a.csv", "b.csv", float("nan"), float("nan")
    runs = np.empty(n, dtype=object)
    runs[: n // 2], runs[n // 2 :] = file_a, file_b
    runs[1000:1010] = None
    runs[5000:5010] = nan_a
    runs[5010:5020] = nan_b  # another NaN object: its own run
    runs[7000] = _Text(file_a)  # equal to its neighbours, not of their type
    runs[7001] = "".join(["a", ".csv"])  # equal, another object
    frame = pd.DataFrame(
        {
            "source_file": runs,
            "patient_id": np.array([f"P{i % 997}" for i in range(n)], dtype=object),
            "_source": np.array(["centre A"] * n, dtype=object),
            "dose_mg": np.arange(n, dtype=float),
        }
    )
    consolidated = frame.copy()  # one 2-D block of the three object columns
    assert any(b.shape == (3, n) for b in consolidated._mgr.blocks)
    for kind in KINDS:
        for sent in (frame, consolidated):
            got = _through_pipe(sent, kind)
            pd.testing.assert_frame_equal(got, sent, check_exact=True)
            _same_missing_markers(got["source_file"], sent["source_file"])
            assert type(got["source_file"].iat[7000]) is _Text
            values = got["source_file"].to_numpy()
            assert values[0] is values[n // 2 - 1] and values[5000] is values[5009]
            assert values[5009] is not values[5010]  # two NaN objects stay two
            assert np.isnan(values[5010])
            assert values[n // 2] == file_b and values[-1] is values[n // 2]


def test_runs_shrink_the_pickle_and_other_arrays_go_as_before():
    n = 200_000
    sources = pd.DataFrame({"source_file": np.array(["a.csv"] * n, dtype=object)})
    assert part_pipe.pickled(sources)[0].nbytes < 10_000  # not a reference per cell
    ids = np.array([f"P{i}" for i in range(n)], dtype=object)
    assert part_pipe.pickled(ids)[0].nbytes > n  # no runs: cell by cell
    fortran = np.asfortranarray(np.array([["a", "b"]] * n, dtype=object))
    back = _through_pipe(fortran)
    assert back.tolist() == fortran.tolist()
