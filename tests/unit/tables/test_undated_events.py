"""Adverse events without a readable onset date (blank, or a month without its day) are
excluded at cleaning, since their treatment-emergence cannot be told; the adverse-event tables
showed fewer events and said nothing (a probe: "any adverse event" 1 of 4 where the records
held 4). Each adverse-event table now counts them in a footnote."""

from __future__ import annotations

import pandas as pd

from analysis.run.study import Study
from analysis.studyfile.config import StudyConfig
from analysis.tables.undated_events import undated_events_note

AES = """\
    id,onset,term,severity,serious
    P1,2020-01-11,dolor,leve,no
    P1,2020-03,pain,mild,no
    P1,,edema,moderate,no
    P4,2020-02-02,pain,mild,no
    """


def test_every_adverse_event_table_counts_the_events_without_an_onset_date(mini_study):
    study = Study(StudyConfig.load(mini_study(files={"aes.csv": AES})))
    ae_tables = {
        name: t
        for name, t in study.tables.items()
        if t.frame["table"].astype(str).str.startswith("ae_").any()
    }
    assert ae_tables
    for name, t in ae_tables.items():
        said = [n for n in t.footnotes if "no readable onset date" in n]
        assert said == [
            "2 adverse-event records of 1 patient in this table have no readable onset date "
            "(blank, or without its day) and are not counted: whether they began on treatment "
            "cannot be told (see the exclusion log)."
        ], name


def test_only_the_patients_of_the_table_are_counted_and_other_steps_are_not():
    log = pd.DataFrame(
        {
            "table": ["adverse_events", "adverse_events", "adverse_events", "exposures"],
            "patient_id": ["a", "b", "a", "a"],
            "step": ["missing", "parse", "duplicate", "missing"],
            "reason": [
                "required value missing: `onset_date`",
                "`onset_date` value '2020-03' is not a date",
                "duplicate of x (same `onset_date`)",
                "required value missing: `start_date`",
            ],
        }
    )
    assert undated_events_note(log, pd.Series(["b", "c"])) == [
        "1 adverse-event record of 1 patient in this table has no readable onset date (blank, "
        "or without its day) and is not counted: whether it began on treatment cannot be told "
        "(see the exclusion log)."
    ]
    assert undated_events_note(log, pd.Series(["c"])) == []
