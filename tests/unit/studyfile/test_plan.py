"""The analysis plan of a study file: parsing, every error, and the tables built from it."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.errors import ConfigError, PipelineError
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_YAML, REFERENCE_STUDY


def _with_plan(mini_study, plan: str):
    return mini_study(yaml_edit=lambda y: y + plan)


def _load_error(mini_study, plan: str) -> str:
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(_with_plan(mini_study, plan))
    return str(exc.value)


def test_reference_plan_parses(reference_config):
    plan = reference_config.analysis
    assert list(plan.tables)[:2] == ["baseline_sex", "baseline_therapy_group"]
    assert plan.tables["logistic_pain"].outcome.ae_term == "pain"
    assert plan.options.ci_level == "95"
    assert plan.options.ci_label == "95% CI"
    assert [s.heading for s in plan.report.sections][0] == "Patient flow"


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (
            "analysis:\n  tables:\n    t: {kind: histogram}\n",
            "`analysis.tables.t.kind` is 'histogram'; use one of baseline",
        ),
        (
            "analysis:\n  options: {alpah: 0.1}\n",
            "unknown key `analysis.options.alpah` (did you mean `alpha`?); check",
        ),
        (
            "analysis:\n  options: {ci_method: exact}\n",
            "analysis.options.ci_method",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: baseline, variables: [age_years, weight_kg]}\n",
            "analysis.tables.t.variables[1]: unknown variable 'weight_kg'",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: baseline, by: sexx, variables: [age_years]}\n",
            "analysis.tables.t.by: unknown `by` column 'sexx' (did you mean 'sex'?)",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: response, by: sex, within: therapy}\n",
            "analysis.tables.t.within: unknown `within` column 'therapy'",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_severity}\n"
            "  report:\n    sections: [{heading: AE, tables: [t, ae_incidenc]}]\n",
            "analysis.report.sections[0].tables[1]: no table 'ae_incidenc'",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_severity}\n"
            "  report:\n    sections: [{heading: AE, figures: [forest]}]\n",
            "analysis.report.sections[0].figures[0]: no figure 'forest'",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_severity}\n"
            "  figures: [{kind: forest, table: po_model}]\n",
            "analysis.figures[0].table: no table 'po_model' under analysis.tables",
        ),
        # a figure's table of a kind it cannot draw (an unexpected error at the figures
        # stage before, or a forest of risk differences on an odds-ratio scale)
        (
            "analysis:\n  tables:\n    t: {kind: baseline, by: sex, variables: [age_years]}\n"
            "    m: {kind: logistic, outcome: has_teae, covariates: [sex]}\n"
            "  figures: [{kind: forest, table: t}]\n",
            "analysis.figures[0].table: 't' is a table of kind baseline; a figure of kind forest "
            "draws a table of kind proportional_odds or logistic or cox ('m' in this plan)",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_severity}\n"
            "  figures: [{kind: ae_incidence, table: t, by: sex}]\n",
            "analysis.figures[0].table: 't' is a table of kind ae_severity; a figure of kind "
            "ae_incidence draws a table of kind ae_incidence (none here)",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_incidence, by: [sex]}\n"
            "  figures: [{kind: ae_by_exposure, table: t}]\n",
            "a figure of kind ae_by_exposure draws a table of kind ae_by_exposure (none here)",
        ),
        # a column listed twice (a model failed with "'DataFrame' object has no attribute
        # 'dtype'", the AE count with DuckDB's "Duplicate column name")
        (
            "analysis:\n  tables:\n    t: {kind: logistic, outcome: has_teae, covariates: [sex, sex]}\n",
            "`analysis.tables.t.covariates`: 'sex' is listed twice ([0] and [1]): list each once",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_incidence, by: [sex, sex]}\n",
            "`analysis.tables.t.by`: 'sex' is listed twice ([0] and [1])",
        ),
        # an event that is not yes/no ("Cannot cast object dtype to int64" when built)
        (
            "analysis:\n  tables:\n    t: {kind: time_to_event, time: age_years, event: sex, "
            "by: sex}\n",
            "analysis.tables.t.event: 'sex' is a category column; the event of a time-to-event "
            "analysis is a yes/no column",
        ),
        # the figure draws the levels of the table's first `by` column
        (
            "analysis:\n  tables:\n    t: {kind: ae_incidence, by: [therapy_group, sex]}\n"
            "  figures: [{kind: ae_incidence, table: t, by: sex}]\n",
            "analysis.figures[0].by: 'sex', but table 't' is split first by 'therapy_group' (its "
            "by: ['therapy_group', 'sex']), and the figure draws the levels of that first column."
            " Set the figure's by to 'therapy_group', or put 'sex' first in "
            "analysis.tables.t.by",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_duration, population: adults}\n",
            "analysis.tables.t.population: no subgroup 'adults'",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_severity}\n"
            "  figures: [{kind: schedule, population: adults}]\n",
            "analysis.figures[0].population: no subgroup 'adults'",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: logistic, outcome: {ae_term: pian}, "
            "covariates: [sex]}\n",
            "analysis.tables.t.outcome.ae_term: 'pian' is not a level of vocabulary 'ae_term' "
            "(did you mean 'pain'?)",
        ),
        (
            "analysis:\n  options: {km_min_at_risk: {fraction: 1.5}}\n",
            "analysis.options.km_min_at_risk.fraction",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_by_exposure, pool_below: {minimum: -1}}\n",
            "analysis.tables.t.pool_below.minimum`: Input should be greater than or equal to 0",
        ),
        (
            "analysis:\n  tables:\n    t: {kind: ae_by_exposure, max_exposure: 0}\n",
            "analysis.tables.t.max_exposure",
        ),
    ],
)
def test_bad_plans_are_refused_with_key_and_line(mini_study, plan, message):
    text = _load_error(mini_study, plan)
    assert message in re.sub(r" \(line \d+\)", "", text), text
    first = MINI_YAML.count("\n") + 1  # the plan follows the mini study's lines
    assert any(f"(line {first + k})" in text for k in range(5)), text


def test_a_time_to_event_table_with_covariates_adds_its_cox_table(mini_study):
    from analysis.studyfile.plan_defaults import effective_plan

    plan = (
        "analysis:\n  tables:\n    tte: {kind: time_to_event, time: "
        "time_to_discontinuation_months, event: is_discontinued, by: sex, covariates: "
        "{sex: female, age_years: null}, cox_title: Hazards}\n    ae: {kind: ae_severity}\n"
        "  report:\n    sections: [{heading: T, tables: [tte, ae]}]\n"
    )
    effective = effective_plan(StudyConfig.load(_with_plan(mini_study, plan)))
    assert list(effective.tables) == ["tte", "tte_cox", "ae"]
    cox = effective.tables["tte_cox"]
    assert cox.kind == "cox" and cox.title == "Hazards" and cox.by == "sex"
    assert cox.covariates == {"sex": "female", "age_years": None}
    assert effective.report.sections[0].tables == ["tte", "tte_cox", "ae"]
    # a section may also place it itself
    placed = plan.replace("tables: [tte, ae]", "tables: [ae, tte_cox, tte]")
    effective = effective_plan(StudyConfig.load(_with_plan(mini_study, placed)))
    assert effective.report.sections[0].tables == ["ae", "tte_cox", "tte"]


def test_ae_by_exposure_is_refused_for_periods(mini_study):
    path = mini_study(
        yaml_edit=lambda y: (
            y.replace(
                "exposure: {kind: discrete, noun: session, teae_days_after_last: 90, "
                "min_interval_days: 14}",
                "exposure: {kind: periods}",
            ).replace("  schedule_months: [1, 2, 3, 4, 6]\n", "")
            + "analysis:\n  tables:\n    t: {kind: ae_by_exposure}\n"
        )
    )
    with pytest.raises(ConfigError, match="it needs exposure.kind: discrete"):
        StudyConfig.load(path)


# ----------------------------------------------------------------------------- building


def _tables(config, clean):
    from analysis.tables.study_tables import build_tables

    return build_tables(config, clean)


@pytest.fixture
def mini(mini_study):
    from analysis.clean.stage import clean_study

    def make(plan: str = ""):
        config = StudyConfig.load(_with_plan(mini_study, plan))
        return config, clean_study(config)

    return make


def test_default_plan_of_the_mini_study(mini):
    config, clean = mini()
    tables = _tables(config, clean)
    assert list(tables) == ["baseline", "ae_incidence", "response", "time_to_discontinuation"]
    from analysis.figures.study_figures import figure_stems
    from analysis.report.html import plan_sections

    assert figure_stems(config) == [
        "flow_diagram",
        "response_by_sex",
        "km_time_to_discontinuation",
    ]
    assert [s[0] for s in plan_sections(config)] == [
        "Patient flow",
        "Baseline characteristics",
        "Adverse events",
        "Response",
        "Time to event",
    ]
    f = tables["ae_incidence"].frame
    any_ae = f.loc[(f["stat"] == "n") & (f["group"] == "overall")]
    assert any_ae["value"].max() == 2  # P1 and P4 had treatment-emergent events


def test_reference_plan_reproduces_key_numbers(reference_config, reference_clean):
    from analysis.tables.study_tables import table_builders

    builders = table_builders(reference_config, reference_clean)
    # the plan's tables, each time_to_event table with covariates followed by its Cox table
    declared = list(reference_config.analysis.tables)
    i = declared.index("time_to_discontinuation") + 1
    assert list(builders) == [*declared[:i], "time_to_discontinuation_cox", *declared[i:]]
    f = builders["baseline_sex"]().frame
    n = f.loc[(f["variable"] == "") | (f["stat"] == "N")]
    assert len(n) > 0
    assert set(builders["logistic_pain"]().frame["table"]) == {"logistic_pain"}


def test_constant_covariate_is_dropped_with_a_footnote(mini):
    config, clean = mini(
        "subgroups:\n  men:\n    label: Men\n    where: [{column: sex, op: '==', value: male}]\n"
    )
    from analysis.studyfile.plan import LogisticTable
    from analysis.tables.plan_tables import build_table

    patients = pd.concat([clean.patients] * 3, ignore_index=True)
    patients["patient_id"] = [f"X{i}" for i in range(len(patients))]
    patients["age_years"] = range(30, 30 + len(patients))
    patients["has_teae"] = [i % 2 == 0 for i in range(len(patients))]
    clean2 = type("C", (), {"patients": patients, "tables": clean.tables})()
    spec = LogisticTable(
        kind="logistic", outcome="has_teae", covariates=["sex", "age_years"], population="men"
    )
    t = build_table(config, clean2, "m", spec)  # type: ignore[arg-type]
    assert "sex" not in set(t.frame["variable"])
    assert (
        "Sex dropped from the covariates: every one of the 6 complete cases is 'male', "
        "so it has no contrast to estimate." in t.footnotes
    )
    # a table of a subgroup says whom it counts, by the subgroup's label and size
    assert t.footnotes[-1] == 'Population: the subgroup "Men", 6 patients of the included cohort.'
    everyone = build_table(config, clean2, "m", spec.model_copy(update={"population": None}))  # type: ignore[arg-type]
    assert not any(n.startswith("Population:") for n in everyone.footnotes)


def test_a_table_that_cannot_be_built_names_its_key(mini):
    config, clean = mini()
    from analysis.studyfile.plan import LogisticTable
    from analysis.tables.plan_tables import build_table

    spec = LogisticTable(kind="logistic", outcome="has_teae", covariates=["centre"])
    with pytest.raises(
        PipelineError,
        match=r"table 'bad' \(kind logistic\) cannot be built: .*"
        r"under `analysis.tables.bad`",
    ):
        build_table(config, clean, "bad", spec)


def _tiny_cohort():
    patients = pd.DataFrame({"patient_id": ["A", "B"], "sex": pd.Categorical(["female", "male"])})
    exposures = pd.DataFrame({"patient_id": ["A", "A", "B", "B"], "exposure_number": [1, 2, 1, 2]})
    events = pd.DataFrame(
        {
            "patient_id": ["A", "B"],
            "exposure_number": [2, 1],
            "ae_term": ["pain", "edema"],
            "is_teae": [True, True],
            "is_serious": [False, False],
            "action_taken": ["none", "treatment discontinued"],
        }
    )
    return patients, exposures, events


def test_unit_exposures_counts_patient_exposures():
    from analysis.tables.adverse_events import ae_incidence
    from analysis.tables.plan_tables import exposure_subjects

    patients, exposures, events = _tiny_cohort()
    subjects, ev = exposure_subjects(patients, exposures, events.iloc[:1], ["sex"])
    assert list(subjects["patient_id"]) == ["A#1", "A#2", "B#1", "B#2"]
    assert list(subjects["sex"]) == ["female", "female", "male", "male"]
    t = ae_incidence(subjects, ev, terms=["pain", "edema"])
    f = t.frame
    pain = f.loc[(f["level"] == "pain") & (f["group"] == "overall")].set_index("stat")["value"]
    assert (pain["n"], pain["N"]) == (1, 4)


def test_where_keeps_only_matching_events():
    from analysis.clean.derive import evaluate_conditions
    from analysis.studyfile.design import Condition
    from analysis.tables.adverse_events import ae_incidence

    patients, _, events = _tiny_cohort()
    where = [Condition(column="action_taken", op="==", value="treatment discontinued")]
    kept = events.loc[evaluate_conditions(events, where)]
    f = ae_incidence(patients, kept, terms=["pain", "edema"]).frame
    rows = f.loc[f["group"] == "overall"].set_index(["level", "stat"])["value"]
    assert rows[("edema", "n")] == 1 and rows[("pain", "n")] == 0 and rows[("edema", "N")] == 2


def test_frequencies_kind_counts_with_wilson_ci(mini):
    config, clean = mini()
    from analysis.studyfile.plan import FrequenciesTable
    from analysis.tables.plan_tables import build_table

    spec = FrequenciesTable(kind="frequencies", variables=["discontinuation_reason"])
    t = build_table(config, clean, "reasons", spec)
    f = t.frame.loc[t.frame["level"] == "cost"].set_index("stat")["value"]
    assert (f["n"], f["N"]) == (1, 1)
    assert f["pct"] == 100
    assert f["ci_low"] == pytest.approx(20.65, abs=0.01)  # Wilson 95% CI of 1/1: 20.65-100
    assert set(t.frame["table"]) == {"reasons"}
    # the intervals are not columns of the table, and the notes say so (and where they are)
    assert not any("CI" in c for c in t.display().columns)
    assert t.footnotes == (
        "Categorical: n (%) of non-missing values.",
        "95% CIs of the percentages (Wilson score interval) are not shown; they are in the "
        "analysis results data (ard.csv).",
    )


def test_reference_yaml_is_the_reference_study():
    assert REFERENCE_STUDY.name == "dutasteride_mesotherapy.yaml"


def test_every_figure_that_names_a_table_says_which_kinds_it_draws():
    """``plan_checks.FIGURE_TABLE_KINDS`` covers each figure kind with a ``table`` field, and
    names only table kinds the plan has."""
    from typing import get_args

    from analysis.studyfile import plan
    from analysis.studyfile.plan_checks import FIGURE_TABLE_KINDS

    figures = get_args(get_args(plan.FigureSpec)[0])
    with_table = {
        get_args(f.model_fields["kind"].annotation)[0] for f in figures if "table" in f.model_fields
    }
    assert with_table == set(FIGURE_TABLE_KINDS)
    tables = {
        get_args(t.model_fields["kind"].annotation)[0]
        for t in get_args(get_args(plan.TableSpec)[0])
    }
    assert {k for kinds in FIGURE_TABLE_KINDS.values() for k in kinds} <= tables


def test_an_empty_figures_list_is_a_plan_without_figures(mini_study):
    """`figures: []` drew the five default figures (an empty list read as "not given"), and the
    time-to-event notes described a Kaplan–Meier figure the plan did not have."""
    from analysis.studyfile.plan_defaults import effective_plan

    given = StudyConfig.load(_with_plan(mini_study, "analysis:\n  figures: []\n"))
    assert effective_plan(given).figures == []
    unsaid = StudyConfig.load(_with_plan(mini_study, "analysis:\n  options: {alpha: 0.05}\n"))
    assert effective_plan(unsaid).figures  # not given: the defaults


def test_the_km_stop_note_needs_a_km_figure_of_the_table(reference_config, reference_clean):
    from analysis.tables.study_tables import build_tables

    def tte_notes(config):
        table = build_tables(config, reference_clean)["time_to_discontinuation"]
        return " ".join(table.footnotes)

    assert "The Kaplan–Meier figure draws each curve only while" in tte_notes(reference_config)
    plan = reference_config.analysis
    kept = [f for f in plan.figures if f.kind != "km"]
    sections = [
        s.model_copy(update={"figures": [f for f in s.figures if f != "km_discontinuation"]})
        for s in plan.report.sections
    ]
    report = plan.report.model_copy(update={"sections": sections})
    without = reference_config.model_copy(
        update={"analysis": plan.model_copy(update={"figures": kept, "report": report})}
    )
    assert "Kaplan–Meier figure" not in tte_notes(without)


def test_the_trend_test_can_be_turned_off_for_a_response_by_three_levels(mini_study):
    """A response table by a column of three levels needs no trend test; its error named a
    `trend_test` key the study file does not have, and `response_trend_test: none` was
    refused."""
    config = StudyConfig.load(
        _with_plan(mini_study, "analysis:\n  options: {response_trend_test: none}\n")
    )
    assert config.analysis.options.response_trend_test == "none"


def test_a_misspelt_key_of_a_table_or_figure_is_named_as_in_the_file(mini_study):
    """The key read `analysis.tables.ae_incidence.ae_incidence.byy` (the table's kind inserted
    after its name) and `analysis.figures[0].km.xlabell`."""
    plan = (
        "analysis:\n  tables:\n    ae_incidence: {kind: ae_incidence, byy: [sex]}\n"
        "  figures: [{kind: km, time: a, event: b, by: c, xlabell: x}]\n"
    )
    with pytest.raises(ConfigError) as err:
        StudyConfig.load(mini_study(yaml_edit=lambda y: y + plan))
    text = str(err.value)
    assert "unknown key `analysis.tables.ae_incidence.byy`" in text
    assert "unknown key `analysis.figures[0].xlabell`" in text


def test_a_table_of_the_study_file_that_cannot_be_built_names_its_line(mini_study):
    """The key was named without its line ("`analysis.tables.bad`"), unlike every other key."""
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig
    from analysis.studyfile.plan_defaults import effective_plan
    from analysis.tables.plan_tables import build_table

    path = mini_study(
        yaml_edit=lambda y: (
            y
            + "analysis:\n  tables:\n    bad: {kind: logistic, outcome: has_teae, covariates: [centre]}\n"
        )
    )
    config = StudyConfig.load(path)
    spec = effective_plan(config).tables["bad"]
    line = (
        path.read_text()
        .splitlines()
        .index("    bad: {kind: logistic, outcome: has_teae, covariates: [centre]}")
        + 1
    )
    with pytest.raises(PipelineError, match=rf"under `analysis.tables.bad`, line {line} in the"):
        build_table(config, clean_study(config), "bad", spec)
