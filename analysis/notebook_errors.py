"""In IPython and Jupyter, an error the toolkit raises on purpose (:class:`RetroError`) shows as
its message alone, as ``retro`` prints it: it says what, where and how to fix, and the frames of
the toolkit's own code above it would only bury it. Any other exception keeps its full
traceback (it is a defect to report, or a mistake of the caller's own code). A stage of
``run_study`` that failed (``JobFailed``, which names the stage for ``retro run``) shows as the
error that stopped it, as it would have shown had the notebook called that stage itself: its
type, not ``JobFailed``, is the one a notebook's error output (and ``retro notebooks``) names.

Set up when the package is imported inside IPython (``analysis/__init__.py``); nothing happens
elsewhere, and IPython is never imported for it.
"""

from __future__ import annotations

import sys
from typing import Any


def short_errors_in_ipython() -> None:
    """Show :class:`RetroError` as its message in the running IPython shell, if there is one."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None  # type: ignore[attr-defined]
    if shell is None:
        return
    from analysis.errors import RetroError
    from analysis.run.parallel import JobFailed

    def show(
        shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None
    ) -> None:
        if isinstance(value, JobFailed):
            value = value.cause
            etype, tb = type(value), value.__traceback__
        shell.showtraceback((etype, value, tb), exception_only=isinstance(value, RetroError))

    shell.set_custom_exc((RetroError, JobFailed), show)


__all__ = ["short_errors_in_ipython"]
