"""The work of a raw source in bytes of CSV text (``source_size``), which decides whether the
clean stage starts a second process: a CSV counts its bytes; a workbook each sheet by its own
cells (not the whole file once per sheet); Parquet and SPSS by the cells they declare (not
their compressed bytes); a file that cannot be opened counts its bytes, a missing one 0."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from analysis.clean.source_size import CELL_COST, CSV_CELL_BYTES, XML_CELL_BYTES, source_bytes


def _bytes(path: Path, fmt: str, sheet: str | None = None) -> int:
    config = SimpleNamespace(source_path=lambda source: path)
    return source_bytes(config, SimpleNamespace(inferred_format=fmt, sheet=sheet))  # type: ignore[arg-type]


def _cells(n: int, fmt: str) -> int:
    return round(n * CSV_CELL_BYTES * CELL_COST[fmt])


def _workbook(path: Path, sheets: dict[str, tuple[int, int]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (rows, cols) in sheets.items():
        ws = wb.create_sheet(name)
        for r in range(rows):
            ws.append([f"r{r}c{c}" for c in range(cols)])
    wb.save(path)


def test_a_csv_counts_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text("id,date\nP1,2020-01-01\n", encoding="utf-8")
    assert _bytes(path, "csv") == path.stat().st_size


def test_each_sheet_of_a_workbook_counts_its_own_cells(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    _workbook(path, {"Patients": (11, 4), "Sessions": (301, 5)})
    assert _bytes(path, "xlsx", "Patients") == _cells(11 * 4, "xlsx")
    assert _bytes(path, "xlsx", "Sessions") == _cells(301 * 5, "xlsx")
    assert _bytes(path, "xlsx", None) == _cells(11 * 4, "xlsx")  # no sheet named: the first


def test_a_sheet_without_dimension_counts_its_xml(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    _workbook(path, {"Sessions": (50, 3)})
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
                xml_size = len(data)
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    assert b"<dimension" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert _bytes(path, "xlsx", "Sessions") == _cells(xml_size // XML_CELL_BYTES, "xlsx")


def test_parquet_and_spss_count_their_declared_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [f"P{i}" for i in range(40)], "dose": [0.1] * 40, "x": ["a"] * 40})
    parquet = tmp_path / "sessions.parquet"
    frame.to_parquet(parquet, index=False)
    assert _bytes(parquet, "parquet") == _cells(40 * 3, "parquet")
    sav = tmp_path / "sessions.sav"
    pyreadstat.write_sav(frame, str(sav))
    assert _bytes(sav, "spss") == _cells(40 * 3, "spss")


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "spss", "sas"])
def test_a_file_that_cannot_be_opened_counts_its_bytes(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"broken.{fmt}"
    path.write_bytes(b"not a file of that format" * 10)
    assert _bytes(path, fmt) == path.stat().st_size
    assert _bytes(tmp_path / "missing.csv", fmt) == 0
