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


def test_a_value_a_from_column_map_does_not_list_is_warned_of(mini_study):
    # only HN III is mapped: the included patients of another grade have no level
    groups = (
        "  hamilton:\n    levels: [three]\n"
        "    from_column: {column: baseline_grade, map: {'HN III': three}}\n"
    )
    path = mini_study(yaml_edit=lambda y: y.replace("inclusion:\n", groups + "inclusion:\n", 1))
    result = clean_study(StudyConfig.load(path))
    p = result.patients.set_index("patient_id")
    unmapped = int((p["baseline_grade"].notna() & p["hamilton"].isna()).sum())
    assert unmapped >= 1
    said = [w for w in result.warnings if w.startswith("groups.hamilton:")]
    assert said == [
        f"groups.hamilton: {unmapped} included patient(s) have a value of `baseline_grade` that "
        "`from_column.map` does not list, and no level. A table by `hamilton` stops until the "
        "map lists it (docs/config.md, `groups`) or they are left out (a `population` with "
        "`where: [{column: hamilton, op: not_missing}]`)."
    ]
