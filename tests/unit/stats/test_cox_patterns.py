"""The Cox model on distinct rows weighted by counts (``stats.cox_patterns``) against the fit on
every subject row: the same partial likelihood, term for term."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from analysis.stats import _km, cox_patterns
from analysis.stats.survival import cox_model


def cohort(seed: int, n: int = 12_000, *, continuous: bool = False) -> pd.DataFrame:
    """Follow-up in whole months (many ties), two binary covariates, a three-level stratum."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, n).astype(float)
    b = rng.integers(0, 2, n).astype(float)
    months = rng.integers(1, 48, n) - 4 * a + 2 * b
    frame = pd.DataFrame(
        {
            "months": np.maximum(months, 1).astype(float),
            "event": (rng.random(n) < 0.45).astype(int),
            "a": a,
            "b": b,
            "site": rng.integers(0, 3, n),
        }
    )
    if continuous:
        frame["b"] = rng.normal(size=n)
    return frame


def _rows(frame: pd.DataFrame, strata: str | None = None) -> cox_patterns.Patterns:
    """Every subject row with count 1, sorted as ``distinct_rows`` sorts (stratum, time)."""
    s = frame[strata].to_numpy() if strata else np.zeros(len(frame), dtype=int)
    order = np.lexsort((frame["months"].to_numpy(), s))
    return cox_patterns.Patterns(
        time=frame["months"].to_numpy(float)[order],
        event=frame["event"].to_numpy(int)[order],
        x=frame[["a", "b"]].to_numpy(float)[order],
        strata=s[order],
        count=np.ones(len(frame), dtype=np.int64),
    )


def _lifelines(frame: pd.DataFrame, strata: str | None = None) -> CoxPHFitter:
    return CoxPHFitter().fit(
        frame[["months", "event", "a", "b", *([strata] if strata else [])]],
        "months",
        "event",
        strata=[strata] if strata else None,
        fit_options={"precision": 1e-12, "r_precision": 1e-14, "max_steps": 200},
        batch_mode=True,
    )


@pytest.mark.parametrize("strata", [None, "site"])
@pytest.mark.parametrize("seed", [0, 1])
def test_distinct_rows_give_the_fit_of_every_row(seed, strata):
    frame = cohort(seed)
    s = frame[strata].to_numpy() if strata else np.zeros(len(frame), dtype=int)
    rows = cox_patterns.distinct_rows(
        frame["months"].to_numpy(float),
        frame["event"].to_numpy(int),
        frame[["a", "b"]].to_numpy(float),
        s,
    )
    assert rows is not None and len(rows.time) < len(frame) / 10
    assert rows.count.sum() == len(frame)
    by_pattern = cox_patterns.fit_efron(rows)
    by_row = cox_patterns.fit_efron(_rows(frame, strata))
    assert by_pattern is not None and by_row is not None
    np.testing.assert_allclose(by_pattern.beta, by_row.beta, rtol=1e-9)
    np.testing.assert_allclose(by_pattern.information, by_row.information, rtol=1e-9)
    assert by_pattern.log_likelihood == pytest.approx(by_row.log_likelihood, rel=1e-12)
    # the likelihood is lifelines' (Efron) at any beta, and our maximum is at least as high
    ref = _lifelines(frame, strata)
    at_ref = cox_patterns.efron_terms(ref.params_[["a", "b"]].to_numpy(), rows)[0]
    assert at_ref == pytest.approx(ref.log_likelihood_, rel=1e-12)
    assert by_pattern.log_likelihood >= ref.log_likelihood_ - 1e-9
    np.testing.assert_allclose(by_pattern.beta, ref.params_[["a", "b"]], rtol=1e-6)
    se = np.sqrt(np.diag(np.linalg.inv(by_pattern.information)))
    np.testing.assert_allclose(se, ref.standard_errors_[["a", "b"]], rtol=1e-6)
    # the PH score test: distinct rows with counts = every subject row
    ph_rows = _km.ph_score_test(
        *(lambda r: (r.time, r.event, r.x))(_rows(frame, strata)),
        by_pattern.beta,
        _rows(frame, strata).strata,
    )
    ph_patterns = _km.ph_score_test(
        rows.time, rows.event, rows.x, by_pattern.beta, rows.strata, counts=rows.count
    )
    np.testing.assert_allclose(ph_patterns[0], ph_rows[0], rtol=1e-9)
    assert ph_patterns[1] == pytest.approx(ph_rows[1], rel=1e-9)


@pytest.mark.parametrize("strata", [None, "site"])
def test_cox_model_above_the_threshold_matches_the_row_fit(strata, monkeypatch):
    frame = cohort(3)
    ours = cox_model(frame, time="months", event="event", covariates=["a", "b"], strata=strata)
    assert "distinct (time, event, covariates" in ours.method
    assert f"above {cox_patterns.PATTERNS_ABOVE:,} subjects" in ours.method
    monkeypatch.setattr(cox_patterns, "distinct_rows", lambda *args: None)
    ref = cox_model(frame, time="months", event="event", covariates=["a", "b"], strata=strata)
    assert "distinct" not in ref.method
    assert ours.method.startswith(ref.method)
    pd.testing.assert_frame_equal(ours.summary, ref.summary, rtol=1e-6)
    pd.testing.assert_frame_equal(ours.ph_test, ref.ph_test, rtol=1e-5)
    assert ours.log_likelihood == pytest.approx(ref.log_likelihood, rel=1e-12)
    assert (ours.n, ours.n_event) == (ref.n, ref.n_event)


def test_small_or_continuous_data_is_fitted_by_row():
    small = cohort(4, n=cox_patterns.PATTERNS_ABOVE)
    fit = cox_model(small, time="months", event="event", covariates=["a", "b"])
    assert "distinct" not in fit.method
    wide = cohort(5, continuous=True)
    fit = cox_model(wide, time="months", event="event", covariates=["a", "b"])
    assert "distinct" not in fit.method


def test_no_convergence_falls_back_to_the_rows(monkeypatch):
    frame = cohort(6)
    monkeypatch.setattr(cox_patterns, "fit_efron", lambda rows: None)
    fit = cox_model(frame, time="months", event="event", covariates=["a", "b"])
    assert "distinct" not in fit.method
