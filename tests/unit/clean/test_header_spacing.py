"""A header or sheet name the file writes otherwise only in case or white space (a line break
or a no-break space inside an Excel header cell, "FECHA SESIÓN", a sheet "Pacientes ") was
refused with the file's names listed, the difference invisible there; the message now names
the header or sheet that differs so."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from analysis.clean.header_hint import spacing_hint
from analysis.clean.read import _read_xlsx
from analysis.errors import SourceError


def test_a_header_written_otherwise_in_case_or_spacing_is_named():
    said = spacing_hint({"Fecha sesión", "id"}, ["id", "Fecha\nsesión", "Dosis"])
    assert said.startswith(
        "The file writes 'Fecha\\nsesión' for 'Fecha sesión': the same name but for case or "
        "white space"
    )
    assert spacing_hint({"Fecha sesión"}, ["FECHA\xa0SESIÓN"]).startswith(
        "The file writes 'FECHA\\xa0SESIÓN' for 'Fecha sesión'"
    )
    assert spacing_hint({"id", "Dosis"}, ["id", "Dosis"]) == ""  # found as written: no hint
    assert spacing_hint({"Fecha"}, ["Fechas"]) == ""


def test_a_sheet_name_written_otherwise_in_case_or_spacing_is_named(tmp_path: Path):
    wb = openpyxl.Workbook()
    wb.active.title = "Pacientes "
    wb.active.append(["id"])
    wb.active.append(["P1"])
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(SourceError) as err:
        _read_xlsx(tmp_path / "b.xlsx", "pacientes")
    assert "Sheet 'Pacientes ' is the same name but for case or white space: write it so." in str(
        err.value
    )
