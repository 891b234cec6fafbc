"""An export with a date of birth and no age. ``age_years`` stayed missing for those patients
and a criterion on age excluded them all, with exit 0 (a probe: cohort 30 for 52). The age at
day 0 is now derived from the birth date where the export gives none, in completed years, each
with an audit row; an age the export gives is kept."""

from __future__ import annotations

import pandas as pd

from analysis.clean.age_from_birth import age_from_birth
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig

PATIENTS = """\
    id,sex,born,age,grade,last_visit,discontinued,disc_date,disc_reason
    P1,F,1965-01-10,,Ludwig I,2021-01-10,no,,
    P2,male,1980-01-16,,HN III,2021-03-01,yes,2020-12-01,cost
    P3,Mujer,,61,Ludwig II,2020-06-01,no,,
    P4,M,2003-02-02,,HN IV,2021-02-01,no,,
    """
ADULTS = """\
inclusion:
  - id: adult
    label: Aged 18 or over
    where: [{column: age_years, op: ">=", value: 18}]
"""


def _study(mini_study, age: bool):
    def edit(body: str) -> str:
        mapped = "birth_date: born, age_years: age" if age else "birth_date: born"
        body = body.replace("age_years: age", mapped)
        return (
            body.replace("\ninclusion:\n", "\n" + ADULTS, 1)
            if "\ninclusion:" in body
            else (body + ADULTS)
        )

    return clean_study(
        StudyConfig.load(mini_study(files={"patients.csv": PATIENTS}, yaml_edit=edit))
    )


def test_the_age_at_day0_comes_from_the_birth_date_where_no_age_is_given(mini_study):
    res = _study(mini_study, age=True)
    p = res.patients.set_index("patient_id")
    # day 0 is each patient's first session: P1 2020-01-10, P2 2020-01-15, P4 2020-02-01
    assert p.loc["P1", "age_years"] == 55  # its birthday that very day
    assert p.loc["P2", "age_years"] == 39  # one day before its 40th birthday
    assert "P4" not in p.index  # 16 at day 0: excluded by the criterion, not for a missing age
    audit = res.audit.loc[res.audit["check"] == "age"]
    assert sorted(audit["patient_id"]) == ["P1", "P2", "P4"]
    assert set(audit["action"]) == {"derived"}
    assert audit.loc[audit["patient_id"] == "P2", "message"].iloc[0] == (
        "`age_years` missing: derived from `birth_date` 1980-01-16 as 39 completed years at "
        "day 0 (2020-01-15, the first session)"
    )
    reasons = res.exclusions.loc[res.exclusions["patient_id"] == "P4", "reason"]
    assert reasons.str.contains("Aged 18 or over").any()
    assert not reasons.str.contains("missing").any()


def test_a_study_that_reads_only_birth_dates_can_select_on_age(mini_study):
    res = _study(mini_study, age=False)
    ages = res.patients.set_index("patient_id")["age_years"]
    assert ages.to_dict() == {"P1": 55.0, "P2": 39.0}  # P3: no birth date and no age


def test_an_age_given_is_kept_and_no_birth_date_leaves_it_missing():
    data = pd.DataFrame(
        {
            "patient_id": ["a", "b", "c"],
            "age_years": [30.0, None, None],
            "birth_date": pd.to_datetime(["1950-06-01", "1950-06-01", None]),
            "day0_date": pd.to_datetime(["2020-05-31", "2020-06-01", "2020-06-01"]),
            "source_file": "p.csv",
            "source_sheet": "",
            "source_row": [2, 3, 4],
        }
    )
    step = age_from_birth(data, "the first session")
    assert step.data["age_years"].tolist()[:2] == [30.0, 70.0]
    assert pd.isna(step.data["age_years"].iloc[2])
    assert step.audit["row"].tolist() == [3]
    assert data["age_years"].isna().sum() == 2  # the frame given is not written
