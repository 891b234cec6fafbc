"""The committed synthetic twin, run through the pipeline, reproduces every published number.

Source: Saceda-Corralo D, et al. Mesotherapy with dutasteride for androgenetic alopecia: a
retrospective study in real clinical practice. J Drugs Dermatol. 2022;21(7):742-747 (facts in
shared/reference/dutasteride_mesotherapy.md).
"""

from __future__ import annotations


def test_541_patients_included(reference_clean):
    assert len(reference_clean.patients) == 541
    assert (
        reference_clean.flow["n_remaining"].iloc[
            reference_clean.flow["step"].tolist().index("inclusion:followup")
        ]
        == 541
    )


def test_both_sexes(reference_clean):
    assert set(reference_clean.patients["sex"].astype(str)) == {"female", "male"}


def test_86_monotherapy_patients_assessable_at_12_months(reference_clean):
    p = reference_clean.patients
    mono = p[(p.therapy_group == "monotherapy") & p.is_response_assessable]
    assert len(mono) == 86
    assert round(100 * 86 / len(p), 1) == 15.9


def test_33_marked_and_69_any_improvement_among_the_86(reference_clean):
    p = reference_clean.patients
    mono = p[(p.therapy_group == "monotherapy") & p.is_response_assessable]
    grades = mono["response_12m"].astype(str).value_counts()
    assert grades["marked improvement"] == 33
    assert round(100 * 33 / 86, 1) == 38.4
    assert grades["marked improvement"] + grades["mild improvement"] == 69
    assert round(100 * 69 / 86, 1) == 80.2


def test_246_patients_with_pain(reference_clean):
    ae = reference_clean.tables["adverse_events"]
    te = ae[ae.is_teae]
    assert te.loc[te.ae_term == "pain", "patient_id"].nunique() == 246
    assert round(100 * 246 / 541, 1) == 45.5
    # pain is the most frequent side effect
    per_term = te.groupby("ae_term", observed=True)["patient_id"].nunique()
    assert per_term.idxmax() == "pain"


def test_treatment_emergent_filter_matters(reference_clean):
    ae = reference_clean.tables["adverse_events"]
    assert ae.loc[ae.ae_term == "pain", "patient_id"].nunique() == 248  # 2 pre-treatment records


def test_no_serious_and_no_sexual_adverse_events(reference_clean):
    ae = reference_clean.tables["adverse_events"]
    assert int(ae["is_serious"].fillna(False).sum()) == 0
    assert ae["ae_term"].astype(str).isin(["decreased libido", "erectile dysfunction"]).sum() == 0


def test_adverse_events_mild_and_self_limited(reference_clean):
    ae = reference_clean.tables["adverse_events"]
    te = ae[ae.is_teae]
    assert (te["severity"].astype(str) == "severe").sum() == 0
    # self-limited: every recorded event resolved, the longest (paradoxical shedding) within weeks
    assert te["duration_days"].max() <= 60
    assert (te.loc[te.ae_term != "paradoxical alopecia", "duration_days"].dropna() <= 7).all()


def test_most_common_first_year_schedule_is_every_3_months(reference_clean):
    sched = reference_clean.patients["schedule_months_year1"].value_counts()
    assert sched.idxmax() == 3
