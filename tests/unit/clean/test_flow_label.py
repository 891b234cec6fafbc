"""The flow's first row names where the patients come from as the study reads them: "the
export" when one file holds the patient table (the minoxidil workbook), "the exports" when
several do (the dutasteride centres), so that its figure does not call one workbook "the clinic
exports"."""

from __future__ import annotations

import pytest

from analysis.clean.flow import screened_label
from analysis.studyfile.config import StudyConfig
from tests.conftest import REFERENCE_STUDY

MINOXIDIL = REFERENCE_STUDY.parent / "low_dose_oral_minoxidil.yaml"


@pytest.mark.parametrize(
    ("study", "said"),
    [(REFERENCE_STUDY, "Patients in the exports"), (MINOXIDIL, "Patients in the export")],
)
def test_first_row_says_export_or_exports_as_the_patient_files_are(study, said):
    config = StudyConfig.load(study)
    files = {s.file for s in config.sources if s.table == "patients"}
    assert (len(files) > 1) == said.endswith("exports")
    assert screened_label(config) == f"{said} (unique ids)"


def test_sheets_of_one_workbook_are_one_export():
    config = StudyConfig.load(REFERENCE_STUDY)
    patients = [s for s in config.sources if s.table == "patients"]
    one_file = [s.model_copy(update={"file": patients[0].file}) for s in patients]
    others = [s for s in config.sources if s.table != "patients"]
    same = config.model_copy(update={"sources": [*one_file, *others]})
    assert screened_label(same) == "Patients in the export (unique ids)"
