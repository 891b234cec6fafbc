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


def test_a_group_is_named_as_the_tables_name_it(tmp_path):
    """The tables head a group by ``labels.variables`` when the study gives it there; the
    methods named it by ``groups.<g>.label`` ("Therapy" over tables of "Treatment arm")."""
    from tests.study_files import shipped_study_changed

    def change(doc: dict) -> None:
        labels = doc["analysis"].setdefault("labels", {})
        labels.setdefault("variables", {})["therapy_group"] = "Treatment arm"
        labels["variables"]["has_topical_treatment"] = "Topical Treatment (TT)"

    config = shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", change)
    said = methods_paragraphs(config, pd.DataFrame({"method": pd.Series([], dtype=str)}))
    text = next(p for p in said if p.startswith("Definitions."))
    assert "Treatment arm: from topical Treatment (TT) (no → " in text
    assert "Therapy:" not in text


def test_the_response_is_defined_only_where_the_analysis_reads_it(mini_study):
    """A probe's drug-survival study read PASI visits but showed no response: its Methods
    still defined "Response at 12 months ... of the assessment closest to month 12"."""

    def definitions(path) -> str:  # noqa: ANN001
        said = methods_paragraphs(
            StudyConfig.load(path), pd.DataFrame({"method": pd.Series([], dtype=str)})
        )
        return next(p for p in said if p.startswith("Definitions."))

    assert "Response at 12 months is the" in definitions(mini_study())
    without = mini_study(
        yaml_edit=lambda y: y.replace(
            "  improvement_levels: [mild improvement, marked improvement]\n", ""
        )
    )
    assert "Response at" not in definitions(without)
