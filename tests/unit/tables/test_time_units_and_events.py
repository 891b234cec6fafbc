"""Designs a study file describes with its own time and event columns.

A Kaplan–Meier table on `time_to_first_teae_days` printed S at day 6 as "S(6 months)" (women
99.7% where S at 6 months is 81.1%), and its figure stopped with StopIteration (no tick step
for 2,000 "months"). A group as the event ("stopped for an adverse effect": yes / no) stopped
with pandas' "Cannot cast object dtype to int64". A number quoted in a condition ("18") stopped
the clean stage with "Invalid comparison between dtype=float64 and str", and under `in` it
matched nobody, in silence. The expected numbers come from lifelines, fitted here on the
cleaned patients.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from lifelines import KaplanMeierFitter  # noqa: E402

from analysis.clean.derive import evaluate_conditions  # noqa: E402
from analysis.errors import ConfigError  # noqa: E402
from analysis.figures.survival import _default_times  # noqa: E402
from analysis.run.study import Study  # noqa: E402
from analysis.stats.event_flag import event_flag  # noqa: E402
from analysis.studyfile.column_kinds import months_per, time_unit  # noqa: E402
from analysis.studyfile.config import StudyConfig  # noqa: E402
from tests.study_files import shipped_study_changed  # noqa: E402

STUDY = Path(__file__).resolve().parents[3] / "studies" / "low_dose_oral_minoxidil.yaml"


def _study(tmp_path: Path, change) -> StudyConfig:  # noqa: ANN001 - a function of the dict
    return shipped_study_changed(tmp_path, "low_dose_oral_minoxidil", change)


def _add_table(name: str, spec: dict) -> object:
    def change(doc: dict) -> None:
        doc["analysis"]["tables"][name] = spec

    return change


def _surv(frame: pd.DataFrame, level: str, month: int) -> float:
    """S(month) of the group ``level`` from the table's ARD."""
    rows = frame.loc[
        (frame["context"] == f"kaplan_meier_at_{month}")
        & (frame["stat"] == "surv")
        & (frame["group1_level"].astype(str) == level)
    ]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def _km_at(times: pd.Series, events: pd.Series, months: list[int]) -> list[float]:
    fit = KaplanMeierFitter().fit(times, events.astype(int))
    return [float(v) for v in fit.survival_function_at_times(months)]


def test_the_unit_of_a_time_comes_from_its_declaration_or_its_name():
    config = StudyConfig.load(STUDY)
    assert time_unit(config, "time_to_first_teae_days") == "days"
    assert time_unit(config, "time_to_discontinuation_months") == "months"
    assert time_unit(config, "age_years") == "years"  # by its name
    assert time_unit(config, "n_teae") is None
    assert months_per("days", 30.4375) == pytest.approx(1 / 30.4375)
    assert months_per("years", 30.4375) == pytest.approx(12.0)
    assert months_per("weeks", 30.4375) == pytest.approx(7 / 30.4375)


def test_a_time_in_days_is_shown_in_months(tmp_path):
    config = _study(
        tmp_path,
        _add_table(
            "ttfae",
            {
                "kind": "time_to_event",
                "time": "time_to_first_teae_days",
                "event": "has_teae",
                "by": "sex",
            },  # fmt: skip
        ),
    )
    study = Study(config)
    table = study.tables["ttfae"]
    patients = study.clean.patients
    for sex in ("female", "male"):
        mine = patients.loc[patients["sex"].astype(str) == sex]
        expected = _km_at(mine["time_to_first_teae_days"] / 30.4375, mine["has_teae"], [6, 12])
        got = [_surv(table.frame, sex, m) for m in (6, 12)]
        assert got == pytest.approx(expected, abs=1e-9)
    assert expected[0] < 0.95  # not S at day 6 (99.7% and 100% were printed)
    assert any("counted in days and shown in months (days / 30.4375)" in n for n in table.footnotes)


def test_a_km_figure_of_a_time_in_days_is_drawn_in_months(tmp_path):
    def change(doc: dict) -> None:
        doc["analysis"]["figures"].append(
            {
                "kind": "km",
                "name": "km_teae",
                "time": "time_to_first_teae_days",
                "event": "has_teae",
                "by": "sex",
            }  # fmt: skip
        )

    from analysis.figures.study_figures import draw_figures

    study = Study(_study(tmp_path, change))
    fig = draw_figures(study, ["km_teae"])["km_teae"]
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("Months since")
    assert max(ax.get_xticks()) < 80  # months, not 2,000 days
    assert _default_times(2000)[-1] == 2000  # a time in days passed straight on: ticks too


def test_a_time_of_no_known_unit_is_refused_with_the_study_file(tmp_path):
    change = _add_table(
        "odd", {"kind": "time_to_event", "time": "n_teae", "event": "has_teae", "by": "sex"}
    )
    with pytest.raises(ConfigError, match=r"analysis.tables.odd.time: the unit of 'n_teae'"):
        _study(tmp_path, change)


def _stopped_for_ae(levels: list[str]) -> object:
    def change(doc: dict) -> None:
        doc.setdefault("groups", {})["stopped_for_ae"] = {
            "label": "Stopped for an adverse effect",
            "levels": levels,
            "conditions": [
                {
                    "level": levels[0],
                    "where": [{"column": "is_discontinued", "op": "==", "value": True}],
                }  # fmt: skip
            ],
            "otherwise": levels[1],
        }
        doc["analysis"]["tables"]["tt_stop"] = {
            "kind": "time_to_event",
            "time": "time_to_discontinuation_months",
            "event": "stopped_for_ae",
            "by": "therapy_group",
        }

    return change


def test_a_group_of_levels_yes_and_no_is_an_event(tmp_path):
    study = Study(_study(tmp_path, _stopped_for_ae(["yes", "no"])))
    frame = study.tables["tt_stop"].frame
    patients = study.clean.patients
    mine = patients.loc[patients["therapy_group"].astype(str) == "monotherapy"]
    events = mine["stopped_for_ae"].astype(str) == "yes"
    assert events.sum() == mine["is_discontinued"].sum() > 0
    expected = _km_at(mine["time_to_discontinuation_months"], events, [12])
    assert _surv(frame, "monotherapy", 12) == pytest.approx(expected[0], abs=1e-9)


def test_a_group_of_other_levels_is_refused_as_the_event(tmp_path):
    with pytest.raises(ConfigError, match=r"is a group of levels \['stopped', 'on'\]"):
        _study(tmp_path, _stopped_for_ae(["stopped", "on"]))


def test_event_flag_reads_yes_no_forms_and_refuses_the_rest():
    assert event_flag(pd.Series([True, False]), "e").tolist() == [1, 0]
    assert event_flag(pd.Series([1, 0, 1]), "e").tolist() == [1, 0, 1]
    assert event_flag(pd.Series(pd.Categorical(["Yes", "no"])), "e").tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"the event `e` is missing for 1 patient"):
        event_flag(pd.Series([1.0, None]), "e")
    with pytest.raises(ValueError, match=r"numbers other than 0 and 1 \(2\)"):
        event_flag(pd.Series([0, 2]), "e")
    with pytest.raises(ValueError, match=r"has the levels \['off', 'on'\]"):
        event_flag(pd.Series(["on", "off"]), "e")


def test_a_quoted_number_in_a_condition_is_refused_with_its_key(tmp_path):
    def change(doc: dict) -> None:
        doc["inclusion"].append(
            {
                "id": "adult",
                "label": "Adult",
                "where": [{"column": "age_years", "op": ">=", "value": "18"}],
            }  # fmt: skip
        )

    with pytest.raises(ConfigError, match=r"\(adult\)\.where\[0\]\.value: age_years holds numbers"):
        _study(tmp_path, change)


@pytest.mark.parametrize(("op", "value"), [("==", "3"), ("in", ["1", "2"]), (">=", "18")])
def test_text_compared_with_a_number_column_stops_instead_of_matching_nobody(op, value):
    data = pd.DataFrame({"n_exposures": [1, 2, 3]})
    cond = SimpleNamespace(column="n_exposures", op=op, value=value)
    with pytest.raises(ConfigError, match=r"`n_exposures` holds numbers and '\d+' is text"):
        evaluate_conditions(data, [cond])
    ok = SimpleNamespace(column="n_exposures", op="in", value=[1, 2])
    assert evaluate_conditions(data, [ok]).tolist() == [True, True, False]


def test_administrative_censoring_counts_only_the_events_before_it(tmp_path):
    from lifelines import CoxPHFitter

    spec = {"kind": "time_to_event", "time": "time_to_discontinuation_months",
            "event": "is_discontinued", "by": "therapy_group", "censor_at_months": 12,
            "covariates": {"sex": "female"}}  # fmt: skip
    study = Study(_study(tmp_path, _add_table("tt12", spec)))
    km, cox = study.tables["tt12"], study.tables["tt12_cox"]
    patients = study.clean.patients
    time = patients["time_to_discontinuation_months"]
    stopped = patients["is_discontinued"].astype(bool)
    events = km.frame.loc[(km.frame["context"] == "kaplan_meier") & (km.frame["stat"] == "events")]
    assert int(events["value"].sum()) == int((stopped & (time <= 12)).sum())
    assert int(events["value"].sum()) < int(stopped.sum())  # some stopped later: not counted
    assert any(n.startswith("Administrative censoring at 12 months: ") for n in km.footnotes)
    assert any(n.startswith("Administrative censoring at 12 months: ") for n in cox.footnotes)
    data = pd.DataFrame(
        {
            "t": time.clip(upper=12),
            "e": (stopped & (time <= 12)).astype(int),
            "male": (patients["sex"].astype(str) == "male").astype(int),
        }
    )
    hr = float(CoxPHFitter().fit(data, "t", "e").hazard_ratios_["male"])
    got = cox.frame.loc[(cox.frame["stat"] == "estimate") & (cox.frame["level"] == "male")]
    assert float(got["value"].iloc[0]) == pytest.approx(hr, rel=1e-6)
