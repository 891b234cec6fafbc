"""`format: xlsx` reads .xls, .xlsb and .ods workbooks, but the checks that read the workbook's
XML (merged cells, hidden rows and sheets, percent cells, error cells) do not apply to them; a
probe's .xls was read with none of them and nothing said."""

from __future__ import annotations

from analysis.clean.workbook_kinds import unchecked_workbook_warnings
from analysis.studyfile.config import StudyConfig


def test_a_workbook_other_than_xlsx_is_named_with_what_is_not_checked(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "file: sessions.csv", "file: sessions.xls\n    format: xlsx\n    sheet: S"
        ).replace("file: aes.csv", "file: aes.XLSM\n    sheet: A")
    )
    warned = unchecked_workbook_warnings(StudyConfig.load(path))
    assert len(warned) == 1
    assert warned[0].startswith("source `sessions` reads a .xls workbook: its cell values are read")
    assert "merged cells, hidden rows and sheets" in warned[0]


def test_the_shipped_studies_read_no_such_workbook():
    from tests.conftest import REPO

    for study in ("dutasteride_mesotherapy", "low_dose_oral_minoxidil"):
        assert (
            unchecked_workbook_warnings(StudyConfig.load(REPO / "studies" / f"{study}.yaml")) == []
        )
