"""Study-file options of the clinical layout rules: sex-specific vocabulary levels, a baseline
table's `not_tested`, an incidence table's `pairwise`; each mistake a located ConfigError."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig

SEX_SPECIFIC = "    synonyms: {pain: [dolor], edema: [edema frontal]}\n"


def _load(mini_study, edit) -> StudyConfig:
    return StudyConfig.load(mini_study(yaml_edit=edit))


def _error(mini_study, edit) -> str:
    with pytest.raises(ConfigError) as exc:
        _load(mini_study, edit)
    return str(exc.value)


def _vocab(extra: str):
    return lambda y: y.replace(SEX_SPECIFIC, SEX_SPECIFIC + extra)


def test_sex_specific_levels_parse(mini_study):
    cfg = _load(mini_study, _vocab("    sex_specific: {edema: male}\n"))
    assert cfg.vocabularies["ae_term"].sex_specific == {"edema": "male"}


def test_sex_specific_names_a_level_of_the_vocabulary(mini_study):
    msg = _error(mini_study, _vocab("    sex_specific: {rash: male}\n"))
    assert "sex_specific name levels ['rash'] that are not in levels ['pain', 'edema']" in msg
    assert "mini.yaml" in msg  # located in the file


def test_sex_specific_names_a_level_of_sex(mini_study):
    msg = _error(mini_study, _vocab("    sex_specific: {edema: men}\n"))
    assert (
        "vocabularies.ae_term.sex_specific.edema: 'men' is not a level of vocabulary 'sex'" in msg
    )
    assert "its levels are ['female', 'male']" in msg


PLAN = """
analysis:
  tables:
    base: {kind: baseline, by: sex, variables: [age_years, centre], %s}
    ae: {kind: ae_incidence, by: [therapy_group], %s}
"""


def _plan(baseline: str = "", ae: str = ""):
    return lambda y: y + PLAN % (baseline or "categorical: []", ae or "term: ae_term")


def test_not_tested_and_pairwise_parse(mini_study):
    cfg = _load(
        mini_study,
        _plan(
            "not_tested: {centre: one centre per arm}",
            "pairwise: {reference: monotherapy, adjust: holm}",
        ),
    )
    assert cfg.analysis.tables["base"].not_tested == {"centre": "one centre per arm"}
    assert cfg.analysis.tables["ae"].pairwise.adjust == "holm"


@pytest.mark.parametrize(
    ("baseline", "ae", "message"),
    [
        (
            "not_tested: {age: why}",
            "",
            "analysis.tables.base.not_tested.age: 'age' is not one of this table's variables",
        ),
        ("not_tested: {centre: ' '}", "", "give the reason in words"),
        (
            "",
            "pairwise: {reference: placebo}",
            "analysis.tables.ae.pairwise.reference: 'placebo' is not a level of 'therapy_group'",
        ),
        ("", "pairwise: {reference: monotherapy, adjust: sidak}", "adjust"),
    ],
)
def test_layout_option_mistakes_are_located_errors(mini_study, baseline, ae, message):
    msg = _error(mini_study, _plan(baseline, ae))
    assert message in msg
    assert "mini.yaml" in msg


def test_pairwise_needs_a_by(mini_study):
    plan = "analysis:\n  tables:\n    ae: {kind: ae_incidence, pairwise: {reference: male}}\n"
    msg = _error(mini_study, lambda y: y + plan)
    assert "analysis.tables.ae.pairwise: compares the levels of the table's first `by`" in msg
