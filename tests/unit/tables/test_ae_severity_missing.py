"""A subject whose treatment-emergent events carry no severity is not "no event": the highest
severity table counted such a subject among those without an event (a probe: 46 subjects with an
event and 44 "no event" in a column of N = 88), and its test with them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.tables._common import contingency_test
from analysis.tables.ae_severity import NOT_RECORDED_LEVEL, ae_severity
from tests.conftest import ard_value as value

LEVELS = ["mild", "moderate", "severe"]
SUBJECTS = pd.DataFrame(
    {
        "patient_id": [f"p{i}" for i in range(1, 11)],
        "sex": ["female", "male"] * 5,
    }
)


def events(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [p for p, _ in rows],
            "severity": pd.Categorical([s for _, s in rows], categories=LEVELS, ordered=True),
            "is_teae": True,
        }
    )


# p1 (female) severe; p2 (male) an event without a severity; p3 (female) mild and one without;
# p4 (male) two without; p5 (female) an ungraded event that is not treatment-emergent
EVENTS = events([("p1", "severe"), ("p2", None), ("p3", "mild"), ("p3", None)])
EVENTS = pd.concat([EVENTS, events([("p4", None), ("p4", None)])], ignore_index=True)
EVENTS = pd.concat([EVENTS, events([("p5", None)]).assign(is_teae=False)], ignore_index=True)


def test_ungraded_subjects_are_their_own_level_and_columns_add_up():
    result = ae_severity(SUBJECTS, EVENTS, by=["sex"])
    f = result.frame
    assert value(f, "worst_severity", NOT_RECORDED_LEVEL, "sex=male", "n") == 2  # p2, p4
    assert value(f, "worst_severity", "no event", "sex=male", "n") == 3
    assert value(f, "worst_severity", NOT_RECORDED_LEVEL, "sex=female", "n") == 0
    assert value(f, "worst_severity", "mild", "sex=female", "n") == 1  # p3: the graded one
    assert value(f, "worst_severity", "severe", "sex=female", "n") == 1
    assert value(f, "worst_severity", "no event", "sex=female", "n") == 3  # p5's is not a TEAE
    for group in ("sex=female", "sex=male", "overall"):
        n = f[(f.group == group) & (f.stat == "n")]["value"].sum()
        assert n == value(f, "worst_severity", "no event", group, "N")
    note = " ".join(result.footnotes)
    assert "Severity not recorded: 2 subjects" in note
    assert "left out of the p-values" in note
    assert "1 subject with an event without a severity also had a graded one" in note


def test_the_test_leaves_the_ungraded_subjects_out():
    f = ae_severity(SUBJECTS, EVENTS, by=["sex"]).frame
    p = f.loc[f["stat"] == "p_value", "value"].iloc[0]
    # female: mild 1, severe 1, no event 3; male: no event 3 (p2, p4 left out); empty grades
    # dropped as the table drops them
    expected = contingency_test(np.array([[1, 1, 3], [0, 0, 3]]), test="fisher").p_value
    assert p == pytest.approx(expected, rel=1e-12)


def test_without_ungraded_events_the_table_is_as_before():
    graded = EVENTS.dropna(subset=["severity"])
    result = ae_severity(SUBJECTS, graded, by=["sex"])
    assert NOT_RECORDED_LEVEL not in set(result.frame["level"])
    assert not any("not recorded" in n or "without a severity" in n for n in result.footnotes)


def test_a_graded_and_an_ungraded_event_shows_no_empty_row():
    result = ae_severity(SUBJECTS, events([("p3", "mild"), ("p3", None)]), by=["sex"])
    assert NOT_RECORDED_LEVEL not in set(result.frame["level"])
    assert "1 subject with an event without a severity also had a graded one" in " ".join(
        result.footnotes
    )
