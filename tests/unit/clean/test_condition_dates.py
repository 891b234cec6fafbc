"""A date in a condition of the study file. ``value: 2021-01-01`` unquoted (YAML reads it as a
date) stopped the clean stage with pandas' "Invalid comparison between dtype=datetime64[ns] and
date", an unexpected error with no key or fix; ``==`` against it matched nobody. An unquoted
and a quoted ISO date now mean the same day; anything else is refused with the key's line."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.clean.derive import evaluate_conditions
from analysis.clean.stage import clean_study
from analysis.errors import ConfigError
from analysis.studyfile.condition_dates import condition_date
from tests.study_files import shipped_study_changed

DAYS = pd.DataFrame({"day0_date": pd.to_datetime(["2020-12-31", "2021-01-01", "2021-06-30", None])})


@pytest.mark.parametrize(
    ("op", "value", "met"),
    [
        (">=", dt.date(2021, 1, 1), [False, True, True, False]),
        (">=", "2021-01-01", [False, True, True, False]),
        ("<", dt.datetime(2021, 1, 1), [True, False, False, False]),
        ("==", dt.date(2021, 1, 1), [False, True, False, False]),
        ("!=", dt.date(2021, 1, 1), [True, False, True, False]),  # missing: not met
        ("in", [dt.date(2020, 12, 31), "2021-06-30"], [True, False, True, False]),
        ("not_in", [dt.date(2020, 12, 31)], [False, True, True, False]),
    ],
)
def test_a_date_in_a_condition_compares_as_that_day(op, value, met):
    cond = SimpleNamespace(column="day0_date", op=op, value=value)
    assert evaluate_conditions(DAYS, [cond]).tolist() == met


@pytest.mark.parametrize("value", [18, "01/02/2021", "2021-02-30", True, ["2021-01-01", 5]])
def test_a_value_that_is_no_date_stops_naming_the_condition(value):
    cond = SimpleNamespace(column="day0_date", op=">=", value=value)
    with pytest.raises(ConfigError, match=r"`day0_date` holds dates and .* is not one"):
        evaluate_conditions(DAYS, [cond])


def test_condition_date_reads_yaml_dates_and_iso_text_only():
    assert condition_date(dt.date(2021, 1, 1)) == pd.Timestamp("2021-01-01")
    assert condition_date(" 2021-01-01 ") == pd.Timestamp("2021-01-01")
    assert condition_date(dt.datetime(2021, 1, 1, 10)) == pd.Timestamp("2021-01-01 10:00")
    for value in ["2021-1-1", "01/01/2021", 20210101, None, False]:
        assert condition_date(value) is None


def _with_inclusion(tmp_path, value):
    def change(doc: dict) -> None:
        doc["inclusion"].append(
            {
                "id": "era",
                "label": "First dose from 2019",
                "where": [{"column": "day0_date", "op": ">=", "value": value}],
            }  # fmt: skip
        )

    return shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", change)


def test_an_unquoted_date_selects_as_the_quoted_one_in_a_study(tmp_path):
    unquoted = clean_study(_with_inclusion(tmp_path / "a", dt.date(2019, 1, 1)))
    quoted = clean_study(_with_inclusion(tmp_path / "b", "2019-01-01"))
    day0 = unquoted.patients["day0_date"]
    assert len(unquoted.patients) == len(quoted.patients) > 0
    assert (day0 >= pd.Timestamp("2019-01-01")).all()
    flow = unquoted.flow.set_index("step")
    assert flow.loc["inclusion:era", "n_excluded"] > 0  # some first doses are earlier


def test_a_number_for_a_date_column_is_refused_with_its_key(tmp_path):
    with pytest.raises(ConfigError, match=r"\(era\)\.where\[0\]\.value: day0_date holds dates"):
        _with_inclusion(tmp_path, 2019)
