"""The ``retro`` consoles print a study's text as it is: square brackets in a claim's note, a
level or a path are text, not rich markup (a claim note's "[pian]" vanished from the run's
summary and "[/IQR]" stopped the run with exit status 2 and no failed claim listed)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
import typer

from analysis.run import cli_summary
from analysis.run.console import console, error, out, warning


def test_the_claims_summary_prints_brackets_and_where_each_failed_claim_is(
    monkeypatch, reference_config
):
    import analysis.report.build as build

    checked = pd.DataFrame(
        {
            "id": ["patients_included", "libido"],
            "text": ["t1", "t2"],
            "check": ["n", "pct"],
            "expected": [247.0, 4.5],
            "computed": [246.0, 4.4713493530],
            "tolerance": [0.0, 0.05],
            "passed": [False, False],
            "fully_checked": [True, True],
            "note": ["not found in ARD: ae_term[pian]", "the median [/IQR] is not checked"],
        }
    )
    monkeypatch.setattr(build, "study_claims", lambda s: checked)
    study = SimpleNamespace(config=reference_config)
    with out.capture() as said, pytest.raises(typer.Exit) as stop:
        cli_summary.print_claims_summary(study)
    assert stop.value.exit_code == 1
    text = " ".join(said.get().split())  # the console folds long lines
    assert "ae_term[pian]" in text and "the median [/IQR] is not checked" in text
    # as `retro verify` says it: the file and line of the claim, the check, numbers as shown
    assert "dutasteride_mesotherapy.claims.yaml, line 15: claim 'patients_included' (n)" in text
    assert "claim 'libido' (pct): expected 4.5, computed 4.471:" in text
    assert "4.4713493530" not in text


def test_styled_lines_keep_their_text_as_it_is():
    with console.capture() as said:
        console.print(warning("level [male] of `sex`"))
        console.print(error("no notebooks in /data/[v2]/notebooks"))
        console.print("a path /tmp/[bold]x[/bold]")
    text = said.get()
    assert "warning: level [male] of `sex`" in text
    assert "error: no notebooks in /data/[v2]/notebooks" in text
    assert "a path /tmp/[bold]x[/bold]" in text
