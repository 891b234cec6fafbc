"""One subject-table check: every table builder and every counting plan refuses a missing group
value or a duplicate subject with the same message (``engine.refuse_subject_problems``)."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from analysis.engine import counts as engine
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.baseline import baseline_table
from analysis.tables.response import response_table
from analysis.tables.time_to_event import cox_table

GRADES = ["none", "mild improvement", "marked improvement"]
MISSING = (
    "1 subject(s) have a missing `sex`; a table by `sex` would drop them. Filter them out or "
    "give them a level (e.g. 'unknown') first (in a study file: a subgroup with `where: "
    "[{column: sex, op: not_missing}]`, named as the table's `population`)."
)
DUPLICATE = (
    "the subject-level table has 1 duplicate or missing `patient_id` value(s); it must have one "
    "row per subject, each with its id (denominators come from it)."
)


def _subjects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [1, 2, 3, 4, 5, 6],
            "sex": ["female", "male", "female", "male", "female", "male"],
            "age_years": [40.0, 51.0, 38.0, 60.0, 45.0, 57.0],
            "response_12m": pd.Categorical(
                ["none", "mild improvement", "marked improvement"] * 2, categories=GRADES
            ),
        }
    )


EVENTS = pd.DataFrame({"patient_id": [1, 2, 2], "ae_term": ["pain", "pain", "itch"]})

BUILDERS = {
    "engine (pandas)": lambda s: engine.check_subject_table(s, by=["sex"], subject_id="patient_id"),
    "engine (Ibis)": lambda s: engine.check_subject_table(
        ibis.memtable(s.drop(columns="response_12m")), by=["sex"], subject_id="patient_id"
    ),
    "ae_incidence": lambda s: ae_incidence(
        s, EVENTS, by=["sex"], teae_flag=None, serious_flag=None
    ),
    "baseline_table": lambda s: baseline_table(s, by="sex", variables=["age_years"]),
    "response_table": lambda s: response_table(s, by="sex", within=None),
}


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_builder_gives_the_one_message(builder):
    build = BUILDERS[builder]
    missing = _subjects().assign(sex=lambda f: f["sex"].where(f["patient_id"] != 3, None))
    with pytest.raises(ValueError) as exc:
        build(missing)
    assert str(exc.value) == MISSING
    duplicated = pd.concat([_subjects(), _subjects().iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError) as exc:
        build(duplicated)
    assert str(exc.value) == DUPLICATE


def test_missing_values_are_named_before_duplicates():
    with pytest.raises(ValueError, match="have a missing `arm`"):
        engine.refuse_subject_problems(
            missing={"sex": 0, "arm": 2}, duplicates=3, subject_id="patient_id"
        )
    engine.refuse_subject_problems(missing={"sex": 0}, duplicates=0, subject_id="patient_id")


def test_the_cox_model_takes_its_covariates_from_the_design_matrix():
    rng = np.random.default_rng(3)
    n = 80
    data = pd.DataFrame(
        {
            "months": rng.exponential(12, n).round(1) + 0.1,
            "stopped": rng.random(n) < 0.6,
            "arm": pd.Categorical(rng.choice(["alone", "combined"], n)),
            "sex": rng.choice(["female", "male"], n),
            "age_years": rng.normal(50, 8, n).round(),
        }
    )
    data.loc[[0, 1], "age_years"] = np.nan
    table = cox_table(
        data,
        time="months",
        event="stopped",
        by="arm",
        covariates={"arm": "alone", "sex": None, "age_years": None},
    )
    f = table.frame
    hr = f[(f["stat"] == "estimate") & (f["group"] == "overall")]
    terms = set(hr[["variable", "level", "reference"]].itertuples(index=False, name=None))
    assert terms == {("arm", "combined", "alone"), ("sex", "male", "female"), ("age_years", "", "")}
    assert "Analysed: 78 subjects with complete covariates (2 excluded" in table.footnotes[1]
    analysed = f[(f["variable"] == "model") & (f["context"] == "cox_regression")]
    assert analysed.set_index("stat")["value"].to_dict() == {
        "n": 78, "events": int(data.dropna()["stopped"].sum()),
    }  # fmt: skip
    shown = table.layout(f)["Term"].tolist()
    assert "arm: combined vs alone" in shown and "age_years (per year)" in shown
