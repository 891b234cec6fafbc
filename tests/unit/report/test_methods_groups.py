"""The methods' definition of a derived group names its levels as the tables show them."""

from __future__ import annotations

import pandas as pd

from analysis.report.methods import methods_paragraphs
from analysis.studyfile.config import StudyConfig
from tests.golden.snapshot import shipped_studies


def _definitions(stem: str) -> str:
    (path,) = [p for p in shipped_studies() if p.stem == stem]
    paragraphs = methods_paragraphs(
        StudyConfig.load(path), pd.DataFrame({"method": pd.Series([], dtype=str)})
    )
    return next(p for p in paragraphs if p.startswith("Definitions."))


def test_a_group_from_a_column_names_its_levels_by_their_labels():
    """The minoxidil methods read "(no → monotherapy, yes → combined)" over tables whose columns
    are "Oral minoxidil alone" and "With a topical treatment"."""
    said = _definitions("low_dose_oral_minoxidil")
    assert "(no → oral minoxidil alone, yes → with a topical treatment)" in said


def test_a_group_from_overlapping_treatments_names_its_levels_by_their_labels():
    said = _definitions("dutasteride_mesotherapy")
    assert "Therapy: combined therapy when a listed treatment (" in said
    assert "to the response assessment, otherwise monotherapy." in said
