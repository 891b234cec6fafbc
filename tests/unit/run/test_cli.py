"""The `retro` command: exit codes, messages, outputs."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.run.cli import app

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
        "exposures.parquet",
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
    assert res.output.startswith("error: 1 unmapped value(s); nothing was guessed or dropped:")
    assert "UnmappedValuesError" not in res.output
    assert "`ae_term` has unmapped value 'zzz' in 1 row" in res.output
    assert "Traceback" not in res.output


def test_a_long_unmapped_value_is_quoted_cut_to_its_start_and_length(mini_study):
    """A 32,000-character cell in a vocabulary column was quoted whole: a 32 KB message."""
    long_text = "dolor " * 5000
    path = mini_study(
        files={"aes.csv": f"id,onset,term,severity,serious\nP1,2020-01-11,{long_text},leve,no\n"}
    )
    res = runner.invoke(app, ["clean", str(path)])
    assert res.exit_code == 2
    shown = f"`ae_term` has unmapped value {long_text.strip()[:80]!r}… (29,999 characters) in 1 row"
    assert shown in " ".join(res.output.split())
    assert len(res.output) < 3000


def test_user_error_while_cleaning_in_run_exits_2(mini_study):
    path = mini_study(
        files={"aes.csv": "id,onset,term,severity,serious\nP1,2020-01-11,zzz,leve,no\n"}
    )
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("error: 1 unmapped value(s); nothing was guessed or dropped:")
    assert "UnmappedValuesError" not in res.output
    assert "`ae_term` has unmapped value 'zzz' in 1 row" in res.output
    assert "Traceback" not in res.output


def test_bad_config_exits_2(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("study: {name: x}\n")
    res = runner.invoke(app, ["clean", str(bad)])
    assert res.exit_code == 2
    assert "missing required key `study.title`" in res.output


def test_data_dictionary_describes_every_column(reference_clean, reference_config):
    from analysis.clean.dictionary import data_dictionary

    dd = data_dictionary(reference_clean.tables, reference_config)
    assert (dd["description"].str.len() > 10).all(), dd.loc[dd["description"].str.len() <= 10]
    assert set(dd["origin"]) == {"raw (mapped)", "derived", "provenance"}
    pat = dd.set_index(["table", "column"])
    assert pat.loc[("patients", "response_12m"), "levels"] == (
        "worsening < stabilization < mild improvement < marked improvement"
    )


def _console_script(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    """The installed ``retro`` entry point (``analysis.run.cli:main``), in a fresh process."""
    code = (
        "import sys; from analysis.run.cli import main; sys.argv = ['retro', *sys.argv[1:]]; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_console_script_exit_statuses(mini_study, tmp_path):
    assert _console_script("--help").returncode == 0
    missing = _console_script("clean", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert "study config not found" in missing.stderr
    usage = _console_script("run", "--jobs", "0", "x.yaml")
    assert usage.returncode == 2
    assert "--jobs" in usage.stderr
    ok = _console_script("clean", str(mini_study()))
    assert ok.returncode == 0, ok.stderr
    assert "balanced" in ok.stdout  # printed output is flushed before the process leaves


def test_synth_refuses_a_study_that_is_not_synthetic(mini_study):
    from typer.testing import CliRunner

    from analysis.run.cli import app

    path = mini_study()
    result = CliRunner().invoke(app, ["synth", str(path)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert (
        "study 'mini' says `synthetic: false` (or nothing): `retro synth` would overwrite" in text
    )
    assert not (path.parent.parent / "raw" / "patients.csv").read_text().startswith("Patient")


def test_synth_names_the_studies_with_a_twin(mini_study):
    from analysis.datasets import shipped_twins, write_twin
    from analysis.errors import ConfigError
    from analysis.studyfile.config import StudyConfig

    cfg = StudyConfig.load(
        mini_study(yaml_edit=lambda y: y.replace("  seed: 7", "  seed: 7\n  synthetic: true"))
    )
    with pytest.raises(ConfigError) as exc:
        write_twin(cfg)
    assert str(exc.value).startswith(
        f"no synthetic twin for study 'mini'; twins exist for {shipped_twins()}."
    )
    assert "dutasteride_mesotherapy" in shipped_twins()
