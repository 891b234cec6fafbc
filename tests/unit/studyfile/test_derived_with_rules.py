"""A derived column the study declares no rule for (``baseline_severity`` without
``derive.grade_severity``, ``schedule_months_year1`` without ``derive.schedule_months``) passed
the study-file checks and stopped the tables stage ("the data has no column
'baseline_severity'"). It is now refused when the study file is read, saying which rule makes
it."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from tests.study_files import shipped_study_changed


@pytest.mark.parametrize(
    ("rule", "column", "words"),
    [
        ("grade_severity", "baseline_severity", "`derive.grade_severity`"),
        ("schedule_months", "schedule_months_year1", "`derive.schedule_months`"),
    ],
)
def test_a_column_derived_only_with_a_rule_is_refused_without_it(tmp_path, rule, column, words):
    def change(doc: dict) -> None:
        del doc["derive"][rule]

    with pytest.raises(ConfigError) as exc:
        shipped_study_changed(tmp_path, "dutasteride_mesotherapy", change)
    assert f"'{column}' (derived only when the study file declares {words})" in str(exc.value)
