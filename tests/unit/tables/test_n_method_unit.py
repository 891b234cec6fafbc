"""The ARD ``method`` of a denominator says what was counted: a table of patient-dose periods
(N = 2,469 periods of 1,404 patients) said "subjects in the group" (docs/ard.md: the method
states what was counted); its footnote already said dose periods."""

from __future__ import annotations

import pandas as pd

from analysis.tables.adverse_events import ae_incidence


def _methods(unit: str) -> set[str]:
    subjects = pd.DataFrame({"patient_id": list("abcd"), "arm": ["x", "x", "y", "y"]})
    events = pd.DataFrame({"patient_id": ["a", "c"], "ae_term": ["pain", "pain"]})
    frame = ae_incidence(subjects, events, by=["arm"], unit=unit, teae_flag=None).frame
    return set(frame.loc[frame["stat"] == "N", "method"])


def test_the_denominator_names_its_unit():
    assert _methods("dose periods") == {"dose periods in the group"}
    assert _methods("subjects") == {"subjects in the group"}
    assert _methods("patients") == {"subjects in the group"}  # the shipped ARD's words
