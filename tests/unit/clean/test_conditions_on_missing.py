"""A comparison with a missing value is not met, whatever the operator: ``!=`` and ``not_in``
let a patient of unknown age group into a cohort of "not young" patients (a probe: 134 patients
with ``op: "!="``, 133 with the equivalent ``op: in``), while ``>=`` excluded the same patient
with no word of why. Now both exclude, the reason names the missing column, and the run
warns (as SQL and ``dplyr::filter`` treat a missing value)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.clean.derive import evaluate_conditions
from analysis.clean.flow import apply_inclusion
from analysis.studyfile.config import Criterion
from analysis.studyfile.design import Condition

PATIENTS = pd.DataFrame(
    {
        "patient_id": ["p1", "p2", "p3", "p4"],
        "age_group": pd.Categorical(["young", "middle", None, "older"]),
        "age_years": [30.0, 50.0, np.nan, 70.0],
        "source_file": "patients.csv",
        "source_sheet": "",
        "source_row": [2, 3, 4, 5],
    }
)


@pytest.mark.parametrize(
    ("op", "value", "kept"),
    [
        ("!=", "young", ["p2", "p4"]),
        ("not_in", ["young"], ["p2", "p4"]),
        ("in", ["middle", "older"], ["p2", "p4"]),
        ("==", "middle", ["p2"]),
        ("is_missing", None, ["p3"]),
        ("not_missing", None, ["p1", "p2", "p4"]),
    ],
)
def test_equivalent_conditions_keep_the_same_patients(op, value, kept):
    mask = evaluate_conditions(PATIENTS, [Condition(column="age_group", op=op, value=value)])
    assert PATIENTS.loc[mask, "patient_id"].tolist() == kept


@pytest.mark.parametrize("op", [">=", "<", "!="])
def test_a_number_compared_with_a_missing_value_is_not_met(op):
    mask = evaluate_conditions(PATIENTS, [Condition(column="age_years", op=op, value=40)])
    assert not mask.iloc[2]


def test_the_exclusion_names_the_missing_column_and_the_run_warns():
    config = SimpleNamespace(
        inclusion=[
            Criterion(
                id="not_young",
                label="Not aged under 40",
                where=[Condition(column="age_group", op="!=", value="young")],
            )
        ],
        sources=[SimpleNamespace(table="patients", file="patients.csv")],
    )
    excluded: list[pd.DataFrame] = []
    removed: dict[str, tuple[str, str]] = {}
    warnings: list[str] = []
    kept, flow = apply_inclusion(
        PATIENTS, config, 4, pd.DataFrame(), removed, excluded, warnings=warnings
    )
    assert kept["patient_id"].tolist() == ["p2", "p4"]
    reasons = dict(zip(excluded[0]["patient_id"], excluded[0]["reason"], strict=True))
    assert reasons == {
        "p1": "not met: Not aged under 40",
        "p3": "not met: Not aged under 40 (`age_group` missing)",
    }
    assert removed["p3"] == ("inclusion:not_young", reasons["p3"])
    assert len(warnings) == 1
    assert warnings[0].startswith("inclusion.not_young (Not aged under 40): 1 patient excluded")
    assert "(`age_group`)" in warnings[0]
    assert flow["n_remaining"].tolist()[-1] == 2


def test_a_group_level_by_a_not_equal_condition_is_open_on_a_missing_value():
    from analysis.clean.condition_levels import condition_levels
    from analysis.studyfile.design import Group, LevelWhen

    group = Group(
        levels=["adult", "other"],
        conditions=[
            LevelWhen(level="adult", where=[Condition(column="age_group", op="!=", value="young")])
        ],
        otherwise="other",
    )
    levels = condition_levels(PATIENTS, group)
    # p3's age group is unknown: neither adult nor other (it was "adult" by `!=`)
    assert levels.tolist() == ["other", "adult", None, "adult"]


def _age_group(*conditions: tuple[str, str, object], otherwise: str | None = None):  # noqa: ANN202
    from analysis.studyfile.design import Group, LevelWhen

    levels = list(dict.fromkeys(level for level, _, _ in conditions))
    return Group(
        levels=levels + ([otherwise] if otherwise else []),
        conditions=[
            LevelWhen(level=level, where=[Condition(column="age_years", op=op, value=value)])
            for level, op, value in conditions
        ],
        otherwise=otherwise,
    )


@pytest.mark.parametrize("unknown_first", [True, False])
def test_a_level_for_a_missing_value_is_reached_wherever_it_stands(unknown_first):
    """A probe put `unknown: is_missing` after the comparisons, as a clinician writes it: the
    patient of unknown age stayed without a level (the comparisons before it were open) and
    every table by the group stopped. The group places a missing age itself: the comparisons
    on the age fail on it, in either order."""
    from analysis.clean.condition_levels import condition_levels, open_level_warnings

    unknown = ("unknown", "is_missing", None)
    bands = [("under 40", "<", 40), ("40 or more", ">=", 40)]
    group = _age_group(*([unknown, *bands] if unknown_first else [*bands, unknown]))
    levels = condition_levels(PATIENTS, group)
    assert levels.tolist() == ["under 40", "40 or more", "unknown", "40 or more"]
    config = SimpleNamespace(groups={"age_band": group})
    assert open_level_warnings(PATIENTS.assign(age_band=levels), config) == []


def test_a_missing_value_no_condition_places_still_leaves_no_level_and_says_how_to_place_it():
    from analysis.clean.condition_levels import condition_levels, open_level_warnings

    group = _age_group(("under 40", "<", 40), ("40 or more", ">=", 40))
    levels = condition_levels(PATIENTS, group)
    assert levels.tolist() == ["under 40", "40 or more", None, "40 or more"]
    config = SimpleNamespace(groups={"age_band": group})
    (said,) = open_level_warnings(PATIENTS.assign(age_band=levels), config)
    assert said.startswith(
        "groups.age_band: 1 included patient(s) have no level, a value its conditions read "
        "(`age_years`) being missing. A table by `age_band` stops until they have a level (a "
        "condition `{column: age_years, op: is_missing}` for it, at any place in the list)"
    )
    assert "otherwise" not in said  # the group has none


@pytest.mark.parametrize(
    ("op", "fields", "said"),
    [
        (
            ">=",
            {},
            '`op: ">="` on `age_years` compares with a value, and the condition has no `value`',
        ),
        (
            "==",
            {"value": None},
            "the condition has `value: null`; give the value (e.g. `value: 6`)",
        ),
        ("in", {}, "give the value (e.g. `value: [a, b]`)"),
        (
            "not_missing",
            {"value": 6},
            "`op: not_missing` on `age_years` takes no `value` (found 6)",
        ),
    ],
)
def test_a_condition_whose_value_does_not_fit_its_op_is_refused(op, fields, said):
    # without a value, ">=" excluded every patient of a probe's cohort with exit 0
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as exc:
        Condition(column="age_years", op=op, **fields)
    assert said in str(exc.value)
