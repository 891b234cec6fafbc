"""The claims check summed up in words, one code path for ``retro verify`` and ``retro run``: a
check's result ("PASS", "PASS, in part", "FAIL") and the claims reproduced in part only (their
text states a number they do not check: ``unchecked``), so that neither reads as a full pass."""

from __future__ import annotations

import pandas as pd

#: How a claim reproduced in part only is introduced, before its text.
IN_PART = "reproduced in part only (it states a number not checked)"


def result_word(passed: bool, fully_checked: bool) -> str:
    """One check's result: "FAIL", "PASS" or, for a claim with ``unchecked``, "PASS, in part"."""
    if not passed:
        return "FAIL"
    return "PASS" if fully_checked else "PASS, in part"


def partial_claims(result: pd.DataFrame) -> pd.DataFrame:
    """The first check of each claim that passes only in part: all its checks pass but its
    text states a number it does not check (a failed claim is reported as failed instead)."""
    failed = result.loc[~result["passed"].astype(bool), "id"]
    partial = result.loc[~result["fully_checked"].astype(bool) & ~result["id"].isin(failed)]
    return partial.drop_duplicates("id")


def partial_lines(result: pd.DataFrame) -> list[str]:
    """One line per claim reproduced in part only, with its text."""
    return [f"{IN_PART}: {text}" for text in partial_claims(result)["text"]]


__all__ = ["IN_PART", "partial_claims", "partial_lines", "result_word"]
