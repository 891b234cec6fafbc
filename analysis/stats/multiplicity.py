"""Adjusting p-values for multiple comparisons, as R ``p.adjust`` does.

``holm``: Holm's step-down method (Holm 1979, Scand J Statist 6:65-70), uniformly more powerful
than Bonferroni and valid under any dependence; ``bonferroni``: each p times the number of
comparisons; both capped at 1. ``none`` returns the p-values as they are. Missing p-values
(NaN) are left out of the count and stay missing, as ``p.adjust(..., n = sum(!is.na(p)))``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.errors import ArgumentError

ADJUSTMENTS = ("none", "holm", "bonferroni")
WORDS = {"holm": "Holm", "bonferroni": "Bonferroni"}


def adjust_pvalues(pvalues: Sequence[float], method: str = "holm") -> np.ndarray:
    """``pvalues`` adjusted by ``method`` (``none``, ``holm``, ``bonferroni``), same order."""
    if method not in ADJUSTMENTS:
        raise ArgumentError(f"p-value adjustment {method!r} is not one of {list(ADJUSTMENTS)}")
    p = np.asarray(pvalues, dtype=float)
    out = p.copy()
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if method == "none" or m == 0:
        return out
    q = p[ok]
    if method == "bonferroni":
        out[ok] = np.minimum(q * m, 1.0)
        return out
    order = np.argsort(q, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * q[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    out[ok] = adjusted
    return out


__all__ = ["ADJUSTMENTS", "WORDS", "adjust_pvalues"]
