"""Terms of one sex (``sex_specific``) in every adverse-event table, not only the incidence
table: the events-by-exposure table counts them among that sex (its N, percent and CI), and an
event of such a term recorded for a subject of the other sex is in no row of any table (the
term, its category, any event, the highest severity, the duration), with a footnote."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration
from analysis.tables.ae_severity import ae_severity
from tests.conftest import ard_value as value

ONE_SEX = {"impotence": "male", "amenorrhoea": "female"}
# 4 men (m0-m3) and 6 women (f0-f5); everyone has session 1, m0-m1 and f0-f3 session 2
SUBJECTS = pd.DataFrame(
    {"patient_id": [*(f"m{i}" for i in range(4)), *(f"f{i}" for i in range(6))]}
).assign(sex=lambda d: d["patient_id"].str[0].map({"m": "male", "f": "female"}))
EXPOSURES = pd.DataFrame(
    {
        "patient_id": [*SUBJECTS["patient_id"], "m0", "m1", "f0", "f1", "f2", "f3"],
        "exposure_number": [1] * 10 + [2] * 6,
    }
)
EVENTS = pd.DataFrame(
    {
        # m0, m1: impotence after session 1; f0: amenorrhoea after session 1; f1, f4: pain;
        # f5 (a woman) recorded with impotence only, twice: a coding error
        "patient_id": ["m0", "m1", "f0", "f1", "f4", "f5", "f5"],
        "ae_term": [
            "impotence",
            "impotence",
            "amenorrhoea",
            "pain",
            "pain",
            "impotence",
            "impotence",
        ],  # fmt: skip
        "exposure_number": [1, 1, 1, 2, 1, 1, 1],
        "severity": ["mild", "mild", "moderate", "severe", "mild", "severe", "severe"],
        "duration_days": [3.0, 5.0, 10.0, 2.0, 4.0, 99.0, 98.0],
        "is_teae": True,
    }
)


def _by_exposure(events=EVENTS):
    return ae_by_exposure(
        events, EXPOSURES, subjects=SUBJECTS, sex_specific=ONE_SEX, pool_below=(0.0, 1)
    )


def test_events_by_exposure_count_a_term_of_one_sex_among_that_sex():
    f = _by_exposure().frame
    g1, g2 = "exposure_number=1", "exposure_number=2"
    # 2 of the 4 men after session 1, not 2 (or 3, with the woman) of all 10 subjects
    assert value(f, "ae_term", "impotence", g1, "N") == 4
    assert value(f, "ae_term", "impotence", g1, "n") == 2
    assert value(f, "ae_term", "impotence", g1, "pct") == pytest.approx(50.0)
    assert value(f, "ae_term", "impotence", g2, "N") == 2
    assert value(f, "ae_term", "amenorrhoea", g1, "N") == 6
    assert value(f, "ae_term", "amenorrhoea", g1, "pct") == pytest.approx(100 / 6)
    assert value(f, "ae_term", "amenorrhoea", g2, "N") == 4
    assert value(f, "ae_term", "pain", g1, "N") == 10  # the others: every subject
    method = f.loc[(f["level"] == "impotence") & (f["stat"] == "N"), "method"].iloc[0]
    assert method == "male subjects who received the exposure"


def test_events_by_exposure_leave_the_other_sexs_event_out_of_every_row_and_say_so():
    t = _by_exposure()
    f = t.frame
    # m0, m1, f0, f4 after session 1; f5's impotence counts nowhere
    assert value(f, "ae_term", "any adverse event", "exposure_number=1", "n") == 4
    assert value(f, "ae_term", "any adverse event", "exposure_number=1", "events") == 4
    assert (
        "`impotence`: 1 subject not recorded as `male` had the event (2 events; an event of "
        "`male` subjects): not counted in this row or any adverse event; check the records."
        in t.footnotes
    )
    assert any("counted among `male` subjects only (N = 4 at exposure 1)" in n for n in t.footnotes)
    shown = t.display().set_index("Adverse event")
    # one N per column head, the subjects who received it (not the men's)
    assert list(shown.columns) == ["Exposure 1 (N=10)", "Exposure 2 (N=6)"]
    assert shown.loc["impotence", "Exposure 1 (N=10)"] == "2 (50.0%)"


def test_events_by_exposure_show_a_dash_where_no_subject_of_that_sex_received_it():
    exposures = EXPOSURES.loc[~EXPOSURES["patient_id"].str.startswith("m") | (
        EXPOSURES["exposure_number"] == 1)]  # fmt: skip
    t = ae_by_exposure(
        EVENTS, exposures, subjects=SUBJECTS, sex_specific=ONE_SEX, pool_below=(0.0, 1)
    )
    assert value(t.frame, "ae_term", "impotence", "exposure_number=2", "N") == 0
    shown = t.display().set_index("Adverse event")
    assert shown.loc["impotence", "Exposure 2 (N=4)"] == "—"
    assert any("— = no subject of that sex received the exposure" in n for n in t.footnotes)


def test_events_by_exposure_need_the_subjects_for_a_term_of_one_sex():
    with pytest.raises(ValueError, match="pass the subject table"):
        ae_by_exposure(EVENTS, EXPOSURES, sex_specific=ONE_SEX)


def test_the_incidence_table_leaves_the_other_sexs_event_out_of_its_category_and_any_event():
    categories = {"impotence": "Reproductive", "amenorrhoea": "Reproductive", "pain": "Site"}
    t = ae_incidence(SUBJECTS, EVENTS, by=["sex"], categories=categories, sex_specific=ONE_SEX)
    f = t.frame
    # f5 has only the impotence event: she is in no row, so each row is what its terms explain
    assert value(f, "any_ae", "any adverse event", "sex=female", "n") == 3  # f0, f1, f4
    assert value(f, "ae_category", "Reproductive", "sex=female", "n") == 1  # f0
    assert value(f, "ae_category", "Reproductive", "overall", "events") == 3
    assert value(f, "ae_term", "impotence", "overall", "N") == 4


def test_the_highest_severity_leaves_the_other_sexs_event_out():
    t = ae_severity(SUBJECTS, EVENTS, by=["sex"], sex_specific=ONE_SEX, test="none")
    f = t.frame
    # f5's severe impotence is not hers to have: she is a woman without an event
    assert value(f, "worst_severity", "severe", "sex=female", "n") == 1  # f1 only
    assert value(f, "worst_severity", "no event", "sex=female", "n") == 3  # f2, f3, f5
    assert any(
        n.startswith("`impotence`: 1 subject not recorded as `male`")
        and "not counted in the highest severity" in n
        for n in t.footnotes
    )
    plain = ae_severity(SUBJECTS, EVENTS.loc[EVENTS["patient_id"] != "f5"], by=["sex"],
                        test="none")  # fmt: skip
    assert t.frame["value"].tolist() == plain.frame["value"].tolist()


def test_the_duration_leaves_the_other_sexs_event_out():
    t = ae_duration(EVENTS, subjects=SUBJECTS, sex_specific=ONE_SEX)
    f = t.frame
    assert value(f, "duration_days", "", "ae_term=impotence", "n") == 2
    assert value(f, "duration_days", "", "ae_term=impotence", "max") == 5.0
    assert any(n.startswith("`impotence`: 1 subject not recorded") for n in t.footnotes)


def test_the_plan_passes_the_terms_of_one_sex_to_every_adverse_event_table(mini_study):
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig
    from analysis.tables.plan_tables import build_table

    synonyms = "    synonyms: {pain: [dolor], edema: [edema frontal]}\n"
    plan = (
        "analysis:\n  tables:\n"
        "    by_exposure: {kind: ae_by_exposure, pool_below: {fraction: 0, minimum: 1}}\n"
        "    severity: {kind: ae_severity}\n"
    )
    path = mini_study(
        yaml_edit=lambda y: (
            y.replace(synonyms, synonyms + "    sex_specific: {edema: female}\n") + plan
        )
    )
    cfg = StudyConfig.load(path)
    clean = clean_study(cfg)
    t = build_table(cfg, clean, "by_exposure", cfg.analysis.tables["by_exposure"])
    first = clean.tables["exposures"]
    first = first.loc[first["exposure_number"] == 1, ["patient_id"]].merge(clean.patients)
    women = int((first["sex"] == "female").sum())
    assert 0 < women < len(first)
    assert value(t.frame, "ae_term", "edema", "exposure_number=1", "N") == women
    t = build_table(cfg, clean, "severity", cfg.analysis.tables["severity"])
    assert not any("not recorded as" in n for n in t.footnotes)  # built, no one miscoded
