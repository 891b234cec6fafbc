"""An argmax ("the most common ...") is judged only over every level: a yes/no variable lists
its "yes" row alone (has_oral_minoxidil: yes 165 of 541), so "most used oral minoxidil" is
compared with the 376 others, not passed as the only level; a claim's level that is none of the
variable's says so and lists them."""

from __future__ import annotations

from analysis.ard import ard_frame
from analysis.report.claims import ArgmaxClaim, verify_claims
from tests.conftest import ard_rows


def _claim(level: str, variable: str = "v", stat: str = "n") -> ArgmaxClaim:
    return ArgmaxClaim(
        id="most",
        kind="argmax",
        text="most patients ...",
        source_ref="Results",
        source={"table": "b", "variable": variable, "stat": stat},
        expected_level=level,
    )


def _summary(levels: dict[str, float], n_total: float = 541, context: str = "categorical_summary"):
    rows = [*ard_rows("b", "v", "", "overall", N=n_total)]
    for level, n in levels.items():
        rows += ard_rows("b", "v", level, "overall", n=n, pct=100 * n / n_total)
    return ard_frame(rows, context=context)


def test_a_yes_row_alone_is_compared_with_the_rest_of_n():
    row = verify_claims(_summary({"yes": 165}), [_claim("yes")]).iloc[0]
    assert not row["passed"]
    assert row["computed"] == "(levels not listed)"
    assert row["note"].startswith("cannot be judged: yes: n = 165, but the levels the table")
    assert (
        "hold n = 376 (N = 541 − 165 listed; a yes/no variable lists its 'yes' only)"
        in (row["note"])
    )
    pct = verify_claims(_summary({"yes": 165}), [_claim("yes", stat="pct")]).iloc[0]
    assert not pct["passed"] and pct["computed"] == "(levels not listed)"


def test_a_yes_row_above_half_of_n_passes_and_says_what_it_was_compared_with():
    row = verify_claims(_summary({"yes": 400}), [_claim("yes")]).iloc[0]
    assert row["passed"] and row["computed"] == "yes"
    assert row["note"] == (
        "yes: n = 400; the levels the table does not list hold n = 141 (N = 541 − 400 listed; "
        "a yes/no variable lists its 'yes' only), fewer than 'yes'"
    )


def test_levels_of_a_categorical_summary_that_miss_part_of_n_cannot_be_judged():
    row = verify_claims(_summary({"a": 30, "b": 20}, n_total=100), [_claim("a")]).iloc[0]
    assert not row["passed"]
    assert "hold n = 50 (N = 100 − 50 listed)" in row["note"]
    full = verify_claims(_summary({"a": 60, "b": 40}, n_total=100), [_claim("a")]).iloc[0]
    assert full["passed"] and full["note"] == "a: n = 60; next b: n = 40"


def test_terms_that_may_share_a_subject_are_all_listed():
    ard = _summary({"pain": 100, "edema": 60}, context="ae_incidence")
    row = verify_claims(ard, [_claim("pain")]).iloc[0]
    assert row["passed"] and row["note"] == "pain: n = 100; next edema: n = 60"


def test_a_single_level_outside_a_summary_is_compared_with_the_subjects_without_it():
    few = verify_claims(_summary({"any event": 100}, context="ae"), [_claim("any event")])
    assert not few.iloc[0]["passed"] and "hold n = 441" in few.iloc[0]["note"]
    most = verify_claims(_summary({"any event": 337}, context="ae"), [_claim("any event")])
    assert most.iloc[0]["passed"] and "hold n = 204" in most.iloc[0]["note"]


def test_a_single_level_without_n_cannot_be_judged():
    ard = ard_frame(ard_rows("b", "v", "yes", "overall", n=165))
    row = verify_claims(ard, [_claim("yes")]).iloc[0]
    assert not row["passed"] and row["computed"] is None
    assert row["note"] == (
        "cannot be judged: b.v @ overall has only the level 'yes', and no single N to compare "
        "it with"
    )


def test_a_level_that_is_none_of_the_variables_lists_them():
    ard = _summary({"1": 43, "3": 314, "4": 184}, context="categorical_summary")
    row = verify_claims(ard, [_claim("3.0")]).iloc[0]
    assert not row["passed"] and row["computed"] == "3"
    assert row["note"].endswith(
        "; '3.0' is not a level of v (levels: '1', '3', '4'): write the level as the table "
        "prints it, '3' (in quotes)"
    )
