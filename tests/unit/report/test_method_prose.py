"""The Statistics paragraph names every method a run used, in words, with its references."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.report import method_prose
from analysis.report.method_prose import (
    REFERENCES,
    method_of,
    references,
    statistics_sentences,
    used_methods,
)
from analysis.stats import results

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


@pytest.mark.parametrize("snapshot", sorted(GOLDEN.glob("*.ard.csv")), ids=lambda p: p.stem)
def test_every_method_of_the_shipped_studies_has_words(snapshot: Path) -> None:
    methods = pd.read_csv(snapshot, keep_default_na=False)["method"].drop_duplicates()
    used, unknown = used_methods(methods)
    assert unknown == []
    assert len(used) >= 10


def test_every_method_name_of_the_stats_package_has_words() -> None:
    names = [v for k, v in vars(results).items() if k.isupper() and isinstance(v, str)]
    assert names, "the stats package names its methods in analysis.stats.results"
    assert [n for n in names if method_of(n) is None] == []


def test_every_citation_has_its_reference() -> None:
    cited = {k for m in method_prose.CATALOGUE for k in m.cites}
    assert cited <= set(REFERENCES)


def test_the_longest_prefix_wins() -> None:
    assert method_of("fisher exact").words == "Fisher's exact test"
    mc = method_of("fisher-freeman-halton monte carlo (B=100000, seed=1)")
    assert mc is not None and "Monte Carlo" in mc.words
    assert method_of("a method nobody wrote down") is None


def test_sentences_follow_the_confidence_level_and_cite_in_the_words() -> None:
    used, _ = used_methods(["wilson 90% CI", "newcombe hybrid score (Newcombe 1998, method 10)"])
    (sentence,) = statistics_sentences(used, alpha=0.10)
    assert sentence == (
        "90% confidence intervals are Wilson score intervals for proportions (Wilson 1927) and "
        "Newcombe's hybrid score interval for risk differences (method 10; Newcombe 1998)."
    )
    assert [r.split(".")[0] for r in references(used)] == ["Newcombe RG", "Wilson EB"]
    assert "difference between independent proportions" in references(used)[0]


def test_the_corrected_wilson_interval_cites_the_single_proportion_paper() -> None:
    """It cited Newcombe's paper on the difference of two proportions (Stat Med 17:873-890);
    the interval is method 4 of his paper on the single proportion (17:857-872)."""
    used, _ = used_methods(["wilson_cc 95% CI", "newcombe hybrid score (Newcombe 1998, method 10)"])
    cited = references(used)
    sentence = " ".join(statistics_sentences(used, alpha=0.05))
    assert "Newcombe 1998a" in sentence and "Newcombe 1998b" in sentence  # both: told apart
    assert any("single proportion" in r and "857-872" in r for r in cited)
    assert any("difference between independent" in r and "873-890" in r for r in cited)


def test_counts_are_not_methods_and_unknown_methods_are_reported() -> None:
    used, unknown = used_methods(["subjects in the group", "count of events", "mystery test"])
    assert used == [] and unknown == ["mystery test"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("fisher exact", "Fisher's exact test"),
        ("fisher-freeman-halton exact", "Fisher–Freeman–Halton exact test"),
        ("pearson_chi2 no continuity correction", "Pearson's χ² test (no continuity correction)"),
        ("welch t-test", "Welch's t-test"),
        ("wilson 95% CI", "Wilson score interval, 95% CI"),
        ("wilson_cc", "Wilson score interval with continuity correction"),
        ("cochran-armitage trend (scores 1..4)", "Cochran–Armitage test for trend (scores 1–4)"),
        (
            "newcombe hybrid score (Newcombe 1998, method 10)",
            "Newcombe hybrid score interval (Newcombe 1998, method 10)",
        ),
        ("log-rank (R survdiff, rho=0)", "Log-rank test (R survdiff, rho=0)"),
        ("subjects in the group", "subjects in the group"),  # a count, not a method
        ("a method nobody wrote down", "a method nobody wrote down"),
    ],
)
def test_method_words_name_methods_as_a_statistician_does(code: str, words: str) -> None:
    assert method_prose.method_words(code) == words
    assert method_prose.method_words(words) == words  # applied twice, the same
    if method_of(code) is not None:
        assert method_of(words) is method_of(code)  # either spelling finds the entry


def test_every_method_of_the_stats_package_has_a_name() -> None:
    names = [v for k, v in vars(results).items() if k.isupper() and isinstance(v, str)]
    assert all(method_prose.method_words(n) != n for n in names)
    assert all(m.name for m in method_prose.CATALOGUE)
