"""A level of the response table's `by` or `within` without any patient is not a column (nor a
stratum): it is dropped with a footnote, as in the adverse-event and baseline tables
(docs/config.md, "a `by` level without patients is dropped with a footnote")."""

from __future__ import annotations

import pytest

from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from analysis.tables.plan_tables import build_table

AGE_BAND = """  age_band:
    levels: [child, adult, senior]
    conditions:
      - {level: child, where: [{column: age_years, op: "<", value: 12}]}
      - {level: senior, where: [{column: age_years, op: ">=", value: 50}]}
    otherwise: adult
"""


@pytest.mark.parametrize(
    ("by", "within"), [("sex", "age_band"), ("age_band", "sex"), ("age_band", None)]
)
def test_a_response_group_level_without_patients_is_dropped_with_a_footnote(mini_study, by, within):
    inside = f", within: {within}" if within else ""
    plan = (
        "analysis:\n  options: {response_trend_test: none}\n  tables:\n"
        f"    resp: {{kind: response, by: {by}{inside}}}\n"
    )
    path = mini_study(yaml_edit=lambda y: y.replace("groups:\n", "groups:\n" + AGE_BAND) + plan)
    cfg = StudyConfig.load(path)
    clean = clean_study(cfg)
    assert not (clean.patients["age_band"] == "child").any()  # no child in the cohort
    t = build_table(cfg, clean, "resp", cfg.analysis.tables["resp"])
    assert not t.frame["group"].str.contains("age_band=child").any()
    heads = list(t.display().columns)
    assert not [h for h in heads if "Child" in h], heads
    assert "Age band: level child without any patient not shown." in t.footnotes


def test_a_table_turns_its_own_trend_test_off_while_the_others_keep_theirs(mini_study):
    """A response by a column of three levels needs no trend test: it could only be turned
    off for every response table (`options.response_trend_test`), so the table by sex lost
    its Cochran–Armitage test. Likewise an AE table's own test."""
    plan = (
        "analysis:\n  tables:\n"
        "    resp_sex: {kind: response, by: sex}\n"
        "    resp_age: {kind: response, by: age_band, trend_test: none}\n"
        "    ae_sex: {kind: ae_incidence, by: [sex], test: chi2}\n"
    )
    three_ages = AGE_BAND.replace("value: 12}", "value: 35}")
    path = mini_study(yaml_edit=lambda y: y.replace("groups:\n", "groups:\n" + three_ages) + plan)
    cfg = StudyConfig.load(path)
    clean = clean_study(cfg)
    assert clean.patients["age_band"].nunique() == 3
    by_sex = build_table(cfg, clean, "resp_sex", cfg.analysis.tables["resp_sex"]).frame
    by_age = build_table(cfg, clean, "resp_age", cfg.analysis.tables["resp_age"]).frame
    assert (by_sex["context"] == "trend_test").any()
    assert not (by_age["context"] == "trend_test").any()
    ae = build_table(cfg, clean, "ae_sex", cfg.analysis.tables["ae_sex"]).frame
    methods = set(ae.loc[ae["stat"] == "p_value", "method"])
    assert methods and all("chi" in m.lower() for m in methods), methods
