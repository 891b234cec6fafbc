"""Edge cases, contracts and error messages of ``analysis.stats.survival``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.ard import STATS, get, published
from analysis.stats import _km
from analysis.stats.survival import (
    SurvivalInputError,
    cox_ard,
    cox_model,
    km_ard,
    km_at_context,
    km_at_times,
    km_context_time,
    km_median,
    km_method,
    km_table,
    logrank_ard,
    logrank_test,
    survival_ard,
)


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    from lifelines.datasets import load_lung

    return load_lung()[["time", "status", "age", "sex"]]


def frame(times: list[float], events: list[int], **extra: list) -> pd.DataFrame:
    return pd.DataFrame({"time": times, "event": events, **extra})


# ------------------------------------------------------------------ CI transforms ----------


@pytest.mark.parametrize("by", [None, "sex"])
def test_log_log_ci_equals_lifelines(lung: pd.DataFrame, by: str | None) -> None:
    from lifelines import KaplanMeierFitter

    tab = km_table(lung, time="time", event="status", by=by, conf_type="log-log")
    groups = [(None, lung)] if by is None else list(lung.groupby(by))
    for key, sub in groups:
        ours = tab if key is None else tab[tab[by] == key]
        kmf = KaplanMeierFitter().fit(sub["time"], sub["status"])
        ci = kmf.confidence_interval_survival_function_.loc[ours["time"]]
        np.testing.assert_allclose(ours["lower"], ci.iloc[:, 0], rtol=0, atol=1e-10)
        np.testing.assert_allclose(ours["upper"], ci.iloc[:, 1], rtol=0, atol=1e-10)
        np.testing.assert_allclose(
            ours["surv"], kmf.survival_function_.loc[ours["time"]].iloc[:, 0], atol=1e-12
        )


def test_plain_ci_is_s_plus_minus_z_se_clipped() -> None:
    data = frame([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 1, 0])
    tab = km_table(data, time="time", event="event", conf_type="plain", alpha=0.1)
    z = 1.6448536269514722
    np.testing.assert_allclose(tab["lower"], np.clip(tab["surv"] - z * tab["std_err"], 0, 1))
    np.testing.assert_allclose(tab["upper"], np.clip(tab["surv"] + z * tab["std_err"], 0, 1))


def test_log_ci_upper_capped_at_one_and_nan_where_curve_is_zero() -> None:
    tab = km_table(frame([1, 2, 3], [1, 1, 1]), time="time", event="event")
    assert tab["upper"].iloc[0] == 1.0  # S = 2/3 with a wide interval: capped as in R
    assert tab["surv"].iloc[-1] == 0.0
    assert tab[["std_err", "lower", "upper"]].iloc[-1].isna().all()


def test_unknown_conf_type_and_alpha_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"conf_type='arcsin' is not supported; use one of"):
        km_table(frame([1], [1]), time="time", event="event", conf_type="arcsin")
    with pytest.raises(ValueError, match=r"alpha=1.5 must be between 0 and 1"):
        km_median(frame([1], [1]), time="time", event="event", alpha=1.5)


# ------------------------------------------------------------------ medians ----------------


def test_median_is_midpoint_when_curve_is_flat_at_one_half() -> None:
    # S = 0.75, 0.5, 0.25, 0 at 1..4: R (like the sample median) reports (2 + 3) / 2
    med = km_median(frame([1, 2, 3, 4], [1, 1, 1, 1]), time="time", event="event").iloc[0]
    assert med["median"] == 2.5


def test_median_flat_at_one_half_to_end_of_follow_up() -> None:
    # S = 0.5 from t = 2 to the last (censored) time 4: R averages 2 and the end, 4
    med = km_median(frame([1, 2, 3, 4], [1, 1, 0, 0]), time="time", event="event").iloc[0]
    assert med["median"] == 3.0


def test_median_not_reached_is_nan() -> None:
    med = km_median(frame([1, 2, 3, 4], [1, 0, 0, 0]), time="time", event="event").iloc[0]
    assert np.isnan(med["median"]) and np.isnan(med["upper"])
    assert (med["n"], med["events"]) == (4, 1)


def test_crossing_time_uses_smallest_level_for_non_monotone_ci_curves() -> None:
    # A confidence curve may rise again in the tail; R's rule takes the step with the largest
    # value at or below 0.5 (t = 3, 0.48), not the first crossing (t = 2, 0.45).
    times = np.array([1.0, 2.0, 3.0, 4.0])
    curve = np.array([0.8, 0.45, 0.48, 0.3])
    assert _km.crossing_time(times, curve) == 3.0
    assert np.isnan(_km.crossing_time(times, np.array([0.9, 0.8, 0.7, 0.6])))


# ------------------------------------------------------------------ at chosen times --------


def test_at_times_before_first_and_after_last_time() -> None:
    data = frame([2, 3, 5], [1, 0, 1])
    got = km_at_times(data, time="time", event="event", times=[1, 5, 9])
    assert got["time"].tolist() == [1.0, 5.0]  # 9 > last time: dropped, as R extend = FALSE
    first = got.iloc[0]
    assert (first["surv"], first["std_err"], first["lower"], first["n_risk"]) == (1, 0, 1, 3)
    # n_event / n_censor count since the previous listed time, as R's summary(times = )
    assert got[["n_event", "n_censor"]].iloc[1].tolist() == [2, 1]
    extended = km_at_times(data, time="time", event="event", times=[9], extend=True).iloc[0]
    assert (extended["n_risk"], extended["surv"]) == (0, 0)


# ------------------------------------------------------------------ log-rank ---------------


def test_three_group_logrank_equals_lifelines(lung: pd.DataFrame) -> None:
    from lifelines.statistics import multivariate_logrank_test

    data = lung.assign(
        age_band=pd.cut(lung["age"], [0, 55, 65, 100], labels=["<55", "55-65", ">65"])
    )
    ours = logrank_test(data, time="time", event="status", by="age_band")
    ref = multivariate_logrank_test(data["time"], data["age_band"], data["status"])
    assert ours["df"] == 2
    assert ours["statistic"] == pytest.approx(ref.test_statistic, rel=1e-9)
    assert ours["p_value"] == pytest.approx(ref.p_value, rel=1e-8)
    assert ours["groups"] == ["age_band=<55", "age_band=55-65", "age_band=>65"]
    assert sum(ours["observed"]) == pytest.approx(sum(ours["expected"]))


def test_logrank_needs_by() -> None:
    with pytest.raises(ValueError, match="logrank_test needs `by`"):
        logrank_test(frame([1, 2], [1, 1]), time="time", event="event", by=[])


# ------------------------------------------------------------------ Cox --------------------


def test_cox_ties_other_than_efron_are_refused(lung: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"ties='breslow' is not available: .*use ties='efron'"):
        cox_model(lung, time="time", event="status", covariates=["sex"], ties="breslow")


def test_stratified_cox_runs_and_reports_strata(lung: pd.DataFrame) -> None:
    data = lung.assign(older=(lung["age"] > 63).astype(int))
    res = cox_model(data, time="time", event="status", covariates=["sex"], strata="older")
    assert (
        res.method == "Cox PH, Efron ties, stratified by older; HR = exp(coef); 95% Wald CI; Wald p"
    )
    assert 0.4 < res.summary.at["sex", "hr"] < 0.8
    assert list(res.ph_test.index) == ["sex", "GLOBAL"]
    assert res.ph_method.startswith("PH score test of x*g(t), g = km transform (R survival>=3")


def test_ph_transforms_differ_and_log_needs_positive_times(lung: pd.DataFrame) -> None:
    km = cox_model(lung, time="time", event="status", covariates=["sex"]).ph_test
    rank = cox_model(lung, time="time", event="status", covariates=["sex"], ph_transform="rank")
    assert rank.ph_test.at["sex", "statistic"] != pytest.approx(km.at["sex", "statistic"])
    with pytest.raises(ValueError, match="ph_transform='log' needs every time > 0"):
        cox_model(frame([0, 1, 2, 3], [1, 1, 0, 1], x=[0, 1, 0, 1]), time="time", event="event",
                  covariates=["x"], ph_transform="log")  # fmt: skip


def test_cox_rejects_non_numeric_covariate(lung: pd.DataFrame) -> None:
    data = lung.assign(sex_label=lung["sex"].map({1: "male", 2: "female"}))
    with pytest.raises(
        SurvivalInputError, match=r"covariate `sex_label` is not numeric .*get_dummies"
    ):
        cox_model(data, time="time", event="status", covariates=["sex_label"])


# ------------------------------------------------------------------ input checks -----------


def test_negative_times_and_bad_event_codes_reported_together() -> None:
    data = frame([5, -1, 3, -2, 7], [1, 2, 2, 0, 1])
    with pytest.raises(SurvivalInputError) as err:
        km_table(data, time="time", event="event")
    msg = str(err.value)
    assert msg.startswith("cannot run the survival analysis (2 problem(s)):")
    assert (
        "`time` has 2 negative value(s) (rows 1, 3); survival times must be >= 0: fix the dates "
        "that produce them or exclude those rows (with a logged reason) first."
    ) in msg
    assert (
        "`event` has 2 value(s) not coded 0/1 (found ['2']; rows 1, 2); code events as "
        "1 = event, 0 = censored (for R's 1 = censored / 2 = event coding, subtract 1)."
    ) in msg


def test_r_style_1_2_status_is_rejected_with_the_fix(lung: pd.DataFrame) -> None:
    r_coded = lung.assign(status=lung["status"] + 1)
    with pytest.raises(
        SurvivalInputError, match=r"`status` has 165 value\(s\) not coded 0/1 .*subtract 1"
    ):
        km_median(r_coded, time="time", event="status")


def test_missing_values_and_columns_are_reported() -> None:
    data = frame([1, np.nan, 3], [1, 1, np.nan], arm=["a", None, "b"])
    with pytest.raises(SurvivalInputError) as err:
        km_table(data, time="time", event="event", by="arm")
    msg = str(err.value)
    assert "(3 problem(s))" in msg
    assert "`time` has 1 missing value(s) (rows 1); R would drop these rows silently" in msg
    assert "`event` has 1 missing value(s) (rows 2)" in msg
    assert "`arm` has 1 missing value(s) (rows 1)" in msg
    with pytest.raises(SurvivalInputError, match=r"column\(s\) \['days'\] not found in the data"):
        km_table(data, time="days", event="event")


def test_empty_data_is_reported() -> None:
    with pytest.raises(SurvivalInputError, match="the data has no rows; check the filters"):
        km_table(frame([], []), time="time", event="event", by="event")


def test_boolean_events_are_accepted() -> None:
    a = km_table(frame([1, 2, 3], [True, False, True]), time="time", event="event")
    b = km_table(frame([1, 2, 3], [1, 0, 1]), time="time", event="event")
    pd.testing.assert_frame_equal(a, b)


def test_inputs_are_not_mutated(lung: pd.DataFrame) -> None:
    data = lung.assign(arm=np.where(lung["age"] > 63, "old", "young"))
    before = data.copy(deep=True)
    km_table(data, time="time", event="status", by=["sex", "arm"])
    km_at_times(data, time="time", event="status", times=[100], by="arm")
    km_median(data, time="time", event="status", by="arm")
    logrank_test(data, time="time", event="status", by="arm")
    cox_model(data, time="time", event="status", covariates=["age", "sex"], strata="arm")
    survival_ard(data, time="time", event="status", by="arm", times=[365], covariates=["sex"])
    pd.testing.assert_frame_equal(data, before)


# ------------------------------------------------------------------ ARD --------------------


def test_km_ard_groups_levels_stats_and_methods(lung: pd.DataFrame) -> None:
    data = lung.assign(arm=np.where(lung["age"] > 63, "old", "young"))
    ard = km_ard(data, time="time", event="status", by=["sex", "arm"], times=[180, 365])
    assert list(published(ard).columns) == [
        "table", "context", "variable", "level", "group1", "group1_level", "group2",
        "group2_level", "reference", "stat", "value", "method",
    ]  # fmt: skip
    assert set(ard["stat"]) <= set(STATS)
    # a listed time is a context of its own; level is always "" (the time has no levels)
    assert set(ard["context"]) == {"kaplan_meier", "kaplan_meier_at_180", "kaplan_meier_at_365"}
    assert sorted(ard["group"].unique()) == [
        "sex=1;arm=old", "sex=1;arm=young", "sex=2;arm=old", "sex=2;arm=young",
    ]  # fmt: skip
    assert sorted(set(map(tuple, ard[["group1_level", "group2_level"]].values))) == [
        ("1", "old"), ("1", "young"), ("2", "old"), ("2", "young"),
    ]  # fmt: skip
    assert set(ard["table"]) == {"time_to_event"} and set(ard["variable"]) == {"time"}
    assert set(ard["level"]) == {""}
    summary = ard[(ard["group"] == "sex=2;arm=young") & (ard["context"] == "kaplan_meier")]
    assert summary["stat"].tolist() == ["n", "events", "median", "ci_low", "ci_high"]
    one = ard[(ard["group"] == "sex=2;arm=young") & (ard["context"] == "kaplan_meier_at_365")]
    assert one["stat"].tolist() == [
        "time", "n_risk", "n_event", "n_censor", "surv", "se", "ci_low", "ci_high",
    ]  # fmt: skip
    assert set(one["method"]) == {
        "Kaplan-Meier; Greenwood variance; 95% log CI (R survfit default conf.type='log')"
    }
    assert km_method("log-log", 0.1) == (
        "Kaplan-Meier; Greenwood variance; 90% log-log CI (R conf.type='log-log'; "
        "lifelines default)"
    )


def test_km_time_contexts_round_trip() -> None:
    assert km_at_context(12) == "kaplan_meier_at_12" and km_at_context(0.5) == "kaplan_meier_at_0.5"
    assert km_context_time("kaplan_meier_at_12") == 12.0
    assert km_context_time("kaplan_meier") is None and km_context_time("kaplan_meier_at_x") is None


def test_a_time_point_is_found_by_its_context(lung: pd.DataFrame) -> None:
    ard = published(km_ard(lung, time="time", event="status", by="sex", times=[180, 365]))
    key = dict(table="time_to_event", variable="time", group={"sex": "1"}, stat="surv")
    assert get(ard, **key, context="kaplan_meier_at_365") == pytest.approx(0.3361, abs=1e-4)
    with pytest.raises(KeyError, match="kaplan_meier_at_180"):
        get(ard, **key)  # two times: get names the contexts to choose from


def test_overall_group_and_custom_table_name(lung: pd.DataFrame) -> None:
    ard = km_ard(lung, time="time", event="status", table="os")
    assert set(ard["group"]) == {"overall"} and set(ard["table"]) == {"os"}
    lr = logrank_ard(logrank_test(lung, time="time", event="status", by="sex"), table="os")
    assert lr["stat"].tolist() == ["statistic", "df", "p_value"]
    # a test across the levels of sex: the group named with an empty level, no level
    assert set(lr["level"]) == {""} and set(lr["group1"]) == {"sex"}
    assert set(lr["group1_level"]) == {""} and set(lr["context"]) == {"log_rank"}
    assert set(lr["method"]) == {"log-rank (R survdiff, rho=0)"}


def test_cox_ard_rows(lung: pd.DataFrame) -> None:
    ard = cox_ard(cox_model(lung, time="time", event="status", covariates=["age", "sex"]))
    # each covariate is the variable (numeric here: no level); the global PH test is the model's
    assert set(ard["level"]) == {""}
    assert ard[["context", "variable"]].drop_duplicates().values.tolist() == [
        ["cox_regression", "age"],
        ["cox_regression", "sex"],
        ["cox_ph_test", "age"],
        ["cox_ph_test", "sex"],
        ["cox_ph_test", "model"],
    ]
    sex = ard[(ard["variable"] == "sex") & (ard["context"] == "cox_regression")].set_index("stat")
    assert sex.loc["estimate", "value"] == pytest.approx(
        np.exp(sex.loc["statistic", "value"] * sex.loc["se", "value"])
    )
    assert sex.loc["se", "method"].endswith("; se of the log HR (coef)")
    glob = ard[ard["variable"] == "model"].set_index("stat")
    assert glob.loc["df", "value"] == 2


def test_survival_ard_without_by_or_covariates_is_km_only(lung: pd.DataFrame) -> None:
    ard = survival_ard(lung, time="time", event="status")
    assert set(ard["level"]) == {""} and set(ard["context"]) == {"kaplan_meier"}
    assert ard.set_index("stat").loc["median", "value"] == 310


def test_a_large_cox_fit_uses_the_batch_efron_terms_and_gives_the_same_numbers(lung):
    """Above COX_BATCH_ABOVE rows the fit computes the Efron terms per distinct time (lifelines'
    batch mode); the estimates and standard errors are those of the row-by-row computation."""
    from lifelines import CoxPHFitter

    from analysis.stats.survival import COX_BATCH_ABOVE

    many = pd.concat([lung] * 30, ignore_index=True).dropna()
    assert len(many) > COX_BATCH_ABOVE
    res = cox_model(many, time="time", event="status", covariates=["age", "sex"])
    rowwise = CoxPHFitter().fit(
        many[["time", "status", "age", "sex"]].astype({"status": int}), "time", "status",
        batch_mode=False, fit_options={"precision": 1e-12, "r_precision": 1e-14, "max_steps": 200},
    )  # fmt: skip
    assert res.summary["coef"].to_numpy() == pytest.approx(rowwise.params_.to_numpy(), rel=1e-9)
    assert res.summary["se"].to_numpy() == pytest.approx(
        rowwise.standard_errors_.to_numpy(), rel=1e-9
    )
