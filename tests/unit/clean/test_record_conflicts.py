"""Duplicate child records whose other values differ (``analysis.clean.record_conflicts``): the
same pain on the same day, once mild and once severe and serious, was merged as a plain
duplicate and the serious event disappeared from the tables without a word. Now the run stops
listing them, or (``cleaning.conflicting_records: keep_first``) logs each dropped record with
the values it differs in."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.duplicates import drop_duplicate_records
from analysis.errors import SourceError


def _events(rows: list[tuple[str, str, str, str | None, bool | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [r[0] for r in rows],
            "onset_date": pd.to_datetime([r[1] for r in rows]),
            "ae_term": [r[2] for r in rows],
            "severity": [r[3] for r in rows],
            "is_serious": pd.array([r[4] for r in rows], dtype="boolean"),
            "_source": "centre_b_events",
            "source_file": "efectos_adversos.csv",
            "source_sheet": "",
            "source_row": range(2, 2 + len(rows)),
        }
    )


EVENTS = _events(
    [
        ("HB-0002", "2015-09-06", "pain", "mild", False),
        ("HB-0003", "2015-09-07", "pain", "mild", False),
        ("HB-0002", "2015-09-06", "pain", "severe", True),  # conflicts with row 2
        ("HB-0003", "2015-09-07", "pain", None, None),  # agrees (missing values only)
    ]
)


def test_a_duplicate_with_other_values_stops_the_run_naming_rows_and_values():
    with pytest.raises(SourceError) as exc:
        drop_duplicate_records(EVENTS, "adverse_events")
    text = str(exc.value)
    assert "adverse_events: 1 record(s) have the same patient_id, onset_date, ae_term" in text
    assert (
        "efectos_adversos.csv, row 4, against efectos_adversos.csv, row 2: severity 'severe' "
        "vs 'mild'; is_serious 'True' vs 'False'"
    ) in text
    assert "`cleaning.conflicting_records: keep_first`" in text
    assert "row 5" not in text  # the agreeing duplicate is no conflict


def test_keep_first_logs_the_differing_values():
    step = drop_duplicate_records(EVENTS, "adverse_events", on_conflict="keep_first")
    assert step.data["source_row"].tolist() == [2, 3]
    reasons = dict(zip(step.excluded["row"], step.excluded["reason"], strict=True))
    assert reasons[4] == (
        "duplicate of efectos_adversos.csv, row 2 (same patient_id, onset_date, ae_term); its "
        "other values differ (severity 'severe' vs 'mild'; is_serious 'True' vs 'False'): the "
        "first record kept"
    )
    assert reasons[5] == (
        "duplicate of efectos_adversos.csv, row 3 (same patient_id, onset_date, ae_term)"
    )


def test_agreeing_duplicates_are_dropped_as_before():
    agreeing = EVENTS.iloc[[0, 1, 3]]
    step = drop_duplicate_records(agreeing, "adverse_events")
    assert step.data["source_row"].tolist() == [2, 3] and len(step.excluded) == 1


def test_a_value_only_a_later_duplicate_has_is_kept_with_an_audit_row():
    """The same pain on the same day, its severity and seriousness written only on the second
    copy: the record kept takes them (they agree with nothing else), the audit says from where,
    and the log of the dropped copy points to it. Before, the serious event was lost."""
    events = _events(
        [
            ("HB-0010", "2015-09-22", "erythema", None, None),
            ("HB-0011", "2015-09-23", "pain", "mild", None),
            ("HB-0010", "2015-09-22", "erythema", "severe", True),
            ("HB-0011", "2015-09-23", "pain", None, False),
            ("HB-0011", "2015-09-23", "pain", "mild", None),
        ]
    )
    step = drop_duplicate_records(events, "adverse_events")
    kept = step.data
    assert kept["source_row"].tolist() == [2, 3]
    assert kept["severity"].tolist() == ["severe", "mild"]
    assert kept["is_serious"].tolist() == [True, False]
    audit = step.audit.sort_values(["row", "column"])
    assert audit[["row", "column", "check", "action"]].values.tolist() == [
        [2, "is_serious", "duplicate", "corrected"],
        [2, "severity", "duplicate", "corrected"],
        [3, "is_serious", "duplicate", "corrected"],
    ]
    assert audit["message"].iloc[1] == (
        "`severity` was missing in this record; filled with 'severe' from its duplicate at "
        "efectos_adversos.csv, row 4"
    )
    reasons = dict(zip(step.excluded["row"], step.excluded["reason"], strict=True))
    assert reasons[4].endswith(
        "; values missing in the record kept were filled from this one, see the audit log"
    )
    assert reasons[5].endswith("see the audit log")
    assert reasons[6] == (
        "duplicate of efectos_adversos.csv, row 3 (same patient_id, onset_date, ae_term)"
    )


def test_two_later_duplicates_giving_a_missing_value_two_values_conflict():
    events = _events(
        [
            ("HB-0011", "2015-09-23", "pain", "mild", None),
            ("HB-0011", "2015-09-23", "pain", None, False),
            ("HB-0011", "2015-09-23", "pain", None, True),  # serious, against the filled False
        ]
    )
    with pytest.raises(SourceError, match="efectos_adversos.csv, row 4, against .* row 2: "):
        drop_duplicate_records(events, "adverse_events")
    step = drop_duplicate_records(events, "adverse_events", on_conflict="keep_first")
    assert step.data["is_serious"].tolist() == [False]
    reasons = dict(zip(step.excluded["row"], step.excluded["reason"], strict=True))
    assert "its other values differ (is_serious 'True' vs 'False')" in reasons[4]
