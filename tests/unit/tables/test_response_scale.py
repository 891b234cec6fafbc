"""A response table on a study's own grade scale: the grade shown again as a row of its own was
"marked improvement" whatever the scale (a study grading worse / unchanged / partial clearance /
almost clear could not build the table, and the message pointed at a key that did not exist);
it is now `derive.marked_level`, by default the scale's last (best) grade."""

from __future__ import annotations

import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.plan import AnalysisPlan, ResponseTable
from analysis.tables.study_tables import build_tables
from tests.conftest import MINI_FILES

SCALE = {
    "worsening": "worse",
    "stabilization": "unchanged",
    "mild improvement": "partial clearance",
    "marked improvement": "almost clear",
}


def _scaled(text: str) -> str:
    for old, new in SCALE.items():
        text = text.replace(old, new)
    return text


def _study(mini_study, derive_edit=lambda y: y) -> StudyConfig:
    assess = _scaled(MINI_FILES["assess.csv"]).replace("mejoría marcada", "almost clear")
    return StudyConfig.load(
        mini_study(files={"assess.csv": assess}, yaml_edit=lambda y: derive_edit(_scaled(y)))
    )


def _marked_rows(config: StudyConfig):
    spec = ResponseTable(kind="response", by="sex", within=None)
    config = config.model_copy(update={"analysis": AnalysisPlan(tables={"r": spec}, figures=[])})
    table = build_tables(config, clean_study(config))["r"]
    frame = table.frame
    return frame.loc[frame["variable"] == "marked_improvement"], table.display()


def test_the_marked_grade_is_the_best_of_the_studys_own_scale(mini_study):
    rows, shown = _marked_rows(_study(mini_study))
    assert set(rows["level"]) == {"almost clear"}
    assert "Almost clear" in set(shown.iloc[:, 0].str.strip())


def test_a_declared_marked_grade(mini_study):
    config = _study(
        mini_study,
        lambda y: y.replace("derive:\n", "derive:\n  marked_level: partial clearance\n", 1),
    )
    rows, _ = _marked_rows(config)
    assert set(rows["level"]) == {"partial clearance"}


def test_an_unknown_marked_grade_and_a_response_table_without_improvement_levels(mini_study):
    with pytest.raises(ConfigError, match="derive.marked_level: 'almost clean' is not a level"):
        _study(
            mini_study,
            lambda y: y.replace("derive:\n", "derive:\n  marked_level: almost clean\n", 1),
        )
    plan = "analysis:\n  tables:\n    r: {kind: response, by: sex}\n"
    with pytest.raises(ConfigError, match="a response table needs `derive.improvement_levels`"):
        _study(
            mini_study,
            lambda y: (
                y.replace("  improvement_levels: [partial clearance, almost clear]\n", "") + plan
            ),
        )
