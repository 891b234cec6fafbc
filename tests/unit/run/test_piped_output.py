"""Output piped to a file or a program is not broken into lines of 80 columns: rich's width when
stdout is no terminal split a `wrote <path>` line in two (``| xargs ls`` then failed), and a
progress line mid-sentence ("about 0\\ns left")."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

LONG = "/tmp/" + "a_folder_name_that_keeps_going_" * 6 + "/reports/report.html"


def test_a_long_line_stays_one_line_when_piped():
    code = (
        "from analysis.run.console import out, console\n"
        f"out.print('wrote ' + {LONG!r}, highlight=False)\n"
        f"console.print('warning: ' + 'word ' * 40, highlight=False)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout == f"wrote {LONG}\n"
    assert done.stderr.count("\n") == 1
