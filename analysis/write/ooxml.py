"""Byte-identical Office Open XML files (.docx, .xlsx): the same content gives the same bytes.

python-docx and openpyxl stamp every zip entry with the current time and openpyxl writes the
save time into ``docProps/core.xml``; ``normalise_zip`` rewrites the package with fixed entry
times, a fixed creation/modification date and entries in name order.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

#: 2000-01-01, the date the PDF report's fonts are stamped with (``report.pdf.FIXED_EPOCH``).
REPORT_ZIP_TIME = (2000, 1, 1, 0, 0, 0)

_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_zip(data: bytes, *, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """``data`` (a .docx/.xlsx package) with every entry dated ``date_time``, the core
    properties' created/modified set to it, and entries sorted by name."""
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*date_time).encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in sorted(src.namelist()):
            content = src.read(name)
            if name == "docProps/core.xml":
                content = _CORE_DATE.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()


def normalise_file(path: Path, *, date_time: tuple[int, int, int, int, int, int]) -> Path:
    path.write_bytes(normalise_zip(path.read_bytes(), date_time=date_time))
    return path
