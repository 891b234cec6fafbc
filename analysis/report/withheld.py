"""The report's words for small-cell suppression, and the claims check as it may be shared.

Under ``--suppress-below K`` the report says what was hidden and withheld (``banner``), each
figure's caption says what is not drawn (``caption_note``), and the claims check keeps its
verdicts (computed from the full ARD) but not the computed value of a claim whose number the
suppressed tables hide (``withhold_claims``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd


def banner(k: int) -> str:
    """The sentence under the report's title (plain text; the caller escapes it)."""
    return (
        f"Counts from 1 to {k - 1} are shown as <{k}, with complementary suppression (*); "
        "statistics that would give them back (p-values, risk differences, survival estimates, "
        "models on categorical covariates only) are withheld (†) and figures do not draw them. "
        "The flow of patients and the counts of missing values are shown in full."
    )


def caption_note(k: int) -> str:
    """Appended to the caption of every figure but the flow diagram."""
    return (
        f" Numbers below {k}, those hidden to protect them and statistics resting on them are "
        "not drawn (†: withheld)."
    )


def withhold_claims(full: pd.DataFrame, shown: pd.DataFrame, k: int) -> pd.DataFrame:
    """The claims check ``full`` (``verify_claims`` on the full ARD) with ``computed`` cleared
    where ``shown`` (the same claims on the suppressed ARD) does not find the same value: that
    number is hidden in the shared tables. Verdicts stay those of the full ARD (the expected
    value is the published one); the note says the computed value was withheld."""
    out = full.copy()
    out["computed"] = out["computed"].astype(object)
    note = f"computed value withheld: it rests on a cell suppressed below {k}"
    for i, (a, b) in enumerate(zip(full["computed"], shown["computed"], strict=True)):
        if _same(a, b):
            continue
        out.iloc[i, out.columns.get_loc("computed")] = None
        old = out.iloc[i, out.columns.get_loc("note")]
        out.iloc[i, out.columns.get_loc("note")] = f"{old}; {note}" if old else note
    return out


def _same(a: object, b: object) -> bool:
    def missing(x: object) -> bool:
        return x is None or (isinstance(x, float) and math.isnan(x))

    if missing(a) or missing(b):
        return missing(a) and missing(b)
    return bool(a == b)


def unsuppressed_leftovers(reports_dir: Path, written: Iterable[Path]) -> list[Path]:
    """Files in the folder meant for sharing that a suppressed run did not write (notebooks
    executed by ``retro notebooks``, figures of a plan since changed...): they were not
    suppressed, and the run names them so that they are removed before the folder is shared."""
    done = {Path(p).resolve() for p in written}
    if not reports_dir.is_dir():
        return []
    return sorted(p for p in reports_dir.rglob("*") if p.is_file() and p.resolve() not in done)


def leftovers_warning(files: list[Path], reports_dir: Path, k: int) -> str:
    shown = ", ".join(str(p.relative_to(reports_dir)) for p in files[:5])
    more = f" and {len(files) - 5} more" if len(files) > 5 else ""
    return (
        f"{len(files)} file(s) in {reports_dir} were not written by this run and are not "
        f"suppressed below {k} ({shown}{more}); remove them before sharing the folder."
    )


__all__ = [
    "banner",
    "caption_note",
    "leftovers_warning",
    "unsuppressed_leftovers",
    "withhold_claims",
]
