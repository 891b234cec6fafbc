"""Workbooks other than .xlsx read with ``format: xlsx``: what is not checked in them.

``format: xlsx`` reads an Excel 97-2003 ``.xls``, a binary ``.xlsb`` or an OpenDocument
``.ods`` workbook too (calamine reads their cell values). The checks that read the workbook's
XML do not apply to them: merged cells filled as the sheet shows them, rows and sheets hidden,
cells formatted as a percentage, error cells and formulas without a saved value. A probe's
``.xls`` was read with none of them and nothing said; the run now says so, per source.
"""

from __future__ import annotations

from pathlib import Path

from analysis.clean.shared_text import Shareable
from analysis.studyfile.config import StudyConfig

#: the workbooks whose XML the reader checks
CHECKED = (".xlsx", ".xlsm")


def unchecked_workbook_warnings(config: StudyConfig) -> list[str]:
    """One warning per source that reads a workbook other than .xlsx/.xlsm as ``xlsx``."""
    out: list[str] = []
    for source in config.sources:
        suffix = Path(source.file).suffix.lower()
        if source.inferred_format == "xlsx" and suffix not in CHECKED:
            out.append(
                Shareable(
                    f"source `{source.name}` reads a {suffix or 'workbook without extension'} "
                    "workbook: its cell values are read, but merged cells, hidden rows and "
                    "sheets, cells formatted as a percentage, error cells and formulas without "
                    "a saved value are checked only in .xlsx and .xlsm workbooks. Save it as "
                    ".xlsx to have them checked."
                )
            )
    return out


__all__ = ["CHECKED", "unchecked_workbook_warnings"]
