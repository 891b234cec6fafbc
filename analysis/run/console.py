"""The terminals the ``retro`` commands print to: ``out`` (results) and ``console`` (warnings,
errors, progress). Markup is off on both: what they print holds a study's own text (claim
notes, levels, labels, paths), in which square brackets are text, not a style — with markup on
a claim's note "[pian]" vanished from the line and "[/IQR]" stopped the run. Styled words are
``Text`` (``styled``, ``warning``). Piped (not a terminal), lines are not wrapped."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

out = Console(emoji=False, markup=False)
console = Console(stderr=True, emoji=False, markup=False)
for _console in (out, console):
    if not _console.is_terminal:
        # piped to a file or a program: lines as they are, never broken at rich's 80 columns
        # (a path of a `wrote` line split in two; a table squeezed); a terminal keeps its width
        _console.soft_wrap = True
        _console.width = max(_console.width, 200)


def styled(label: str, style: str, text: str) -> Text:
    """``label`` in ``style``, then ``text`` as it is."""
    return Text.assemble((label, style), text)


def warning(text: str) -> Text:
    """A warning line: "warning:" in bold yellow, then the text as it is."""
    return styled("warning: ", "bold yellow", text)


def error(text: str) -> Text:
    """An error line: "error:" in bold red, then the text as it is."""
    return styled("error: ", "bold red", text)
