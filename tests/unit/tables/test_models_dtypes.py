"""The model tables and their figure given the columns pandas really gives: the same numbers,
or a refusal in words. Seen: ``subjects_with_term`` (the outcome of a logistic model of one
term) counted no event for an object True/False flag and counted "N" of a string flag as set;
``cox_table`` joined each row to every row of a repeated index label (60 subjects became
3,600, HR 1.000); a covariate of numbers held as Python objects became levels; the forest plot
of an ARD read with Arrow text stopped on pandas' "must contain a symbolic group name"."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis.errors import ArgumentError
from analysis.figures import plot_forest
from analysis.tables import cox_table, logistic_model, subjects_with_term

matplotlib.use("Agg")

PATIENTS = pd.DataFrame({"patient_id": ["a", "b", "c"]})
EVENTS = pd.DataFrame(
    {"patient_id": ["a", "b"], "ae_term": ["pain", "pain"], "is_teae": [True, False]}
)


@pytest.mark.parametrize(
    "flag",
    [
        pd.Series([True, False], dtype=object),
        pd.Series(["yes", "no"]),
        pd.Series(["Y", "N"], dtype="string"),
        pd.Series(["Y", "N"], dtype="category"),
        pd.Series([1, 0]),
        pd.Series([True, None], dtype="boolean"),
    ],
    ids=["object-bool", "yes-no", "string-Y-N", "category-Y-N", "0-1", "nullable"],
)
def test_a_term_flag_in_any_form_is_read_as_the_ae_tables_read_it(flag):
    had = subjects_with_term(PATIENTS, EVENTS.assign(is_teae=flag.to_numpy()), "pain")
    assert had.tolist() == [True, False, False]


def test_ids_of_numbers_against_ids_of_text_are_refused():
    with pytest.raises(ArgumentError, match="holds numbers in the patients table and text"):
        subjects_with_term(
            pd.DataFrame({"patient_id": [1, 2, 3]}), EVENTS.assign(patient_id=["1", "2"]), "pain"
        )


@pytest.fixture
def survival() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 60
    return pd.DataFrame(
        {
            "t": rng.exponential(10, n).round(1) + 0.1,
            "e": rng.random(n) < 0.6,
            "x": rng.normal(50, 10, n).round(),
        }
    )


def test_a_repeated_index_label_changes_no_number_of_the_cox_model(survival):
    plain = cox_table(survival, time="t", event="e", covariates={"x": None}).frame
    repeated = survival.set_axis([0] * len(survival))
    assert cox_table(repeated, time="t", event="e", covariates={"x": None}).frame.equals(plain)
    n = plain.loc[(plain["variable"] == "model") & (plain["stat"] == "n"), "value"]
    assert n.tolist() == [60]


def test_numbers_held_as_objects_are_refused_in_a_model(survival):
    boxed = survival.assign(x=survival["x"].astype(object))
    with pytest.raises(ArgumentError, match=r"\['x'\] hold numbers stored as Python objects"):
        cox_table(boxed, time="t", event="e", covariates={"x": None})
    with pytest.raises(ArgumentError, match=r"pd.to_numeric\(data\['x'\]\)"):
        logistic_model(boxed.assign(y=boxed["e"]), outcome="y", covariates=["x"])
    as_levels = survival.assign(
        x=survival["x"].clip(40, 60).round(-1).astype(str).astype("category")
    )
    levels = cox_table(as_levels, time="t", event="e", covariates={"x": "40.0"}).frame
    assert "50.0" in set(levels["level"])


def test_the_forest_plot_of_an_ard_of_arrow_text_is_the_same():
    rng = np.random.default_rng(2)
    d = pd.DataFrame({"y": rng.random(200) < 0.4, "age_years": rng.normal(50, 10, 200)})
    ard = logistic_model(d, outcome="y", covariates=["age_years"]).frame
    plain = plot_forest(ard)
    arrow = plot_forest(ard.convert_dtypes(dtype_backend="pyarrow"))
    assert [t.get_text() for t in arrow.get_yticklabels()] == [
        t.get_text() for t in plain.get_yticklabels()
    ]
    assert "per year" in " ".join(t.get_text() for t in plain.get_yticklabels())


@pytest.mark.parametrize(
    "as_form",
    [
        lambda y: y.astype(object),
        lambda y: y.map({True: "yes", False: "no"}),
        lambda y: y.map({True: "Y", False: "N"}).astype("category"),
        lambda y: y.astype(int),
    ],
    ids=["object-bool", "yes-no", "category-Y-N", "0-1"],
)
def test_a_logistic_outcome_takes_the_yes_no_forms_of_an_event(survival, as_form):
    """The forms a time-to-event table takes as its event; the logistic model refused them
    ("must be boolean or 0/1; found values ['False', 'True']")."""
    plain = logistic_model(survival, outcome="e", covariates=["x"]).frame
    other = logistic_model(survival.assign(e=as_form(survival["e"])), outcome="e", covariates=["x"])
    assert other.frame.equals(plain)


def test_a_model_of_no_subjects_says_so(survival):
    """It said "covariate `x` is constant among the 0 complete cases (every value is
    'missing')" of a frame with no rows."""
    empty = survival.iloc[0:0]
    with pytest.raises(ArgumentError, match=r"^the data hold no subjects \(an empty frame"):
        cox_table(empty, time="t", event="e", covariates={"x": None})
    with pytest.raises(ArgumentError, match=r"^the data hold no subjects"):
        logistic_model(empty, outcome="e", covariates=["x"])


def test_a_declared_level_without_patients_is_said_under_the_km_table(survival):
    from analysis.tables import time_to_event_table

    groups = pd.Categorical(np.resize(["a", "b"], len(survival)), categories=["a", "b", "c"])
    table = time_to_event_table(survival.assign(g=groups), time="t", event="e", by="g", times=[6])
    assert table.footnotes[-1] == "g: level c without any patient not shown."
    assert list(table.display().iloc[:, 0]) == ["a", "b"]
