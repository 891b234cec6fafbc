"""A blank discontinuation flag is read from the discontinuation date, with an audit row: it
was made False in silence, so a patient whose export gave a stop date but no flag was censored
at the last contact (a probe: 13.14 months of follow-up instead of a stop at 5 months)."""

from __future__ import annotations

import pandas as pd

from analysis.clean.derive import add_time_to_event
from analysis.clean.discontinued_audit import blank_discontinued
from analysis.studyfile.config import Derivation
from analysis.studyfile.design import Exposure

D = pd.Timestamp
PATIENTS = pd.DataFrame(
    {
        "patient_id": ["K01", "K02", "K03"],
        "is_discontinued": pd.array([None, None, True], dtype="boolean"),
        "discontinuation_date": [D("2020-06-01"), pd.NaT, D("2020-03-01")],
        "day0_date": [D("2020-01-01")] * 3,
        "last_contact_date": [D("2021-02-04")] * 3,
        "exposure_end_date": [D("2020-05-01")] * 3,
        "first_teae_date": [pd.NaT] * 3,
        "has_teae": [False] * 3,
        "first_exposure_date": [D("2020-01-01")] * 3,
        "source_file": "p.csv",
        "source_sheet": "",
        "source_row": [2, 3, 4],
    }
)


def test_a_blank_flag_with_a_date_is_a_discontinuation_and_is_audited():
    out = add_time_to_event(PATIENTS, Derivation(), Exposure()).set_index("patient_id")
    assert out["is_discontinued"].tolist() == [True, False, True]
    days = {"K01": 152, "K02": 400, "K03": 60}  # to the date; censored at last contact
    for pid, d in days.items():
        months = out.loc[pid, "time_to_discontinuation_months"]
        assert abs(months - d / (365.25 / 12)) < 1e-9
    audit = blank_discontinued(PATIENTS).set_index("patient_id")
    assert list(audit.index) == ["K01", "K02"]
    assert audit.loc["K01", "message"].endswith("read as discontinued")
    assert "read as not discontinued" in audit.loc["K02", "message"]
    assert set(audit["check"]) == {"blank"}
