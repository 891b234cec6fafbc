"""The table functions as a clinician calls them in Jupyter, with the mistakes people make: a
name where a list belongs (``terms='Pain'`` gave the rows P, a, i, n at 0 (0.0%)), a list
where one name belongs (a TypeError from inside), a date or the id summarised in Table 1
(every date a level at 0 (0.0%); every patient's id shown), wrong spellings silently taken,
user mistakes shown as a traceback (plain ValueError/KeyError, not the toolkit's own errors),
a changed ``.frame`` changing the study's cached tables and ARD, and empty tables that failed
on display."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import (
    Study,
    ae_by_exposure,
    ae_duration,
    ae_incidence,
    ae_severity,
    baseline_table,
    cox_table,
    logistic_model,
    response_table,
    time_to_event_table,
)
from analysis.errors import ArgumentError, PipelineError, RetroError


@pytest.fixture(scope="module")
def study() -> Study:
    return Study.load("studies/dutasteride_mesotherapy.yaml")


@pytest.fixture(scope="module")
def data(study):
    tables = study.clean.tables
    return study.patients, tables["adverse_events"], tables["exposures"]


def test_one_name_where_a_list_belongs_is_a_list_of_it(data):
    p, ae, _ = data
    rows = set(ae_incidence(p, ae, terms="Pain").frame["level"])
    assert "Pain" in rows and not {"P", "a", "i", "n"} & rows
    model = logistic_model(p, outcome="has_teae", covariates="sex")
    assert "sex" in set(model.frame["variable"])
    km = time_to_event_table(
        p, time="time_to_discontinuation_months", event="is_discontinued", by="sex", times=12
    )
    assert not km.frame.empty


def test_a_list_where_one_name_belongs(data):
    p, _, _ = data
    table = baseline_table(p, by=["sex"], variables="age_years")
    assert table.frame["table"].iloc[0] == "baseline_sex"
    with pytest.raises(
        ArgumentError, match=r"`by` takes one name; found \['sex', 'therapy_group'\]"
    ):
        baseline_table(p, by=["sex", "therapy_group"], variables=["age_years"])
    with pytest.raises(ArgumentError, match=r"`covariates` takes a mapping"):
        cox_table(
            p,
            time="time_to_discontinuation_months",
            event="is_discontinued",
            covariates=["therapy_group"],
        )
    with pytest.raises(ArgumentError, match=r"`alpha` takes a number; found str '0.05'"):
        ae_incidence(p, data[1], alpha="0.05")


def test_table_1_refuses_the_id_dates_and_a_test_of_no_variable(data):
    p, _, _ = data
    with pytest.raises(ArgumentError, match="is the subjects' identifier"):
        baseline_table(p, by="sex", variables=["patient_id"])
    with pytest.raises(ArgumentError, match=r"\['first_visit_date'\] hold dates"):
        baseline_table(p, by="sex", variables=["first_visit_date"])
    with pytest.raises(ArgumentError, match=r"names \['age_yrs'\], which are not among"):
        baseline_table(p, by="sex", variables=["age_years"], tests_by_variable={"age_yrs": "welch"})


def test_misspelt_levels_are_refused(data):
    p, ae, _ = data
    with pytest.raises(ArgumentError, match=r"'Male' \(the data write 'male'\)"):
        ae_incidence(p, ae, by=["sex"], sex_specific={"erectile dysfunction": "Male"})
    with pytest.raises(ArgumentError, match=r"`order` names \['sever'\]"):
        ae_severity(p, ae, order=["mild", "moderate", "sever"])
    with pytest.raises(
        ArgumentError, match=r"time_to_event_table: conf_type='loglog' is not one of"
    ):
        time_to_event_table(
            p,
            time="time_to_discontinuation_months",
            event="is_discontinued",
            by="sex",
            conf_type="loglog",
        )


def test_user_mistakes_are_the_toolkits_errors(data):
    p, ae, _ = data  # shown in Jupyter as their message, not a traceback
    with pytest.raises(RetroError, match="have a missing `discontinuation_reason`"):
        ae_incidence(p, ae, by=["discontinuation_reason"])
    with pytest.raises(RetroError, match="duplicate or missing `patient_id`"):
        ae_incidence(pd.concat([p, p.iloc[:1]]), ae)
    with pytest.raises(RetroError):
        ae_incidence(p, ae, alpha=5)
    with pytest.raises(RetroError, match="`severity` holds string values"):
        ae_duration(ae, duration="severity")


def test_empty_tables_display(data):
    _, ae, ex = data
    for table in (ae_duration(ae.iloc[0:0]), ae_by_exposure(ae.iloc[0:0], ex)):
        assert "Adverse event" in repr(table)
        assert "<table" in table._repr_html_()


def test_a_changed_frame_leaves_the_studys_tables_and_ard_as_they_were(study):
    before = study.tables["ae_incidence"].frame.copy()
    ard = study.ard.copy()
    mine = study.tables["ae_incidence"].frame
    mine["value"] = mine["value"].round(0)
    pd.testing.assert_frame_equal(study.tables["ae_incidence"].frame, before)
    del study.__dict__["ard"]  # computed again from the cached tables
    pd.testing.assert_frame_equal(study.ard, ard)


def test_writing_over_a_file_is_said_in_words(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x\n", encoding="utf-8")
    s = Study.load("studies/low_dose_oral_minoxidil.yaml", reports_dir=blocker)
    with pytest.raises(PipelineError, match="is a file where a folder is needed"):
        s.write_tables()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p, ae, ex: ae_incidence(p, ae, ci="wilsn"),
            "ae_incidence: ci='wilsn' is not one of 'wilson', 'wilson_cc', 'clopper_pearson', "
            "'agresti_coull', 'wald'. Did you mean ci='wilson'?",
        ),
        (
            lambda p, ae, ex: ae_by_exposure(ae, ex, subjects=p, ci="exact"),
            "ae_by_exposure: ci='exact' is not one of",
        ),
        (
            # without `by` no test runs: the misspelling was ignored, not refused
            lambda p, ae, ex: ae_incidence(p, ae, test="fisher_exact"),
            "ae_incidence: test='fisher_exact' is not one of 'fisher', 'chi2', 'none'. Did you "
            "mean test='fisher'?",
        ),
        (
            lambda p, ae, ex: ae_severity(p, ae, test="fishr"),
            "ae_severity: test='fishr' is not one of 'fisher', 'chi2', 'none'.",
        ),
        (
            lambda p, ae, ex: response_table(p, ci="clopper-pearson"),
            "response_table: ci='clopper-pearson' is not one of",
        ),
    ],
)
def test_a_choice_is_refused_naming_the_function_and_parameter_called(data, call, message):
    """A misspelt choice names the function the user called and the parameter they gave (not
    "proportion_ci: unknown method", a function they never called), and is refused even where
    the choice would not have been used."""
    p, ae, ex = data
    with pytest.raises(ArgumentError) as raised:
        call(p, ae, ex)
    assert str(raised.value).startswith(message)


def test_a_choice_declared_for_no_parameter_is_a_programming_error():
    from analysis.tables._arguments import shaped

    def table(data: pd.DataFrame, *, ci: str = "wilson") -> None:
        return None

    with pytest.raises(TypeError, match=r"has no parameter\(s\) \['test'\]"):
        shaped(choices={"test": ("fisher",)})(table)
    assert shaped(choices={"ci": ("wilson",)})(table)(pd.DataFrame(), ci=None) is None


def test_a_frame_repeating_a_column_name_is_refused_naming_it(data):
    """``pd.concat(axis=1)`` or a merge of overlapping columns repeats a name: pandas' own
    errors came from inside ("Data must be 1-dimensional", "ValueError: 2")."""
    p, ae, _ = data
    with pytest.raises(ArgumentError) as raised:
        ae_incidence(pd.concat([p, p[["sex"]]], axis=1), ae, by="sex")
    assert str(raised.value) == (
        "ae_incidence: the frame given as `subjects` has the column name(s) ['sex'] more than "
        "once, so which one is meant is not defined. Rename one of each, or keep the first: "
        "df.loc[:, ~df.columns.duplicated()]."
    )
    with pytest.raises(ArgumentError, match=r"`events` has the column name\(s\) \['ae_term'\]"):
        ae_incidence(p, pd.concat([ae, ae[["ae_term"]]], axis=1), by="sex")
    with pytest.raises(ArgumentError, match=r"`data` has the column name\(s\) \['age_years'\]"):
        baseline_table(pd.concat([p, p[["age_years"]]], axis=1), by="sex", variables=["age_years"])


def test_an_id_in_the_index_says_so(data):
    p, ae, _ = data
    with pytest.raises(RetroError, match=r"'patient_id' is in the frame's index, not its columns: "
                       r"df.reset_index\(\) makes the index columns"):  # fmt: skip
        ae_incidence(p.set_index("patient_id"), ae, by="sex")
