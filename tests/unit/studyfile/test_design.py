"""The study design from the study file alone: exposure periods, day 0, the study's own
variables, groups as rules, wide repeated column groups, dose text, and the checks that turn a
typo in a value into an error naming the key."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.dose import Dose, parse_dose
from analysis.clean.outputs import write_clean_outputs
from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, PipelineError
from analysis.studyfile.config import StudyConfig
from tests.conftest import allow_orphans

PERIODS = """\
    id,dose,start,stop
    P1,"0,5 mg/dia",2020-01-10,2020-04-09
    P1,"1 mg/dia",2020-04-10,
    P2,"0,5 mg 3x/semana",2020-01-15,2020-12-01
    P3,"2,5mg/d",2020-03-01,2020-05-01
    P4,"1 mg/dia",2020-02-01,2020-06-30
    P4,"1 mg/dia",2020-07-01,2020-09-30
    P4,"5 mg",2020-10-01,2021-01-31
    """


def _periods(y: str) -> str:
    y = y.replace(
        "columns: {patient_id: id, start_date: date, dose_mg: dose}",
        "columns: {patient_id: id, dose_text: dose, start_date: start, stop_date: stop}",
    )
    y = y.replace(
        "exposure: {kind: discrete, noun: session, teae_days_after_last: 90, min_interval_days: 14}",
        "exposure: {kind: periods, noun: dose period, treatment: oral drug, "
        "teae_days_after_last: 30}",
    )
    return y.replace("  schedule_months: [1, 2, 3, 4, 6]\n", "")


@pytest.fixture
def periods_study(mini_study):
    return mini_study(files={"sessions.csv": PERIODS}, yaml_edit=_periods)


def test_dose_text_is_parsed_in_several_languages():
    assert parse_dose("0,5 mg/dia") == Dose(0.5, 7.0)
    assert parse_dose("1 mg 3x/semana") == Dose(1.0, 3.0)
    assert parse_dose("2.5mg daily") == Dose(2.5, 7.0)
    assert parse_dose("250 mcg / día") == Dose(0.25, 7.0)
    assert parse_dose("1mg/d") == Dose(1.0, 7.0)
    assert parse_dose("5 mg x2 / week") == Dose(5.0, 2.0)
    # no frequency, two amounts, no unit: not guessed
    assert parse_dose("5 mg") is None
    assert parse_dose("1 mg or 2 mg per day") is None
    assert parse_dose("0,5 por dia") is None
    assert parse_dose(None) is None


def test_periods_study_derives_day0_exposure_end_titration_and_teae(periods_study):
    res = clean_study(StudyConfig.load(periods_study))
    p = res.patients.set_index("patient_id")
    # day 0 = start of the first period; P1's second period is ongoing -> ends at last contact
    assert p.loc["P1", "day0_date"] == pd.Timestamp("2020-01-10")
    assert bool(p.loc["P1", "is_exposure_ongoing"])
    assert p.loc["P1", "exposure_end_date"] == p.loc["P1", "last_contact_date"]
    assert p.loc["P2", "exposure_end_date"] == pd.Timestamp("2020-12-01")
    assert p.loc["P1", "n_exposures"] == 2 and bool(p.loc["P1", "is_titrated"])
    assert p.loc["P4", "n_exposures"] == 3 and not bool(p.loc["P4", "is_titrated"])
    ex = res.tables["exposures"]
    p2 = ex.loc[ex["patient_id"] == "P2"].iloc[0]
    assert (p2["dose_mg"], p2["doses_per_week"]) == (0.5, 3.0)
    # "5 mg" has no frequency: audited, dose missing, the period kept
    bad = res.audit.loc[res.audit["check"] == "dose"]
    assert bad["value"].tolist() == ["5 mg"]
    assert "one frequency" in bad["message"].iloc[0]
    # P1's events on day 1 and 92 are emergent; each knows its period
    ae = res.tables["adverse_events"]
    p1 = ae.loc[ae["patient_id"] == "P1"].sort_values("onset_date")
    assert p1["is_teae"].all()
    assert p1["exposure_number"].tolist() == [1, 2, 2]


def test_periods_study_has_no_session_words(periods_study, tmp_path):
    cfg = StudyConfig.load(periods_study)
    res = clean_study(cfg)
    write_clean_outputs(res, cfg, tmp_path / "out")
    dictionary = pd.read_csv(tmp_path / "out" / "data_dictionary.csv")
    text = " ".join(dictionary["description"].fillna(""))
    assert "session" not in text.lower()
    assert "dose period" in text
    assert "stop_date" in set(dictionary["column"])
    assert "schedule_months_year1" not in set(dictionary["column"])


def test_discontinued_without_a_date_stops_at_the_end_of_exposure(mini_study):
    path = mini_study(
        files={
            "patients.csv": """\
                id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
                P1,F,55,Ludwig I,2021-01-10,yes,,cost
                P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
                P3,Mujer,61,Ludwig II,2020-06-01,no,,
                P4,M,33,HN IV,2021-02-01,no,,
                """
        }
    )
    res = clean_study(StudyConfig.load(path))
    p1 = res.patients.set_index("patient_id").loc["P1"]
    # last session 2020-07-10, day 0 2020-01-10: 182 days, not the last visit's 366
    assert p1["time_to_discontinuation_months"] == pytest.approx(182 / 30.4375)
    row = res.audit.loc[res.audit["check"] == "imputed"]
    assert row["patient_id"].tolist() == ["P1"]
    assert "end of exposure (2020-07-10)" in row["message"].iloc[0]


def test_day0_from_a_patient_date_column(mini_study):
    def edit(y: str) -> str:
        y = y.replace(
            "last_visit_date: last_visit,", "last_visit_date: last_visit, first_visit_date: first,"
        )
        return y.replace(
            "teae_days_after_last: 90,", "teae_days_after_last: 90, day0: first_visit_date,"
        )

    path = mini_study(
        files={
            "patients.csv": """\
                id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason,first
                P1,F,55,Ludwig I,2021-01-10,no,,,2019-12-10
                P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost,2020-01-15
                P3,Mujer,61,Ludwig II,2020-06-01,no,,,2020-03-01
                P4,M,33,HN IV,2021-02-01,no,,,2020-02-01
                """
        },
        yaml_edit=edit,
    )
    res = clean_study(StudyConfig.load(path))
    p1 = res.patients.set_index("patient_id").loc["P1"]
    assert p1["day0_date"] == pd.Timestamp("2019-12-10")
    assert p1["followup_months"] == pytest.approx(397 / 30.4375)


def test_day0_that_cannot_be_derived_is_an_error(mini_study):
    no_exposures = mini_study(
        yaml_edit=lambda y: y[: y.index("  - name: sessions")] + y[y.index("  - name: aes") :]
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(no_exposures)
    assert "exposure.day0 is 'first_exposure' but no source feeds table 'exposures'" in str(
        exc.value
    )
    not_a_date = mini_study(
        yaml_edit=lambda y: y.replace(
            "min_interval_days: 14", "min_interval_days: 14, day0: age_years"
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(not_a_date)
    assert "exposure.day0: 'age_years' is neither 'first_exposure' nor a date column" in str(
        exc.value
    )


def test_day0_missing_for_every_patient_stops_the_run(mini_study):
    path = mini_study(
        files={"sessions.csv": "id,date,dose\nP9,2020-01-10,0.1\n"}, yaml_edit=allow_orphans
    )
    with pytest.raises(PipelineError) as exc:
        clean_study(StudyConfig.load(path))
    assert "day 0 (exposure.day0 = 'first_exposure') cannot be derived: no patient has a row" in (
        str(exc.value)
    )


EXTRA_YAML = """\
variables:
  patients:
    diagnosis: {type: category, label: Diagnosis}
    has_hypertension: {type: yes/no, label: Hypertension}
    weight_kg: {type: number, label: Weight, unit: kg, min: 30, max: 250}
    visits: {type: integer, label: Visits}
    note: {type: text, label: Free-text note}
"""


def _extras(y: str) -> str:
    y = y.replace(
        "discontinuation_reason: disc_reason}",
        "discontinuation_reason: disc_reason, diagnosis: dx, has_hypertension: htn, "
        "weight_kg: weight, visits: visits, note: note}",
    )
    y = y.replace(
        "applies_to: [is_serious, is_discontinued]",
        "applies_to: [is_serious, is_discontinued, has_hypertension]",
    )
    y = y.replace(
        "vocabularies:\n",
        "vocabularies:\n  diagnosis: {levels: [AGA, TE], synonyms: {TE: [efluvio]}}\n",
    )
    return y.replace("checks:\n", EXTRA_YAML + "checks:\n")


EXTRA_PATIENTS = """\
    id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason,dx,htn,weight,visits,note
    P1,F,55,Ludwig I,2021-01-10,no,,,AGA,yes,70,4,call her
    P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost,efluvio,no,500,2.5,
    P3,Mujer,61,Ludwig II,2020-06-01,no,,,AGA,no,"82,5",3,
    P4,M,33,HN IV,2021-02-01,no,,,TE,,90,x,
    """


def test_the_study_s_own_variables_are_cleaned_and_documented(mini_study, tmp_path):
    path = mini_study(files={"patients.csv": EXTRA_PATIENTS}, yaml_edit=_extras)
    cfg = StudyConfig.load(path)
    res = clean_study(cfg)
    p = res.patients.set_index("patient_id")
    assert p["diagnosis"].astype(str).to_dict() == {"P1": "AGA", "P2": "TE", "P4": "TE"}
    assert p["has_hypertension"].tolist()[:2] == [True, False]
    assert p.loc["P1", "weight_kg"] == 70.0
    assert pd.isna(p.loc["P2", "weight_kg"])  # 500 kg is out of range: audited
    assert str(p["visits"].dtype) == "Int64" and p.loc["P1", "visits"] == 4
    messages = res.audit.set_index(["column", "value"])["message"]
    assert (
        "outside the plausible range [30.0, 250.0] (variables: patients.weight_kg)"
        in (messages.loc[("weight_kg", "500")])  # the value as written
    )
    assert messages.loc[("visits", "2.5")] == "`visits` value '2.5' is not a whole number"
    assert messages.loc[("visits", "x")] == "`visits` value 'x' is not a whole number"
    write_clean_outputs(res, cfg, tmp_path / "out")
    dd = pd.read_csv(tmp_path / "out" / "data_dictionary.csv").set_index("column")
    assert dd.loc["weight_kg", "unit"] == "kg"
    assert dd.loc["diagnosis", "levels"] == "AGA | TE"
    assert dd.loc["note", "origin"] == "raw (free text; never reported)"


def test_a_category_variable_without_vocabulary_is_an_error(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "checks:\n", "variables:\n  patients:\n    stage: {type: category}\nchecks:\n"
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "variables.patients.stage: a category variable needs a vocabulary" in str(exc.value)


def test_a_variable_may_not_shadow_a_canonical_column(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "checks:\n", "variables:\n  patients:\n    followup_months: {type: number}\nchecks:\n"
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "variables.patients.followup_months: 'followup_months' is already a column" in str(
        exc.value
    )


@pytest.mark.parametrize(
    ("name", "told"),
    [("_stage", "may not start with '_'"), ("stage=1", "may not contain '='"),
     ("stage;1", "may not contain ';'")],
)  # fmt: skip
def test_a_column_name_no_table_can_carry_is_an_error_naming_key_and_line(mini_study, name, told):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "checks:\n", f"variables:\n  patients:\n    '{name}': {{type: number}}\nchecks:\n"
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert f"variables.patients.{name}: a column name {told}" in str(exc.value)
    assert "line " in str(exc.value)
    assert "rename it" in str(exc.value)


def test_a_group_named_with_a_leading_underscore_is_an_error(mini_study):
    path = mini_study(
        yaml_edit=lambda y: (
            y[: y.index("groups:")]
            + "groups:\n  _band:\n    levels: [a]\n    conditions:\n"
            + "      - {level: a, where: [{column: age_years, op: '<', value: 40}]}\n"
            + y[y.index("inclusion:") :]
        )
    )
    with pytest.raises(ConfigError, match=r"groups\._band: a column name may not start with '_'"):
        StudyConfig.load(path)


GROUPS = """\
groups:
  therapy_group:
    levels: [monotherapy, combined]
    from_column: {column: has_hypertension, map: {"no": monotherapy, "yes": combined}}
  age_band:
    label: Age band
    levels: [young, middle, old]
    conditions:
      - {level: young, where: [{column: age_years, op: "<", value: 40}]}
      - {level: old, where: [{column: age_years, op: ">=", value: 60}]}
    otherwise: middle
"""


def test_groups_from_a_column_and_from_conditions(mini_study):
    def edit(y: str) -> str:
        y = _extras(y)
        return y[: y.index("groups:")] + GROUPS + y[y.index("inclusion:") :]

    path = mini_study(files={"patients.csv": EXTRA_PATIENTS}, yaml_edit=edit)
    res = clean_study(StudyConfig.load(path))
    p = res.patients.set_index("patient_id")
    assert p["therapy_group"].astype(str).to_dict() == {
        "P1": "combined",
        "P2": "monotherapy",
        "P4": "nan",  # hypertension not recorded: no group
    }
    assert p["age_band"].astype(str).to_dict() == {"P1": "middle", "P2": "middle", "P4": "young"}
    assert list(p["age_band"].cat.categories) == ["young", "middle", "old"]


def test_misspelt_levels_in_rules_are_errors_naming_the_key(mini_study):
    cases = {
        "improvement_levels: [mild improvement, marked improvement]": (
            "improvement_levels: [mild improvment, marked improvement]",
            "derive.improvement_levels: 'mild improvment' is not a level of vocabulary "
            "'response_grade' (did you mean 'mild improvement'?)",
        ),
        "treatments: [oral minoxidil]": (
            "treatments: [oral minoxidl]",
            "groups.therapy_group.concomitant_overlap.treatments: 'oral minoxidl' is not a level "
            "of vocabulary 'drug' (did you mean 'oral minoxidil'?)",
        ),
        "column: followup_months": (
            "column: folowup_months",
            "inclusion[0] (followup).where[0]: unknown column 'folowup_months' (did you mean "
            "'followup_months'?)",
        ),
    }
    for old, (new, message) in cases.items():
        path = mini_study(yaml_edit=lambda y, o=old, n=new: y.replace(o, n))
        with pytest.raises(ConfigError) as exc:
            StudyConfig.load(path)
        assert message in str(exc.value)
    path = mini_study(
        yaml_edit=lambda y: (
            y
            + "subgroups:\n  mono:\n    label: Mono\n    where: [{column: therapy_group, op: '==', "
            "value: monotherapie}]\n"
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "subgroups.mono.where[0]: therapy_group has no level 'monotherapie' (did you mean " in (
        str(exc.value)
    )


def test_an_inclusion_step_that_excludes_everyone_is_a_warning(mini_study):
    path = mini_study(yaml_edit=lambda y: y.replace("value: 6}", "value: 600}"))
    res = clean_study(StudyConfig.load(path))
    assert len(res.patients) == 0
    assert res.warnings == (
        "inclusion step 'followup' (At least 6 months of follow-up) excludes every remaining "
        "patient (4); the cohort is empty. Check the criterion and the columns it uses.",
    )


WIDE_PATIENTS = """\
    id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason,ae1,onset1,ae2,onset2
    P1,F,55,Ludwig I,2021-01-10,no,,,dolor,2020-01-11,edema,2020-04-11
    P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost,,,,
    P3,Mujer,61,Ludwig II,2020-06-01,no,,,,,,
    P4,M,33,HN IV,2021-02-01,no,,,,,pain,2020-02-02
    """


def test_wide_repeated_column_groups_become_one_record_each(mini_study):
    def edit(y: str) -> str:
        start, end = y.index("  - name: aes"), y.index("  - name: conc")
        wide = (
            "  - name: aes\n    table: adverse_events\n    file: patients.csv\n"
            "    repeat: [1, 2]\n"
            "    columns: {patient_id: id, ae_term: 'ae{i}', onset_date: 'onset{i}'}\n"
        )
        return y[:start] + wide + y[end:]

    path = mini_study(files={"patients.csv": WIDE_PATIENTS, "aes.csv": None}, yaml_edit=edit)
    res = clean_study(StudyConfig.load(path))
    ae = res.tables["adverse_events"]
    assert sorted(zip(ae["patient_id"], ae["ae_term"].astype(str), strict=True)) == [
        ("P1", "edema"),
        ("P1", "pain"),
        ("P4", "pain"),
    ]
    assert sorted(ae["source_row"]) == [2, 2, 5]
    acc = res.accounting().set_index("table")
    assert acc.loc["adverse_events", "rows_read"] == 3  # filled groups, not empty slots
    assert acc["balanced"].all()


def test_repeat_without_a_placeholder_is_an_error(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace("    file: aes.csv\n", "    file: aes.csv\n    repeat: [1]\n")
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert "`repeat` is set but no header under `columns` contains '{i}'" in str(exc.value)


def test_an_empty_cohort_is_a_warning_in_the_report(mini_study):
    from analysis.report.html import render_report_html, report_inputs
    from analysis.run.study import Study

    study = Study.load(mini_study(yaml_edit=lambda y: y.replace("value: 6}", "value: 600}")))
    assert study.clean.warnings
    inputs = report_inputs(study, figures={}, claims=None, provenance={})
    assert inputs.warnings == study.clean.warnings
    html = render_report_html(inputs)
    assert (
        '<p class="banner warning">Warning: inclusion step &#x27;followup&#x27; (At least 6 '
        "months of follow-up) excludes every remaining patient (4); the cohort is empty."
    ) in html


def test_a_run_with_an_empty_cohort_finishes_and_warns(mini_study):
    from typer.testing import CliRunner

    from analysis.run.cli import app

    path = mini_study(yaml_edit=lambda y: y.replace("value: 6}", "value: 600}"))
    res = CliRunner().invoke(app, ["run", str(path)])
    assert res.exit_code == 0, res.output
    assert "warning: inclusion step 'followup'" in " ".join(res.output.split())
    html = (path.parent.parent / "reports" / "report.html").read_text(encoding="utf-8")
    assert '<p class="banner warning">Warning: inclusion step' in html
    assert "No patient in the included cohort: nothing to analyse" in html


@pytest.mark.parametrize("command", ["tables", "figures"])
def test_tables_or_figures_alone_say_the_cohort_is_empty(mini_study, command):
    # `retro tables` printed "12 tables, 0 ARD rows" and no word of the empty cohort
    from typer.testing import CliRunner

    from analysis.run.cli import app

    path = mini_study(yaml_edit=lambda y: y.replace("value: 6}", "value: 600}"))
    res = CliRunner().invoke(app, [command, str(path)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "warning: inclusion step 'followup'" in said and "the cohort is empty" in said


def test_a_yes_no_condition_compares_with_true_or_false(mini_study):
    path = mini_study(
        yaml_edit=lambda y: (
            y + "subgroups:\n  stopped:\n    label: Stopped\n    where: [{column: is_discontinued, "
            "op: '==', value: 'yes'}]\n"
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert (
        "subgroups.stopped.where[0]: is_discontinued is yes/no: compare it with true or false "
        "(found 'yes'; in YAML write true or false without quotes)"
    ) in str(exc.value)
    derived = mini_study(
        yaml_edit=lambda y: y.replace(
            'where: [{column: followup_months, op: ">=", value: 6}]',
            'where: [{column: has_teae, op: "==", value: 1}]',
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(derived)
    assert "has_teae is yes/no: compare it with true or false (found 1;" in str(exc.value)


def test_a_category_column_read_without_a_vocabulary_is_an_error(mini_study):
    path = mini_study(
        yaml_edit=lambda y: y.replace(
            "  severity:\n    levels: [mild, moderate, severe]\n    ordered: true\n"
            "    synonyms: {mild: [leve]}\n",
            "",
        )
    )
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert (
        "sources[2] (aes) reads `severity`, a category column, but no vocabulary maps its "
        "labels: add `vocabularies.severity` (levels and synonyms)"
    ) in str(exc.value)


def test_adverse_events_without_severity_run(mini_study):
    def edit(y: str) -> str:  # no severity read and no severity vocabulary
        y = y.replace("severity: severity,\n              is_serious", "is_serious")
        y = y.replace("ae_term: term, severity: severity,", "ae_term: term,")
        return y.replace(
            "  severity:\n    levels: [mild, moderate, severe]\n    ordered: true\n"
            "    synonyms: {mild: [leve]}\n",
            "",
        )

    path = mini_study(yaml_edit=edit)
    cfg = StudyConfig.load(path)
    assert "severity" not in cfg.sources[2].columns
    res = clean_study(cfg)
    assert "worst_ae_severity" not in res.patients
    assert res.patients.set_index("patient_id")["has_teae"].to_dict()["P1"]


def test_the_data_dictionary_takes_the_study_s_own_definitions(mini_study, tmp_path):
    words = "analysis:\n  labels:\n    descriptions: {dose_mg: 'Drug X injected, mg.'}\n"
    cfg = StudyConfig.load(mini_study(yaml_edit=lambda y: y + words))
    write_clean_outputs(clean_study(cfg), cfg, tmp_path / "out")
    dd = pd.read_csv(tmp_path / "out" / "data_dictionary.csv").set_index(["table", "column"])
    assert dd.loc[("exposures", "dose_mg"), "description"] == "Drug X injected, mg."
    typo = "analysis:\n  labels:\n    descriptions: {dose_mgg: 'x'}\n"
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(mini_study(yaml_edit=lambda y: y + typo))
    assert "analysis.labels.descriptions: unknown column 'dose_mgg' (did you mean 'dose_mg'?)" in (
        str(exc.value)
    )


def test_the_study_s_own_variable_in_an_inclusion_criterion(mini_study):
    def edit(y: str) -> str:
        y = _extras(y)
        return y.replace(
            'where: [{column: followup_months, op: ">=", value: 6}]',
            'where: [{column: weight_kg, op: ">=", value: 75}]',
        )

    res = clean_study(
        StudyConfig.load(mini_study(files={"patients.csv": EXTRA_PATIENTS}, yaml_edit=edit))
    )
    # P1 70 kg out; P2 500 kg cleared as implausible (missing) out; P3 82.5 and P4 90 in
    assert sorted(res.patients["patient_id"]) == ["P3", "P4"]
    out = res.exclusions.loc[res.exclusions["step"] == "inclusion:followup", "patient_id"]
    assert sorted(out.unique()) == ["P1", "P2"]


def test_a_missing_value_that_leaves_a_condition_open_gives_no_level(mini_study):
    """A patient of unknown age was put in `otherwise` ("middle") and counted there; now no
    level, with a warning; a condition ruled out on another, known column still gives
    `otherwise`."""
    from analysis.clean.condition_levels import condition_levels
    from analysis.studyfile.design import Group

    group = Group.model_validate(
        {
            "levels": ["young woman", "old", "other"],
            "conditions": [
                {
                    "level": "young woman",
                    "where": [
                        {"column": "sex", "op": "==", "value": "female"},
                        {"column": "age_years", "op": "<", "value": 40},
                    ],
                },
                {"level": "old", "where": [{"column": "age_years", "op": ">=", "value": 60}]},
            ],
            "otherwise": "other",
        }
    )
    data = pd.DataFrame(
        {
            "sex": ["female", "male", "female", "male", "female", None],
            "age_years": [30.0, None, None, 45.0, 70.0, 20.0],
        }
    )
    got = condition_levels(data, group).tolist()
    # a man of unknown age: "young woman" is ruled out, but "old" is open
    assert got == ["young woman", None, None, "other", "old", None]

    def edit(y: str) -> str:
        y = _extras(y)
        return y[: y.index("groups:")] + GROUPS + y[y.index("inclusion:") :]

    patients = EXTRA_PATIENTS.replace("P2,male,40,", "P2,male,,")
    res = clean_study(
        StudyConfig.load(mini_study(files={"patients.csv": patients}, yaml_edit=edit))
    )
    p = res.patients.set_index("patient_id")
    assert p["age_band"].astype(str).to_dict() == {"P1": "middle", "P2": "nan", "P4": "young"}
    assert any(
        w.startswith("groups.age_band: 1 included patient(s) have no level, a value its "
                     "conditions read (`age_years`) being missing")
        for w in res.warnings
    )  # fmt: skip


def test_a_cohort_emptied_before_inclusion_names_that_step_not_an_inclusion_step():
    """Every patient's rows conflicting left nobody; the warning blamed the first inclusion
    step, which excluded 0 of 0."""
    import pandas as pd

    from analysis.clean.flow import flow_warnings

    flow = pd.DataFrame(
        {
            "step": ["screened", "conflict", "inclusion:treated", "subgroup:x"],
            "label": [
                "Patients in the exports",
                "Conflicting duplicate patient records",
                "Treated",
                "X",
            ],  # fmt: skip
            "n_excluded": [0, 150, 0, pd.NA],
            "n_remaining": [150, 0, 0, 0],
        }
    )
    assert flow_warnings(flow) == [
        "step 'conflict' (Conflicting duplicate patient records) removes every patient (150); "
        "the cohort is empty. Its reasons are in the exclusion log, step 'conflict' (rows of "
        "one patient disagree: an export of one row per visit repeats the patient's columns on "
        "each row, and they must agree there; a date or number that changes from visit to "
        "visit, such as the last visit, is taken over the patient's rows with the source's "
        "`per_patient`, e.g. `per_patient: {last_visit_date: latest}`)."
    ]
    nobody = flow.assign(n_remaining=0, n_excluded=0)
    assert flow_warnings(nobody)[0].startswith("no patient was read (Patients in the exports: 0)")
    kept = flow.assign(n_remaining=[150, 150, 120, 30])
    assert flow_warnings(kept) == []
