"""How a ``retro`` command fails: never with a Python traceback on the terminal.

A ``RetroError`` (a problem in the data or the study file) is printed as its message, and so is
an output that cannot be written (a read-only folder, a full disk, a file where a folder should
be: ``analysis.write.output_errors``); any other exception as one paragraph naming the command, the
stage and the log file that holds the traceback (``retro --debug`` lets it raise instead). All
exit with status 2. Ctrl-C prints one line saying what became of the outputs, status 130.
"""

from __future__ import annotations

import functools
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import ParamSpec, TypeVar

import typer
from rich.text import Text
from typer._click import exceptions as click_exceptions  # Typer's own copy of click

from analysis.errors import RetroError
from analysis.run.console import console
from analysis.run.console import error as error_line
from analysis.run.console import warning as warning_line
from analysis.run.parallel import JobFailed
from analysis.write import interrupts
from analysis.write.atomic import write_text_atomic
from analysis.write.output_errors import failed_path, folder_of, output_error
from analysis.write.staging import deferred_sigint

T = TypeVar("T")
P = ParamSpec("P")


@dataclass
class _Invocation:
    """What the running command is doing, for the message when it fails."""

    command: str = ""
    stage: str = ""
    log_dir: Path | None = None  # paths.processed: never under reports (raw values)
    debug: bool = False
    #: the folders the command writes, by config key (``paths.reports``: its folder)
    outputs: dict[str, Path] = field(default_factory=dict)
    #: its new outputs are all in place (a staged write was committed)
    written: bool = False
    #: a folder it writes as it goes (not staged), e.g. the executed notebooks
    unstaged: Path | None = None
    #: Ctrl-C (SIGINT) reached the command: whatever it raises after is the interrupt's
    interrupted: bool = False


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
            _now.outputs, _now.written, _now.unstaged = {}, False, None
            _now.interrupted = False
            interrupts.clear()
            previous = _noting_sigint()
            try:
                with deferred_sigint():
                    # the first call probes the temporary folder with a file deleted at once:
                    # not left behind by a Ctrl-C in between
                    tempfile.gettempdir()
                fn(*args, **kwargs)
                if _now.interrupted or interrupts.noted():  # a library caught the interrupt
                    _stop_interrupted()
            except (typer.Exit, typer.Abort, click_exceptions.ClickException):
                raise
            except Exception as exc:
                if not (_now.interrupted or _is_interrupt(exc)):
                    _fail(exc)
                _stop_interrupted()
            except KeyboardInterrupt:
                _stop_interrupted()
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)

        return run

    return decorate


_Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


def _noting_sigint() -> _Handler:
    """Ctrl-C raises ``KeyboardInterrupt`` as before, and is noted (``_now.interrupted``): a
    library may turn the ``KeyboardInterrupt`` into an error of its own and drop it
    (matplotlib's compiled transforms raised "TypeError: affine_transform(): incompatible
    function arguments" when Ctrl-C came in their argument conversion), which is then reported
    as the interrupt, not as an unexpected error. Gives the handler it replaced (None outside
    the main thread, which alone receives signals)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def noted(signum: int, frame: FrameType | None) -> None:
        _now.interrupted = True
        interrupts.note()
        signal.default_int_handler(signum, frame)

    return signal.signal(signal.SIGINT, noted)


def _stop_interrupted() -> None:
    """Ctrl-C: print one line (even on a second Ctrl-C), exit 130."""
    with deferred_sigint(reraise=False):
        console.print(interrupted_line(), highlight=False, soft_wrap=True)
    raise typer.Exit(130) from None


def _is_interrupt(exc: BaseException | None) -> bool:
    """Ctrl-C, also as another library reports it: DuckDB stops a query on SIGINT and raises
    its own error ("Query interrupted") instead of ``KeyboardInterrupt``."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "InterruptException":
            return True
        if isinstance(exc, RuntimeError) and str(exc) == "Query interrupted":
            return True
        exc = exc.cause if isinstance(exc, JobFailed) else (exc.__cause__ or exc.__context__)
        seen += 1
    return False


def _fail(exc: Exception) -> None:
    """Print how the command failed (see the module docstring) and exit with status 2;
    ``--debug`` raises an unexpected exception instead."""
    if isinstance(exc, JobFailed):  # a stage of `retro run` failed (here or in a worker)
        _now.stage = exc.job
    cause = exc.cause if isinstance(exc, JobFailed) else exc
    known = cause if isinstance(cause, RetroError) else _located(cause)
    if known is not None and not (_now.debug and not isinstance(cause, RetroError)):
        _print_user_error(known)
        raise typer.Exit(2) from None
    if _now.debug:
        if not isinstance(exc, JobFailed):
            raise exc
        if exc.child_traceback:
            cause.add_note(f"in the child process:\n{exc.child_traceback}")
        raise cause from None
    trace = exc.child_traceback if isinstance(exc, JobFailed) else ""
    _print_unexpected(cause, trace or _traceback_text(exc))
    raise typer.Exit(2) from None


def interrupted_line() -> str:
    """What ``retro`` prints on Ctrl-C: where it stopped and what became of the outputs."""
    head = f"retro {_now.command}: interrupted (Ctrl-C)"
    folders = " and ".join(str(p) for p in _now.outputs.values())
    if _now.unstaged is not None:
        return (
            f"{head} during stage '{_now.stage}'; the files in {_now.unstaged} may be "
            f"incomplete (the notebooks that ended are whole, the others from an earlier run or "
            f"missing): rerun the command to replace them."
        )
    if not _now.outputs:
        return f"{head} during stage '{_now.stage}'."
    if _now.written:
        return f"{head} after its new outputs were written: {folders} complete."
    return (
        f"{head} during stage '{_now.stage}'; nothing was written: the previous files in "
        f"{folders} are unchanged."
    )


def _located(exc: BaseException) -> RetroError | None:
    """An ``OSError`` about a path in one of the command's output folders, as a located
    message; None for anything else."""
    if not isinstance(exc, OSError) or not _now.outputs:
        return None
    path = failed_path(exc)
    if path is None or folder_of(path, _now.outputs) is None:
        return None
    action = f"retro {_now.command}, stage '{_now.stage}'"
    return output_error(exc, _now.outputs, action=action, kept=not _now.written)


def _print_user_error(exc: RetroError) -> None:
    """The message after "error:"; it says what and where itself (the exception's class name,
    printed above it until 2026-12-07, meant nothing to a user)."""
    console.print(error_line(str(exc)), highlight=False, soft_wrap=True)


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

    folder = _now.log_dir if _now.log_dir is not None else Path(tempfile.gettempdir())
    path = folder / ERROR_LOG
    header = (
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}  retro {' '.join(sys.argv[1:])}\n"
        f"command: retro {_now.command}; stage: {_now.stage}\n\n"
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, header + trace)
    except OSError:
        return None
    return path


def _guard(fn: Callable[[], T], stage: str | None = None) -> T:
    """Run one stage of the command (named in the message if it fails)."""
    if stage is not None:
        _now.stage = stage
    return fn()


def plain_warnings() -> None:
    """Python warnings (what a figure's drawing warns, a library's notice) printed as the run's
    own warnings are, "warning: <message>", without the line of source that raised them (which
    means nothing to a user); ``--debug`` keeps Python's own form."""

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001, ANN202, ARG001
        console.print(warning_line(str(message)), highlight=False)

    warnings.showwarning = show
