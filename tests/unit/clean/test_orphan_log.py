"""``orphan_log`` looks each distinct patient id up once and writes one reason text per step
and reason: the same log, row for row, as looking every record's id up (the code before,
kept below as the reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.duplicates import orphan_log
from analysis.clean.step import LOG_COLUMNS, concat_rows, log_rows


def _not_in_patient_table(p: object) -> str:
    return f"patient_id {p!r} is not in the patient table"


def _reference(data, table, orphan, excluded_patients):
    """``orphan_log`` as it was: every record's id mapped through a dict per distinct id."""
    if not orphan.any():
        return pd.DataFrame(columns=LOG_COLUMNS)
    bad = data.loc[orphan]
    ids = bad["patient_id"]
    known = set(ids.dropna())
    step_of = {p: "patient_excluded" if p in excluded_patients else "orphan" for p in known}
    reason_of = {
        p: (
            f"patient excluded at step '{excluded_patients[p][0]}': {excluded_patients[p][1]}"
            if p in excluded_patients
            else _not_in_patient_table(p)
        )
        for p in known
    }
    steps = ids.map(step_of).fillna("orphan")
    reasons = ids.map(reason_of).astype(object)  # (all ids missing: the map gives floats)
    missing = ids.isna().to_numpy()
    if missing.any():
        reasons[missing] = [_not_in_patient_table(p) for p in ids[missing]]
    logs = [
        log_rows(bad.loc[steps == s], table, s, reasons[steps == s]) for s in sorted(set(steps))
    ]
    return concat_rows(logs, LOG_COLUMNS)


IDS = st.sampled_from(["P1", "P2", "P3", "Q9", "Z", None])
WHY = st.sampled_from(
    [("inclusion:age", "not met: adults"), ("conflict", "conflicting records"), ("x", "y")]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(IDS, st.booleans(), st.sampled_from(["", "S1"])), max_size=30),
    st.dictionaries(st.sampled_from(["P1", "P2", "Q9"]), WHY),
    st.sampled_from(["object", "string"]),
)
def test_the_log_is_the_one_of_looking_every_record_up(rows, excluded, dtype):
    data = pd.DataFrame(
        {
            "patient_id": pd.Series([p for p, _, _ in rows], dtype=dtype),
            "start_date": pd.Timestamp("2020-01-01"),
            "source_file": "a.csv",
            "source_sheet": [s for _, _, s in rows],
            "source_row": np.arange(len(rows), dtype=np.int64) + 2,
        },
        index=np.arange(len(rows)) * 3 + 7,
    )
    orphan = np.array([o for _, o, _ in rows], dtype=bool)
    got = orphan_log(data, "exposures", orphan, excluded)
    want = _reference(data, "exposures", orphan, excluded)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
