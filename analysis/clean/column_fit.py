"""A source column most of whose values do not fit its declaration stops the run.

A few unreadable dates or numbers are the mess of any export: each is logged (a required value
excludes its record, an optional one is cleared and audited) and the run goes on. But when a
large share of one source's column cannot be read, the declaration is wrong, not the values: a
CSV re-saved with month-first dates while the study says ``date_order: DMY`` loses every date
after the 12th of a month and reads the others with day and month swapped; a decimal point
under ``decimal: ","`` clears every number. Going on would give a wrong cohort, so the stage
stops, names the file, the column and the share, shows examples, and says which declaration
reads them when another one does (``cleaning.max_unreadable_fraction``, default 0.2, with at
least ``MIN_UNREADABLE`` values unreadable; values without a digit, placeholders such as "n/a",
are logged as before and not counted).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.clean.record_sources import source_members
from analysis.errors import SourceError

#: fewer unreadable values than this in one source's column never stop the run
MIN_UNREADABLE = 10

#: ``fix(values)``: the declaration that reads these unreadable values, in words ("" if none)
Fix = Callable[[pd.Series], str]


def with_digits(values: pd.Series, unreadable: pd.Series) -> pd.Series:
    """``unreadable`` kept only where the value holds a digit: text with none ("n/a", "ND",
    "pending") is a placeholder, logged as such, not a sign of a wrong declaration (only the
    unreadable values are looked at)."""
    out = unreadable.copy()
    out[unreadable] = values[unreadable].astype(str).str.contains(r"\d", regex=True).to_numpy()
    return out


def unreadable_paragraphs(
    data: pd.DataFrame,
    column: str,
    unreadable: pd.Series,
    blank: pd.Series,
    limit: float,
    what: str,
    fix: Fix,
) -> list[str]:
    """One paragraph per source of ``data`` whose non-blank ``column`` values are more than
    ``limit`` unreadable (at least ``MIN_UNREADABLE`` of them)."""
    out = []
    bad_all, filled = unreadable.to_numpy(bool), ~blank.to_numpy(bool)
    for label, members in source_members(data):
        bad = bad_all & np.asarray(members, bool)
        n_bad, n = int(bad.sum()), int((filled & np.asarray(members, bool)).sum())
        if n_bad < MIN_UNREADABLE or n_bad <= limit * n:
            continue
        if "_source" in data:
            label = f"{label} (source '{data['_source'][bad].iloc[0]}')"
        values = data[column][bad]
        examples = ", ".join(repr(v) for v in list(dict.fromkeys(values.astype(str)))[:5])
        remedy = fix(values)
        out.append(
            f"{label}: {n_bad} of the {n} {what} in column `{column}` ({100 * n_bad / n:.0f}%) "
            f"cannot be read as the study declares (e.g. {examples}); "
            + (remedy if remedy else "check the source's declaration against the file")
            + "."
        )
    return out


def stop_if_unreadable(paragraphs: list[str], limit: float) -> None:
    """Raise one ``SourceError`` for every paragraph of :func:`unreadable_paragraphs`."""
    if paragraphs:
        raise SourceError(
            "values that do not fit their declaration:\n"
            + "\n".join(paragraphs)
            + "\nA few unreadable values are logged and the run goes on; this many usually "
            "mean the source is declared wrong (or the export was re-saved in another locale). "
            "Correct the declaration, or, if these values really are unreadable, raise "
            f"`cleaning.max_unreadable_fraction` (now {limit:g})."
        )


__all__ = ["MIN_UNREADABLE", "stop_if_unreadable", "unreadable_paragraphs", "with_digits"]
