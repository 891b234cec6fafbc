"""The report's words for small-cell suppression, and the claims check as it may be shared.

Under ``--suppress-below K`` the report says what was hidden and withheld (``banner``), each
figure's caption says what is not drawn (``caption_note``), and the claims check shows nothing
of a check that reads a cell the suppressed tables hide: neither its computed value nor the
note built from it, nor its expected value and verdict (together they give the count back:
"expected 3, passed"), nor the claim's text that quotes it (``withhold_claims``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from analysis.write.output_errors import STAGING_PREFIX


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


def withhold_claims(
    full: pd.DataFrame,
    shown: pd.DataFrame,
    k: int,
    *,
    unchecked: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The claims check ``full`` (``verify_claims`` on the full ARD) as it may be shared, given
    ``shown`` (the same claims checked on the suppressed ARD, where hidden cells are NaN).

    A check reads a hidden cell when its result on the suppressed ARD differs in any way from
    the full one (computed value, note or verdict): its value, a ratio's numerator or
    denominator, an argmax's runner-up or any other level, a CI or p-value withheld with a count.
    Every number of such a row is withheld, not only ``computed``: the note built from the full
    ARD ("differs by -8" with the expected 10 gives 2 back, "2 / 56 × 100", "next no event:
    n = 22") is replaced by one that says only that the check is withheld and why
    (``withheld_note``); the expected value and the verdict (None: "expected 3, passed" is the
    hidden 3) and, on every check of that claim, its text and ``unchecked`` words, which quote
    it ("3 women worsened"), are withheld too (``WITHHELD_TEXT``). ``unchecked`` (claim id ->
    text, from the claims file) is kept on the checks of claims that read no hidden cell. The
    study team sees the full check in ``retro verify``."""
    if len(full) != len(shown) or list(full["id"]) != list(shown["id"]):
        raise ValueError(
            "withhold_claims: the full and the suppressed claims checks must have the same "
            f"checks in the same order; found {len(full)} and {len(shown)} rows"
        )
    said = dict(unchecked or {})
    out = full.copy()
    for name in ("computed", "expected", "passed"):
        if name in out.columns:
            out[name] = out[name].astype(object)
    hidden = [_reads_hidden(full.iloc[i], shown.iloc[i]) for i in range(len(full))]
    claims_hidden = {str(c) for c, h in zip(full["id"], hidden, strict=True) if h}
    for i, is_hidden in enumerate(hidden):
        claim_id = str(full["id"].iloc[i])
        if is_hidden:
            for name in ("computed", "expected", "passed"):
                if name in out.columns:
                    out.iloc[i, out.columns.get_loc(name)] = None
            out.iloc[i, out.columns.get_loc("note")] = withheld_note(k)
        elif claim_id in claims_hidden and claim_id in said:
            # the claim's unchecked words go with its text; the note keeps the rest
            note = str(out["note"].iloc[i])
            out.iloc[i, out.columns.get_loc("note")] = "; ".join(
                p for p in note.split("; ") if p != f"not checked: {said[claim_id]}"
            )
    if "text" in out.columns:
        out.loc[out["id"].astype(str).isin(claims_hidden), "text"] = WITHHELD_TEXT
    return out


#: The text of a claim one of whose checks reads a hidden cell (the text quotes its number).
WITHHELD_TEXT = "(claim withheld under suppression: its text quotes a number the tables hide)"


def is_withheld(claims: pd.DataFrame) -> pd.Series:
    """The checks whose verdict is withheld (``withhold_claims``: ``passed`` is None)."""
    if "passed" not in claims.columns:
        return pd.Series(False, index=claims.index)
    return claims["passed"].isna()


def withheld_note(k: int) -> str:
    """The whole note of a claims check that reads a cell the suppressed tables hide."""
    return (
        f"withheld under suppression: the check reads a count below {k} or a cell hidden to "
        f"protect one (--suppress-below {k}), so its expected and computed values, its verdict "
        "and the claim's text are not shown; `retro verify` shows them to the study team"
    )


def _reads_hidden(full: pd.Series, shown: pd.Series) -> bool:
    return any(
        not _same(full.get(name), shown.get(name)) for name in ("computed", "note", "passed")
    )


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
    return sorted(
        p
        for p in reports_dir.rglob("*")
        if p.is_file()
        and p.resolve() not in done
        and not any(part.startswith(STAGING_PREFIX) for part in p.relative_to(reports_dir).parts)
    )


def leftovers_warning(files: list[Path], reports_dir: Path, k: int) -> str:
    shown = ", ".join(str(p.relative_to(reports_dir)) for p in files[:5])
    more = f" and {len(files) - 5} more" if len(files) > 5 else ""
    return (
        f"{len(files)} file(s) in {reports_dir} were not written by this run and are not "
        f"suppressed below {k} ({shown}{more}); remove them before sharing the folder."
    )


__all__ = [
    "WITHHELD_TEXT",
    "banner",
    "is_withheld",
    "caption_note",
    "leftovers_warning",
    "unsuppressed_leftovers",
    "withheld_note",
    "withhold_claims",
]
