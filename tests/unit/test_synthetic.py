"""Raw files written by ``retro synth`` in a study not marked synthetic are named in a warning."""

from __future__ import annotations

from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from analysis.synthetic import TWIN_MANIFEST, unmarked_twin_warning


def test_a_twin_not_marked_synthetic_is_a_warning_of_the_clean_stage(mini_study):
    config = StudyConfig.load(mini_study())
    assert unmarked_twin_warning(config) is None  # no twin manifest: real data
    (config.raw_dir / TWIN_MANIFEST).write_text("{}", encoding="utf-8")
    warning = unmarked_twin_warning(config)
    assert warning is not None and "study.synthetic: true" in warning
    assert warning in clean_study(config).warnings


def test_a_study_marked_synthetic_needs_no_warning(reference_config):
    assert unmarked_twin_warning(reference_config) is None
    unmarked = reference_config.model_copy(
        update={"study": reference_config.study.model_copy(update={"synthetic": False})}
    )
    assert TWIN_MANIFEST in (unmarked_twin_warning(unmarked) or "")
