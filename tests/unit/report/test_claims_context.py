"""A claim names the computation (``context``) where two share one ARD cell (the exact and the
trend test of the response grades), and a claim on a level's ``N`` reads its variable's one
``N`` row (``analysis.ard.one_denominator``)."""

from __future__ import annotations

from analysis.ard import ard_frame, published
from analysis.report.claims import ValueClaim, verify_claims


def _claim(expected: float, **source: object) -> ValueClaim:
    return ValueClaim(id="c", text="t", source_ref="Results", source=source, expected=expected)


def _tests() -> object:
    rows = [
        {"table": "r", "context": c, "variable": "grade", "level": "", "group": "sex=*",
         "stat": "p_value", "value": p, "method": m}
        for c, p, m in (("fisher_freeman_halton", 0.2, "ffh"), ("trend_test", 0.03, "trend"))
    ]  # fmt: skip
    return published(ard_frame(rows))


def test_two_contexts_of_one_cell_need_the_context():
    cell = {"table": "r", "variable": "grade", "group": {"sex": ""}, "stat": "p_value"}
    row = verify_claims(_tests(), [_claim(0.03, **cell)]).iloc[0]
    assert not row["passed"]
    assert "ambiguous" in row["note"] and "['fisher_freeman_halton', 'trend_test']" in row["note"]
    row = verify_claims(_tests(), [_claim(0.03, **cell, context="trend_test")]).iloc[0]
    assert row["passed"]
    row = verify_claims(_tests(), [_claim(0.03, **cell, context="chi_square")]).iloc[0]
    assert not row["passed"] and "contexts of this cell" in row["note"]


def test_a_levels_n_is_its_variables_one_n_row():
    rows = [
        {"table": "ae", "variable": "ae_term", "level": lv, "group": "overall", "stat": st,
         "value": x, "method": ""}
        for lv in ("pain", "edema") for st, x in (("n", 3), ("N", 10))
    ]  # fmt: skip
    ard = published(ard_frame(rows, context="ae_incidence"))
    assert (ard["stat"] == "N").sum() == 1
    pain = {"table": "ae", "variable": "ae_term", "level": "pain"}
    assert verify_claims(ard, [_claim(10, **pain, stat="N")]).iloc[0]["passed"]
    typo = verify_claims(ard, [_claim(10, **{**pain, "level": "pian"}, stat="N")]).iloc[0]
    assert not typo["passed"]  # not a level of the variable: no fallback
