"""A comparison or covariate measured after day 0, in a table that follows patients from day 0,
is said so in the footnote (a review of the shipped report: the Kaplan–Meier and Cox analyses
of time to discontinuation compare a therapy group defined by treatments started up to the
12-month assessment, and the logistic models of adverse events adjust for the number of
sessions; nothing said either)."""

from __future__ import annotations

from pathlib import Path

from analysis.studyfile.config import StudyConfig
from analysis.tables.after_day0 import after_day0_notes

ROOT = Path(__file__).resolve().parents[3]
DUTASTERIDE = StudyConfig.load(ROOT / "studies" / "dutasteride_mesotherapy.yaml")


def _label(column: str) -> str:
    return {"therapy_group": "Therapy", "n_exposures": "Sessions, n"}.get(column, column)


def test_a_group_defined_after_day0_is_named_in_a_table_over_time():
    notes = after_day0_notes(DUTASTERIDE, ["therapy_group", None, "sex"], _label)
    assert notes == [
        "Therapy is defined by treatments from day 0 (the first session) to the response "
        "assessment at month 12 (day 0 plus 12 months for a patient without one), after "
        "follow-up starts: a patient with a shorter follow-up has less time to start another "
        "treatment, so the comparison may carry immortal-time bias; a landmark analysis, or the "
        "treatment as a time-dependent covariate, avoids it."
    ]


def test_a_model_at_one_timepoint_gets_only_the_note_on_counts_over_follow_up():
    notes = after_day0_notes(
        DUTASTERIDE, ["therapy_group", "n_exposures", "age_years"], _label, over_time=False
    )
    assert len(notes) == 1 and notes[0].startswith("Sessions, n is measured over follow-up")


def test_baseline_columns_need_no_note():
    assert after_day0_notes(DUTASTERIDE, ["sex", "age_years", "baseline_severity"], _label) == []
