"""Small tables shaped like the shipped studies' (a 40-row baseline table, a 13-column AE
table, a model table), for the tables.docx tests. Their cells are formatted when laid out, so
a journal style in force applies to them."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis.tables.render import TableResult, fmt_ci, fmt_n_pct, fmt_p

LONG_WORDS = ("Hypertrichosis", "Lightheadedness", "Administration", "Concomitant")
BASELINE_HEADS = ["Characteristic", "Female (N=219)", "Male (N=322)", "Overall (N=541)"]
WIDE_HEADS = [
    "Adverse event",
    "Female, monotherapy (N=56)",
    "Female, combined (N=163)",
    "Male, monotherapy (N=84)",
    "Male, combined (N=238)",
    "Female (N=219)",
    "Male (N=322)",
    "Overall (N=541)",
    "95% CI (overall)",
    "RD male vs female (95% CI)",
    "p-value, monotherapy (sex)",
    "p-value, combined (sex)",
    "p-value, overall (sex)",
]


def _table(name: str, title: str, build: Callable[[], pd.DataFrame], *notes: str) -> TableResult:
    return TableResult(name, title, pd.DataFrame(), lambda _ard: build(), tuple(notes))


def _baseline() -> pd.DataFrame:
    rows = []
    for k in range(10):
        rows.append([f"Concomitant treatment number {k}, n (%)", "", "", "", fmt_p(0.2 + k / 100)])
        for level in ("mild", "moderate", "severe"):
            cells = [fmt_n_pct(12, 12.5), fmt_n_pct(40, 41.2), fmt_n_pct(52, 3.14)]
            rows.append([f"    {level}", *cells, ""])
    return pd.DataFrame(rows, columns=[*BASELINE_HEADS, "p-value"])


def _wide() -> pd.DataFrame:
    rows = []
    for term in ("any adverse event", *LONG_WORDS):
        counts = [f"{fmt_n_pct(34, 60.7)} [52]"] * 7
        tail = [fmt_ci(58.1, 66.3), "-16.6 (-24.3 to -8.3)", fmt_p(0.861), fmt_p(0.0004), "1.000"]
        rows.append([term, *counts, *tail])
    return pd.DataFrame(rows, columns=WIDE_HEADS)


def _model() -> pd.DataFrame:
    rows = [
        ["Sex: male vs female", f"1.64 ({fmt_ci(0.9, 2.97, 2)})", fmt_p(0.106)],
        ["Age, years (per year)", f"1.02 ({fmt_ci(0.99, 1.04, 2)})", fmt_p(0.0301)],
    ]
    return pd.DataFrame(rows, columns=["Covariate", "OR (95% CI)", "p-value"])


def baseline_table() -> TableResult:
    """40 rows, 5 columns, indented sub-rows: fits one portrait page."""
    return _table("baseline", "Baseline characteristics by sex", _baseline, "n (%).")


def wide_table() -> TableResult:
    """13 columns of n (%) [events], CIs and p-values: needs a landscape page."""
    return _table("ae", "Adverse events by sex and therapy", _wide, "n (%) = subjects.")


def model_table() -> TableResult:
    return _table("model", "Logistic regression of any adverse event", _model)
