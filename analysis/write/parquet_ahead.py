"""The largest table's Parquet file encoded ahead, on a thread of its own, while the caller goes
on with other work; the writer then writes the bytes instead of encoding the table again.

At a million patients the exposures' Parquet file takes 2.1-2.9 s to encode (Arrow conversion,
dictionary encoding and zstd, mostly outside the interpreter lock) and is the longest of the
clean stage's writes; the stage spends ~1 s after the tables are final checking them against
their contract and building its result, with the second core idle. A caller that cleans and
then writes with nothing in between (``retro clean``; ``Study.write_clean`` on a study not
cleaned yet) gives the stage a :class:`ParquetAhead`, which the stage starts on its final
tables and the writer asks for each table's bytes: the bytes of the very frame it was started
on, else None (the writer then encodes the table itself, as it does without one). A failure
while encoding ahead is not raised there: the writer encodes the table again and the same
error is raised where it always was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import pandas as pd

from analysis.write.parquet import parquet_bytes


class ParquetAhead:
    """One table's Parquet bytes, encoded on a thread from :meth:`start`, for :meth:`take`."""

    def __init__(self) -> None:
        self._name: str | None = None
        self._frame: pd.DataFrame | None = None
        self._bytes: bytes | None = None
        self._thread: threading.Thread | None = None

    def start(
        self,
        tables: Mapping[str, pd.DataFrame],
        own: Callable[[pd.DataFrame], pd.DataFrame] = lambda frame: frame,
    ) -> None:
        """Encode the largest of ``tables`` (by rows) on a thread; once only. ``own``: the
        frame as the thread may read it while the caller reads the original (e.g. new blocks
        and index: ``clean.both_cores.own``)."""
        if self._thread is not None or not tables:
            return
        name = max(tables, key=lambda t: len(tables[t]))
        self._name, self._frame = name, tables[name]
        self._thread = threading.Thread(
            target=self._encode, args=(own(self._frame),), name="parquet_ahead", daemon=True
        )  # daemon: an error of the stage ends the command without waiting for it
        self._thread.start()

    def _encode(self, frame: pd.DataFrame) -> None:
        try:
            self._bytes = parquet_bytes(frame)
        except Exception:  # the writer encodes it again and raises it there
            self._bytes = None

    def take(self, name: str, frame: pd.DataFrame) -> bytes | None:
        """The Parquet bytes of table ``name`` when it is the frame encoded ahead (the same
        object), waiting for them; else None. Given once: the bytes are let go."""
        if self._thread is None or name != self._name or frame is not self._frame:
            return None
        self._thread.join()
        data, self._bytes, self._frame = self._bytes, None, None
        return data


__all__ = ["ParquetAhead"]
