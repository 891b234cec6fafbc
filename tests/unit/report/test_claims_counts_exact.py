"""Counts are checked exactly: a tolerance is for percentages, means, CIs and p-values.

``expected: {n: 247, N: 541, pct: 45.5}`` with ``tolerance: 1`` passed 247 for the ARD's 246,
and ``tolerance: 1000`` passed 300: the single number applied to the counts too.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from analysis.ard import STATS, ard_frame
from analysis.errors import ConfigError
from analysis.report.claims import load_claims, verify_claims
from tests.conftest import ard_rows


@pytest.fixture
def ard() -> pd.DataFrame:
    return ard_frame(
        ard_rows("ae", "ae_term", "pain", "overall", n=246, N=541, pct=100 * 246 / 541)
    )


def _load(tmp_path: Path, expected: str, tolerance: str) -> Path:
    path = tmp_path / "x.claims.yaml"
    text = f"""\
        claims:
          - id: pain
            text: "pain: 247 (45.5%)"
            source_ref: Results
            source: {{table: ae, variable: ae_term, level: pain}}
            expected: {expected}
            tolerance: {tolerance}
        """
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(("n", "tolerance"), [(247, "1"), (300, "1000")])
def test_a_single_tolerance_does_not_apply_to_the_counts(tmp_path, ard, n, tolerance):
    claims = load_claims(_load(tmp_path, f"{{n: {n}, N: 541, pct: 45.5}}", tolerance))
    result = verify_claims(ard, claims).set_index("check")
    assert not result.loc["n", "passed"]
    assert result.loc["n", "tolerance"] == 0
    assert result.loc["n", "note"] == f"differs by {246 - n}"
    assert result.loc["N", "passed"] and result.loc["N", "tolerance"] == 0
    assert result.loc["pct", "passed"] and result.loc["pct", "tolerance"] == float(tolerance)


def test_a_tolerance_naming_a_count_is_refused_with_the_file_line_and_claim(tmp_path):
    path = _load(tmp_path, "{n: 247, N: 541, pct: 45.5}", "{n: 1, pct: 0.05}")
    with pytest.raises(ConfigError) as err:
        load_claims(path)
    said = str(err.value)
    assert str(path) in said
    assert "`claims[0]` (line 2): claim 'pain': `tolerance` gives the count(s) ['n'] a " in said
    assert "(n: 1); counts are checked exactly, so 247 never passes for 246." in said
    assert "Remove them from `tolerance`" in said


def test_a_tolerance_on_a_claim_of_counts_only_is_refused(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_claims(_load(tmp_path, "{n: 247, N: 541}", "2"))
    assert (
        "claim 'pain': `tolerance: 2` applies to no stat: the claim checks only count(s) "
        "['N', 'n'], and counts are checked exactly. Remove `tolerance`"
    ) in str(err.value)


def test_a_zero_tolerance_on_a_count_is_accepted(tmp_path, ard):
    claims = load_claims(_load(tmp_path, "{n: 246, pct: 45.5}", "{n: 0, pct: 0.05}"))
    assert verify_claims(ard, claims)["passed"].all()


def test_every_count_stat_is_an_ard_stat():
    from analysis.ard import COUNT_STATS

    assert set(COUNT_STATS) <= set(STATS)
    assert {"n", "N", "events", "n_risk", "n_event", "n_censor"} <= set(COUNT_STATS)
