"""The warning of a group left open by a missing value names the column that is missing, not
every column its conditions read: a man without an age was reported with "`age_years`, `sex`
being missing" (a probe)."""

from __future__ import annotations

from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent

GROUPS = (
    "  band:\n    levels: [young_woman, old, other]\n    conditions:\n"
    "      - {level: young_woman, where: [{column: sex, op: '==', value: female},"
    " {column: age_years, op: '<', value: 40}]}\n"
    "      - {level: old, where: [{column: age_years, op: '>=', value: 60}]}\n"
    "    otherwise: other\n"
)


def test_the_warning_names_the_missing_column_only(mini_study):
    patients = _dedent(MINI_FILES["patients.csv"]).replace("P2,male,40,", "P2,male,,")
    path = mini_study(
        files={"patients.csv": patients},
        yaml_edit=lambda y: y.replace("inclusion:\n", GROUPS + "inclusion:\n", 1),
    )
    result = clean_study(StudyConfig.load(path))
    said = [w for w in result.warnings if w.startswith("groups.band:")]
    assert len(said) == 1
    assert "conditions read (`age_years`) being missing" in said[0]
