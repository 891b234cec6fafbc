"""Events whose seriousness is not recorded are counted under the adverse-event table (they are
counted as not serious, which a reader could not tell from a recorded "no")."""

from __future__ import annotations

import pandas as pd

from analysis.tables.adverse_events import ae_incidence
from tests.conftest import ard_value as value

SUBJECTS = pd.DataFrame(
    {"patient_id": ["a", "b", "c"], "sex": pd.Categorical(["female", "male", "male"])}
)


def _events(serious: list[object], teae: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": ["a", "a", "b", "z"],  # z: not a subject of the table
            "ae_term": ["pain", "edema", "pain", "pain"],
            "is_teae": teae,
            "is_serious": pd.array(serious, dtype="boolean"),
        }
    )


def _notes(events: pd.DataFrame) -> list[str]:
    t = ae_incidence(SUBJECTS, events, by=["sex"])
    return [n for n in t.footnotes if n.startswith("Seriousness not recorded")]


def test_blank_seriousness_of_counted_events_is_footnoted():
    events = _events([None, None, True, None], [True, True, True, True])
    t = ae_incidence(SUBJECTS, events, by=["sex"])
    assert value(t.frame, "serious_ae", "any serious adverse event", "overall", "n") == 1
    assert _notes(events) == [
        "Seriousness not recorded for 2 treatment-emergent events of 1 subject: counted as not "
        'serious (row "any serious adverse event").'
    ]


def test_only_the_events_the_table_counts():
    # a's blank one is not treatment-emergent, z is no subject: nothing to say
    events = _events([None, False, True, None], [False, True, True, True])
    assert _notes(events) == []
    assert _notes(_events([False, False, True, False], [True] * 4)) == []
