"""The statistical methods of a run as a manuscript's Statistics paragraph, with references.

Over 400 lines as one job: one sentence and its reference per method the ARD can record, kept
together so that a method added to the ARD is added here beside the others.

The ARD records each number's method (``method`` column). ``statistics_sentences`` turns the
methods a run actually used into sentences a statistician would write ("Proportions were
compared with Fisher's exact test (Fisher 1922) ..."), and ``references`` lists the works cited,
in full. A method the ARD records that has no sentence here is an error of this module (a test
runs both shipped studies and the method catalogue against it), never left out silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analysis.stats.ci_level import ci_level
from analysis.words import and_list


@dataclass(frozen=True)
class Method:
    """One method: how the statistics code writes its ``method`` text (``prefix``, the start of
    it), its role (``compare``, ``interval``, ``model``, ``survival``), the words a manuscript's
    Statistics paragraph uses, its references, and ``name``: the method's name as a statistician
    writes it in a footnote or the published ARD ("Fisher's exact test")."""

    prefix: str
    role: str
    words: str
    cites: tuple[str, ...] = ()
    name: str = ""


REFERENCES = {
    "Fisher 1922": "Fisher RA. On the interpretation of χ² from contingency tables, and the "
    "calculation of P. J R Stat Soc. 1922;85(1):87-94.",
    "Freeman & Halton 1951": "Freeman GH, Halton JH. Note on an exact treatment of contingency, "
    "goodness of fit and other problems of significance. Biometrika. 1951;38(1-2):141-149.",
    "Mehta & Patel 1983": "Mehta CR, Patel NR. A network algorithm for performing Fisher's exact "
    "test in r×c contingency tables. J Am Stat Assoc. 1983;78(382):427-434.",
    "Pearson 1900": "Pearson K. On the criterion that a given system of deviations from the "
    "probable in the case of a correlated system of variables is such that it can be reasonably "
    "supposed to have arisen from random sampling. Philos Mag. 1900;50(302):157-175.",
    "Yates 1934": "Yates F. Contingency tables involving small numbers and the χ² test. Suppl "
    "J R Stat Soc. 1934;1(2):217-235.",
    "Cochran 1954": "Cochran WG. Some methods for strengthening the common χ² tests. "
    "Biometrics. 1954;10(4):417-451.",
    "Armitage 1955": "Armitage P. Tests for linear trends in proportions and frequencies. "
    "Biometrics. 1955;11(3):375-386.",
    "Welch 1947": "Welch BL. The generalization of 'Student's' problem when several different "
    "population variances are involved. Biometrika. 1947;34(1-2):28-35.",
    "Welch 1951": "Welch BL. On the comparison of several mean values: an alternative approach. "
    "Biometrika. 1951;38(3-4):330-336.",
    "Mann & Whitney 1947": "Mann HB, Whitney DR. On a test of whether one of two random "
    "variables is stochastically larger than the other. Ann Math Stat. 1947;18(1):50-60.",
    "Kruskal & Wallis 1952": "Kruskal WH, Wallis WA. Use of ranks in one-criterion variance "
    "analysis. J Am Stat Assoc. 1952;47(260):583-621.",
    "Yang & Dalton 2012": "Yang D, Dalton JE. A unified approach to measuring the effect size "
    "between two groups using SAS. SAS Global Forum 2012, paper 335.",
    "Wilson 1927": "Wilson EB. Probable inference, the law of succession, and statistical "
    "inference. J Am Stat Assoc. 1927;22(158):209-212.",
    "Clopper & Pearson 1934": "Clopper CJ, Pearson ES. The use of confidence or fiducial limits "
    "illustrated in the case of the binomial. Biometrika. 1934;26(4):404-413.",
    "Agresti & Coull 1998": "Agresti A, Coull BA. Approximate is better than 'exact' for "
    "interval estimation of binomial proportions. Am Stat. 1998;52(2):119-126.",
    "Newcombe 1998a": "Newcombe RG. Two-sided confidence intervals for the single proportion: "
    "comparison of seven methods. Stat Med. 1998;17(8):857-872.",
    "Newcombe 1998b": "Newcombe RG. Interval estimation for the difference between independent "
    "proportions: comparison of eleven methods. Stat Med. 1998;17(8):873-890.",
    "McCullagh 1980": "McCullagh P. Regression models for ordinal data. J R Stat Soc B. "
    "1980;42(2):109-142.",
    "Brant 1990": "Brant R. Assessing proportionality in the proportional odds model for "
    "ordinal logistic regression. Biometrics. 1990;46(4):1171-1178.",
    "Kaplan & Meier 1958": "Kaplan EL, Meier P. Nonparametric estimation from incomplete "
    "observations. J Am Stat Assoc. 1958;53(282):457-481.",
    "Brookmeyer & Crowley 1982": "Brookmeyer R, Crowley J. A confidence interval for the median "
    "survival time. Biometrics. 1982;38(1):29-41.",
    "Mantel 1966": "Mantel N. Evaluation of survival data and two new rank order statistics "
    "arising in its consideration. Cancer Chemother Rep. 1966;50(3):163-170.",
    "Cox 1972": "Cox DR. Regression models and life-tables. J R Stat Soc B. 1972;34(2):187-220.",
    "Efron 1977": "Efron B. The efficiency of Cox's likelihood function for censored data. "
    "J Am Stat Assoc. 1977;72(359):557-565.",
    "Grambsch & Therneau 1994": "Grambsch PM, Therneau TM. Proportional hazards tests and "
    "diagnostics based on weighted residuals. Biometrika. 1994;81(3):515-526.",
}

#: Every method the package records, by how its ARD text starts (longest prefix wins).
CATALOGUE = (
    Method(
        "fisher exact",
        "compare",
        "Fisher's exact test",
        ("Fisher 1922",),
        name="Fisher's exact test",
    ),
    Method(
        "fisher-freeman-halton exact",
        "compare",
        "the Fisher–Freeman–Halton exact test (network algorithm)",
        ("Freeman & Halton 1951", "Mehta & Patel 1983"),
        name="Fisher–Freeman–Halton exact test",
    ),
    Method(
        "fisher-freeman-halton monte carlo",
        "compare",
        "the Fisher–Freeman–Halton test with a seeded Monte Carlo p-value for large tables",
        ("Freeman & Halton 1951",),
        name="Fisher–Freeman–Halton test, Monte Carlo p-value",
    ),
    Method(
        "pearson_chi2 no continuity correction",
        "compare",
        "Pearson's χ² test without continuity correction",
        ("Pearson 1900",),
        name="Pearson's χ² test (no continuity correction)",
    ),
    Method(
        "pearson_chi2 yates continuity correction",
        "compare",
        "Pearson's χ² test with Yates' continuity correction",
        ("Pearson 1900", "Yates 1934"),
        name="Pearson's χ² test with Yates' continuity correction",
    ),
    Method(
        "expected_counts",
        "check",
        "the expected counts under independence, against Cochran's rule (no more than 20% of "
        "cells below 5 and none below 1)",
        ("Cochran 1954",),
        name="expected counts under independence",
    ),
    Method(
        "cochran-armitage trend",
        "compare",
        "the Cochran–Armitage test for trend",
        ("Cochran 1954", "Armitage 1955"),
        name="Cochran–Armitage test for trend",
    ),
    Method("welch t-test", "compare", "Welch's t-test", ("Welch 1947",), name="Welch's t-test"),
    Method(
        "welch anova", "compare", "Welch's one-way ANOVA", ("Welch 1951",), name="Welch's ANOVA"
    ),
    Method("one-way anova", "compare", "one-way analysis of variance", name="One-way ANOVA"),
    Method(
        "wilcoxon-mann-whitney",
        "compare",
        "the Wilcoxon–Mann–Whitney test (normal approximation with continuity correction)",
        ("Mann & Whitney 1947",),
        name="Wilcoxon–Mann–Whitney test",
    ),
    Method(
        "kruskal-wallis",
        "compare",
        "the Kruskal–Wallis test",
        ("Kruskal & Wallis 1952",),
        name="Kruskal–Wallis test",
    ),
    Method(
        "standardized mean difference",
        "balance",
        "standardized mean differences (pooled standard deviation)",
        name="Standardized mean difference",
    ),
    Method(
        "standardized difference, multinomial",
        "balance",
        "the multinomial standardized difference for categorical variables",
        ("Yang & Dalton 2012",),
        name="Standardized difference, multinomial",
    ),
    Method(
        "wilson",
        "interval",
        "Wilson score intervals for proportions",
        ("Wilson 1927",),
        name="Wilson score interval",
    ),
    Method(
        "wilson_cc",
        "interval",
        "Wilson score intervals with continuity correction for proportions",
        ("Wilson 1927", "Newcombe 1998a"),
        name="Wilson score interval with continuity correction",
    ),
    Method(
        "clopper_pearson",
        "interval",
        "Clopper–Pearson exact intervals for proportions",
        ("Clopper & Pearson 1934",),
        name="Clopper–Pearson exact interval",
    ),
    Method(
        "agresti_coull",
        "interval",
        "Agresti–Coull intervals for proportions",
        ("Agresti & Coull 1998",),
        name="Agresti–Coull interval",
    ),
    Method("wald", "interval", "Wald intervals", name="Wald interval"),
    Method(
        "newcombe hybrid score",
        "interval",
        "Newcombe's hybrid score interval for risk differences (method 10)",
        ("Newcombe 1998b",),
        name="Newcombe hybrid score interval",
    ),
    Method(
        "logistic regression",
        "model",
        "logistic regression (odds ratios with Wald confidence intervals and Wald tests)",
        name="Logistic regression",
    ),
    Method(
        "proportional odds",
        "model",
        "the proportional-odds cumulative logit model",
        ("McCullagh 1980",),
        name="Proportional-odds model",
    ),
    Method(
        "Brant test",
        "model",
        "the Brant test of the proportional-odds assumption",
        ("Brant 1990",),
        name="Brant test",
    ),
    Method(
        "Kaplan-Meier",
        "survival",
        "the Kaplan–Meier estimator (Greenwood variance; median survival with the "
        "Brookmeyer–Crowley interval)",
        ("Kaplan & Meier 1958", "Brookmeyer & Crowley 1982"),
        name="Kaplan–Meier estimator",
    ),
    Method("log-rank", "survival", "the log-rank test", ("Mantel 1966",), name="Log-rank test"),
    Method(
        "Cox PH",
        "survival",
        "Cox proportional-hazards regression (Efron's method for ties; Wald intervals)",
        ("Cox 1972", "Efron 1977"),
        name="Cox proportional-hazards regression",
    ),
    Method(
        "PH score test",
        "survival",
        "the Grambsch–Therneau score test of proportional hazards",
        ("Grambsch & Therneau 1994",),
        name="Grambsch–Therneau proportional-hazards test",
    ),
)

#: ARD ``method`` texts that describe what was counted, not a statistical method.
COUNT_WORDS = (
    "subjects",
    "count of",
    "non-missing",
    "assessable",
    "complete cases",
    "excluded",
    "risk difference (percentage points)",
    "in the group",  # the denominator of a table of other subjects: "dose periods in the group"
)


def method_of(text: str) -> Method | None:
    """The catalogue entry of a ``method`` text, as the code writes it or in words (longest
    matching ``prefix`` or ``name``), or ``None``."""
    low = text.strip().lower()
    found = [
        (len(start), m)
        for m in CATALOGUE
        for start in (m.prefix, m.name)
        if start and low.startswith(start.lower())
    ]
    return max(found, key=lambda f: f[0])[1] if found else None


_RANGE = re.compile(r"(\d)\.\.(\d)")  # a code's range of numbers, "1..4"


def method_words(text: str) -> str:
    """A ``method`` text as a statistician writes it: the code's start replaced by the method's
    ``name`` and the details kept ("fisher exact" -> "Fisher's exact test", "wilson 95% CI" ->
    "Wilson score interval, 95% CI", "cochran-armitage trend (scores 1..4)" -> "Cochran–Armitage
    test for trend (scores 1–4)"). A text already in words, or that describes a count, is
    returned as it is (so the function can be applied twice)."""
    stripped = text.strip()
    m = method_of(stripped)
    if m is None or not m.name or stripped.startswith(m.name):
        return text
    rest = _RANGE.sub("\\1–\\2", stripped[len(m.prefix) :].strip())  # scores 1..4 -> 1–4
    if not rest:
        return m.name
    if rest[0] in ",;:":
        return f"{m.name}{rest}"
    if rest[0].isdigit():
        return f"{m.name}, {rest}"
    return f"{m.name} {rest}"


# the numbers of its own table that a method text holds (``stats.ffh``'s Monte Carlo p-value:
# the table's size n and the standard error of p); a placeholder no method text holds
_PER_TABLE = re.compile(r"(?<=n = )\d+|(?<=SE of p )[0-9.e+-]+")
_SLOT = "\x00"


def per_table_key(text: str) -> str:
    """``text`` with the numbers of its own table blanked: texts with the same key differ only
    in those (the same test on tables of different sizes)."""
    return _PER_TABLE.sub(_SLOT, text)


def per_table_merged(texts: Iterable[str]) -> list[str]:
    """Method texts once each, in the order given; those that differ only in the numbers of
    their own table merged into one text listing them in that order: three strata's Monte Carlo
    p-values read "...; n = 237691, 680818 and 918509 > 10000, the exact test's size limit;
    Monte Carlo SE of p 1.0e-05)" instead of the method three times (a number the tables share
    is written once)."""
    groups: dict[str, list[list[str]]] = {}
    for text in dict.fromkeys(texts):
        groups.setdefault(per_table_key(text), []).append(_PER_TABLE.findall(text))
    out = []
    for key, numbers in groups.items():
        shown = [
            column[0] if len(set(column)) == 1 else and_list(list(column))
            for column in zip(*numbers, strict=True)
        ]
        parts = key.split(_SLOT)
        out.append(parts[0] + "".join(v + part for v, part in zip(shown, parts[1:], strict=True)))
    return out


def is_count_description(text: str) -> bool:
    low = text.strip().lower().lstrip("`")
    return any(w in low for w in COUNT_WORDS) or " missing " in f" {low} "


def used_methods(methods: Iterable[str]) -> tuple[list[Method], list[str]]:
    """The catalogue entries of ``methods`` (first use order, once each) and the texts that are
    neither a known method nor a description of a count (should be empty)."""
    seen: dict[str, Method] = {}
    unknown: list[str] = []
    from analysis.ard import DESCRIPTIVE_METHODS  # defined in the Statistics paragraph

    descriptive = set(DESCRIPTIVE_METHODS.values())
    for text in methods:
        if not text.strip() or is_count_description(text) or text in descriptive:
            continue
        m = method_of(text)
        if m is None:
            unknown.append(text) if text not in unknown else None
        else:
            seen.setdefault(m.prefix, m)
    return list(seen.values()), unknown


def _cited(m: Method) -> str:
    """The words with their author-year citations (inside the words' own closing parenthesis)."""
    if not m.cites:
        return m.words
    if m.words.endswith(")"):
        return f"{m.words[:-1]}; {'; '.join(m.cites)})"
    return f"{m.words} ({'; '.join(m.cites)})"


_LEADS = {
    "compare": "Groups were compared with {}.",
    "balance": "Balance between groups is shown as {}.",
    "interval": "{level} confidence intervals are {}.",
    "model": "Associations were estimated with {}.",
    "survival": "Times to event were analysed with {}.",
    "check": "The χ² approximation was judged by {}.",
}


def statistics_sentences(methods: list[Method], *, alpha: float) -> list[str]:
    """One sentence per role, in the order compare, balance, interval, model, survival."""
    level = f"{ci_level(alpha)}%"
    out = []
    for role, lead in _LEADS.items():
        these = [_cited(m) for m in methods if m.role == role]
        if these:
            out.append(lead.format(and_list(these), level=level))
    return [_one_of_a_year(sentence, methods) for sentence in out]


def _one_of_a_year(sentence: str, methods: list[Method]) -> str:
    """ "Newcombe 1998b" as "Newcombe 1998" when no other work of that author and year is cited:
    the letter tells two works of one year apart, and is a question without the other."""
    cited = {k for m in methods for k in m.cites}
    for key in cited:
        lettered = key[-1] in "ab" and key[-2].isdigit()
        if lettered and not any(other != key and other[:-1] == key[:-1] for other in cited):
            sentence = sentence.replace(key, key[:-1])
    return sentence


def references(methods: list[Method]) -> list[str]:
    """The full references of the works ``methods`` cite, once each, in alphabetical order (the
    text cites author and year)."""
    return sorted({REFERENCES[k] for m in methods for k in m.cites})


__all__ = [
    "CATALOGUE",
    "Method",
    "method_of",
    "method_words",
    "references",
    "statistics_sentences",
    "used_methods",
]
