"""A logistic model of an adverse event of one sex (``sex_specific`` in the vocabulary) is fitted
on that sex, as the adverse-event tables count it: a model of decreased libido (men only) had
been fitted on all 536 complete cases, women included."""

from __future__ import annotations

from analysis.studyfile.plan import AnalysisPlan, LogisticTable
from analysis.tables.study_tables import build_tables


def test_an_event_of_one_sex_is_modelled_in_that_sex(reference_config, reference_clean):
    terms = reference_config.vocabularies["ae_term"]
    one_sex = terms.model_copy(update={"sex_specific": {**terms.sex_specific, "pain": "male"}})
    model = LogisticTable(
        kind="logistic", outcome={"ae_term": "pain"}, covariates=["age_years", "sex"]
    )
    config = reference_config.model_copy(
        update={
            "vocabularies": {**reference_config.vocabularies, "ae_term": one_sex},
            "analysis": AnalysisPlan(tables={"m": model}),
        }
    )
    table = build_tables(config, reference_clean)["m"]
    frame = table.frame
    n = frame.loc[(frame["stat"] == "n") & (frame["level"] == ""), "value"].iloc[0]
    men = reference_clean.patients
    men = men.loc[(men["sex"] == "male") & men["age_years"].notna()]
    assert n == len(men)
    notes = " ".join(table.footnotes)
    assert "Population: male patients only" in notes and "pain is an event of one sex" in notes
    assert "Sex dropped from the covariates" in notes  # constant within one sex
