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
