"""The second shipped study, a different design (daily oral drug, titrated dose periods, a wide
patient sheet, Portuguese labels), read and derived by the pipeline from its study file alone:
the published numbers of Vañó-Galván et al., J Am Acad Dermatol 2021;84(6):1644-1651 (abstract;
studies/low_dose_oral_minoxidil.reference.md) come out of the cleaned data exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.clean.stage import clean_study
from analysis.report.claims import claims_path_for, load_claims, verify_claims
from analysis.run.study import Study
from analysis.studyfile.config import StudyConfig

STUDY = Path(__file__).resolve().parents[2] / "studies" / "low_dose_oral_minoxidil.yaml"


@pytest.fixture(scope="module")
def ldom():
    return clean_study(StudyConfig.load(STUDY))


def test_cohort_flow_and_demographics(ldom):
    flow = ldom.flow.set_index("step")["n_remaining"].to_dict()
    assert flow == {
        "screened": 1422,
        "conflict": 1421,
        "inclusion:treated": 1416,
        "inclusion:treated_3_months": 1404,
    }
    p = ldom.patients
    assert p["sex"].value_counts().to_dict() == {"female": 943, "male": 461}  # 67.2% / 32.8%
    assert (round(p["age_years"].mean()), p["age_years"].min(), p["age_years"].max()) == (43, 8, 86)
    assert int(p["is_titrated"].sum()) == 1065
    assert len(ldom.tables["exposures"]) == 2469 == int(p["n_exposures"].sum())
    assert ldom.accounting()["balanced"].all()


def test_adverse_effects_counted_per_patient(ldom):
    ae = ldom.tables["adverse_events"]
    te = ae.loc[ae["is_teae"]]
    per_term = te.groupby("ae_term", observed=True)["patient_id"].nunique().to_dict()
    assert per_term == {
        "hypertrichosis": 212,  # 15.1% of 1,404
        "lightheadedness": 24,  # 1.7%
        "fluid retention": 18,  # 1.3%
        "tachycardia": 13,  # 0.9%
        "headache": 6,  # 0.4%
        "periorbital edema": 4,  # 0.3%
        "insomnia": 3,  # 0.2%
        "initial shedding": 30,  # assumed (not in the abstract)
    }
    assert int((~ae["is_teae"]).sum()) == 3  # onsets before day 0, not counted
    stopped = te.loc[te["action_taken"] == "treatment discontinued"]
    cases = stopped.groupby(["patient_id", "exposure_number"]).ngroups
    assert cases == 43  # 1.7% of 2,469 patient-dose cases
    assert int((stopped["ae_term"] == "hypertrichosis").sum()) == 14
    assert not (te["severity"] == "severe").any()


def test_doses_parsed_from_text_with_the_study_s_usual_frequency(ldom):
    ex = ldom.tables["exposures"]
    assert ex["dose_mg"].notna().all()
    assert set(ex["doses_per_week"]) == {3.0, 7.0}
    assumed = ldom.audit.loc[(ldom.audit["check"] == "dose") & (ldom.audit["action"] == "assumed")]
    assert len(assumed) > 0
    assert set(assumed["value"].str.replace(" ", "").str.lower()) <= {"1mg", "2.5mg"}


def test_every_claim_of_the_abstract_holds_on_the_ard():
    claims = load_claims(claims_path_for(STUDY))
    result = verify_claims(Study.load(STUDY).ard, claims)
    failed = result.loc[~result["passed"], ["id", "check", "expected", "computed", "note"]]
    assert failed.empty, failed.to_string()
    assert len(claims) == 23 and len(result) == 34
