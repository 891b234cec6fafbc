"""Decode a raw text file: the declared encoding, a byte-order mark, or UTF-8, Windows-1252,
Latin-1 in that order; a file whose bytes contradict what is declared is named, not guessed."""

from __future__ import annotations

import codecs
from pathlib import Path

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
    at = next(i for i, b in enumerate(data) if b > 0x7F)
    line_no = data[:at].count(b"\n") + 1
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    line = data[start : end if end != -1 else len(data)].rstrip(b"\r")
    raise SourceError(
        f"{path}: declared `encoding: {encoding}` but the file is UTF-8 (line {line_no} would read "
        f"as {line.decode(encoding, 'replace')[:80]!r} instead of "
        f"{line.decode('utf-8')[:80]!r}). Set `encoding: utf-8` for this source (or remove "
        f"`encoding`: UTF-8 is detected)."
    )


def decode_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """The text of ``path`` and its encoding: ``encoding`` if given, else by byte-order mark,
    else UTF-8, Windows-1252, Latin-1 (a UTF-16 file without a mark is named, not guessed)."""
    data = path.read_bytes()
    if encoding:
        _refuse_utf8_declared_single_byte(path, data, encoding)
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
    for enc in _CSV_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise SourceError(f"{path}: encoding could not be detected; set `encoding` for this source.")
