"""Which lines of a delimited text are blank: nothing but white space (space, tab) and
delimiters. A blank line is not a record (``csv_records``); the lines are found on the bytes,
looked at one by one while few may be blank, else all at once with NumPy.
"""

from __future__ import annotations

import numpy as np


def blank_lines(body: str, delimiter: str) -> np.ndarray:
    """Whether each line of ``body`` (LF breaks, none at the end) holds nothing but white space
    (space, tab) and delimiters, as ``not line.strip(" \\t" + delimiter)`` tells, found on the
    file's bytes (a character outside ASCII is never one of those).

    A blank line is empty or starts with one of those bytes: only such lines are looked at, one
    by one while they are few, else all lines at once."""
    if len(delimiter) != 1 or not delimiter.isascii():
        return np.array([not line.strip(f" \t{delimiter}") for line in body.split("\n")])
    data = body.encode("utf-8", "surrogatepass")
    raw = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(raw == 10)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(raw)]])
    first = np.full(len(starts), 10, dtype=np.uint8)  # an empty line (LF, or the end)
    filled = ends > starts
    first[filled] = raw[starts[filled]]
    blankish = (first == 32) | (first == 9) | (first == 10) | (first == ord(delimiter))
    maybe = np.flatnonzero(blankish)
    if len(maybe) > len(starts) // 8:
        return _blank_lines_at_once(raw, starts, ends, delimiter)
    blank = np.zeros(len(starts), dtype=bool)
    spaces = f" \t{delimiter}".encode()
    blank[maybe] = [not data[starts[i] : ends[i]].strip(spaces) for i in maybe.tolist()]
    return blank


def _blank_lines_at_once(
    raw: np.ndarray, starts: np.ndarray, ends: np.ndarray, delimiter: str
) -> np.ndarray:
    """:func:`blank_lines` of every line (``raw``: the bytes; each line's start and end) by
    vectorised passes over all the bytes."""
    filled = (raw != 32) & (raw != 9) & (raw != 10) & (raw != ord(delimiter))
    filled = np.append(filled, False)  # a last empty line starts at len(raw)
    blank = ~np.logical_or.reduceat(filled, starts)
    blank[ends == starts] = True
    return blank


__all__ = ["blank_lines"]
