"""The text cells of a column, and which of them a per-value reader may change, found in one pass.

A raw column of a million cells is nearly always all text (a CSV is read as text), and nearly
every cell passes a reader unchanged: no control character, no spreadsheet error, no white space
inside an id. :func:`cells_matching` finds the cells holding a character a reader acts on with
one regular-expression scan over the column's cells joined by a separator no pattern matches;
the reader itself (the reference, e.g. ``cells._unreadable``) then runs on those cells only.
``tests/unit/clean/test_text_cells.py`` checks the fast paths against the per-value readers.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

#: joins the cells for a scan: a character none of the scanned patterns matches (ASCII, not a
#: letter, digit, white space, control or ``#``)
SEP = "!"

#: the characters a cell ``cells._unreadable`` reports holds: every spreadsheet error and a
#: formula without a value start with ``#``; the control characters (C0 but tab, line feed and
#: carriage return; DEL; C1)
MAYBE_UNREADABLE = re.compile(r"[#\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


#: the bytes of :data:`MAYBE_UNREADABLE`'s characters in UTF-8: the controls, ``#`` and DEL
#: (one byte each) and the lead byte C2 of the C1 controls (C2 80-9F)
_SUSPECT_BYTES = frozenset([*range(9), 11, 12, *range(14, 32), 35, 127, 0xC2])
_OTHER_BYTES = bytes(b for b in range(256) if b not in _SUSPECT_BYTES)
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")


def may_hold_unreadable(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`MAYBE_UNREADABLE`, found on its UTF-8 bytes
    (a C1 control is the two bytes C2 80-9F; no other character encodes to those): the bytes
    of those characters are kept (``bytes.translate``, one pass), and a C2 kept is looked at
    with the byte after it."""
    return bytes_may_hold_unreadable(text.encode("utf-8", "surrogatepass"))


def bytes_may_hold_unreadable(data: bytes) -> bool:
    """:func:`may_hold_unreadable` of UTF-8 text given as its bytes (e.g. the data buffer of an
    Arrow string column: every cell's bytes, one after another)."""
    found = data.translate(None, _OTHER_BYTES)
    if not found:
        return False
    if found.replace(b"\xc2", b""):
        return True
    return _C1_CONTROL.search(data) is not None


def text_positions(values: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """``(positions, texts)`` of the text cells when every other cell is blank (None, NaN,
    ``pd.NA``, NaT); None when some cell holds another type (a number, a date...)."""
    arr = np.asarray(values, dtype=object)
    if infer_dtype(arr, skipna=False) == "string":
        return np.arange(len(arr)), arr
    if infer_dtype(arr, skipna=True) not in ("string", "empty"):
        return None
    positions = np.flatnonzero(~pd.isna(arr))
    texts = arr[positions]
    if len(texts) and infer_dtype(texts, skipna=False) != "string":
        return None
    return positions, texts


def str_positions(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(positions, texts)`` of the cells that are text (``str`` or a subclass), whatever the
    other cells hold: a spreadsheet's or a SAS file's column mixes text with numbers and dates,
    which the readers of text leave as they are."""
    found = text_positions(values)
    if found is not None:
        return found
    arr = np.asarray(values, dtype=object)
    is_text = np.fromiter(map(isinstance, arr, repeat(str)), dtype=bool, count=len(arr))
    positions = np.flatnonzero(is_text)
    return positions, arr[positions]


def cells_matching(texts: np.ndarray, pattern: re.Pattern[str]) -> np.ndarray:
    """Indexes (sorted, distinct) into ``texts`` (all ``str``) of the cells where ``pattern``
    matches. ``pattern`` must match single characters only, never :data:`SEP`."""
    if not len(texts):
        return np.empty(0, dtype=np.intp)
    joined = SEP.join(texts)
    hits = [m.start() for m in pattern.finditer(joined)]
    if not hits:
        return np.empty(0, dtype=np.intp)
    widths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    starts = np.cumsum(widths) - widths
    return np.unique(np.searchsorted(starts, np.asarray(hits), side="right") - 1)


__all__ = [
    "MAYBE_UNREADABLE",
    "SEP",
    "cells_matching",
    "bytes_may_hold_unreadable",
    "is_blank",
    "may_hold_unreadable",
    "str_positions",
    "text_positions",
]


def is_blank(value: object) -> bool:
    """A cell with nothing in it: missing, or text of white space only."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()
