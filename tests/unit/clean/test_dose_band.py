"""A dose band is described in the study file alone: the dose a patient started on
(``initial_dose_mg``) and the highest reached (``max_dose_mg``) are patient columns, so a group
by conditions on them is a `by` of any table. Before, a band by the initial dose could not be
written ("unknown column 'daily_dose_mg'": conditions see only patient columns). The expected
numbers are counted here with pandas from the cleaned dose periods."""

from __future__ import annotations

from analysis.run.study import Study
from tests.study_files import shipped_study_changed


def _band(doc: dict) -> None:
    doc.setdefault("groups", {})["dose_band"] = {
        "label": "Initial dose",
        "levels": ["low", "high"],
        "conditions": [
            {"level": "low", "where": [{"column": "initial_dose_mg", "op": "<", "value": 1}]}
        ],
        "otherwise": "high",
    }
    doc["analysis"]["tables"]["ae_by_band"] = {"kind": "ae_incidence", "by": ["dose_band"]}


def test_initial_and_maximum_doses_and_a_band_by_them(tmp_path):
    study = Study(shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", _band))
    patients, exposures = study.clean.patients, study.clean.tables["exposures"]
    dose = exposures.dropna(subset=["daily_dose_mg"]).sort_values(["patient_id", "start_date"])
    first = dose.drop_duplicates("patient_id").set_index("patient_id")["daily_dose_mg"]
    top = dose.groupby("patient_id")["daily_dose_mg"].max()
    mine = patients.set_index("patient_id")
    assert mine["initial_dose_mg"].equals(first.reindex(mine.index).astype("float64"))
    assert mine["max_dose_mg"].equals(top.reindex(mine.index).astype("float64"))
    assert (mine["max_dose_mg"] >= mine["initial_dose_mg"]).all()
    low = mine["initial_dose_mg"] < 1
    assert (mine["dose_band"].astype(str) == "low").equals(low)
    frame = study.tables["ae_by_band"].frame
    n_low = frame.loc[(frame["stat"] == "N") & (frame["group1_level"].astype(str) == "low")][
        "value"
    ]
    assert set(n_low.astype(int)) == {int(low.sum())}
    assert 0 < int(low.sum()) < len(mine)


def test_a_study_of_discrete_exposures_has_no_dose_columns(tmp_path):
    study = Study(shipped_study_changed(tmp_path, "dutasteride_mesotherapy", lambda doc: None))
    assert "initial_dose_mg" not in study.clean.patients.columns
