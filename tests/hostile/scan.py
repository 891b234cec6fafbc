"""Read every file a run wrote as text, and find planted strings in it.

What a reader of the file could see, per kind: the text of HTML, CSV, JSON, SVG, notebooks and
logs (HTML entities decoded, and the images embedded as data URIs decoded too); the text of a
PDF (``pdftotext`` when installed, else its decompressed streams); the XML of every part of a
DOCX or XLSX, with and without its tags (Word splits a sentence into runs); the text chunks and
metadata of a PNG (its pixels are not read); the cells of a Parquet file. Anything else is read
as UTF-8 text.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
import zlib
from pathlib import Path

import pandas as pd

PDFTOTEXT = shutil.which("pdftotext")

# What the hostile tests plant: a name, a phone number, an e-mail and national ids (a US SSN,
# a Brazilian CPF, a Portuguese NIF), all invented.
NAME = "Maria Silva"
PHONE = "+351 912 345 678"
EMAIL = "maria.silva@example.org"
SSN = "123-45-6789"
CPF = "987.654.321-00"
NIF = "PT245678901"
#: One clinician's note, as typed in a free-text column.
NOTE = (
    f"Stopped: {NAME} moved, call {PHONE} or {EMAIL}; NIF {NIF}, CPF {CPF}, SSN {SSN}. "
    f"<script>alert('{NAME}')</script>"
)
#: What must appear in no shareable file (case-insensitive).
NEEDLES = [
    NAME,
    "Silva",
    PHONE,
    "912 345 678",
    "912345678",
    EMAIL,
    SSN,
    CPF,
    NIF,
    "245678901",
    "alert(",
]

_DATA_URI = re.compile(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=]+)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[\w-]+")


def _decoded(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _pdf_text(path: Path) -> str:
    if PDFTOTEXT is not None:
        done = subprocess.run(
            [PDFTOTEXT, "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False
        )
        return _decoded(done.stdout)
    raw = path.read_bytes()
    streams = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", raw, flags=re.S):
        try:
            streams.append(zlib.decompress(m.group(1)))
        except zlib.error:
            streams.append(m.group(1))
    return _decoded(raw + b"\n".join(streams))


def _zip_text(path: Path) -> str:
    parts = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            raw = z.read(name)
            if not name.endswith((".xml", ".rels")):
                parts.append(_png_text(raw) if name.endswith(".png") else _decoded(raw))
                continue
            xml = _decoded(raw)
            parts += [xml, html.unescape(_TAG.sub("", xml)), html.unescape(_TAG.sub(" ", xml))]
    return "\n".join(parts)


def _png_text(raw: bytes) -> str:
    """The text chunks and metadata of an image (its pixels cannot be read as text)."""
    from PIL import Image

    with Image.open(io.BytesIO(raw)) as img:
        return "\n".join(f"{k}: {v}" for k, v in img.info.items())


def _with_embedded(text: str) -> str:
    """``text`` with every base64 data URI replaced by what it holds (an image's metadata, an
    SVG's text): random base64 letters could otherwise spell a short needle."""

    def read(m: re.Match[str]) -> str:
        raw = base64.b64decode(m.group(2))
        return _png_text(raw) if m.group(1) == "image/png" else _decoded(raw)

    return _DATA_URI.sub(read, text)


def _notebook_text(raw: bytes) -> str:
    nb = json.loads(raw)
    parts = [json.dumps(nb.get("metadata", {}), ensure_ascii=False)]
    for cell in nb.get("cells", []):
        parts.append("".join(cell.get("source", "")))
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                value = value if isinstance(value, str) else "".join(value)
                if mime.startswith("image/") and mime != "image/svg+xml":
                    parts.append(_png_text(base64.b64decode(value)))
                else:
                    parts.append(value)
            parts.append("".join(out.get("text", "")))
            parts += [out.get("evalue", ""), "\n".join(out.get("traceback", []))]
    return "\n".join(parts)


def file_text(path: Path) -> str:
    """Everything a reader of ``path`` could see, as one text."""
    suffix = path.suffix.lower()
    raw = path.read_bytes()
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix in (".docx", ".xlsx"):
        return _zip_text(path)
    if suffix == ".png":
        return _png_text(raw)
    if suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False)
    text = _with_embedded(_notebook_text(raw) if suffix == ".ipynb" else _decoded(raw))
    return "\n".join([text, html.unescape(text)])


def find_planted(
    folder: Path, needles: list[str] | set[str], ids: list[str] | set[str] = ()
) -> dict[str, list[str]]:
    """``{file relative to folder: [needles or ids found in it]}`` over every file under
    ``folder`` (case-insensitive; files without one are left out). A needle is found anywhere
    in the text; an id (letters, digits and dashes) as a whole word, so that thousands of ids
    are looked up at once."""
    wanted = sorted({n.casefold() for n in needles})
    id_set = {i.casefold() for i in ids}
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = file_text(path).casefold()
        hits = [n for n in wanted if n in text]
        hits += sorted(id_set.intersection(_WORD.findall(text)))
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found
