"""How a ``retro`` command fails: never with a Python traceback on the terminal.

A ``RetroError`` (a problem in the data or the study file) is printed as its message; any other
exception as one paragraph naming the command, the stage and the log file that holds the
traceback (``retro --debug`` lets it raise instead). Both exit with status 2.
"""

from __future__ import annotations

import functools
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer._click import exceptions as click_exceptions  # Typer's own copy of click

from analysis.errors import RetroError
from analysis.parallel import JobFailed

console = Console(stderr=True)
T = TypeVar("T")
P = ParamSpec("P")


@dataclass
class _Invocation:
    """What the running command is doing, for the message when it fails."""

    command: str = ""
    stage: str = ""
    log_dir: Path | None = None  # paths.processed: never under reports (raw values)
    debug: bool = False


_now = _Invocation()
ERROR_LOG = "retro-error.log"


def _command(name: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Run a command so that no traceback reaches the user: a ``RetroError`` is printed as its
    message, any other exception as one paragraph naming the command, the stage and where the
    traceback was written (``--debug`` lets it raise instead). Both exit with status 2."""

    def decorate(fn: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            _now.command, _now.stage, _now.log_dir = name, "reading the study file", None
            try:
                fn(*args, **kwargs)
            except (typer.Exit, typer.Abort, click_exceptions.ClickException):
                raise
            except RetroError as exc:
                _print_user_error(exc)
                raise typer.Exit(2) from None
            except JobFailed as exc:  # a stage of `retro run` failed in another process
                _now.stage = exc.job
                if isinstance(exc.cause, RetroError):
                    _print_user_error(exc.cause)
                    raise typer.Exit(2) from None
                if _now.debug:
                    if exc.child_traceback:
                        exc.cause.add_note(f"in the child process:\n{exc.child_traceback}")
                    raise exc.cause from None
                _print_unexpected(exc.cause, exc.child_traceback or _traceback_text(exc))
                raise typer.Exit(2) from None
            except Exception as exc:
                if _now.debug:
                    raise
                _print_unexpected(exc, _traceback_text(exc))
                raise typer.Exit(2) from None

        return run

    return decorate


def _print_user_error(exc: RetroError) -> None:
    console.print(f"[bold red]error:[/] {type(exc).__name__}", highlight=False)
    console.print(str(exc), markup=False, highlight=False, soft_wrap=True)


def _traceback_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def _print_unexpected(exc: BaseException, trace: str) -> None:
    """One paragraph: the command, the stage, the exception, where its traceback is."""
    log = _write_error_log(trace)
    where = (
        f"The full traceback is in {log}"
        if log is not None
        else "The traceback could not be written to a file"
    )
    text = str(exc).rstrip()
    end = "" if text.endswith((".", "!", "?")) else "."
    message = Text.assemble(
        ("error: ", "bold red"),
        f"retro {_now.command}: stage '{_now.stage}' failed: {type(exc).__name__}: {text}{end} This "
        f"is an unexpected error (not one the toolkit recognises in the data or the study "
        f"file). {where}; rerun with `retro --debug {_now.command} ...` to see it here, and "
        f"report it with that traceback if the cause is not clear from it.",
    )
    console.print(message, soft_wrap=True, highlight=False)


def _write_error_log(trace: str) -> Path | None:
    """Write the traceback to retro-error.log in the study's processed folder (the temporary
    folder when the study file could not be read); None when it cannot be written. Not under
    the reports folder, which is shared: an exception's text can quote raw values."""
    import tempfile

    folder = _now.log_dir if _now.log_dir is not None else Path(tempfile.gettempdir())
    path = folder / ERROR_LOG
    header = (
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}  retro {' '.join(sys.argv[1:])}\n"
        f"command: retro {_now.command}; stage: {_now.stage}\n\n"
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(header + trace, encoding="utf-8")
    except OSError:
        return None
    return path


def _guard(fn: Callable[[], T], stage: str | None = None) -> T:
    """Run one stage of the command (named in the message if it fails)."""
    if stage is not None:
        _now.stage = stage
    return fn()
