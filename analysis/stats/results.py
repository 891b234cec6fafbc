"""What a statistical test returns, and the names of the methods as the ARD records them.

Every test of :mod:`analysis.stats` returns one of these frozen results (p-value, statistic,
degrees of freedom, method); tables copy them into the ARD's ``method`` column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

FFH_EXACT = "fisher-freeman-halton exact"
FISHER_EXACT = "fisher exact"
CHI2_PLAIN = "pearson_chi2 no continuity correction"
CHI2_YATES = "pearson_chi2 yates continuity correction"
MANN_WHITNEY = "wilcoxon-mann-whitney (normal approximation, continuity correction)"
KRUSKAL = "kruskal-wallis"
WELCH = "welch t-test"
ANOVA = "one-way anova"
SMD_CONTINUOUS = "standardized mean difference (pooled sd = sqrt((s1^2 + s2^2) / 2))"
SMD_CATEGORICAL = "standardized difference, multinomial (Yang & Dalton 2012)"


@dataclass(frozen=True)
class TestResult:
    """Outcome of a hypothesis test. Fields a test does not produce are ``None``.

    ``df_denominator`` is set only for F tests (one-way ANOVA).
    """

    __test__: ClassVar[bool] = False  # not a pytest test class despite its name

    p_value: float
    method: str
    statistic: float | None = None
    df: float | None = None
    df_denominator: float | None = None


@dataclass(frozen=True)
class FisherResult:
    """Fisher's exact test on a 2x2 table, with both odds-ratio estimates named for what they are.

    ``sample_odds_ratio`` is ``ad / bc`` (what ``scipy.stats.fisher_exact`` returns);
    ``conditional_odds_ratio`` is the conditional maximum-likelihood estimate with its exact
    conditional interval ``ci_low``-``ci_high`` (what R ``fisher.test`` prints).
    """

    p_value: float
    sample_odds_ratio: float
    conditional_odds_ratio: float
    ci_low: float
    ci_high: float
    method: str
    alternative: str
    alpha: float


@dataclass(frozen=True)
class TrendTestResult:
    """Cochran-Armitage trend test: ``statistic = z**2`` (1 df); the sign of ``z`` is the direction
    (positive: the event proportion increases with the score)."""

    p_value: float
    method: str
    statistic: float
    z: float
    df: float = 1.0


@dataclass(frozen=True)
class SMDResult:
    """An absolute standardized difference between two groups."""

    smd: float
    method: str


# --------------------------------------------------------------------------- input checks


# ------------------------------------------------------------------ ARD context of a test
_CONTEXTS = (
    (FISHER_EXACT, "fisher_exact"),
    ("fisher-freeman-halton", "fisher_freeman_halton"),
    ("pearson_chi2", "chi_square"),
    ("wilcoxon-mann-whitney", "mann_whitney"),
    (KRUSKAL, "kruskal_wallis"),
    (WELCH, "welch_t_test"),
    (ANOVA, "anova"),
    ("standardized", "standardized_difference"),
    ("cochran-armitage", "trend_test"),
)


def test_context(method: str) -> str:
    """The ARD ``context`` (the kind of computation, as R ``cards`` names it) of a test whose
    ``method`` is one of the names above: ``"fisher exact"`` -> ``"fisher_exact"``."""
    for prefix, context in _CONTEXTS:
        if method.startswith(prefix):
            return context
    return "hypothesis_test"
