"""In IPython / Jupyter, an error the toolkit raises on purpose shows as its message alone; any
other exception keeps its traceback (a notebook showed ~30 lines of the toolkit's frames above
"study config not found ...")."""

from __future__ import annotations

import re

import pytest

IPython = pytest.importorskip("IPython")


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_a_toolkit_error_shows_as_its_message_and_others_in_full(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from analysis.notebook_errors import short_errors_in_ipython

    shell = InteractiveShell.instance()
    try:
        short_errors_in_ipython()
        shell.run_cell(
            "from analysis.studyfile.config import StudyConfig\n"
            "StudyConfig.load('studies/no_such_study.yaml')"
        )
        short = _plain(capsys.readouterr().out)
        assert "ConfigError" in short and "no_such_study.yaml" in short
        assert "Traceback" not in short and "studyfile/config.py" not in short
        shell.run_cell("def f():\n    return {}['x']\nf()")
        full = _plain(capsys.readouterr().out)
        assert "KeyError" in full and "Traceback" in full and "f()" in full
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_a_failed_stage_of_a_run_shows_as_the_error_that_stopped_it(capsys):
    # 06-report calls run_study, whose stages raise JobFailed: a cleaning error showed there as
    # "JobFailed" where the other notebooks showed its own type
    from IPython.core.interactiveshell import InteractiveShell

    from analysis.notebook_errors import short_errors_in_ipython

    shell = InteractiveShell.instance()
    try:
        short_errors_in_ipython()
        result = shell.run_cell(
            "from analysis.errors import ConfigError\n"
            "from analysis.run.parallel import run_named\n"
            "def clean():\n    raise ConfigError('`sex` has unmapped value in 3 rows')\n"
            "run_named('clean', clean)"
        )
        shown = _plain(capsys.readouterr().out)
        assert "ConfigError: `sex` has unmapped value in 3 rows" in shown
        assert "JobFailed" not in shown and "Traceback" not in shown
        assert type(result.error_in_exec).__name__ == "JobFailed"  # raised as it was
        result = shell.run_cell("run_named('clean', lambda: {}['x'])")
        shown = _plain(capsys.readouterr().out)
        # a defect keeps its traceback; the error shown (last line) is its own, not JobFailed
        assert "Traceback" in shown and shown.rstrip().endswith("KeyError: 'x'")
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()
