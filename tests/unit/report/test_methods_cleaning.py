"""The methods say what the cleaning did as the study file declares it: with
``cleaning.on_unmapped: exclude`` they said "unknown labels stop the analysis" over a cohort
from which records with such labels had been excluded; with a range check of ``action:
exclude``, "Implausible values were set missing"."""

from __future__ import annotations

import pandas as pd

from analysis.report.methods import methods_paragraphs
from tests.study_files import shipped_study_changed

NO_METHODS = pd.DataFrame({"method": pd.Series([], dtype=str)})


def _design(tmp_path, change) -> str:  # noqa: ANN001
    config = shipped_study_changed(tmp_path, "dutasteride_mesotherapy", change)
    return next(p for p in methods_paragraphs(config, NO_METHODS) if p.startswith("Design"))


def test_as_shipped_unknown_labels_stop_and_implausible_values_are_set_missing(tmp_path):
    said = _design(tmp_path, lambda doc: None)
    assert "unknown labels stop the analysis" in said
    assert "Implausible values were set missing; every excluded" in said


def test_excluded_unmapped_labels_are_said(tmp_path):
    def change(doc: dict) -> None:
        doc.setdefault("cleaning", {})["on_unmapped"] = "exclude"

    said = _design(tmp_path, change)
    assert "records with a label no vocabulary maps were excluded" in said
    assert "stop the analysis" not in said


def test_a_check_that_excludes_is_said(tmp_path):
    def change(doc: dict) -> None:
        doc["checks"][0]["action"] = "exclude"
        doc["checks"][1].update(action="exclude", min=None)

    said = _design(tmp_path, change)
    assert (
        "Implausible values were set missing, except that records outside the declared limits "
        "of age, years (16 to 100) and dose mg (at most 5) were excluded; every" in said
    )
