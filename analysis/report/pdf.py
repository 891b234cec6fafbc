"""HTML report -> PDF with WeasyPrint (no LaTeX, no browser). Needs the system Pango libraries."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.tables.render import print_unbroken
from analysis.write.atomic import atomic_path

#: 2000-01-01T00:00:00Z; fontTools stamps embedded font subsets with SOURCE_DATE_EPOCH if set,
#: otherwise with the current time, which made two PDFs of the same report differ.
FIXED_EPOCH = "946684800"


@contextmanager
def _source_date_epoch() -> Iterator[None]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = old or FIXED_EPOCH
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]


def html_to_pdf(html: str, path: str | Path) -> Path:
    """Print the report HTML to an A4 PDF, tagged for accessibility.

    The creation date comes from the document's ``dcterms.created`` meta tag and embedded fonts
    are stamped with ``SOURCE_DATE_EPOCH`` (the caller's, or a fixed date), so the same HTML gives
    the same PDF bytes.
    """
    try:
        from weasyprint import HTML
    except OSError as exc:  # the Pango / GObject libraries are missing
        raise RuntimeError(
            f"WeasyPrint cannot load its system libraries ({exc}). Install Pango: "
            f"`sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0` (macOS: `brew install "
            f"pango`), or run `make report`, which checks for it."
        ) from None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _source_date_epoch(), atomic_path(path) as tmp:
        # tagged (PDF structure tags: headings, tables, figures with their alt text, reading
        # order) for screen readers; the pages look the same (+0.5 s for the reference report)
        # (units that do not wrap as characters, not styled spans: ``print_unbroken``)
        page = HTML(string=print_unbroken(html), base_url=None)
        page.write_pdf(tmp, uncompressed_pdf=False, pdf_tags=True)
    return path
