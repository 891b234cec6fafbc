"""The footnotes of a Kaplan–Meier table say how its time was made (origin, event, censoring),
and a blank S(t) cell is explained in the table itself, figure or not."""

from __future__ import annotations

import pandas as pd

from analysis.studyfile.column_kinds import time_origin_words
from analysis.studyfile.config import Derivation, StudyConfig
from analysis.studyfile.design import Exposure
from analysis.tables.time_rules import in_months_label, time_rule_note
from analysis.tables.time_to_event import time_to_event_table


def _config(**exposure) -> StudyConfig:
    derive = Derivation(improvement_levels=["mild improvement"])
    return StudyConfig.model_construct(exposure=Exposure(**exposure), derive=derive)


def test_teae_time_note_names_the_first_exposure_and_the_window_end():
    cfg = _config(day0="first_visit_date", teae_days_after_last=90, noun="session")
    note = time_rule_note(cfg, pd.DataFrame(), time="time_to_first_teae_days", event="has_teae")
    assert "from the first session to the first treatment-emergent adverse event" in note
    assert "treatment-emergent: onset from the first session to 90 days after the end of" in note
    assert "earlier of the last contact and the end of that window" in note


def test_improvement_note_counts_the_patients_never_assessed():
    cfg = _config()
    data = pd.DataFrame({"t": [0.0, 0.0, 3.0], "e": [0, 1, 0]})
    note = time_rule_note(cfg, data.rename(columns={"t": "time_to_first_improvement_months"}),
                          time="time_to_first_improvement_months", event="e")  # fmt: skip
    assert "censored at the last assessment" in note
    assert "censored at 0 months, contributing no time at risk (1 patient)" in note


def test_a_title_in_days_says_months():
    assert in_months_label("Time to the first treatment-emergent adverse event, days") == (
        "Time to the first treatment-emergent adverse event, months"
    )


def test_a_listed_time_beyond_a_groups_last_time_is_footnoted_without_a_figure():
    data = pd.DataFrame(
        {"t": [1.0, 2.0, 5.0, 1.0, 3.0, 70.0], "e": [1, 0, 1, 1, 0, 0], "g": list("aaabbb")}
    )
    t = time_to_event_table(data, time="t", event="e", by="g", times=(2, 60))
    assert "Blank: S(60 months) for a (last time 5.0 months), not estimated" in " ".join(
        t.footnotes
    )


def test_the_teae_time_starts_at_the_first_exposure_every_other_at_day0():
    cfg = _config(day0="first_visit_date", noun="session")
    assert time_origin_words(cfg, "time_to_first_teae_days") == "the first session"
    assert time_origin_words(cfg, "time_to_discontinuation_months") == "the first visit date"
