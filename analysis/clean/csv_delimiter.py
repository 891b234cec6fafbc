"""The delimiter of a CSV whose source does not declare one.

``csv.Sniffer`` looks at the header line alone, and a header holding another candidate
character misleads it: a probe's ';'-separated file with the headers "Dosis (mg, total)" and
"Volumen (ml, total)" was read as ','-separated and stopped with "too many fields". The
delimiter chosen is the one under which every header the source maps is a column of the header
line; failing that, one under which the header and the first records have the same number of
fields (more than one); failing that, the sniffer's.
"""

from __future__ import annotations

import csv
from collections.abc import Collection

CANDIDATES = (",", ";", "\t", "|")
_LOOKED_AT = 20  # records compared with the header


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def detect_delimiter(lines: list[str], wanted: Collection[str] = ()) -> str:
    """The delimiter of a CSV whose first ``lines`` (the header first) are given, and whose
    source maps the headers ``wanted``."""
    header = lines[0]
    try:
        sniffed = csv.Sniffer().sniff(header, delimiters="".join(CANDIDATES)).delimiter
    except csv.Error:
        sniffed = ","
    order = [sniffed, *(c for c in CANDIDATES if c != sniffed)]
    if wanted:
        for delimiter in order:
            if set(wanted) <= {h.strip() for h in _fields(header, delimiter)}:
                return delimiter
    records = [line for line in lines[1 : _LOOKED_AT + 1] if line.strip()]
    if records:
        for delimiter in order:
            width = len(_fields(header, delimiter))
            if width > 1 and all(len(_fields(r, delimiter)) == width for r in records):
                return delimiter
    return sniffed


__all__ = ["CANDIDATES", "detect_delimiter"]
