"""``retro verify`` says "PASS, in part" for a claim whose text states a number it does not
check (``unchecked``), and counts it apart in its summary, as ``retro run`` and the report do:
it printed PASS and "all 34 checks of 23 claims pass" where run said "reproduced in part only"."""

from __future__ import annotations

import pandas as pd
import pytest
from rich.console import Console

from analysis.ard import ard_frame
from analysis.report.claims import verify_command
from analysis.report.claims_summary import partial_lines
from tests.conftest import ard_rows
from tests.unit.report.test_claims import GOOD, _fake_study, _write

IN_PART = GOOD.replace(
    '        expected_level: "3"\n',
    '        expected_level: "3"\n        unchecked: "the 58% of the text"\n',
)


@pytest.fixture
def ard() -> pd.DataFrame:
    """The cells the claims of ``GOOD`` read."""
    return ard_frame(
        [
            *ard_rows("baseline", "N", "", "overall", N=541),
            *ard_rows("baseline", "schedule", "3", "overall", n=314, N=530),
            *ard_rows("baseline", "schedule", "4", "overall", n=76, N=530),
            *ard_rows("ae", "ae_term", "pain", "overall", n=246, N=541, pct=100 * 246 / 541),
            *ard_rows(
                "response", "any_improvement", "any improvement", "therapy_group=mono", n=69, N=86
            ),
        ]
    )


def _verify(tmp_path, monkeypatch, data, text: str) -> tuple[int, str]:
    study_path = tmp_path / "x.yaml"
    study_path.write_text("unused: true\n")
    _write(tmp_path, text)
    from analysis.run import study as study_mod

    monkeypatch.setattr(study_mod.Study, "load", classmethod(lambda cls, p: _fake_study(data)))
    console = Console(record=True, width=250)
    status = verify_command(study_path, console=console)
    return status, console.export_text()


def test_verify_says_pass_in_part_and_counts_the_claim_apart(tmp_path, monkeypatch, ard):
    status, text = _verify(tmp_path, monkeypatch, ard, IN_PART)
    assert status == 0
    assert "PASS, in part" in text
    assert "all 4 checks of 3 claims pass; 1 of them reproduced in part only" in text
    assert "reproduced in part only (it states a number not checked): every 3 months" in text


def test_a_claim_fully_checked_reads_pass_only(tmp_path, monkeypatch, ard):
    status, text = _verify(tmp_path, monkeypatch, ard, GOOD)
    assert status == 0 and "in part" not in text
    assert "all 4 checks of 3 claims pass\n" in text


def test_the_run_and_verify_share_the_lines(tmp_path, monkeypatch, ard):
    from analysis.report.claims import load_claims, verify_claims

    result = verify_claims(ard, load_claims(_write(tmp_path, IN_PART)))
    assert partial_lines(result) == [
        "reproduced in part only (it states a number not checked): every 3 months"
    ]
