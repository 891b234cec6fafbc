"""A merged duplicate patient record that takes a value from a later row has an audit row per
value (``analysis.clean.merged_values``): with age and grade blank in row 2 and the full record
repeated in row 210, the kept record had age 45 and grade HN V from row 210, and the log said
"duplicate of ... row 2 (same values)" with no audit row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.duplicates import deduplicate_patients


def _patients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": ["HB-0001", "HB-0002", "HB-0001", "HB-0003", "HB-0003"],
            "age_years": [np.nan, 50.0, 45.0, 30.0, 30.0],
            "baseline_grade": [None, "HN II", "HN V", "HN I", None],
            "sex": ["male", "female", "male", "male", "male"],
            "source_file": "pacientes.csv",
            "source_sheet": "",
            "source_row": [2, 3, 210, 4, 211],
        },
        index=np.arange(5),
    )


def test_each_value_taken_from_a_duplicate_has_an_audit_row():
    step, conflicts = deduplicate_patients(_patients())
    assert conflicts.empty
    kept = step.data.set_index("patient_id")
    assert (
        kept.loc["HB-0001", "age_years"] == 45 and kept.loc["HB-0001", "baseline_grade"] == "HN V"
    )
    audit = step.audit.sort_values("column")
    assert audit[["row", "patient_id", "column", "action"]].values.tolist() == [
        [2, "HB-0001", "age_years", "corrected"],
        [2, "HB-0001", "baseline_grade", "corrected"],
    ]
    assert audit["message"].tolist() == [
        "`age_years` was missing in this record; filled with '45.0' from its duplicate at "
        "pacientes.csv, row 210",
        "`baseline_grade` was missing in this record; filled with 'HN V' from its duplicate at "
        "pacientes.csv, row 210",
    ]
    reasons = dict(zip(step.excluded["row"], step.excluded["reason"], strict=True))
    assert "no value differs; values missing in that record filled" in reasons[210]
    # HB-0003's kept row lacks nothing (no audit row); the row dropped lacks the grade, so it
    # is no exact copy ("same values" said it was)
    assert reasons[211] == (
        "duplicate of pacientes.csv, row 4 (no value differs; values missing in this record)"
    )
