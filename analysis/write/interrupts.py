"""Whether Ctrl-C (SIGINT) reached the running command, even where a library caught it.

A library may catch the ``KeyboardInterrupt`` Ctrl-C raises and go on: WeasyPrint draws each
SVG figure of the PDF inside ``except BaseException`` (it logs the error and leaves the figure
out), and Python drops an exception raised in a garbage-collection callback. The command then
finished, exit 0, and moved a PDF with a figure missing into place. The command line's handler
of SIGINT notes the signal here (:func:`note`); :meth:`analysis.write.staging.Staging.commit`
moves nothing once one is noted, and the command ends as interrupted.
"""

from __future__ import annotations

_noted = [False]


def note() -> None:
    """Ctrl-C reached the command."""
    _noted[0] = True


def clear() -> None:
    """A command starts: no Ctrl-C yet."""
    _noted[0] = False


def noted() -> bool:
    """Whether Ctrl-C reached the command since it started."""
    return _noted[0]


__all__ = ["clear", "note", "noted"]
