"""A Pearson χ² test reported on a table with expected counts below 5 says so: the ARD holds the
table's smallest expected count, its cells below 5 and its cells (context ``chi_square``), and a
footnote per test names those tables, Cochran's rule and Fisher's exact test as the alternative.
The shipped dutasteride Tables 1-2 printed χ² p-values of "First-year interval" (expected 4.4
and 2.8 in its "not applicable" cells) and "Baseline grade" without a word."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as sps

from analysis.stats import tests
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_severity import ae_severity
from analysis.tables.baseline import baseline_table
from tests.unit.tables.test_adverse_events import EVENTS, SUBJECTS

# sex by grade: F 6, 3, 1; M 4, 5, 1 -> expected 5, 4, 1 in each row: 4 of 6 cells below 5
PATIENTS = pd.DataFrame(
    {
        "patient_id": [f"p{i}" for i in range(20)],
        "sex": ["female"] * 10 + ["male"] * 10,
        "grade": ["a"] * 6 + ["b"] * 3 + ["c"] + ["a"] * 4 + ["b"] * 5 + ["c"],
        "centre": ["x", "y"] * 10,  # 2x2, expected 5 each: no note
    }
)
LABELS = {"grade": "Baseline grade", "centre": "Centre"}


def _stat(frame: pd.DataFrame, variable: str, stat: str) -> float:
    rows = frame.loc[(frame["variable"] == variable) & (frame["stat"] == stat)]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def test_expected_counts_equal_scipy_and_cochran_rule():
    table = np.array([[6, 3, 1], [4, 5, 1]])
    ec = tests.expected_counts(table)
    expected = sps.contingency.expected_freq(table)
    assert ec.min_expected == pytest.approx(expected.min()) == pytest.approx(1.0)
    assert (ec.n_below_5, ec.n_cells) == (4, 6) and not ec.meets_cochran
    assert tests.expected_counts([[50, 10], [40, 12]]).meets_cochran  # 0 of 4 below 5
    assert tests.expected_counts([[30, 2], [40, 20]]).n_below_5 == 0
    assert not tests.expected_counts([[300, 1], [400, 0]]).meets_cochran  # one cell 0.43 < 1


def test_baseline_chi2_records_expected_counts_and_says_so():
    res = baseline_table(PATIENTS, by="sex", variables=LABELS, categorical_test="chi2")
    f = res.frame
    assert _stat(f, "grade", "min_expected") == pytest.approx(1.0)
    assert _stat(f, "grade", "n_cells_expected_below_5") == 4
    assert _stat(f, "grade", "n_cells") == 6
    assert _stat(f, "centre", "n_cells_expected_below_5") == 0
    rows = f.loc[f["stat"] == "min_expected"]
    assert set(rows["context"]) == {"chi_square"}
    assert rows["method"].str.startswith("expected_counts (row total × column total / N)").all()
    note = [n for n in res.footnotes if "expected counts below 5" in n]
    assert note == [
        "Pearson's χ² test (no continuity correction), expected counts below 5: Baseline grade "
        "(4 of 6 cells; smallest 1.0). Cochran's rule for the χ² approximation (no more than 20% "
        "of cells with an expected count below 5 and none below 1) is not met for Baseline grade; "
        "Fisher's exact test (Fisher–Freeman–Halton for more than two rows or columns) does not "
        "rely on expected counts."
    ]


def test_baseline_exact_test_has_no_expected_counts_note():
    res = baseline_table(PATIENTS, by="sex", variables=LABELS, categorical_test="fisher")
    assert not (res.frame["stat"] == "min_expected").any()
    assert not any("expected counts" in n for n in res.footnotes)
    assert any("Fisher–Freeman–Halton exact test for Baseline grade" in n for n in res.footnotes)


def test_ae_incidence_chi2_says_which_terms_have_small_expected_counts():
    res = ae_incidence(SUBJECTS, EVENTS, by=["sex"], test="chi2")
    pain = res.frame.loc[(res.frame["level"] == "pain") & (res.frame["context"] == "chi_square")]
    got = dict(zip(pain["stat"], pain["value"], strict=False))
    assert got["n_cells"] == 4 and got["n_cells_expected_below_5"] == 4
    assert got["min_expected"] == pytest.approx(1.0)
    note = [n for n in res.footnotes if "expected counts below 5" in n]
    assert len(note) == 1 and "pain (4 of 4 cells; smallest 1.0)" in note[0]
    assert "is not met for" in note[0] and "Fisher's exact test" in note[0]
    fisher = ae_incidence(SUBJECTS, EVENTS, by=["sex"], test="fisher")
    assert not any("expected counts" in n for n in fisher.footnotes)


def test_ae_severity_chi2_says_so_too():
    res = ae_severity(SUBJECTS, EVENTS, by=["sex"], test="chi2")
    assert (res.frame["stat"] == "n_cells_expected_below_5").any()
    note = [n for n in res.footnotes if "expected counts below 5" in n]
    assert len(note) == 1 and "Cochran's rule" in note[0]
    # named in words: it named the ARD's variable, "worst_severity"
    assert "expected counts below 5: the highest severity (" in note[0]
    assert "worst_severity" not in note[0]
