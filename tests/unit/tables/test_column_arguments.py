"""Every column argument of every public table function is checked against its input before
anything runs: a name the data lack is one ``ColumnError`` (a ``ValueError``) naming the
function, the argument, the name, the table, the columns there are (closest first) and the fix
— never ``KeyError: 'AETERM'`` or an Ibis error, and never a row silently left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ColumnError
from analysis.tables import (
    ae_by_exposure,
    ae_duration,
    ae_incidence,
    ae_severity,
    baseline_table,
    cox_table,
    logistic_model,
    proportional_odds,
    response_table,
    subjects_with_term,
    time_to_event_table,
)

ADSL = pd.DataFrame(
    {"USUBJID": ["S01", "S02", "S03", "S04"], "TRT01A": ["Placebo"] * 2 + ["Drug A"] * 2}
)
ADAE = pd.DataFrame(
    {
        "USUBJID": ["S01", "S04"],
        "AEDECOD": ["Headache", "Nausea"],
        "AESEV": ["MILD", "SEVERE"],
        "TRTEMFL": [True, True],
        "EXNUM": [1, 2],
        "ADURN": [2.0, 5.0],
    }
)
ADEX = pd.DataFrame({"USUBJID": ["S01", "S04", "S04"], "EXNUM": [1, 1, 2]})
AE = dict(by=["TRT01A"], subject_id="USUBJID", teae_flag="TRTEMFL")
INC = dict(AE, term="AEDECOD", serious_flag=None)
SEV = dict(AE, severity="AESEV")
EXP = dict(term="AEDECOD", number="EXNUM", subject_id="USUBJID", teae_flag="TRTEMFL")
DUR = dict(term="AEDECOD", duration="ADURN", teae_flag="TRTEMFL")

PATIENTS = pd.DataFrame(
    {
        "patient_id": [f"p{i}" for i in range(8)],
        "sex": ["female", "male"] * 4,
        "age_years": np.arange(8.0) + 30,
        "grade": pd.Categorical(list("abcabcab"), categories=list("abc"), ordered=True),
        "months": np.arange(8.0) + 1,
        "died": [1, 0] * 4,
        "has_x": [True, False, False, True] * 2,
    }
)
EVENTS = pd.DataFrame({"patient_id": ["p1"], "ae_term": ["pain"], "is_teae": [True]})

# (function call with one wrong name, function, argument, wrong name, closest column)
CASES = {
    "ae_incidence term": (
        lambda: ae_incidence(ADSL, ADAE, **{**INC, "term": "AETERM"}),
        "ae_incidence", "term", "AETERM", None,
    ),
    "ae_incidence category": (
        lambda: ae_incidence(ADSL, ADAE, **INC, category="AEBODSYS"),
        "ae_incidence", "category", "AEBODSYS", None,
    ),
    "ae_incidence serious_flag": (
        lambda: ae_incidence(ADSL, ADAE, **{**INC, "serious_flag": "AESER"}),
        "ae_incidence", "serious_flag", "AESER", None,
    ),
    "ae_incidence by": (
        lambda: ae_incidence(ADSL, ADAE, **{**INC, "by": ["ARM"]}),
        "ae_incidence", "by", "ARM", None,
    ),
    "ae_incidence subject_id": (
        lambda: ae_incidence(ADSL, ADAE, **{**INC, "subject_id": "SUBJID"}),
        "ae_incidence", "subject_id", "SUBJID", "USUBJID",
    ),
    "ae_incidence teae_flag": (
        lambda: ae_incidence(ADSL, ADAE, **{**INC, "teae_flag": "TRTEMFLX"}),
        "ae_incidence", "teae_flag", "TRTEMFLX", "TRTEMFL",
    ),
    "ae_severity severity": (
        lambda: ae_severity(ADSL, ADAE, **{**SEV, "severity": "AESEVX"}),
        "ae_severity", "severity", "AESEVX", "AESEV",
    ),
    "ae_severity by": (
        lambda: ae_severity(ADSL, ADAE, **{**SEV, "by": ["TRT01P"]}),
        "ae_severity", "by", "TRT01P", "TRT01A",
    ),
    "ae_by_exposure number": (
        lambda: ae_by_exposure(ADAE, ADEX, **{**EXP, "number": "EXNO"}),
        "ae_by_exposure", "number", "EXNO", "EXNUM",
    ),
    "ae_duration duration": (
        lambda: ae_duration(ADAE, **{**DUR, "duration": "ADURX"}),
        "ae_duration", "duration", "ADURX", "ADURN",
    ),
    "baseline_table variables": (
        lambda: baseline_table(PATIENTS, by="sex", variables=["age"]),
        "baseline_table", "variables", "age", None,
    ),
    "response_table outcome": (
        lambda: response_table(PATIENTS, by="sex", within=None, outcome="grad"),
        "response_table", "outcome", "grad", "grade",
    ),
    "time_to_event_table event": (
        lambda: time_to_event_table(PATIENTS, time="months", event="death", by="sex"),
        "time_to_event_table", "event", "death", None,
    ),
    "cox_table covariates": (
        lambda: cox_table(PATIENTS, time="months", event="died", covariates={"sexx": "female"}),
        "cox_table", "covariates", "sexx", "sex",
    ),
    "logistic_model outcome": (
        lambda: logistic_model(PATIENTS, outcome="has_y", covariates=["sex"]),
        "logistic_model", "outcome", "has_y", "has_x",
    ),
    "proportional_odds covariates": (
        lambda: proportional_odds(PATIENTS, outcome="grade", covariates=["age_year"]),
        "proportional_odds", "covariates", "age_year", "age_years",
    ),
    "subjects_with_term term_column": (
        lambda: subjects_with_term(PATIENTS, EVENTS, "pain", term_column="ae_terms"),
        "subjects_with_term", "term_column", "ae_terms", "ae_term",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_missing_column_names_function_argument_and_columns(case):
    call, function, argument, name, closest = CASES[case]
    with pytest.raises(ColumnError) as caught:
        call()
    text = str(caught.value)
    assert text.startswith(f"{function}: {argument}={name!r}: ")
    assert f"has no column {name!r}" in text
    assert "Pass the name of an existing column" in text
    if closest is not None:
        assert f"(did you mean {closest!r}?)" in text
        assert f"closest first: {closest!r}" in text
    assert isinstance(caught.value, ValueError)  # callers catching ValueError still do


def test_the_columns_listed_are_the_inputs_not_those_asked_for():
    """A wrong ``by`` lists every column of the subjects (the old message listed only the
    requested ones it had: ``it has ['USUBJID']``)."""
    with pytest.raises(ColumnError, match=r"Its 2 column\(s\), closest first: '\w+', '\w+'"):
        ae_incidence(ADSL, ADAE, **{**INC, "by": ["ARM"]})
    with pytest.raises(ColumnError) as caught:
        ae_severity(ADSL, ADAE, **{**SEV, "subject_id": "SUBJID"})
    assert "'TRT01A'" in str(caught.value) and "'USUBJID'" in str(caught.value)


def test_every_missing_name_in_one_message():
    with pytest.raises(ColumnError) as caught:
        ae_incidence(ADSL, ADAE, **{**INC, "term": "AETERM", "teae_flag": "TRTEMFLX"})
    assert "term='AETERM'" in str(caught.value) and "teae_flag='TRTEMFLX'" in str(caught.value)


def test_parquet_paths_are_checked_from_their_schema(tmp_path):
    adsl, adae = tmp_path / "adsl.parquet", tmp_path / "adae.parquet"
    ADSL.to_parquet(adsl)
    ADAE.to_parquet(adae)
    with pytest.raises(ColumnError, match=r"^ae_incidence: category='AEBODSYS': the events"):
        ae_incidence(str(adsl), str(adae), **INC, category="AEBODSYS")


def test_the_default_serious_flag_is_used_when_there():
    """``serious_flag`` left at its default adds the row when the events have ``is_serious``
    and leaves it out when they do not (a study without seriousness); named, it must exist."""
    subjects = ADSL.rename(columns={"USUBJID": "patient_id"})
    events = ADAE.rename(columns={"USUBJID": "patient_id", "AEDECOD": "ae_term"})
    kw = dict(by=["TRT01A"], teae_flag="TRTEMFL")
    without = ae_incidence(subjects, events, **kw).frame
    assert "serious_ae" not in set(without["variable"])
    serious = events.assign(is_serious=[True, False])
    frame = ae_incidence(subjects, serious, **kw).frame
    n = frame.loc[(frame["variable"] == "serious_ae") & (frame["stat"] == "n")]
    assert n.set_index("group").loc["overall", "value"] == 1.0


def test_a_pandas_only_table_refuses_a_path(tmp_path):
    path = tmp_path / "patients.parquet"
    PATIENTS.to_parquet(path)
    with pytest.raises(ColumnError, match=r"^baseline_table: data must be a pandas DataFrame"):
        baseline_table(str(path), by="sex", variables=["age_years"])
