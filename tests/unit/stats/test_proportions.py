"""Unit tests of analysis.stats.proportions: equality with statsmodels / scipy on the same counts."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from analysis.stats.proportions import (
    ODDS_RATIO_METHODS,
    PROPORTION_CI_METHODS,
    RISK_DIFFERENCE_METHODS,
    odds_ratio,
    proportion_ci,
    risk_difference,
)

TOL = 1e-10
COUNTS = [
    (0, 1),
    (1, 1),
    (0, 20),
    (20, 20),
    (1, 29),
    (15, 148),
    (81, 263),
    (5, 10),
    (3, 7),
    (99, 100),
    (1, 1000),
    (500, 1000),
    (7, 541),
    (541, 541),
]
STATSMODELS_NAME = {
    "wilson": "wilson",
    "clopper_pearson": "beta",
    "agresti_coull": "agresti_coull",
    "wald": "normal",
}


# --------------------------------------------------------------------------- proportion_ci


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
@pytest.mark.parametrize(("n", "N"), COUNTS)
@pytest.mark.parametrize("method", sorted(STATSMODELS_NAME))
def test_proportion_ci_equals_statsmodels(method: str, n: int, N: int, alpha: float) -> None:
    low, high = proportion_ci(n, N, method=method, alpha=alpha)
    ref_low, ref_high = proportion_confint(n, N, alpha=alpha, method=STATSMODELS_NAME[method])
    assert low == pytest.approx(float(ref_low), abs=TOL)
    assert high == pytest.approx(float(ref_high), abs=TOL)


def _r_prop_test_interval(x: int, n: int, alpha: float) -> tuple[float, float]:
    """The interval of R ``prop.test(x, n, correct = TRUE)``, transcribed from R's source.

    R uses the continuity correction ``YATES = min(0.5, abs(x - n * 0.5))``, i.e. 0.5 unless x is
    within 0.5 of n/2.
    """
    z = stats.norm.isf(alpha / 2)
    yates = min(0.5, abs(x - n * 0.5))
    z22n = z**2 / (2 * n)
    est = x / n
    p_c = est + yates / n
    upper = (
        1.0
        if p_c >= 1
        else (p_c + z22n + z * math.sqrt(p_c * (1 - p_c) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    )
    p_c = est - yates / n
    lower = (
        0.0
        if p_c <= 0
        else (p_c + z22n - z * math.sqrt(p_c * (1 - p_c) / n + z22n / (2 * n))) / (1 + 2 * z22n)
    )
    return lower, upper


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize(("n", "N"), [c for c in COUNTS if c[0] != c[1] / 2])
def test_wilson_cc_equals_r_prop_test_form(n: int, N: int, alpha: float) -> None:
    # Newcombe's closed form (method 4) and R's prop.test construction are the same interval
    # whenever R applies the full 0.5 correction (n != N/2).
    low, high = proportion_ci(n, N, method="wilson_cc", alpha=alpha)
    ref_low, ref_high = _r_prop_test_interval(n, N, alpha)
    assert low == pytest.approx(ref_low, abs=TOL)
    assert high == pytest.approx(ref_high, abs=TOL)


def test_wilson_cc_is_wider_than_wilson() -> None:
    for n, N in COUNTS:
        plain = proportion_ci(n, N, method="wilson")
        corrected = proportion_ci(n, N, method="wilson_cc")
        assert corrected.ci_low <= plain.ci_low + TOL
        assert corrected.ci_high >= plain.ci_high - TOL


@pytest.mark.parametrize("method", sorted(PROPORTION_CI_METHODS))
def test_proportion_ci_result_fields(method: str) -> None:
    res = proportion_ci(3, 12, method=method, alpha=0.1)
    assert res.estimate == 0.25
    assert res.method == PROPORTION_CI_METHODS[method]
    assert res.alpha == 0.1
    assert tuple(res) == (res.ci_low, res.ci_high)
    assert 0.0 <= res.ci_low < res.estimate < res.ci_high <= 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.ci_low = 0.0  # type: ignore[misc]


def test_method_strings_are_the_documented_ones() -> None:
    assert proportion_ci(1, 2).method == "wilson"
    assert proportion_ci(1, 2, method="clopper_pearson").method == "clopper_pearson"
    assert RISK_DIFFERENCE_METHODS["newcombe"] == "newcombe hybrid score (Newcombe 1998, method 10)"
    assert risk_difference(1, 2, 1, 3).method == RISK_DIFFERENCE_METHODS["newcombe"]


@pytest.mark.parametrize("method", ["wilson", "wilson_cc", "clopper_pearson"])
def test_limits_are_exact_at_the_boundaries(method: str) -> None:
    assert proportion_ci(0, 17, method=method).ci_low == 0.0
    assert proportion_ci(17, 17, method=method).ci_high == 1.0
    assert proportion_ci(0, 17, method=method).ci_high > 0.0
    assert proportion_ci(17, 17, method=method).ci_low < 1.0


@pytest.mark.parametrize("method", sorted(PROPORTION_CI_METHODS))
def test_zero_denominator_gives_nan(method: str) -> None:
    res = proportion_ci(0, 0, method=method)
    assert math.isnan(res.estimate) and math.isnan(res.ci_low) and math.isnan(res.ci_high)
    assert res.method == PROPORTION_CI_METHODS[method]


def test_numpy_and_integral_float_counts_are_accepted() -> None:
    assert tuple(proportion_ci(np.int64(3), np.int32(10))) == tuple(proportion_ci(3, 10))
    assert tuple(proportion_ci(3.0, 10.0)) == tuple(proportion_ci(3, 10))


def test_clopper_pearson_uses_beta_quantiles() -> None:
    low, high = proportion_ci(7, 30, method="clopper_pearson")
    assert low == pytest.approx(stats.beta.ppf(0.025, 7, 24), abs=TOL)
    assert high == pytest.approx(stats.beta.ppf(0.975, 8, 23), abs=TOL)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 5, "N": 3}, r"n=5 is larger than N=3"),
        ({"n": -1, "N": 3}, r"n must be >= 0; found -1"),
        ({"n": 1.5, "N": 3}, r"n must be a whole number of subjects; found 1.5"),
        ({"n": 1, "N": float("nan")}, r"N must be a whole number of subjects"),
        ({"n": True, "N": 3}, r"n must be a whole number of subjects; found True"),
        ({"n": "1", "N": 3}, r"n must be a whole number of subjects; found '1'"),
        ({"n": 1, "N": 3, "method": "jeffreys"}, r"unknown method 'jeffreys'; expected one of"),
        ({"n": 1, "N": 3, "alpha": 5}, r"alpha must be a number strictly between 0 and 1"),
        ({"n": 1, "N": 3, "alpha": 0.0}, r"found 0.0"),
    ],
)
def test_proportion_ci_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        proportion_ci(**kwargs)


# --------------------------------------------------------------------------- risk_difference

PAIRS = [
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (5, 56, 0, 29),
    (0, 10, 0, 20),
    (0, 10, 0, 10),
    (10, 10, 0, 20),
    (10, 10, 0, 10),
    (84, 101, 89, 105),
    (1, 541, 12, 498),
]


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("counts", PAIRS)
@pytest.mark.parametrize(("method", "sm_method"), [("newcombe", "newcomb"), ("wald", "wald")])
def test_risk_difference_equals_statsmodels(
    method: str, sm_method: str, counts: tuple[int, int, int, int], alpha: float
) -> None:
    n1, N1, n2, N2 = counts
    res = risk_difference(n1, N1, n2, N2, method=method, alpha=alpha)
    ref_low, ref_high = confint_proportions_2indep(
        n1, N1, n2, N2, method=sm_method, compare="diff", alpha=alpha
    )
    assert res.estimate == pytest.approx(n1 / N1 - n2 / N2, abs=TOL)
    assert res.ci_low == pytest.approx(float(ref_low), abs=TOL)
    assert res.ci_high == pytest.approx(float(ref_high), abs=TOL)
    assert res.method == RISK_DIFFERENCE_METHODS[method]


def test_risk_difference_is_antisymmetric() -> None:
    a = risk_difference(56, 70, 48, 80)
    b = risk_difference(48, 80, 56, 70)
    assert (a.estimate, a.ci_low, a.ci_high) == pytest.approx(
        (-b.estimate, -b.ci_high, -b.ci_low), abs=TOL
    )


def test_risk_difference_zero_denominator_gives_nan() -> None:
    res = risk_difference(0, 0, 3, 10)
    assert math.isnan(res.estimate) and math.isnan(res.ci_low) and math.isnan(res.ci_high)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((11, 10, 1, 5), {}, r"risk_difference: n1=11 is larger than N1=10"),
        ((1, 10, 6, 5), {}, r"n2=6 is larger than N2=5"),
        (
            (1, 10, 1, 5),
            {"method": "score"},
            r"unknown method 'score'; expected one of \['newcombe', 'wald'\]",
        ),
    ],
)
def test_risk_difference_errors(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        risk_difference(*args, **kwargs)


# --------------------------------------------------------------------------- odds_ratio

OR_PAIRS = [(189, 11034, 104, 11037), (3, 4, 1, 4), (12, 40, 5, 38), (30, 31, 2, 29)]


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("counts", OR_PAIRS)
def test_woolf_odds_ratio_equals_statsmodels(
    counts: tuple[int, int, int, int], alpha: float
) -> None:
    n1, N1, n2, N2 = counts
    res = odds_ratio(n1, N1, n2, N2, alpha=alpha)
    ref = Table2x2(np.array([[n1, N1 - n1], [n2, N2 - n2]]))
    ref_low, ref_high = ref.oddsratio_confint(alpha=alpha)
    assert res.estimate == pytest.approx(ref.oddsratio, rel=TOL)
    assert res.ci_low == pytest.approx(ref_low, rel=TOL)
    assert res.ci_high == pytest.approx(ref_high, rel=TOL)
    assert res.method == "woolf logit"


def test_haldane_correction_only_with_a_zero_cell_and_is_named() -> None:
    res = odds_ratio(0, 10, 4, 10, haldane=True)
    ref = Table2x2(np.array([[0.5, 10.5], [4.5, 6.5]]))
    assert res.estimate == pytest.approx(ref.oddsratio, rel=TOL)
    assert (res.ci_low, res.ci_high) == pytest.approx(ref.oddsratio_confint(), rel=TOL)
    assert res.method == "woolf logit (haldane-anscombe 0.5 added to every cell)"
    # Without a zero cell the flag changes nothing.
    assert odds_ratio(3, 10, 4, 10, haldane=True) == odds_ratio(3, 10, 4, 10)


@pytest.mark.parametrize("counts", OR_PAIRS + [(0, 10, 4, 10), (5, 5, 1, 9)])
def test_exact_odds_ratio_equals_scipy_conditional(counts: tuple[int, int, int, int]) -> None:
    n1, N1, n2, N2 = counts
    res = odds_ratio(n1, N1, n2, N2, method="exact")
    ref = stats.contingency.odds_ratio([[n1, N1 - n1], [n2, N2 - n2]], kind="conditional")
    ci = ref.confidence_interval(confidence_level=0.95)
    assert res.estimate == pytest.approx(ref.statistic, rel=TOL)
    assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=TOL)
    assert res.method == ODDS_RATIO_METHODS["exact"]


def test_odds_ratio_errors() -> None:
    with pytest.raises(
        ValueError,
        match=r"odds_ratio: the 2x2 table \[\[0, 10\], \[4, 6\]\] has a zero cell \(n1\), so the "
        r"Woolf logit interval is undefined. Pass haldane=True",
    ):
        odds_ratio(0, 10, 4, 10)
    with pytest.raises(ValueError, match=r"haldane=True applies to method='woolf' only"):
        odds_ratio(1, 10, 4, 10, method="exact", haldane=True)
    with pytest.raises(ValueError, match=r"odds_ratio: n1=12 is larger than N1=10"):
        odds_ratio(12, 10, 4, 10)
