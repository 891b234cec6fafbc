"""The flow diagram counts the patients a criterion leaves out because the value it compares is
missing on a line of their own: "age < 30 years (n = 57)" counted 5 patients without an age
(a comparison with a missing value is not met, docs/config.md), so the box said what was not
so. The expected numbers are counted with pandas on the shipped study's own cohort."""

from __future__ import annotations

from analysis.clean.stage import clean_study
from analysis.figures.flow import criterion_reason, flow_counts
from tests.study_files import shipped_study_changed


def _adults(doc: dict) -> None:
    doc["inclusion"].append(
        {
            "id": "thirty",
            "label": "Aged 30 or more",
            "where": [{"column": "age_years", "op": ">=", "value": 30}],
        }  # fmt: skip
    )


def test_patients_without_the_value_are_counted_apart(tmp_path):
    before = clean_study(shipped_study_changed(tmp_path / "a", "dutasteride_mesotherapy", _nothing))
    age = before.patients["age_years"]
    young, unknown = int((age < 30).sum()), int(age.isna().sum())
    assert young and unknown  # the twin has both
    config = shipped_study_changed(tmp_path / "b", "dutasteride_mesotherapy", _adults)
    result = clean_study(config)
    reasons = {f"inclusion:{c.id}": criterion_reason(c.where) for c in config.inclusion}
    rows = flow_counts(result, reasons=reasons)
    reason = rows.loc[rows["kind"] == "reason"]
    shown = dict(zip(reason["label"], reason["n"], strict=True))
    assert shown["age < 30 years"] == young
    assert shown["age missing"] == unknown
    assert len(result.patients) == len(before.patients) - young - unknown


def _nothing(doc: dict) -> None:
    return None
