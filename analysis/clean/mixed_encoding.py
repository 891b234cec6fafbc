"""Refuse a text file whose lines are in two encodings: some UTF-8, others one-byte text.

A file assembled from two exports (or edited by hand in another editor) can hold UTF-8 lines
("Ó" as bytes C3 93) beside Latin-1 / Windows-1252 ones ("Ó" as byte D3). No one encoding reads
it: read as Latin-1, the UTF-8 lines turn "Ó" into "Ã" and a control character (a probe's adverse
events were excluded as unreadable, exit 0, the cohort's variables changed); read as
Windows-1252, its headers need garbled names. Each line is classed on its own: a line with bytes
above 0x7F is UTF-8 if it decodes as UTF-8 (one-byte text almost never does: an accented capital
would have to be followed by one of 0x80-0xBF), else one-byte text. Both kinds in one file stop
the read, naming the lines of each.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from analysis.errors import SourceError

#: a multi-byte UTF-8 sequence: without one, no line of the file can be UTF-8 beyond ASCII
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_SHOWN = 5  # lines named of each kind; the rest are counted


def _lines_by_kind(data: bytes) -> tuple[list[int], list[int]]:
    """The numbers (from 1) of the lines holding UTF-8 text beyond ASCII, and of the lines
    holding bytes above 0x7F that are not UTF-8."""
    utf8: list[int] = []
    other: list[int] = []
    for n, line in enumerate(data.split(b"\n"), start=1):
        if n == 1:
            line = line.removeprefix(codecs.BOM_UTF8)  # a mark, not a line's text
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(n)
        else:
            utf8.append(n)
    return utf8, other


def _named(lines: list[int], kind: str) -> str:
    """``lines`` (a few, the rest counted) and what they ``kind`` are, as a clause."""
    if len(lines) == 1:
        return f"line {lines[0]} is {kind}"
    shown = ", ".join(str(n) for n in lines[:_SHOWN])
    more = f" and {len(lines) - _SHOWN} more ({len(lines)} lines)" if len(lines) > _SHOWN else ""
    return f"lines {shown}{more} are {kind}"


def _line(data: bytes, n: int) -> bytes:
    return data.split(b"\n", n)[n - 1].rstrip(b"\r").removeprefix(codecs.BOM_UTF8)


def _one_byte(line: bytes, encoding: str | None) -> str:
    """``line`` as the one-byte encoding reads it: the declared one, else Windows-1252 where it
    defines every byte, else Latin-1."""
    for enc in (encoding, "cp1252", "latin-1"):
        if enc is None:
            continue
        try:
            return line.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return line.decode("latin-1")


def refuse_mixed_encodings(path: Path, data: bytes, declared: str | None) -> None:
    """Stop when ``data`` (the bytes of ``path``) holds both UTF-8 lines and lines in a one-byte
    encoding. ``declared``: the source's ``encoding`` (UTF-8 or a one-byte one: the caller
    checks no other), named in the message."""
    if data.isascii() or _UTF8_SEQUENCE.search(data) is None:
        return  # no line can be UTF-8 beyond ASCII
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return  # every line is UTF-8
    utf8, other = _lines_by_kind(data)
    if not utf8 or not other:
        return
    as_declared = f"declared `encoding: {declared}`, but it" if declared else "the file"
    u, o = _line(data, utf8[0]), _line(data, other[0])
    if len(other) <= len(utf8):
        fix = (
            f"convert the {len(other)} line(s) that are not UTF-8 to UTF-8 (re-type their "
            "accented letters in an editor that saves UTF-8), then set `encoding: utf-8` for "
            "this source (or remove `encoding`: UTF-8 is detected)"
        )
    else:
        keep = f"`encoding: {declared}`" if declared else "`encoding: cp1252` (or latin-1)"
        fix = (
            f"re-type the accented letters of the {len(utf8)} UTF-8 line(s) and save the file in "
            f"the one-byte encoding of its other lines, then set {keep} for this source"
        )
    raise SourceError(
        f"{path}: {as_declared} mixes two encodings line by line: "
        f"{_named(utf8, 'UTF-8')} (line {utf8[0]} reads {u.decode('utf-8')[:80]!r}); "
        f"{_named(other, 'not UTF-8 but one-byte text (Latin-1 or Windows-1252)')} (line "
        f"{other[0]} reads {_one_byte(o, declared)[:80]!r}). No one encoding reads both: the "
        f"accented letters of one kind would be garbled ('Ã³' for 'ó') and their labels, "
        f"headers or records misread. Fix the file so that every line is in one encoding: {fix}."
    )
