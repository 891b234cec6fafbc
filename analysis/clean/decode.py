"""Decode a raw text file: the declared encoding, a byte-order mark, or UTF-8, Windows-1252,
Latin-1 in that order; a file whose bytes contradict what is declared is named, not guessed."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from analysis.clean.mixed_encoding import refuse_mixed_encodings
from analysis.errors import SourceError

_CSV_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
#: one-byte encodings (every byte is a character, so decoding never fails and proves nothing)
_SINGLE_BYTE = {
    codecs.lookup(e).name
    for e in ("latin-1", "iso-8859-15", "cp1252", "cp1250", "cp850", "mac-roman", "iso-8859-2")
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: found by the regular-expression engine, not byte by byte in Python (a registry's export is
#: hundreds of megabytes: a Python loop over its bytes took seconds)
_NOT_ASCII = re.compile(rb"[\x80-\xff]")
_C1_CONTROL = re.compile(rb"[\x80-\x9f]")


def _lookup(encoding: str) -> str | None:
    """The canonical name of ``encoding``, or None when Python does not know it."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _line_at(data: bytes, at: int) -> tuple[int, bytes]:
    """The number (from 1) and the bytes of the line holding byte ``at`` of ``data``."""
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    return data[:at].count(b"\n") + 1, data[start : end if end != -1 else len(data)].rstrip(b"\r")


def _refuse_utf8_declared_single_byte(path: Path, data: bytes, encoding: str) -> None:
    """A file declared in a one-byte encoding (Latin-1, cp1252...) that is valid UTF-8 with
    accented letters is UTF-8: read as declared, "é" would become "Ã©" and every accented label
    would look unmapped. Stop and name the line instead."""
    try:
        single_byte = codecs.lookup(encoding).name in _SINGLE_BYTE
    except LookupError:
        return
    if not single_byte or data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    found = _NOT_ASCII.search(data)  # not ASCII (checked above): always found
    at = found.start() if found else 0
    line_no, line = _line_at(data, at)
    raise SourceError(
        f"{path}: declared `encoding: {encoding}` but the file is UTF-8 (line {line_no} would read "
        f"as {line.decode(encoding, 'replace')[:80]!r} instead of "
        f"{line.decode('utf-8')[:80]!r}). Set `encoding: utf-8` for this source (or remove "
        f"`encoding`: UTF-8 is detected)."
    )


def _refuse_contradicted_single_byte(path: Path, data: bytes, encoding: str) -> None:
    """A file declared Latin-1 whose bytes 0x80-0x9F are Windows-1252 punctuation (dashes,
    curly quotes: C1 control characters in Latin-1, which no export writes), or a file declared
    in a one-byte encoding that starts with a UTF-16 or UTF-32 byte-order mark: read as
    declared, its labels would hold control characters or every second byte a NUL, and its
    records be excluded as unreadable. Stop and name the line and the encoding instead."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return
    if name not in _SINGLE_BYTE:
        return
    for bom, enc in _BOMS:
        if data.startswith(bom):
            raise SourceError(
                f"{path}: declared `encoding: {encoding}` but the file starts with a {enc} "
                f"byte-order mark: it is {enc.upper()[:6]} text. Set `encoding: {enc[:6]}` for "
                f"this source (or remove `encoding`: a byte-order mark is detected)."
            )
    if name != "iso8859-1":
        return
    found = _C1_CONTROL.search(data)
    if found is None:
        return
    at = found.start()
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return  # bytes cp1252 does not define either: not a Windows-1252 file
    line_no, line = _line_at(data, at)
    raise SourceError(
        f"{path}: declared `encoding: {encoding}` but line {line_no} holds byte 0x{data[at]:02x}, "
        f"a control character in Latin-1 and {data[at : at + 1].decode('cp1252')!r} in "
        f"Windows-1252 (the line reads {line.decode('cp1252')[:80]!r}): the file is Windows-1252. "
        f"Set `encoding: cp1252` for this source (or remove `encoding`: it is detected)."
    )


def decode_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """The text of ``path`` and its encoding: ``encoding`` if given, else by byte-order mark,
    else UTF-8, Windows-1252, Latin-1 (a UTF-16 file without a mark is named, not guessed)."""
    data = path.read_bytes()
    if encoding:
        if _lookup(encoding) in _SINGLE_BYTE | {"utf-8", "utf-8-sig"}:
            refuse_mixed_encodings(path, data, encoding)
        _refuse_utf8_declared_single_byte(path, data, encoding)
        _refuse_contradicted_single_byte(path, data, encoding)
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(
                f"{path}: cannot be decoded as {encoding!r} (byte 0x{data[exc.start]:02x} at line "
                f"{line}). The file is probably in another encoding: set `encoding: latin-1` "
                f"(or cp1252) for this source."
            ) from None
        except LookupError:
            raise SourceError(
                f"{path}: unknown encoding {encoding!r} in the study config; use e.g. utf-8, "
                f"latin-1 or cp1252."
            ) from None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), enc
            except UnicodeDecodeError:
                raise SourceError(
                    f"{path}: starts with a {enc.upper()} byte-order mark but cannot be decoded as "
                    f"{enc.upper()}. Re-export the file as UTF-8 CSV."
                ) from None
    head = data[:400]
    if len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):
        even = head[0::2].count(b"\x00") >= head[1::2].count(b"\x00")
        raise SourceError(
            f"{path}: looks like UTF-16 text without a byte-order mark (every other byte is 0). "
            f"Set `encoding: {'utf-16-be' if even else 'utf-16-le'}` for this source, or re-export "
            f"it as UTF-8 CSV."
        )
    refuse_mixed_encodings(path, data, None)
    for enc in _CSV_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise SourceError(f"{path}: encoding could not be detected; set `encoding` for this source.")
