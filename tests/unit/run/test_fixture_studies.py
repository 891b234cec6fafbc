"""Studies of other designs, each from a small fixture study file and no code change: exposure
periods and no sessions, a men-only cohort, the study's own variables in Table 1 and a model,
four subgroups. Each runs through tables, figures and the report text."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ard import get
from analysis.figures.study_figures import draw_figures
from analysis.report.html import render_report_html, report_inputs
from analysis.run.study import Study

PATIENTS = """\
    id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason,weight,smoker
    P1,M,55,HN III,2021-01-10,no,,,80,yes
    P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost,92,no
    P3,M,61,HN IV,2021-06-01,no,,,77,no
    P4,M,33,HN IV,2021-02-01,no,,,101,yes
    P5,Varón,47,HN III,2021-04-01,no,,,85,no
    P6,M,52,HN IV,2021-05-01,yes,2021-01-15,other,70,yes
    P7,M,36,HN III,2021-02-20,no,,,88,no
    P8,M,44,HN IV,2021-03-30,no,,,95,yes
    """

PERIODS = """\
    id,dose,start,stop
    P1,"0,5 mg/dia",2020-01-10,2020-04-09
    P1,"1 mg/dia",2020-04-10,
    P2,"0,5 mg 3x/semana",2020-01-15,2020-12-01
    P3,"1 mg/dia",2020-03-01,
    P4,"1 mg/dia",2020-02-01,2020-06-30
    P4,"2 mg/dia",2020-07-01,
    P5,"1 mg/dia",2020-02-11,
    P6,"1 mg/dia",2020-02-01,2021-01-15
    P7,"0,5 mg/dia",2020-03-05,
    P8,"1 mg/dia",2020-01-20,2020-05-20
    P8,"2 mg/dia",2020-05-21,
    """

AES = """\
    id,onset,term,severity,serious
    P1,2020-01-11,dolor,leve,no
    P2,2020-04-11,pain,mild,no
    P4,2020-07-02,edema,moderate,no
    P6,2020-05-01,pain,mild,no
    P8,2020-06-01,pain,mild,no
    """

OWN_VARIABLES = """\
variables:
  patients:
    weight_kg: {type: number, label: Weight, unit: kg, min: 30, max: 250}
    is_smoker: {type: yes/no, label: Smoker}
"""

PLAN = """\
analysis:
  labels:
    variables: {age_years: "Age, years", weight_kg: "Weight, kg", is_smoker: "Smoker"}
    units: {weight_kg: kg}
  tables:
    table1: {kind: baseline, by: smoking, variables: [age_years, sex, weight_kg, is_smoker]}
    ae_patients: {kind: ae_incidence, by: [sex]}
    ae_periods: {kind: ae_incidence, unit: exposures}
    ae_by_dose: {kind: ae_incidence, unit: exposures, by: [daily_dose_mg]}
    ae_model: {kind: logistic, outcome: has_teae, covariates: [sex, age_years, weight_kg]}
  figures:
    - {kind: flow_diagram}
    - {kind: ae_incidence, table: ae_patients, by: sex}
  report:
    sections:
      - {heading: "Patient flow", figures: [flow_diagram]}
      - {heading: "Baseline", tables: [table1]}
      - {heading: "Adverse events", tables: [ae_patients, ae_periods, ae_model],
         figures: [ae_patients]}
"""

GROUPS = """\
groups:
  smoking:
    label: Smoking
    levels: [non-smoker, smoker]
    from_column: {column: is_smoker, map: {"no": non-smoker, "yes": smoker}}
  age_band:
    levels: [under 40, 40 to 49, 50 and over]
    conditions:
      - {level: under 40, where: [{column: age_years, op: "<", value: 40}]}
      - {level: 50 and over, where: [{column: age_years, op: ">=", value: 50}]}
    otherwise: 40 to 49
subgroups:
  ongoing: {label: "Still on treatment", where: [{column: is_exposure_ongoing, op: "==", value: true}]}
  stopped: {label: "Stopped", where: [{column: is_discontinued, op: "==", value: true}]}
  over_50: {label: "Aged 50 and over", where: [{column: age_band, op: "==", value: 50 and over}]}
  titrated: {label: "Dose titrated", where: [{column: is_titrated, op: "==", value: true}]}
"""


def _men_on_periods(y: str) -> str:
    """The mini study rewritten as a men-only cohort on an oral drug in dose periods."""
    y = y.replace(
        "discontinuation_reason: disc_reason}",
        "discontinuation_reason: disc_reason, weight_kg: weight, is_smoker: smoker}",
    )
    y = y.replace(
        "columns: {patient_id: id, start_date: date, dose_mg: dose}",
        "columns: {patient_id: id, dose_text: dose, start_date: start, stop_date: stop}",
    )
    y = y.replace(
        "exposure: {kind: discrete, noun: session, teae_days_after_last: 90, min_interval_days: 14}",
        "exposure: {kind: periods, noun: dose period, treatment: an oral drug, "
        "teae_days_after_last: 30}",
    )
    y = y.replace("  schedule_months: [1, 2, 3, 4, 6]\n", "")
    y = y.replace(
        "applies_to: [is_serious, is_discontinued]",
        "applies_to: [is_serious, is_discontinued, is_smoker]",
    )
    y = y.replace("checks:\n", OWN_VARIABLES + "checks:\n")
    start, end = y.index("groups:"), y.index("inclusion:")
    y = y[:start] + GROUPS.split("subgroups:")[0] + y[end:]
    y = y.replace("value: 6}]", "value: 3}]")
    y = y[: y.index("  - name: assess")] + y[y.index("vocabularies:") :]  # no assessments
    return y + "subgroups:" + GROUPS.split("subgroups:")[1] + PLAN


@pytest.fixture
def men_study(mini_study):
    path = mini_study(
        files={
            "patients.csv": PATIENTS,
            "sessions.csv": PERIODS,
            "aes.csv": AES,
            "assess.csv": None,
        },
        yaml_edit=_men_on_periods,
    )
    return Study.load(path)


def test_a_men_only_study_on_dose_periods_runs_from_its_file(men_study):
    clean = men_study.clean
    assert len(clean.patients) == 8
    assert set(clean.patients["sex"].astype(str)) == {"male"}
    assert list(men_study.tables) == [
        "table1",
        "ae_patients",
        "ae_periods",
        "ae_by_dose",
        "ae_model",
    ]
    ard = men_study.ard
    # Table 1 by a group from a yes/no column, with the study's own number and yes/no
    t1 = ard.loc[ard["table"] == "table1"]
    assert set(zip(t1["group1"], t1["group1_level"], strict=True)) == {
        ("", ""), ("smoking", "non-smoker"), ("smoking", "smoker"), ("smoking", ""),
    }  # fmt: skip
    weight = t1.loc[(t1["variable"] == "weight_kg") & (t1["group1"] == "")]
    assert weight.set_index("stat").loc["mean", "value"] == pytest.approx(86.0)
    # AE per patient (N = 8 men) and per dose period (N = 11 periods)
    pain = {"variable": "ae_term", "level": "pain", "group": {}}
    assert get(ard, table="ae_patients", **pain, stat="n") == 4
    assert get(ard, table="ae_patients", variable="ae_term", stat="N") == 8  # one N row
    assert get(ard, table="ae_periods", **pain, stat="N") == 11  # pain's N is that row
    assert get(ard, table="ae_periods", **pain, stat="n") == 4


def test_men_only_columns_and_constant_sex_are_dropped_with_a_footnote(men_study):
    ae = men_study.tables["ae_patients"]
    shown = ae.display()
    assert not any("female" in c.lower() for c in shown.columns)
    assert any("sex" in n.lower() and "male" in n.lower() for n in ae.footnotes), ae.footnotes
    model = men_study.tables["ae_model"]
    assert "sex" not in set(model.frame["variable"])
    assert any("Sex" in n and "dropped" in n for n in model.footnotes), model.footnotes
    # the study's own number is a covariate, per its unit
    rows = model.frame.loc[model.frame["variable"] == "weight_kg"]
    weight = rows.loc[rows["stat"] == "estimate"]
    assert list(weight["level"]) == [""]  # a numeric covariate: no level, its unit in the method
    assert weight["method"].iloc[0].endswith("; per kg")


def test_four_subgroups_in_the_flow_and_the_diagram(men_study):
    flow = men_study.clean.flow.set_index("step")["n_remaining"]
    assert flow["subgroup:ongoing"] == 6
    assert flow["subgroup:stopped"] == 2
    assert flow["subgroup:over_50"] == 3
    assert flow["subgroup:titrated"] == 3
    figures = draw_figures(men_study)
    assert set(figures) == {"flow_diagram", "ae_patients"}
    texts = " ".join(t.get_text() for t in figures["flow_diagram"].findobj(match=_is_text))
    texts = " ".join(texts.split())  # box text wraps
    for label in ("Still on treatment", "Stopped", "Aged 50 and over", "Dose titrated"):
        assert label in texts


def test_the_report_reads_as_this_study_s_design(men_study):
    html = render_report_html(report_inputs(men_study, figures={}, claims=None, provenance={}))
    text = html.lower().replace("sessions.csv", "")  # the fixture's file name
    for word in ("session", "mesotherap", "injection", "response at 12"):
        assert word not in text, word
    assert "dose period" in text
    assert "an oral drug" in text
    assert "female (n=0)" not in text


def test_the_study_s_ages_are_grouped_by_rule(men_study):
    p = men_study.clean.patients.set_index("patient_id")
    assert p.loc["P4", "age_band"] == "under 40"
    assert p.loc["P6", "age_band"] == "50 and over"
    assert p.loc["P5", "age_band"] == "40 to 49"
    assert isinstance(p["age_band"].dtype, pd.CategoricalDtype)


def _is_text(artist: object) -> bool:
    from matplotlib.text import Text

    return isinstance(artist, Text)


def test_tables_show_the_plan_s_level_and_variable_words(men_study):
    from analysis.tables.relabel import relabel_text

    levels = {"combined": "With a topical treatment", "monotherapy": "Alone"}
    names = {"therapy_group": "Therapy"}
    assert relabel_text("    combined", levels, names) == "    With a topical treatment"
    assert relabel_text("combined (N=12)", levels, names) == "With a topical treatment (N=12)"
    assert (
        relabel_text("HR therapy_group: combined vs monotherapy", levels, names)
        == "HR Therapy: With a topical treatment vs Alone"
    )
    assert relabel_text("combined therapy works", levels, names) == "combined therapy works"
    shown = men_study.tables["table1"].display()
    assert list(shown.columns[1:3]) == ["Non-smoker (N=4)", "Smoker (N=4)"]  # capitalised
    assert "Weight, kg, mean (SD)" in set(shown["Characteristic"])
    # the ARD keeps the codes
    assert "smoking=smoker" in set(men_study.tables["table1"].frame["group"])


def test_adverse_events_per_dose_period_by_the_period_s_own_daily_dose(men_study):
    f = men_study.tables["ae_by_dose"].frame
    n = f.loc[f["stat"] == "N"].drop_duplicates("group").set_index("group")["value"]
    # 0,5 mg 3x/week = 0.21 mg/day (1 period), 0.5 mg/day (2), 1 mg/day (6), 2 mg/day (2)
    assert n.to_dict() == {
        "overall": 11,
        "daily_dose_mg=0.21": 1,
        "daily_dose_mg=0.5": 2,
        "daily_dose_mg=1": 6,
        "daily_dose_mg=2": 2,
    }
    pain = f.loc[(f["level"] == "pain") & (f["stat"] == "n")].set_index("group")["value"]
    # P1 (0.5), P2 (0.21), P6 (1), P8 on 2020-06-01 during its 2 mg period
    assert pain.to_dict() == {
        "overall": 4,
        "daily_dose_mg=0.21": 1,
        "daily_dose_mg=0.5": 1,
        "daily_dose_mg=1": 1,
        "daily_dose_mg=2": 1,
    }
