"""Adverse-event tables on events whose flag column holds no values, and on a sex column of
numeric codes: an empty subgroup's events (CDISC "Y"/"N" flags of no rows) stopped
``ae_incidence`` and ``ae_severity`` with an AttributeError; codes 1/2 read as floats (one sex
missing) made a term of sex "1" count nobody, silently, with a footnote blaming the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ArgumentError
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure
from analysis.tables.ae_severity import ae_severity
from tests.conftest import ard_value as value

SUBJECTS = pd.DataFrame({"patient_id": ["S1", "S2", "S3"], "arm": ["A", "B", "B"]})
FLAGGED = pd.DataFrame(
    {
        "patient_id": ["S9"],
        "ae_term": ["Headache"],
        "severity": ["mild"],
        "TRTEMFL": ["Y"],
        "AESER": ["N"],
    }
)


@pytest.mark.parametrize("events", ["no rows", "flags all missing"])
def test_a_flag_column_without_values_counts_no_event(events):
    ev = FLAGGED.iloc[:0] if events == "no rows" else FLAGGED.assign(patient_id="S1", TRTEMFL=None)
    f = ae_incidence(SUBJECTS, ev, by=["arm"], teae_flag="TRTEMFL", serious_flag="AESER").frame
    assert value(f, "any_ae", "any adverse event", "overall", "n") == 0
    assert value(f, "any_ae", "any adverse event", "overall", "N") == 3
    s = ae_severity(SUBJECTS, ev, by=["arm"], teae_flag="TRTEMFL").frame
    n = s.loc[(s["stat"] == "n") & (s["group"] == "overall")].set_index("level")["value"]
    assert n.get("no event") == 3 and n.drop("no event").sum() == 0


def test_a_flag_column_of_dates_is_refused_in_words():
    ev = FLAGGED.assign(patient_id="S1", TRTEMFL=pd.to_datetime(["2020-01-01"]))
    with pytest.raises(ArgumentError, match="'TRTEMFL' holds timestamp"):
        ae_incidence(SUBJECTS, ev, by=["arm"], teae_flag="TRTEMFL")


EVENTS = pd.DataFrame(
    {
        "patient_id": [1, 2, 3],
        "ae_term": ["Hair loss", "Hair loss", "Headache"],
        "is_teae": True,
        "is_serious": False,
        "exposure_number": [1, 1, 2],
    }
)
CODED = pd.DataFrame(
    {"patient_id": [1, 2, 3, 4], "arm": ["A", "A", "B", "B"], "sex": [1, 1, 2, np.nan]}
)


def test_a_term_of_one_sex_finds_its_subjects_among_codes_read_as_floats():
    assert CODED["sex"].dtype == float
    t = ae_incidence(CODED, EVENTS, by=["arm"], sex_specific={"Hair loss": "1"}, test="none")
    f = t.frame
    assert value(f, "ae_term", "Hair loss", "overall", "n") == 2
    assert value(f, "ae_term", "Hair loss", "overall", "N") == 2
    assert value(f, "any_ae", "any adverse event", "overall", "n") == 3
    assert not [n for n in t.footnotes if "not recorded as" in n]
    ex = pd.DataFrame({"patient_id": [1, 2, 3, 4, 1], "exposure_number": [1, 1, 1, 1, 2]})
    e = ae_by_exposure(EVENTS, ex, subjects=CODED, sex_specific={"Hair loss": "1"}).frame
    hair = e.loc[(e["level"] == "Hair loss") & (e["stat"] == "N"), "value"]
    assert list(hair) == [2]


def test_a_word_for_a_sex_coded_in_numbers_is_refused():
    with pytest.raises(ArgumentError, match=r"holds numbers \(codes\).*\['female'\]"):
        ae_incidence(CODED, EVENTS, by=["arm"], sex_specific={"Hair loss": "female"})


def test_ids_of_numbers_in_one_table_and_text_in_another_are_said_in_words():
    # it was Ibis' "Base expression ... not comparable" from deep inside the join
    events = pd.DataFrame({"patient_id": ["1"], "ae_term": ["H"], "is_teae": [True]})
    subjects = pd.DataFrame({"patient_id": [1, 2, 3], "arm": ["A", "B", "B"]})
    with pytest.raises(ArgumentError, match=r"holds numbers in the subjects table and text in"):
        ae_incidence(subjects, events, by=["arm"])
    with pytest.raises(ArgumentError, match=r"ae_severity: `patient_id` holds"):
        ae_severity(subjects, events.assign(severity="mild"), by=["arm"])


def test_a_numeric_severity_order_is_taken_as_the_grades_it_names():
    # order=[1.0, 2.0, 3.0] on numeric grades was Ibis' "not comparable" TypeError
    events = pd.DataFrame(
        {"patient_id": ["S1", "S2", "S2"], "ae_term": "x", "severity": [1.0, 3.0, 2.0]}
    ).assign(is_teae=True)
    f = ae_severity(SUBJECTS, events, by=["arm"], order=[1.0, 2.0, 3.0]).frame
    n = f.loc[(f["group"] == "overall") & (f["stat"] == "n")].set_index("level")["value"]
    assert n.to_dict() == {"1.0": 1, "2.0": 0, "3.0": 1, "no event": 1}
