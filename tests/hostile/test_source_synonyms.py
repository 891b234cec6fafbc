"""A source's synonyms that give one label two levels, or recode the name of another level,
are refused when the study file is read. Both ran with exit 0: ``{male: ["M"], female: ["m"]}``
made the men written ``M`` women (labels are compared ignoring case), ``{male: ["M",
"female"]}`` made every woman a man (a probe on the mini study)."""

from __future__ import annotations

import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig

SOURCE_SYNONYMS = '      sex: {male: ["M"]}\n'


def _with(synonyms: str):
    def edit(body: str) -> str:
        assert SOURCE_SYNONYMS in body
        return body.replace(SOURCE_SYNONYMS, f"      sex: {synonyms}\n")

    return edit


@pytest.mark.parametrize(
    ("synonyms", "said"),
    [
        (
            '{male: ["M"], female: ["m"]}',
            "sources[0].synonyms.sex: label 'm' maps to both 'male' and 'female' (labels are "
            "compared ignoring case, accents and spaces); keep it under one level only",
        ),
        (
            '{male: ["M", " Female "]}',
            "sources[0].synonyms.sex: label ' Female ' under 'male' is the name of the level "
            "'female': a source's synonyms may recode other labels, not the name of a level",
        ),
    ],
)
def test_a_label_given_two_levels_or_another_levels_name_is_refused(mini_study, synonyms, said):
    path = mini_study(yaml_edit=_with(synonyms))
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    assert said in str(exc.value)


def test_a_source_may_still_recode_a_study_wide_synonym(mini_study):
    # centre B of the reference study: M is a man study-wide, a woman (mujer) in that export
    path = mini_study(yaml_edit=_with('{female: ["M", "mujer"]}'))
    result = clean_study(StudyConfig.load(path))
    sex = result.tables["patients"].set_index("patient_id")["sex"].astype(str).to_dict()
    assert (sex["P1"], sex["P2"], sex["P4"]) == ("female", "male", "female")  # P4 wrote M
