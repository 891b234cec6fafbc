"""Ctrl-C at a chosen moment of a real ``retro`` process, for tests/hostile/test_interrupts.py.

    python -c "from tests.hostile._interrupt_hooks import main; main()" HOOK run studies/x.yaml

installs the hook ``HOOK``, then runs ``retro`` with the remaining arguments (the installed entry
point, ``analysis.run.cli:main``). A hook sends SIGINT to the whole process group, as a terminal
does on Ctrl-C (start the process in a session of its own), at one moment of the command: while
a given stage runs, or halfway through writing a given file.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any


def ctrl_c() -> None:
    """SIGINT to every process of the group (this one, its parent or its children)."""
    os.killpg(os.getpgrp(), signal.SIGINT)
    time.sleep(60)  # the signal ends this (or raises KeyboardInterrupt) long before


def half(path: Any) -> None:
    """Write the first bytes of a file at ``path``, as an interrupted writer leaves it."""
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.7\n half a file")
        fh.flush()


def _while_cleaning() -> None:
    import analysis.clean.stage
    import analysis.run.study

    real = analysis.clean.stage.clean_study

    def clean_study(*args: Any, **kwargs: Any) -> Any:
        ctrl_c()
        return real(*args, **kwargs)

    analysis.clean.stage.clean_study = clean_study
    analysis.run.study.clean_study = clean_study  # type: ignore[attr-defined]


def _while_building_tables() -> None:
    import analysis.tables.study_tables

    def study_ard(tables: Any) -> Any:
        ctrl_c()

    analysis.tables.study_tables.study_ard = study_ard


def _half_written_pdf() -> None:
    import weasyprint

    def write_pdf(self: Any, target: Any, **kwargs: Any) -> None:
        half(target)
        ctrl_c()

    weasyprint.HTML.write_pdf = write_pdf


def _half_written_docx() -> None:
    import analysis.tables.office

    real = analysis.tables.office.write_docx

    def write_docx(tables: Any, path: Any, **kwargs: Any) -> Any:
        if Path(path).name == "response.docx":
            from analysis.write.atomic import atomic_path

            with atomic_path(path) as tmp:
                half(tmp)
                ctrl_c()
        return real(tables, path, **kwargs)

    analysis.tables.office.write_docx = write_docx


def _alone() -> None:
    """SIGINT to this process alone (``kill -INT`` of its pid), not to its group."""
    import analysis.tables.office

    real = analysis.tables.office.write_xlsx

    def write_xlsx(tables: Any, path: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(60)
        return real(tables, path, **kwargs)

    analysis.tables.office.write_xlsx = write_xlsx


def _half_written_figure() -> None:
    import matplotlib.figure

    real = matplotlib.figure.Figure.savefig

    def savefig(self: Any, fname: Any, **kwargs: Any) -> Any:
        if str(fname).endswith(".png"):
            half(fname)
            ctrl_c()
        return real(self, fname, **kwargs)

    matplotlib.figure.Figure.savefig = savefig  # type: ignore[method-assign]


def _manifest_written_not_moved() -> None:
    import analysis.report.manifest

    real = analysis.report.manifest.write_manifest

    def write_manifest(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        ctrl_c()

    analysis.report.manifest.write_manifest = write_manifest


def _while_moving() -> None:
    """Ctrl-C after the third file has moved into place (the rest wait for the end)."""
    real = os.replace
    moves = [0]

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
        out = real(src, dst, *args, **kwargs)
        if ".retro-staging-" in str(src) and ".retro-staging-" not in str(dst):
            moves[0] += 1
            if moves[0] == 3:
                os.killpg(os.getpgrp(), signal.SIGINT)
        return out

    os.replace = replace


def _after_the_outputs() -> None:
    import analysis.run.cli

    def claims_summary(study: Any) -> None:
        ctrl_c()

    analysis.run.cli.print_claims_summary = claims_summary


def _twice() -> None:
    """Ctrl-C while cleaning, and again while the staging folders are removed."""
    import analysis.write.staging

    _while_cleaning()
    real = analysis.write.staging.Staging.discard

    def discard(self: Any) -> None:
        if self._made:
            os.killpg(os.getpgrp(), signal.SIGINT)
        real(self)

    analysis.write.staging.Staging.discard = discard  # type: ignore[method-assign]


def _half_written_parquet() -> None:
    import analysis.clean.outputs

    real = analysis.clean.outputs.write_parquet

    def write_parquet(df: Any, path: Any) -> Any:
        if "exclusions" in str(path):
            half(path)
            ctrl_c()
        return real(df, path)

    analysis.clean.outputs.write_parquet = write_parquet


def _half_written_xlsx() -> None:
    import analysis.tables.office

    real = analysis.tables.office.write_xlsx

    def write_xlsx(tables: Any, path: Any, **kwargs: Any) -> Any:
        if Path(path).name == "response.xlsx":
            from analysis.write.atomic import atomic_path

            with atomic_path(path) as tmp:
                half(tmp)
                ctrl_c()
        return real(tables, path, **kwargs)

    analysis.tables.office.write_xlsx = write_xlsx


def _synth_before_its_manifest() -> None:
    import analysis.datasets._synth_files as files

    real = files.manifest_text

    def manifest_text(*args: Any, **kwargs: Any) -> str:
        ctrl_c()
        return real(*args, **kwargs)

    files.manifest_text = manifest_text


HOOKS = {
    "none": lambda: None,
    "cleaning": _while_cleaning,
    "tables": _while_building_tables,
    "pdf": _half_written_pdf,
    "docx": _half_written_docx,
    "alone": _alone,
    "figure": _half_written_figure,
    "manifest": _manifest_written_not_moved,
    "moving": _while_moving,
    "after": _after_the_outputs,
    "twice": _twice,
    "parquet": _half_written_parquet,
    "xlsx": _half_written_xlsx,
    "synth": _synth_before_its_manifest,
}


def main() -> None:
    # the command as a terminal's foreground job: Ctrl-C raises KeyboardInterrupt. A test run
    # started in the background by a shell without job control (`cmd &` in a script) inherits
    # SIGINT ignored, and Python then leaves it ignored, as a background job should.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    hook, *args = sys.argv[1:]
    HOOKS[hook]()
    from analysis.run.cli import main as retro

    sys.argv = ["retro", *args]
    retro()
