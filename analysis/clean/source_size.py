"""How much work reading and validating a raw source is, in bytes of CSV text: the unit of
``two_process.MIN_BYTES``, which decides whether a second process pays and which tables it takes.

A CSV file counts its own bytes. The other formats count the cells their file declares (rows x
columns: the Parquet footer, the worksheet's ``<dimension>``, the SAS or SPSS header) at the
bytes a cell takes in CSV, times how much longer their cells take to clean. The size of their
files would mislead: a workbook's file holds every sheet, and Parquet is compressed (the
250,000-patient twin: 12.8 MB of Parquet against 46 MB of CSV).

Measured on the scaled twin, 2 cores, one process, ``retro clean`` (2026-12-05):

- a cell of its CSV files takes 7.2 bytes with its delimiter (17.1 MB for 2.37M cells);
- 62,400 patients: 3.4-3.7 s from CSV, 10.5-10.9 s from one XLSX workbook (3x);
- 250,000 patients: 9.7-10.4 s from CSV, 11.6-11.9 s from Parquet of text columns (1.2x).

SAS and SPSS files hold typed columns, as Parquet does, and are weighed as Parquet (not timed).
A file that cannot be opened here counts its bytes on disk (reading it says what is wrong).
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from pathlib import Path

from analysis.clean.read import stat_reader
from analysis.clean.xlsx_sheet import column_number, sheet_part
from analysis.studyfile.config import Source, StudyConfig

#: bytes a cell takes in the scaled twin's CSV files, delimiter included
CSV_CELL_BYTES = 7.2

#: how much longer a cell of each format takes to read and validate than a CSV cell
CELL_COST = {"xlsx": 3.0, "parquet": 1.2, "sas": 1.2, "spss": 1.2}

#: XML bytes a cell takes in a worksheet without a ``<dimension>`` (42-45 in the twin's
#: workbook, whose text is inline; less with shared strings: then the cells are undercounted)
XML_CELL_BYTES = 45

_DIMENSION = re.compile(r'<dimension\s+ref="\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?"')


def source_bytes(config: StudyConfig, source: Source) -> int:
    """The work of ``source`` in bytes of CSV text (0 for a file that is missing)."""
    path = config.source_path(source)
    try:
        on_disk = path.stat().st_size
    except OSError:
        return 0
    fmt = source.inferred_format
    if fmt not in CELL_COST:
        return on_disk
    cells = None
    with contextlib.suppress(Exception):  # any failure: the bytes on disk
        cells = _declared_cells(path, fmt, source.sheet)
    if cells is None:
        return on_disk
    return round(cells * CSV_CELL_BYTES * CELL_COST[fmt])


def _declared_cells(path: Path, fmt: str, sheet: str | None) -> int | None:
    """Rows x columns as the file declares them (None when it does not)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        return int(meta.num_rows) * int(meta.num_columns)
    if fmt == "xlsx":
        return _sheet_cells(path, sheet)
    _, meta = stat_reader(path, fmt)(str(path), metadataonly=True)
    rows = meta.number_rows
    columns = meta.number_columns
    return None if rows is None or rows < 0 or columns is None else rows * columns


def _sheet_cells(path: Path, sheet: str | None) -> int:
    """The cells of the worksheet's ``<dimension>`` (read from the start of its XML), or its
    XML bytes over :data:`XML_CELL_BYTES` when it has none."""
    with zipfile.ZipFile(path) as book:
        part = sheet_part(book, sheet)
        with book.open(part) as xml:
            head = xml.read(4096)
        found = _DIMENSION.search(head.split(b"<sheetData", 1)[0].decode("utf-8", "replace"))
        if found is None:
            return book.getinfo(part).file_size // XML_CELL_BYTES
    first_col, first_row, last_col, last_row = found.groups()
    if last_col is None:  # one cell, e.g. "A1" for an empty sheet
        return 1
    columns = column_number(last_col) - column_number(first_col) + 1
    return (int(last_row) - int(first_row) + 1) * columns


__all__ = ["CELL_COST", "CSV_CELL_BYTES", "source_bytes"]
