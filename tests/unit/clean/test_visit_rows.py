"""A patient table exported as one row per visit (``per_patient``): the last visit is the latest
visit's date. Without it every patient with two visits was a conflict, all rows excluded (the
third-design probe of 2026-12-07 had to collapse the export by hand first)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig

VISITS = """\
id,sex,age,grade,visit,discontinued,disc_date,disc_reason
P1,F,55,Ludwig I,2020-01-10,no,,
P1,F,55,,2021-01-10,no,,
P1,F,55,Ludwig I,2020-07-10,no,,
P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
P3,Mujer,61,Ludwig II,2020-06-01,no,,
P4,M,33,HN IV,2020-03-01,no,,
P4,M,33,HN IV,2021-02-01,no,,
"""


def _per_visit(rules: str):
    def edit(body: str) -> str:
        body = body.replace("last_visit_date: last_visit,", "last_visit_date: visit,")
        return body.replace(
            '    synonyms:\n      sex: {male: ["M"]}\n',
            f'    synonyms:\n      sex: {{male: ["M"]}}\n    per_patient: {rules}\n',
            1,
        )

    return edit


def test_the_last_visit_is_the_latest_of_the_patients_rows(mini_study):
    path = mini_study(
        files={"patients.csv": VISITS}, yaml_edit=_per_visit("{last_visit_date: latest}")
    )
    done = clean_study(StudyConfig.load(path))
    patients = done.tables["patients"].set_index("patient_id")
    assert patients.loc["P1", "last_visit_date"] == pd.Timestamp("2021-01-10")
    assert patients.loc["P4", "last_visit_date"] == pd.Timestamp("2021-02-01")
    assert patients.loc["P1", "baseline_grade"] == "Ludwig I"  # a blank filled as before
    assert done.conflicts.empty
    audit = done.audit.loc[done.audit["check"] == "per_patient"]
    # the rows whose date changed: P1's rows 2 and 4, P4's row 7
    assert sorted(zip(audit["patient_id"], audit["row"], audit["value"], strict=True)) == [
        ("P1", 2, "2020-01-10"),
        ("P1", 4, "2020-07-10"),
        ("P4", 7, "2020-03-01"),
    ]
    assert set(audit["action"]) == {"combined"}
    said = audit.loc[audit["row"] == 2, "message"].iat[0]
    assert said.startswith(
        "set to 2021-01-10, the latest of this patient's 3 rows in source 'patients' "
        "(`sources[0].per_patient.last_visit_date`, line "
    )
    # every visit row beyond each patient's first is logged as its duplicate: all accounted for
    logged = done.exclusions.loc[
        (done.exclusions["table"] == "patients") & (done.exclusions["step"] == "duplicate")
    ]
    assert sorted(logged["row"]) == [3, 4, 8]
    assert bool(done.accounting()["balanced"].all())


def test_without_it_the_visit_rows_are_conflicts(mini_study):
    path = mini_study(files={"patients.csv": VISITS}, yaml_edit=_per_visit("{}"))
    done = clean_study(StudyConfig.load(path))
    assert sorted(done.conflicts["patient_id"]) == ["P1", "P4"]
    # the reason says what to declare (it said only "Correct the export so one record remains")
    reasons = done.exclusions.loc[done.exclusions["step"] == "conflict", "reason"]
    assert reasons.str.endswith(
        "If the file holds one row per visit, say how each of these is taken over a patient's "
        "rows with `per_patient` on source 'patients' (earliest or latest of a date, lowest or "
        "highest of a number), e.g. `per_patient: {last_visit_date: latest}`."
    ).all()


def test_a_conflict_in_levels_gets_no_per_patient_hint(mini_study):
    other = VISITS.replace("P4,M,33,HN IV,2021-02-01", "P4,F,33,HN IV,2021-02-01")
    path = mini_study(
        files={"patients.csv": other}, yaml_edit=_per_visit("{last_visit_date: latest}")
    )
    done = clean_study(StudyConfig.load(path))
    reasons = done.exclusions.loc[done.exclusions["step"] == "conflict", "reason"]
    assert len(reasons) == 2 and not reasons.str.contains("per_patient").any()


def test_rows_that_disagree_elsewhere_stay_a_conflict(mini_study):
    other = VISITS.replace("P4,M,33,HN IV,2021-02-01", "P4,F,33,HN IV,2021-02-01")
    path = mini_study(
        files={"patients.csv": other}, yaml_edit=_per_visit("{last_visit_date: latest}")
    )
    done = clean_study(StudyConfig.load(path))
    assert done.conflicts["patient_id"].tolist() == ["P4"]
    assert done.conflicts["columns"].tolist() == ["sex"]


def test_the_lowest_number_and_the_earliest_date(mini_study):
    ages = VISITS.replace("P4,M,33,HN IV,2021-02-01", "P4,M,34,HN IV,2021-02-01")
    path = mini_study(
        files={"patients.csv": ages},
        yaml_edit=_per_visit("{last_visit_date: earliest, age_years: lowest}"),
    )
    done = clean_study(StudyConfig.load(path))
    patients = done.tables["patients"].set_index("patient_id")
    assert patients.loc["P1", "last_visit_date"] == pd.Timestamp("2020-01-10")
    assert patients.loc["P4", "age_years"] == 33


@pytest.mark.parametrize(
    ("rules", "said"),
    [
        (
            "{sex: latest}",
            "sources[0].per_patient.sex: 'latest' does not apply to a column of levels; only "
            "dates (earliest, latest) and numbers (lowest, highest)",
        ),
        (
            "{age_years: latest}",
            "sources[0].per_patient.age_years: 'latest' does not apply to a column of numbers; "
            "give lowest or highest",
        ),
        ("{centre: latest}", "per_patient` (line 19): 'centre' is a constant, the same on every"),
        ("{patient_id: latest}", "per_patient` (line 19): 'patient_id' is the id that groups"),
        (
            "{last_visit_dat: latest}",
            "per_patient` (line 19): 'last_visit_dat' is not a column this source reads (did "
            "you mean 'last_visit_date'?)",
        ),
        ("{last_visit_date: last}", "last_visit_date"),
    ],
)
def test_a_rule_that_cannot_apply_is_refused_naming_the_key(mini_study, rules, said):
    path = mini_study(files={"patients.csv": VISITS}, yaml_edit=_per_visit(rules))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert said in str(exc.value)
    assert "line " in str(exc.value)


def test_only_a_patients_source_takes_it(mini_study):
    def edit(body: str) -> str:
        return body.replace(
            "    columns: {patient_id: id, start_date: date, dose_mg: dose}\n",
            "    columns: {patient_id: id, start_date: date, dose_mg: dose}\n"
            "    per_patient: {start_date: latest}\n",
        )

    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(mini_study(yaml_edit=edit))
    assert "per_patient` (line 23): applies to sources of the patients table only" in str(exc.value)


def test_an_unreadable_visit_date_is_cleared_and_the_patient_kept(mini_study):
    """A required date its source takes over the patient's rows, unreadable on one visit row,
    excluded that row, and its patient's other rows became a conflict: the patient left the
    cohort, while a blank cell kept it. It is now cleared (audited) as the blank is."""
    odd = VISITS.replace("P1,F,55,Ludwig I,2020-07-10", "P1,F,55,Ludwig I,2020-02-31")
    path = mini_study(
        files={"patients.csv": odd}, yaml_edit=_per_visit("{last_visit_date: latest}")
    )
    done = clean_study(StudyConfig.load(path))
    patients = done.tables["patients"].set_index("patient_id")
    assert patients.loc["P1", "last_visit_date"] == pd.Timestamp("2021-01-10")
    assert done.conflicts.empty
    cleared = done.audit.loc[(done.audit["check"] == "date") & (done.audit["row"] == 4)]
    assert cleared["value"].tolist() == ["2020-02-31"]
    assert (
        cleared["message"]
        .iat[0]
        .endswith("cleared: the patient's value is taken over its other rows (`per_patient`)")
    )
    # a patient of one row keeps the rule of a required date: its record is excluded
    alone = VISITS.replace("P2,male,40,HN III,2021-03-01", "P2,male,40,HN III,2021-02-30")
    path = mini_study(
        files={"patients.csv": alone}, yaml_edit=_per_visit("{last_visit_date: latest}")
    )
    done = clean_study(StudyConfig.load(path))
    parse = done.exclusions.loc[done.exclusions["step"] == "parse"]
    assert parse["patient_id"].tolist() == ["P2"]


def test_the_hint_names_the_columns_that_differ_and_only_for_visit_rows():
    from analysis.clean.duplicates import _visits_hint

    kinds = {"last_visit_date": "date", "first_visit_date": "date", "age_years": "number"}
    kinds |= {"sex": ""}
    said = _visits_hint("visits", ["first_visit_date", "age_years"], kinds)
    assert said.endswith("e.g. `per_patient: {first_visit_date: earliest, age_years: highest}`.")
    assert _visits_hint("visits", ["age_years"], kinds) == ""  # a typing error, more likely
    assert _visits_hint("visits", ["last_visit_date", "sex"], kinds) == ""  # levels must agree


def test_a_conflict_of_records_is_told_in_the_words_of_its_table():
    """An assessment's conflict spoke of "a severe or serious event"."""
    from analysis.clean.record_conflicts import stop_on_conflicts
    from analysis.errors import SourceError

    with pytest.raises(SourceError) as exc:
        stop_on_conflicts(
            "assessments", ["patient_id", "assessment_date"], ["grade 'a' vs 'b'"], ["r3"], ["r2"]
        )
    assert "(a better or a worse grade on the same day)" in str(exc.value)
    assert "serious event" not in str(exc.value)
