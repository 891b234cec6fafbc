"""`identity.excluded_patients` looks each logged id up in the set of kept ids instead of
`Series.isin` (which hashes every kept id again): the same patients, reasons and order as the
isin version, kept here as the reference."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.identity import excluded_patients

IDS = st.sampled_from(["P1", "P2", "p1", "P1 ", "", "a\x00", "a", "Ω3", "12", "12.0"])


def _reference(logs: list[pd.DataFrame], kept: set[str]) -> dict[str, tuple[str, str]]:
    frames = [f for f in logs if len(f)]
    if not frames:
        return {}
    log = pd.concat(frames, ignore_index=True)
    log = log.loc[(log["table"] == "patients") & log["patient_id"].notna()]
    log = log.loc[~log["patient_id"].isin(kept)].drop_duplicates("patient_id")
    return {
        str(p): (str(s), str(r))
        for p, s, r in zip(log["patient_id"], log["step"], log["reason"], strict=True)
    }


_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["patients", "exposures", "adverse_events"]),
        st.one_of(IDS, st.none()),
        st.sampled_from(["window", "inclusion: age", "duplicate"]),
        st.sampled_from(["too old", "no visit", "merged"]),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ROWS, max_size=4), st.sets(IDS, max_size=6))
def test_excluded_patients_equal_the_isin_reference(logs, kept):
    frames = [
        pd.DataFrame(rows, columns=["table", "patient_id", "step", "reason"]) for rows in logs
    ]
    got = excluded_patients(frames, kept)
    assert got == _reference(frames, kept)
    assert list(got) == list(_reference(frames, kept))  # first logged reason, in log order
