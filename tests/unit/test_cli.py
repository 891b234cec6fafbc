"""The `retro` command: exit codes, messages, outputs."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()


def test_help_is_readable():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    assert "Retrospective-study toolkit" in res.output
    for cmd in ("clean", "run", "synth"):
        assert cmd in res.output


def test_clean_writes_outputs_and_balances(mini_study):
    path = mini_study()
    res = runner.invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    assert "Rows read 22 = kept 20 + logged 2: balanced" in res.output
    out = path.parent.parent / "processed"
    for name in (
        "patients.parquet",
        "sessions.parquet",
        "adverse_events.parquet",
        "concomitant.parquet",
        "assessments.parquet",
        "exclusions.parquet",
        "audit.parquet",
        "flow.csv",
        "data_dictionary.csv",
        "validation_report.csv",
    ):
        assert (out / name).is_file(), name
    flow = pd.read_csv(out / "flow.csv")
    assert flow["n_remaining"].tolist() == [4, 3]


def test_user_error_exits_2_without_traceback(mini_study):
    path = mini_study(
        files={"aes.csv": "id,onset,term,severity,serious\nP1,2020-01-11,zzz,leve,no\n"}
    )
    res = runner.invoke(app, ["clean", str(path)])
    assert res.exit_code == 2
    assert "UnmappedValuesError" in res.output
    assert "`ae_term` has unmapped value 'zzz' in 1 row" in res.output
    assert "Traceback" not in res.output


def test_bad_config_exits_2(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("study: {name: x}\n")
    res = runner.invoke(app, ["clean", str(bad)])
    assert res.exit_code == 2
    assert "missing required key `study.title`" in res.output


def test_data_dictionary_describes_every_column(reference_clean, reference_config):
    from analysis.dictionary import data_dictionary

    dd = data_dictionary(reference_clean.tables, reference_config)
    assert (dd["description"].str.len() > 10).all(), dd.loc[dd["description"].str.len() <= 10]
    assert set(dd["origin"]) == {"raw (mapped)", "derived", "provenance"}
    pat = dd.set_index(["table", "column"])
    assert pat.loc[("patients", "response_12m"), "levels"] == (
        "worsening < stabilization < mild improvement < marked improvement"
    )
