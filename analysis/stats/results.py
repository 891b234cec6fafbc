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
EXPECTED_COUNTS = "expected_counts (row total × column total / N) of the χ² test's table"


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
class ExpectedCounts:
    """The expected counts under independence of a contingency table, as a χ² test uses them:
    the smallest, how many cells are below 5, and how many cells there are.

    ``meets_cochran``: Cochran's rule for the χ² approximation (Cochran 1954): no more than 20%
    of the cells with an expected count below 5 and none below 1.
    """

    min_expected: float
    n_below_5: int
    n_cells: int
    method: str

    @property
    def meets_cochran(self) -> bool:
        return self.n_below_5 <= 0.2 * self.n_cells and self.min_expected >= 1


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
