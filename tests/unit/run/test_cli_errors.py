"""No Python traceback reaches the terminal: an unexpected error in any stage of any command is
one paragraph naming the command, the stage and the exception, with the traceback in
the study's processed folder (retro-error.log, never under the shared reports folder);
`retro --debug ...` lets it raise."""

from __future__ import annotations

import re
import tempfile

import pytest
from typer.testing import CliRunner

import analysis.tables.study_tables as tables_study
from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig

runner = CliRunner()

CLAIMS = """\
study: mini
claims:
  - id: patients_included
    text: "3 patients were included"
    source_ref: "Results"
    source: {table: baseline_sex, variable: N, stat: N}
    expected: 3
"""


@pytest.fixture
def broken_tables(monkeypatch):
    """Every table builder of the study raises ``exc`` (set by the test)."""
    real = tables_study.table_builders
    raised: dict[str, BaseException] = {"exc": KeyError("no_such_column")}

    def builders(config, result):  # noqa: ANN001, ANN202
        def fail():  # noqa: ANN202
            raise raised["exc"]

        return {name: fail for name in real(config, result)}

    monkeypatch.setattr(tables_study, "table_builders", builders)
    return raised


PLAN = """\
analysis:
  tables:
    baseline_sex: {kind: baseline, by: sex, variables: [age_years, centre]}
    ae_incidence: {kind: ae_incidence}
    logistic_any_ae:
      kind: logistic
      outcome: has_teae
      covariates: [sex, age_years, therapy_group, n_exposures]
  figures:
    - {kind: flow_diagram}
    - {kind: ae_incidence, table: ae_incidence, by: sex}
"""


def _with_plan(y: str) -> str:
    return y + PLAN


def _study(mini_study):
    path = mini_study(yaml_edit=_with_plan)
    (path.parent / "mini.claims.yaml").write_text(CLAIMS, encoding="utf-8")
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def _assert_one_paragraph(res, command: str, stage: str, exc: str, log) -> None:  # noqa: ANN001
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert _flat(res.output) == _flat(
        f"error: retro {command}: stage '{stage}' failed: {exc}. This is an unexpected error "
        "(not one the toolkit recognises in the data or the study file). The full traceback is "
        f"in {log}; rerun with `retro --debug {command} ...` to see it here, and report it with "
        "that traceback if the cause is not clear from it."
    )
    text = log.read_text(encoding="utf-8")
    assert f"command: retro {command}; stage: {stage}" in text
    assert "Traceback (most recent call last)" in text
    assert exc in text


@pytest.mark.parametrize(
    ("exc", "shown"),
    [
        (KeyError("no_such_column"), "KeyError: 'no_such_column'"),
        (ValueError("model did not converge"), "ValueError: model did not converge"),
    ],
)
@pytest.mark.parametrize(
    ("args", "stage"),
    [
        (["tables"], "tables"),
        (["verify"], "tables"),
        (["run", "--jobs", "1"], "tables"),
        (["run", "--jobs", "2"], "tables"),
        (["report", "--jobs", "1"], "tables"),
        (["figures"], "figures"),
    ],
)
def test_a_failing_table_builder_is_one_paragraph(
    mini_study, broken_tables, args, stage, exc, shown
):
    path = _study(mini_study)
    broken_tables["exc"] = exc
    command = args[0]
    res = runner.invoke(app, [command, str(path), *args[1:]])
    log = StudyConfig.load(path).processed_dir / "retro-error.log"
    if command == "run" or command == "report":
        # the clean summary comes first; the error is the last paragraph
        assert "Patient flow" in res.output
        res_output = res.output[res.output.index("error: ") :]
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output
        assert _flat(res_output).startswith(
            _flat(f"error: retro {command}: stage '{stage}' failed: {shown}. ")
        )
        assert f"in {log};" in _flat(res_output)
        assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")
    else:
        _assert_one_paragraph(res, command, stage, shown, log)


@pytest.mark.parametrize("args", [["tables"], ["verify"], ["run", "--jobs", "1"], ["figures"]])
def test_debug_lets_the_exception_raise(mini_study, broken_tables, args):
    path = _study(mini_study)
    res = runner.invoke(app, ["--debug", args[0], str(path), *args[1:]])
    assert isinstance(res.exception, KeyError), res.output
    assert res.exception.args == ("no_such_column",)


def test_a_failing_clean_stage_is_named(mini_study, monkeypatch):
    import analysis.clean.stage as pipeline

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline, "clean_study", broken)
    path = _study(mini_study)
    res = runner.invoke(app, ["clean", str(path)])
    log = StudyConfig.load(path).processed_dir / "retro-error.log"
    _assert_one_paragraph(res, "clean", "clean", "ZeroDivisionError: division by zero", log)


def test_an_error_before_the_study_is_read_logs_to_the_temporary_folder(
    mini_study, monkeypatch, tmp_path
):
    def broken(cls, path):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(StudyConfig, "load", classmethod(broken))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    res = runner.invoke(app, ["tables", str(mini_study(yaml_edit=_with_plan))])
    _assert_one_paragraph(
        res,
        "tables",
        "reading the study file",
        "RuntimeError: boom",
        tmp_path / "tmp" / "retro-error.log",
    )


def test_when_the_log_cannot_be_written_the_message_says_so(mini_study, broken_tables):
    path = _study(mini_study)
    processed = StudyConfig.load(path).processed_dir
    processed.parent.mkdir(parents=True, exist_ok=True)
    processed.write_text("a file where the processed folder should be")
    res = runner.invoke(app, ["verify", str(path)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert (
        "The traceback could not be written to a file; rerun with `retro --debug verify ...`"
        in (_flat(res.output))
    )


def test_a_bad_claims_file_is_a_user_error(mini_study):
    path = mini_study()
    (path.parent / "mini.claims.yaml").write_text("claims: [unclosed\n", encoding="utf-8")
    res = runner.invoke(app, ["verify", str(path)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert res.output.startswith("error: ") and not re.search(r"\w+Error", res.output)
    assert "mini.claims.yaml" in res.output


def test_a_failing_claim_still_exits_1(mini_study, monkeypatch):
    real = tables_study.table_builders
    monkeypatch.setattr(  # the mini study's models cannot be fitted: only its baseline table
        tables_study,
        "table_builders",
        lambda config, result: {"baseline_sex": real(config, result)["baseline_sex"]},
    )
    path = mini_study(yaml_edit=_with_plan)
    (path.parent / "mini.claims.yaml").write_text(
        CLAIMS.replace("expected: 3", "expected: 99"), encoding="utf-8"
    )
    res = runner.invoke(app, ["verify", str(path)])
    assert res.exit_code == 1, res.output
    assert "FAIL" in res.output
    assert "1 of 1 checks fail" in _flat(res.output)


def test_a_model_that_cannot_be_estimated(mini_study):
    # the mini study has too few patients for this model: once a raw traceback, now an error
    # naming the table and the setting that fixes it
    res = runner.invoke(app, ["tables", str(mini_study(yaml_edit=_with_plan))])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert _flat(res.output) == (
        "error: table 'logistic_any_ae' (kind logistic) cannot be built: only 3 "
        "complete case(s) for 4 covariate column(s); the model cannot be estimated. Use fewer "
        "covariates or impute missing values first. Change its settings under "
        "`analysis.tables.logistic_any_ae`, line 82 in the study file, or remove it."
    )


def test_ctrl_c_that_a_library_turns_into_its_own_error_is_the_interrupt(mini_study, monkeypatch):
    """A library may catch the KeyboardInterrupt of Ctrl-C and raise an error of its own with no
    trace of it (matplotlib's compiled transforms: "TypeError: affine_transform(): incompatible
    function arguments", seen when Ctrl-C came while a figure was drawn): the command still
    stops as interrupted (one line, exit 130), not as an unexpected error."""
    import os
    import signal
    import time

    import analysis.clean.stage as pipeline

    def swallowed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        caught = False
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            caught = True
        if caught:  # raised outside the handler: no __context__ left to find, as pybind11 does
            raise TypeError("affine_transform(): incompatible function arguments")

    monkeypatch.setattr(pipeline, "clean_study", swallowed)
    handler = signal.getsignal(signal.SIGINT)
    res = runner.invoke(app, ["clean", str(_study(mini_study))])
    assert res.exit_code == 130, res.output
    assert "interrupted (Ctrl-C)" in res.output
    assert "TypeError" not in res.output
    assert signal.getsignal(signal.SIGINT) is handler  # the command's handler is gone
    # a later command that fails on its own is still an unexpected error, not an interrupt
    monkeypatch.setattr(pipeline, "clean_study", lambda *a, **k: 1 / 0)
    res = runner.invoke(app, ["clean", str(_study(mini_study))])
    assert res.exit_code == 2 and "ZeroDivisionError" in res.output


def test_a_scaled_twin_error_is_logged_beside_the_twin_not_in_the_shipped_study(
    monkeypatch, tmp_path
):
    """`retro synth --patients N --out FOLDER` writes only under FOLDER: the traceback of an
    unexpected error goes to FOLDER/processed (the processed folder of the twin's study file),
    never into the shipped study's processed folder."""
    import analysis.datasets as datasets
    from tests.conftest import REPO

    study = REPO / "studies" / "dutasteride_mesotherapy.yaml"
    shipped_log = StudyConfig.load(study).processed_dir / "retro-error.log"
    before = shipped_log.read_bytes() if shipped_log.exists() else None

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(datasets, "write_scaled_twin", broken)
    out = tmp_path / "twin"
    res = runner.invoke(app, ["synth", str(study), "--patients", "50", "--out", str(out)])
    _assert_one_paragraph(
        res,
        "synth",
        "writing the scaled synthetic twin",
        "RuntimeError: boom",
        out / "processed" / "retro-error.log",
    )
    assert (shipped_log.read_bytes() if shipped_log.exists() else None) == before


def test_ctrl_c_that_a_library_catches_and_goes_on_moves_nothing_into_place(
    mini_study, monkeypatch
):
    """WeasyPrint draws each SVG figure of the PDF in ``except BaseException``: a Ctrl-C then
    left that figure out of report.pdf, and the run went on, moved the PDF into place and
    exited 0. The interrupt is noted by the handler: nothing moves, exit 130."""
    import os
    import signal
    import time

    import analysis.run.outputs as outputs

    drawn = outputs._write_figures

    def caught_and_gone_on(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except BaseException:  # noqa: BLE001 - as the library does
            pass
        return drawn(*args, **kwargs)

    monkeypatch.setattr(outputs, "_write_figures", caught_and_gone_on)
    study = mini_study()
    res = runner.invoke(app, ["run", str(study)])
    assert res.exit_code == 130, res.output
    assert "interrupted (Ctrl-C)" in res.output
    reports = StudyConfig.load(study).reports_dir
    assert not (reports / "report.html").exists()  # nothing of this run moved into place
    assert not any(reports.rglob(".retro-staging-*")) if reports.exists() else True
