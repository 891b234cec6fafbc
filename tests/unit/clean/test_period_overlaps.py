"""Overlapping treatment periods of one patient are flagged, kept and audited
(``clean.period_overlaps``): against a per-patient reference on random periods, and in a whole
clean of a study on dose periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.period_overlaps import flag_overlapping_periods
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from tests.unit.run.test_fixture_studies import AES, PATIENTS, PERIODS, _men_on_periods


def _periods(rows: list[tuple[str, int | None, int | None]]) -> pd.DataFrame:
    day = pd.Timestamp("2020-01-01")
    return pd.DataFrame(
        {
            "patient_id": [p for p, _, _ in rows],
            "start_date": pd.Series(
                [pd.NaT if s is None else day + pd.Timedelta(days=s) for _, s, _ in rows],
                dtype="datetime64[ns]",
            ).to_numpy(),
            "stop_date": pd.Series(
                [pd.NaT if t is None else day + pd.Timedelta(days=t) for _, _, t in rows],
                dtype="datetime64[ns]",
            ).to_numpy(),
            "source_file": "periods.csv",
            "source_sheet": "",
            "source_row": np.arange(2, 2 + len(rows)),
        },
        index=np.arange(len(rows)) * 2 + 5,
    )


def _reference(data: pd.DataFrame) -> list[int]:
    """The rows (``source_row``) of periods starting while an earlier-starting period of the
    same patient runs, patient by patient."""
    out = []
    for _, g in data.groupby("patient_id", sort=False):
        g = g.sort_values(["start_date", "source_row"], kind="stable")
        earlier: list[pd.Timestamp] = []  # the stops so far (NaT: runs on)
        for start, stop, row in zip(g["start_date"], g["stop_date"], g["source_row"], strict=True):
            if pd.notna(start) and any(pd.isna(t) or start < t for t in earlier):
                out.append(int(row))
            earlier.append(stop)
    return sorted(out)


def test_overlaps_and_what_is_not_one():
    data = _periods(
        [
            ("A", 0, 90),  # A: the next starts on the day this stops: a switch, not an overlap
            ("A", 90, None),
            ("B", 0, None),  # B: an earlier period never stopped
            ("B", 60, 120),
            ("C", 0, 200),  # C: starts inside a period that ends later
            ("C", 30, 60),
            ("C", 100, 150),  # still inside the first (stops on day 200)
            ("D", 10, 20),  # D: apart
            ("D", 30, None),
            ("E", None, 10),  # E: no start date: nothing to compare
            ("E", 5, 8),
        ]
    )
    step = flag_overlapping_periods(data, "dose period")
    assert step.data is data
    assert list(step.audit["row"]) == [5, 7, 8] == _reference(data)
    assert set(step.audit["check"]) == {"overlapping_period"}
    assert set(step.audit["action"]) == {"flagged"}
    assert list(step.audit["value"]) == ["2020-03-01", "2020-01-31", "2020-04-10"]
    assert (
        step.audit["message"]
        .iloc[0]
        .startswith(
            "dose period starting 2020-03-01 begins while the patient's earlier dose period "
            "(started 2020-01-01, row 4, no stop date) still runs"
        )
    )
    assert "(started 2020-01-01, row 6, stopped 2020-07-19)" in step.audit["message"].iloc[2]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("PQR"),
            st.one_of(st.none(), st.integers(0, 40)),
            st.one_of(st.none(), st.integers(0, 60)),
        ),
        max_size=14,
    )
)
def test_flags_equal_the_per_patient_reference(rows):
    data = _periods(rows)
    assert data["start_date"].notna().sum() == sum(s is not None for _, s, _ in rows)
    assert sorted(flag_overlapping_periods(data).audit["row"]) == _reference(data)


def test_a_study_on_dose_periods_audits_an_overlap(mini_study):
    # P1's first dose period runs on past the start of the second (it stopped on 2020-04-09)
    periods = PERIODS.replace("2020-01-10,2020-04-09", "2020-01-10,2020-06-30")
    assert periods != PERIODS
    files = {"patients.csv": PATIENTS, "sessions.csv": periods, "aes.csv": AES, "assess.csv": None}
    result = clean_study(StudyConfig.load(mini_study(files=files, yaml_edit=_men_on_periods)))
    audit = result.audit.loc[result.audit["check"] == "overlapping_period"]
    assert audit[["patient_id", "row", "value"]].values.tolist() == [["P1", 3, "2020-04-10"]]
    assert len(result.tables["exposures"]) == 11  # flagged, kept
