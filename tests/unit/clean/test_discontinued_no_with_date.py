"""A discontinuation flag "no" beside a discontinuation date: the no won in silence while the
date still ended the exposure, and a probe's patient who stopped for an adverse event at 15.4
months was censored at the last visit, with no audit row. The run now stops, naming the patient,
unless ``cleaning.discontinued_no_with_date`` says which to believe; each change is audited."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig

runner = CliRunner()
# P1: "no", with a date and a reason (cost); P2: "yes" with its date (agrees); P3: "no", no date
PATIENTS = """\
    id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
    P1,F,55,Ludwig I,2021-01-10,no,2020-09-01,cost
    P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
    P3,Mujer,61,Ludwig II,2020-06-01,no,,
    P4,M,33,HN IV,2021-02-01,no,,
    """


def _with(rule: str | None):  # noqa: ANN202
    def edit(yaml: str) -> str:
        return yaml if rule is None else yaml + f"cleaning: {{discontinued_no_with_date: {rule}}}\n"

    return edit


def test_the_contradiction_stops_the_run_naming_the_patient(mini_study):
    path = mini_study(files={"patients.csv": PATIENTS}, yaml_edit=_with(None))
    res = runner.invoke(app, ["clean", str(path)])
    assert res.exit_code == 2, res.output
    assert " ".join(res.output.split()).startswith(
        "error: 1 patient(s) have `is_discontinued` 'no' and a `discontinuation_date`: 'P1' "
        "(patients.csv, row 2): 2020-09-01. The export contradicts itself"
    )
    assert "`cleaning.discontinued_no_with_date: flag`" in res.output


@pytest.mark.parametrize(
    ("rule", "discontinued", "date", "column", "action"),
    [
        ("flag", False, pd.NaT, "discontinuation_date", "set_missing"),
        ("date", True, pd.Timestamp("2020-09-01"), "is_discontinued", "corrected"),
    ],
)
def test_the_study_says_which_to_believe_and_each_change_is_audited(
    mini_study, rule, discontinued, date, column, action
):
    path = mini_study(files={"patients.csv": PATIENTS}, yaml_edit=_with(rule))
    res = runner.invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    processed = StudyConfig.load(path).processed_dir
    patients = pd.read_parquet(processed / "patients.parquet").set_index("patient_id")
    assert patients.loc["P1", "is_discontinued"] == discontinued
    assert patients.loc["P2", "is_discontinued"]  # agreeing rows are untouched
    assert not patients.loc["P4", "is_discontinued"]
    got = patients.loc["P1", "discontinuation_date"]
    assert (pd.isna(got) and pd.isna(date)) or got == date
    day0 = patients.loc["P1", "day0_date"]
    end = date if discontinued else patients.loc["P1", "last_contact_date"]
    months = (end - day0).days / (365.25 / 12)
    assert abs(patients.loc["P1", "time_to_discontinuation_months"] - months) < 1e-9
    audit = pd.read_parquet(processed / "audit.parquet")
    rows = audit.loc[audit["check"] == "contradiction"]
    assert rows[["patient_id", "column", "action"]].values.tolist() == [["P1", column, action]]
    assert f"`cleaning.discontinued_no_with_date: {rule}`" in rows["message"].iloc[0]
