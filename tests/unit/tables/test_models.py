"""Regression tables (``analysis.tables.models``) on the reference study: odds ratios equal a
direct statsmodels fit, complete cases are counted, errors are clear."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.miscmodels.ordinal_model import OrderedModel

from analysis.ard import select
from analysis.stats.brant import BRANT_METHOD, brant_test
from analysis.stats.regression import LOGIT_METHOD, PO_METHOD
from analysis.tables.models import (
    logistic_model,
    proportional_odds,
    subjects_with_term,
)

MODEL_CONTEXT = {True: "proportional_odds", False: "logistic_regression"}
PO_COVARIATES = ["sex", "age_years", "therapy_group", "baseline_severity"]
AE_COVARIATES = ["sex", "age_years", "therapy_group", "n_exposures"]


@pytest.fixture(scope="module")
def patients(reference_clean):
    return reference_clean.patients


@pytest.fixture(scope="module")
def adverse_events(reference_clean):
    return reference_clean.tables["adverse_events"]


@pytest.fixture(scope="module")
def po(patients):
    return proportional_odds(patients)


def _stat(
    frame: pd.DataFrame, variable: str, contrast: str, stat: str, context: str | None = None
) -> float:
    """``contrast`` "male vs female": the ARD's level "male" with reference "female"; a
    numeric covariate's "per year" is its ``level`` "" (the unit ends the method)."""
    level, _, reference = contrast.partition(" vs ")
    if level.startswith("per "):
        level = ""
    where = {"context": context or MODEL_CONTEXT[frame["table"].iloc[0] == "po_model"]}
    hit = select(frame, variable=variable, level=level, reference=reference, stat=stat, **where)[
        "value"
    ]
    assert len(hit) == 1, (variable, level, stat, len(hit))
    return float(hit.iloc[0])


def _manual_design(patients: pd.DataFrame, outcome: str, covariates: list[str]) -> pd.DataFrame:
    """Dummy coding written out by hand (reference = first level) for the direct fits."""
    cc = patients.dropna(subset=[outcome, *covariates])
    x = pd.DataFrame(index=cc.index)
    for cov in covariates:
        s = cc[cov]
        if isinstance(s.dtype, pd.CategoricalDtype):
            for lv in list(s.cat.categories)[1:]:
                x[f"{cov}[{lv}]"] = (s.astype(str) == lv).astype(float)
        else:
            x[cov] = s.astype(float)
    return cc, x


def test_po_odds_ratios_equal_a_direct_ordered_model_fit(po, patients):
    cc, x = _manual_design(patients, "response_12m", PO_COVARIATES)
    y = cc["response_12m"].cat.remove_unused_categories()
    model = OrderedModel(y, x, distr="logit")
    start = model.fit(method="bfgs", disp=False, maxiter=2000)
    res = model.fit(start_params=start.params.values, method="newton", disp=False, tol=1e-8)
    ci = res.conf_int(alpha=0.05)
    contrasts = {
        "sex[male]": ("sex", "male vs female"),
        "age_years": ("age_years", "per year"),
        "therapy_group[combined]": ("therapy_group", "combined vs monotherapy"),
        "baseline_severity[moderate]": ("baseline_severity", "moderate vs mild"),
        "baseline_severity[severe]": ("baseline_severity", "severe vs mild"),
    }
    f = po.frame
    for col, (var, level) in contrasts.items():
        b = res.params[col]
        assert _stat(f, var, level, "estimate") == pytest.approx(np.exp(b), abs=1e-8)
        assert _stat(f, var, level, "ci_low") == pytest.approx(np.exp(ci.loc[col, 0]), abs=1e-8)
        assert _stat(f, var, level, "ci_high") == pytest.approx(np.exp(ci.loc[col, 1]), abs=1e-8)
        assert _stat(f, var, level, "p_value") == pytest.approx(res.pvalues[col], abs=1e-8)
        assert _stat(f, var, level, "se") == pytest.approx(res.bse[col], abs=1e-8)
    # a plain Newton fit from statsmodels' default start reaches the same optimum
    plain = model.fit(method="newton", disp=False, tol=1e-8, maxiter=100)
    for col, (var, level) in contrasts.items():
        assert np.log(_stat(f, var, level, "estimate")) == pytest.approx(
            plain.params[col], abs=1e-6
        )
    cuts = model.transform_threshold_params(res.params.values)[1:-1]
    assert _stat(f, "response_12m", "worsening", "estimate", "cut_point") == pytest.approx(
        cuts[0], abs=1e-8
    )
    assert _stat(f, "response_12m", "mild improvement", "estimate", "cut_point") == pytest.approx(
        cuts[2], abs=1e-8
    )
    age = select(f, variable="age_years", stat="estimate")
    assert age["level"].tolist() == [""] and age["method"].iloc[0].endswith("; per year")
    assert set(f.loc[f["stat"] == "estimate", "method"].str.split(";").str[0]) == {PO_METHOD}


def test_po_counts_and_footnote_state_complete_cases(po, patients):
    f = po.frame
    n_outcome = int(patients["response_12m"].notna().sum())
    n_cc = int(patients.dropna(subset=["response_12m", *PO_COVARIATES]).shape[0])
    assert _stat(f, "response_12m", "", "n", "proportional_odds") == n_cc == 315
    assert _stat(f, "response_12m", "", "n_missing", "complete_case") == n_outcome - n_cc == 2
    assert (
        _stat(f, "response_12m", "", "n_missing", "proportional_odds") == len(patients) - n_outcome
    )
    assert _stat(f, "baseline_severity", "", "n_missing") == 2
    levels = f.loc[(f["variable"] == "response_12m") & (f["stat"] == "n") & (f["level"] != "")]
    assert levels["value"].sum() == n_cc
    assert levels["level"].tolist() == [
        "worsening",
        "stabilization",
        "mild improvement",
        "marked improvement",
    ]
    notes = " ".join(po.footnotes)
    assert "n = 315 of the 317 subjects" in notes
    assert "2 dropped for missing covariates (missing: baseline_severity 2)" in notes
    assert "Reference levels: sex = female; therapy_group = monotherapy" in notes


def test_po_brant_p_values_in_ard_and_footnote(po, patients):
    f = po.frame
    brant = f.loc[f["context"] == "brant_test"]
    assert set(brant["variable"]) == {*PO_COVARIATES, "response_12m"}
    assert set(brant["level"]) == {""}
    assert set(brant["method"]) == {BRANT_METHOD}
    assert BRANT_METHOD.startswith("Brant test (Brant 1990)")
    # J = 4 grades: df = 2 per slope; baseline_severity has 2 dummies (joint test, df 4)
    assert _stat(f, "sex", "", "df", "brant_test") == 2
    assert _stat(f, "baseline_severity", "", "df", "brant_test") == 4
    assert _stat(f, "response_12m", "", "df", "brant_test") == 10
    for var in [*PO_COVARIATES, "response_12m"]:
        p = _stat(f, var, "", "p_value", "brant_test")
        assert 0.0 <= p <= 1.0
    # the table's Brant test is brant_test on the same complete cases
    cc, x = _manual_design(patients, "response_12m", PO_COVARIATES)
    codes = cc["response_12m"].cat.codes.to_numpy()
    direct = brant_test(
        codes,
        x,
        {
            "sex": ["sex[male]"],
            "age_years": ["age_years"],
            "therapy_group": ["therapy_group[combined]"],
            "baseline_severity": ["baseline_severity[moderate]", "baseline_severity[severe]"],
        },
    )
    assert _stat(f, "response_12m", "", "statistic", "brant_test") == pytest.approx(
        direct.statistic, rel=1e-12
    )
    assert _stat(f, "age_years", "", "p_value", "brant_test") == pytest.approx(
        direct.per_covariate["age_years"][2], rel=1e-12
    )
    note = [n for n in po.footnotes if n.startswith("Proportional-odds assumption")]
    assert len(note) == 1 and "omnibus chi-square" in note[0] and "age_years p = " in note[0]


def test_po_layout(po):
    disp = po.display()
    assert list(disp.columns) == ["Covariate", "OR (95% CI)", "p-value"]
    assert disp["Covariate"].tolist() == [
        "sex: male vs female",
        "age_years (per year)",
        "therapy_group: combined vs monotherapy",
        "baseline_severity: moderate vs mild",
        "baseline_severity: severe vs mild",
    ]
    # a numeric covariate reads with its unit in brackets, in the rows and the reference note
    (ref,) = [n for n in po.footnotes if n.startswith("Reference levels:")]
    assert ref.endswith("; numeric covariates: age_years (per year).")
    or_ = _stat(po.frame, "sex", "male vs female", "estimate")
    assert disp.iloc[0]["OR (95% CI)"].startswith(f"{or_:.2f} (")


def test_po_reference_argument_changes_the_contrast(patients, po):
    alt = proportional_odds(patients, reference={"sex": "male"})
    assert _stat(alt.frame, "sex", "female vs male", "estimate") == pytest.approx(
        1 / _stat(po.frame, "sex", "male vs female", "estimate"), rel=1e-6
    )


@pytest.mark.parametrize("outcome", ["has_teae", "has_pain"])
def test_logistic_equals_statsmodels_logit(patients, adverse_events, outcome):
    data = patients.assign(has_pain=subjects_with_term(patients, adverse_events, "pain"))
    res = logistic_model(
        data,
        outcome=outcome,
        covariates=AE_COVARIATES,
        table=f"{outcome}_m",
        units={"n_exposures": "session"},
    )
    cc, x = _manual_design(data, outcome, AE_COVARIATES)
    direct = sm.Logit(cc[outcome].astype(float), sm.add_constant(x)).fit(disp=False)
    ci = direct.conf_int()
    f = res.frame
    for col, var, level in [
        ("sex[male]", "sex", "male vs female"),
        ("age_years", "age_years", "per year"),
        ("therapy_group[combined]", "therapy_group", "combined vs monotherapy"),
        ("n_exposures", "n_exposures", "per session"),
    ]:
        assert _stat(f, var, level, "estimate") == pytest.approx(
            np.exp(direct.params[col]), abs=1e-8
        )
        assert _stat(f, var, level, "ci_low") == pytest.approx(np.exp(ci.loc[col, 0]), abs=1e-8)
        assert _stat(f, var, level, "ci_high") == pytest.approx(np.exp(ci.loc[col, 1]), abs=1e-8)
        assert _stat(f, var, level, "p_value") == pytest.approx(direct.pvalues[col], abs=1e-8)
    assert _stat(f, outcome, "", "n", "logistic_regression") == len(cc) == 536
    assert _stat(f, outcome, "", "events") == cc[outcome].sum()
    assert _stat(f, outcome, "", "n_missing", "complete_case") == 5
    assert set(f.loc[f["stat"] == "estimate", "method"].str.split(";").str[0]) == {LOGIT_METHOD}
    assert res.name == f"{outcome}_m"
    notes = " ".join(res.footnotes)
    assert f"Events ({outcome}): {int(cc[outcome].sum())} of 536" in notes
    assert "5 dropped for missing covariates (missing: age_years 5)" in notes


def test_subjects_with_term_counts_teae_pain(patients, adverse_events):
    has_pain = subjects_with_term(patients, adverse_events, "pain")
    assert has_pain.name == "has_pain"
    assert has_pain.index.equals(patients.index)
    ae = adverse_events
    ids = set(ae.loc[(ae["ae_term"].astype(str) == "pain") & ae["is_teae"], "patient_id"])
    assert has_pain.sum() == patients["patient_id"].isin(ids).sum() == 246
    every = subjects_with_term(patients, adverse_events, "pain", teae_flag=None)
    assert every.sum() >= has_pain.sum()
    with pytest.raises(ValueError, match="term 'pian' is not a level of `ae_term`"):
        subjects_with_term(patients, adverse_events, "pian")


def test_missing_covariates_are_dropped_and_counted(patients):
    data = patients.copy()
    assessable = data.index[data["response_12m"].notna()]
    data.loc[assessable[:7], "age_years"] = np.nan
    res = proportional_odds(data)
    f = res.frame
    extra = int(data.loc[assessable[:7], "baseline_severity"].notna().sum())
    assert _stat(f, "age_years", "", "n_missing") == 7
    assert _stat(f, "response_12m", "", "n_missing", "complete_case") == 2 + extra
    assert _stat(f, "response_12m", "", "n", "proportional_odds") == 315 - extra
    assert f"{2 + extra} dropped for missing covariates" in " ".join(res.footnotes)


def test_inputs_not_mutated(patients, adverse_events):
    p0, a0 = patients.copy(deep=True), adverse_events.copy(deep=True)
    proportional_odds(patients)
    logistic_model(patients, outcome="has_teae", covariates=AE_COVARIATES)
    subjects_with_term(patients, adverse_events, "pain")
    pd.testing.assert_frame_equal(patients, p0)
    pd.testing.assert_frame_equal(adverse_events, a0)


def test_error_when_ordinal_outcome_has_fewer_than_two_levels(patients):
    one = pd.Categorical(
        np.where(patients["response_12m"].notna(), "stabilization", None),
        categories=patients["response_12m"].cat.categories,
        ordered=True,
    )
    with pytest.raises(
        ValueError, match=r"`response_12m` has fewer than 2 levels among the 315 complete cases"
    ):
        proportional_odds(patients.assign(response_12m=one))


def test_error_when_binary_outcome_has_fewer_than_two_levels(patients):
    with pytest.raises(ValueError, match=r"`has_teae` has fewer than 2 levels .*every subject"):
        logistic_model(patients.assign(has_teae=True), outcome="has_teae", covariates=["sex"])


def test_error_when_a_covariate_is_constant(patients):
    with pytest.raises(
        ValueError, match=r"covariate `sex` is constant among the \d+ complete cases .*'female'"
    ):
        proportional_odds(patients.assign(sex=pd.Categorical(["female"] * len(patients))))
    with pytest.raises(ValueError, match=r"covariate `dose_mg` is constant"):
        logistic_model(
            patients.assign(dose_mg=0.1), outcome="has_teae", covariates=["sex", "dose_mg"]
        )


def test_error_on_bad_reference_and_non_binary_outcome(patients):
    with pytest.raises(ValueError, match=r"reference level 'unknown' of `sex`"):
        proportional_odds(patients, reference={"sex": "unknown"})
    with pytest.raises(ValueError, match=r"`reference` names column\(s\) \['centre'\]"):
        proportional_odds(patients, reference={"centre": "Centre A"})
    with pytest.raises(
        ValueError, match=r"`n_teae` must be yes/no \(1 = event\): boolean, 0/1, or yes/no text"
    ):
        logistic_model(patients, outcome="n_teae", covariates=["sex"])
    with pytest.raises(ValueError, match="`response_12m` must be an ordered categorical"):
        proportional_odds(patients.assign(response_12m=patients["response_12m"].astype(str)))


def test_error_on_complete_separation():
    data = pd.DataFrame(
        {"y": [False] * 10 + [True] * 10, "x": np.r_[np.arange(10.0), np.arange(10.0) + 20]}
    )
    with pytest.raises(ValueError, match="could not be estimated reliably"):
        logistic_model(data, outcome="y", covariates=["x"])


def test_po_on_many_subjects_fits_the_patterns_with_the_same_likelihood(patients, po):
    # 40 copies of the cohort: the same estimates (each subject's likelihood counted 40 times),
    # fitted on the distinct outcome-covariate patterns weighted by their counts
    many = pd.concat([patients] * 40, ignore_index=True)
    big = proportional_odds(many)
    f, small = big.frame, po.frame
    methods = f.loc[f["stat"] == "estimate", "method"]
    assert methods.str.contains(r"; fitted on the \d+ distinct outcome-covariate patterns of the "
                                r"12600 subjects, weighted by their counts").all()  # fmt: skip
    for var, contrast in [("sex", "male vs female"), ("age_years", "per year"),
                          ("baseline_severity", "severe vs mild")]:  # fmt: skip
        assert _stat(f, var, contrast, "estimate") == pytest.approx(
            _stat(small, var, contrast, "estimate"), rel=1e-6
        )
        # standard errors shrink by sqrt(40): the information is 40 times larger
        assert _stat(f, var, contrast, "se") * np.sqrt(40) == pytest.approx(
            _stat(small, var, contrast, "se"), rel=1e-4
        )
    assert _stat(f, "response_12m", "", "n") == 40 * 315


def test_logistic_and_brant_on_many_subjects_fit_the_patterns(patients, adverse_events, po):
    data = patients.assign(has_pain=subjects_with_term(patients, adverse_events, "pain"))
    small = logistic_model(data, outcome="has_pain", covariates=AE_COVARIATES).frame
    many = pd.concat([data] * 40, ignore_index=True)
    big = logistic_model(many, outcome="has_pain", covariates=AE_COVARIATES).frame
    method = big.loc[big["stat"] == "estimate", "method"].iloc[0]
    assert "; fitted as a binomial GLM on the " in method and "of the 21440 subjects" in method
    for var, contrast in [("sex", "male vs female"), ("age_years", "per year")]:
        assert _stat(big, var, contrast, "estimate") == pytest.approx(
            _stat(small, var, contrast, "estimate"), rel=1e-9
        )
        assert _stat(big, var, contrast, "se") * np.sqrt(40) == pytest.approx(
            _stat(small, var, contrast, "se"), rel=1e-9
        )
    # the Brant test's binary logits too: 40 copies multiply its Wald statistic by 40
    brant_big = proportional_odds(pd.concat([patients] * 40, ignore_index=True)).frame
    for var in ["sex", "response_12m"]:
        assert _stat(brant_big, var, "", "statistic", "brant_test") == pytest.approx(
            40 * _stat(po.frame, var, "", "statistic", "brant_test"), rel=1e-4
        )
