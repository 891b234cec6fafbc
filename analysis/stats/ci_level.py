"""The confidence level of every interval, said one way everywhere: from ``alpha``.

Headings, footnotes, figure labels, captions and the ARD ``method`` column all name the level
through these functions, so a study run at ``analysis.options.alpha: 0.10`` says "90% CI"
wherever it shows an interval, never a hard-coded "95%".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analysis.errors import ArgumentError

CI_TOKEN = "{ci}"
"""Written in a study file's words (a caption, an axis label), it becomes ``ci_label(alpha)``."""

_LEVEL = re.compile(r"(\d+(?:\.\d+)?)\s?%(?: Wald| log| log-log| plain)? CI\b")


def ci_level(alpha: float) -> str:
    """The confidence level in percent as text for ``alpha``: "95" for 0.05, "90" for 0.10,
    "97.5" for 0.025 (never rounded to a whole number)."""
    if not 0 < alpha < 1:
        raise ArgumentError(
            f"alpha={alpha!r} must be strictly between 0 and 1 (0.05 for a 95% CI)."
        )
    return f"{round(100 * (1 - alpha), 6):g}"


def ci_label(alpha: float) -> str:
    """ "95% CI" for alpha 0.05: the words of every heading and label that shows an interval."""
    return f"{ci_level(alpha)}% CI"


def fill_ci(text: str, alpha: float) -> str:
    """``text`` (a study file's caption or axis label) with each ``{ci}`` replaced by
    ``ci_label(alpha)``: "odds ratios with {ci}" -> "odds ratios with 90% CI"."""
    return text.replace(CI_TOKEN, ci_label(alpha))


def stated_levels(text: str) -> list[str]:
    """The levels ``text`` names as "<level>% CI" ("95" for "OR (95% CI)"; also "95% Wald CI",
    "95% log CI"), in order."""
    return [m.group(1) for m in _LEVEL.finditer(text)]


def label_from_methods(methods: Iterable[object]) -> str | None:
    """ "90% CI" from the first ARD ``method`` string that names a level ("wilson 90% CI",
    "...; Wald 90% CI"), or None when none does: figures take the level of the very numbers
    they draw."""
    for m in methods:
        found = stated_levels(str(m)) if m is not None else []
        if found:
            return f"{found[0]}% CI"
    return None
