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
        assert row.note.startswith("computed value withheld: "), row.id
        assert _numbers(row.note) <= {str(K)}, (row.id, row.note)
        # every number the row prints comes from the claims file or the rule
        printed = _numbers(f"{row.text} {row.expected} {row.tolerance} {row.note}")
        assert not printed & _HIDDEN, row.id
    for text in (csv, html):
        for number in _HIDDEN - {"3", "9"}:  # "3", "9" also occur in other numbers' digits
            assert not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text), number


def test_verdicts_are_those_of_the_full_data_and_a_shown_cell_keeps_its_value(checked):
    verdict = dict(zip(checked["id"] + "/" + checked["check"], checked["passed"], strict=True))
    assert verdict == {
        "worsening_women/n": False,
        "worsening_women/pct": False,
        "worsening_women_pct/ratio": False,
        "most_women_stabilised/argmax": False,
        "marked_women_ci/ci_low": False,
        "marked_women_ci_passes/ci_low": True,
        "grades_by_sex/p_value": False,
        "women_assessed/N": True,
    }
    shown = checked.set_index("id").loc["women_assessed"]
    assert shown["computed"] == 65
    assert shown["note"] == ""
