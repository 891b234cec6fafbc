"""A Kaplan–Meier table of time to discontinuation whose inclusion keeps only patients treated
for some months says the curve cannot fall before then (immortal time); a criterion on
follow-up, which a patient who stops still reaches, does not."""

from __future__ import annotations

from analysis.studyfile.config import StudyConfig
from analysis.tables.immortal_time import immortal_time_note
from tests.golden.snapshot import shipped_studies


def _config(stem: str) -> StudyConfig:
    (path,) = [p for p in shipped_studies() if p.stem == stem]
    return StudyConfig.load(path)


def test_a_criterion_on_time_treated_gives_the_note():
    config = _config("low_dose_oral_minoxidil")  # inclusion: exposure_months >= 3
    note = immortal_time_note(config, "time_to_discontinuation_months")
    assert note is not None
    assert "keeps only patients who reached 3 months without the event" in note
    assert immortal_time_note(config, "time_to_first_teae_days") is None


def test_a_criterion_on_follow_up_does_not():
    config = _config("dutasteride_mesotherapy")  # inclusion: followup_months >= 6
    assert immortal_time_note(config, "time_to_discontinuation_months") is None
