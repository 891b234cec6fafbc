"""The Kaplan–Meier table's first note names the CI transform and calls it R's default only
when it is (``conf.type = 'log'``): with ``km_conf_type: log-log`` it read "with the log-log
transform (R survfit default)"."""

from __future__ import annotations

import pytest

from analysis.tables.time_to_event import time_to_event_table


@pytest.fixture(scope="module")
def patients(reference_clean):
    return reference_clean.patients


TIME, EVENT, BY = "time_to_discontinuation_months", "is_discontinued", "therapy_group"


@pytest.mark.parametrize(
    ("conf_type", "said"),
    [
        ("log", "with the log transform (R survfit default);"),
        ("log-log", "with the log-log transform; median CI"),
        ("plain", "with the plain transform; median CI"),
    ],
)
def test_only_the_log_transform_is_called_r_default(patients, conf_type, said):
    result = time_to_event_table(patients, time=TIME, event=EVENT, by=BY, conf_type=conf_type)
    assert said in result.footnotes[0]


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_a_survival_of_zero_prints_its_limits_as_not_estimable(conf_type):
    # group B: one patient, an event at 3 months: S(3) = 0, whose CI R gives as NA; the table
    # printed "0.0% (nan–nan)"
    import pandas as pd

    data = pd.DataFrame(
        {"t": [1, 2, 3, 4, 5, 6, 3], "e": [1, 0, 1, 1, 0, 1, 1], "g": list("AAAAAAB")}
    )
    t = time_to_event_table(data, time="t", event="e", by="g", times=[3], conf_type=conf_type)
    shown = t.display().set_index("Group")
    assert shown.loc["B", "S(3 months) (95% CI)"] == "0.0% (NE)"
    assert "nan" not in " ".join(shown.astype(str).to_numpy().ravel())
    assert any(n.startswith("NE = confidence limits not estimable") for n in t.footnotes)
    # none where every limit is estimable
    full = time_to_event_table(data.iloc[:6], time="t", event="e", by="g", times=[3])
    assert not any(n.startswith("NE =") for n in full.footnotes)
