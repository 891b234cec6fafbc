"""Why a .xlsx file cannot be opened, said so that the user knows what to do.

A .xlsx workbook is a zip archive. One cut short while being exported, copied or downloaded
still starts with the zip signature but lacks the archive's directory (at its end), and the
spreadsheet reader says only that it cannot detect the format; such a file is damaged, not
an old .xls, and the fix is to export it again. Other unreadable files (an old .xls, text
renamed to .xlsx) keep the reader's words and the advice to save them as .xlsx.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive's first member, or empty one


def unreadable_workbook(path: Path, error: Exception, sheet: str | None = None) -> str:
    """The message for a .xlsx file the spreadsheet reader refused with ``error``: when opening
    it, or (``sheet``) when reading that sheet."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    damage = _zip_damage(path) if head in _ZIP_SIGNATURES else None
    if damage is not None:
        return (
            f"{path}: the workbook is damaged or incomplete: it starts as a zip archive, as every "
            f".xlsx file does, but {damage}. It was probably cut short or corrupted while being "
            f"exported, copied or downloaded: export it again from the clinic system (or copy it "
            f"again) and check that it opens in a spreadsheet program."
        )
    if sheet is not None:
        return (
            f"{path}, sheet {sheet!r}: the sheet cannot be read ({error}); the workbook is "
            f"damaged. Open it in a spreadsheet program to check it, or export it again."
        )
    return (
        f"{path}: not a readable .xlsx workbook ({error}). If it is an old .xls or a CSV renamed "
        f"to .xlsx, open it in a spreadsheet program and save it as .xlsx."
    )


def _zip_damage(path: Path) -> str | None:
    """What is wrong with the zip archive ``path``, or None when every part of it reads whole."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        return f"the list of its parts, at the end of the file, is missing or unreadable ({exc})"
    with book:
        for part in book.infolist():
            try:
                with book.open(part) as fh:
                    while fh.read(1 << 20):
                        pass
            except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
                return f"its part {part.filename!r} is corrupt ({exc})"
    return None


__all__ = ["unreadable_workbook"]
