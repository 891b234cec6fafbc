"""Under ``--suppress-below k`` the shared claims check gives back no number the tables hide.

A claim of each kind reads hidden cells of a response table (women: worsening 3, stabilization
22, mild 31, marked 9; every women's grade hidden at k = 5, the 3 and those that would give it
back): a count, a ratio on that count, an argmax whose leader and runner-up are hidden, a CI of a
hidden count and a p-value withheld with the table it tests. Neither ``claims_check.csv`` nor
the report's claims table may print a number of those cells, or one from which they follow
(expected - difference, numerator / denominator, the runner-up's n).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.report.build import study_claims
from analysis.report.html import _claims_table
from analysis.report.withheld import WITHHELD_TEXT
from analysis.tables.response import response_table
from analysis.tables.study_tables import study_ard
from tests.hostile.test_suppression import _grade_cohort

K = 5
CLAIMS = """\
claims:
  - id: worsening_women
    text: "10 women worsened"
    source_ref: "Results"
    source: {table: response, variable: response_12m, level: worsening,
             group: {sex: female}}
    expected: {n: 10, pct: 15.4}
    tolerance: {pct: 0.05}
  - id: worsening_women_pct
    kind: ratio
    text: "10 of the 65 women (15.4%) worsened"
    source_ref: "Results"
    numerator: {table: response, variable: response_12m, level: worsening,
                group: {sex: female}, stat: n}
    denominator: {table: response, variable: response_12m, group: {sex: female}, stat: N}
    expected: 15.4
    tolerance: 0.05
  - id: most_women_stabilised
    kind: argmax
    text: "most women stabilised"
    source_ref: "Results"
    source: {table: response, variable: response_12m, group: {sex: female}}
    expected_level: stabilization
  - id: marked_women_ci
    text: "marked improvement in women, 95% CI from 8.0"
    source_ref: "Results"
    source: {table: response, variable: marked_improvement, level: marked improvement,
             group: {sex: female}, stat: ci_low}
    expected: 8.0
    tolerance: 0.05
  - id: marked_women_ci_passes
    text: "marked improvement in women, 95% CI from 7.5"
    source_ref: "Results"
    source: {table: response, variable: marked_improvement, level: marked improvement,
             group: {sex: female}, stat: ci_low}
    expected: 7.5
    tolerance: 0.05
    unchecked: "the upper limit"
  - id: grades_by_sex
    text: "response differed by sex (p = 0.01)"
    source_ref: "Results"
    source: {table: response, variable: response_12m, group: {sex: ""},
             context: fisher_freeman_halton, stat: p_value}
    expected: 0.01
  - id: women_assessed
    text: "65 women were assessed"
    source_ref: "Results"
    source: {table: response, variable: response_12m, group: {sex: female}, stat: N}
    expected: 65
"""
# numbers of the hidden cells, and the figures the old notes printed that give them back
_HIDDEN = {"3", "22", "31", "9", "4.615", "33.846", "47.692", "13.846", "7.459", "24.268"}
_OLD_LEAKS = ("differs by", "/ 65", "n = 31", "n = 22", "7.459")


@pytest.fixture
def checked(tmp_path: Path) -> pd.DataFrame:
    data = _grade_cohort(
        {
            "female": {"worsening": 3, "stabilization": 22, "mild improvement": 31,
                       "marked improvement": 9},
            "male": {"worsening": 9, "stabilization": 14, "mild improvement": 35,
                     "marked improvement": 40},
        }
    )  # fmt: skip
    tables = {"response": response_table(data, by="sex", within=None, outcome="response_12m")}
    (tmp_path / "s.claims.yaml").write_text(textwrap.dedent(CLAIMS), encoding="utf-8")
    study = SimpleNamespace(
        config=SimpleNamespace(path=tmp_path / "s.yaml"), ard=study_ard(tables), tables=tables
    )
    out = study_claims(study, suppress_below=K)
    assert out is not None
    return out


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def test_no_number_of_a_hidden_cell_is_in_the_shared_claims_check(checked):
    csv = checked.to_csv(index=False)
    html = _claims_table(checked)
    for leak in _OLD_LEAKS:
        assert leak not in csv
        assert leak not in html
    hidden = checked.loc[checked["id"] != "women_assessed"]
    for row in hidden.itertuples():
        assert row.computed is None or pd.isna(row.computed), row.id
        # the note says only that the value is withheld and why (the rule, k)
        assert row.note.startswith("withheld under suppression: "), row.id
        assert row.expected is None and row.passed is None, row.id
        assert row.text == WITHHELD_TEXT, row.id
        assert _numbers(row.note) <= {str(K)}, (row.id, row.note)
        # every number the row prints comes from the claims file or the rule
        printed = _numbers(f"{row.text} {row.expected} {row.tolerance} {row.note}")
        assert not printed & _HIDDEN, row.id
    for text in (csv, html):
        for number in _HIDDEN - {"3", "9"}:  # "3", "9" also occur in other numbers' digits
            assert not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text), number


def test_verdicts_of_hidden_checks_are_withheld_and_a_shown_cell_keeps_its_value(checked):
    verdict = dict(zip(checked["id"] + "/" + checked["check"], checked["passed"], strict=True))
    assert verdict == {
        "worsening_women/n": None,
        "worsening_women/pct": None,
        "worsening_women_pct/ratio": None,
        "most_women_stabilised/argmax": None,
        "marked_women_ci/ci_low": None,
        "marked_women_ci_passes/ci_low": None,
        "grades_by_sex/p_value": None,
        "women_assessed/N": True,
    }
    html = _claims_table(checked)
    assert html.count(">withheld<") == 7
    assert "7 claims withheld under suppression" not in html  # counted in claims, not checks
    assert "6 claims withheld under suppression (Result &quot;withheld&quot;" in html
    shown = checked.set_index("id").loc["women_assessed"]
    assert shown["computed"] == 65
    assert shown["note"] == ""


def test_a_passing_claim_on_a_hidden_count_gives_back_neither_its_number_nor_its_text(
    tmp_path: Path,
):
    """ "expected 3, passed True" and the text "3 women worsened" gave the hidden 3 back."""
    data = _grade_cohort(
        {
            "female": {"worsening": 3, "stabilization": 22, "mild improvement": 31,
                       "marked improvement": 9},
            "male": {"worsening": 9, "stabilization": 14, "mild improvement": 35,
                     "marked improvement": 40},
        }
    )  # fmt: skip
    tables = {"response": response_table(data, by="sex", within=None, outcome="response_12m")}
    (tmp_path / "s.claims.yaml").write_text(
        textwrap.dedent(
            """\
            claims:
              - id: worsening_women
                text: "worsening in 3 women (4.6%), in 65 assessed"
                source_ref: "Results"
                source: {table: response, variable: response_12m, level: worsening,
                         group: {sex: female}}
                expected: {n: 3, N: 65}
                unchecked: "the 4.6% of 3 women"
            """
        ),
        encoding="utf-8",
    )
    study = SimpleNamespace(
        config=SimpleNamespace(path=tmp_path / "s.yaml"), ard=study_ard(tables), tables=tables
    )
    full = study_claims(study)
    assert full is not None and full["passed"].all()  # the study team's check passes
    out = study_claims(study, suppress_below=K)
    assert out is not None
    n, big_n = out.itertuples(index=False)
    assert (n.expected, n.computed, n.passed) == (None, None, None)
    assert (big_n.expected, big_n.computed, big_n.passed) == (65, 65, True)
    assert n.text == big_n.text == WITHHELD_TEXT
    for shared in (out.to_csv(index=False), _claims_table(out)):
        assert "3 women" not in shared and "4.6" not in shared
