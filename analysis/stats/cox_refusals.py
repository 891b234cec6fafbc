"""A Cox model whose estimate is not finite is refused, not printed.

A level of a covariate without events gave "HR 0.00 (0.00–inf), p = 1.000" (coefficient -25.6,
SE 3.4e5): the partial likelihood keeps growing with the coefficient (monotone likelihood), so
no estimate exists. R ``coxph`` warns "coefficient may be infinite"; the logistic models here
already refuse separation. ``survival.cox_model`` calls :func:`refuse_infinite` on its fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_SE_BINARY = 25.0
"""A 0/1 covariate's coefficient with a larger standard error (log-hazard scale: a 95% CI of
the HR spanning more than 40 orders of magnitude) did not settle at a finite value: the partial
likelihood is monotone in it (no event in one of its groups, or every event where the other
group has left the risk set). R ``coxph`` warns "coefficient may be infinite"."""


def refuse_infinite(summary: pd.DataFrame, x: pd.DataFrame) -> None:
    """A ``ValueError`` naming the 0/1 covariates whose estimates are not finite (see
    :data:`MAX_SE_BINARY`); a numeric covariate's SE depends on its unit and is not judged."""
    binary = [c for c in x.columns if x[c].isin([0, 1]).all()]
    se = summary.loc[binary, "se"].astype(float)
    wild = se[~np.isfinite(se) | (se > MAX_SE_BINARY)]
    if len(wild):
        which = ", ".join(f"`{c}` (SE {v:.3g})" for c, v in wild.items())
        raise ValueError(
            f"the Cox model cannot estimate a finite hazard ratio for {which}: the partial "
            "likelihood keeps growing as the coefficient grows (monotone likelihood: no event in "
            "one of the covariate's groups, or every event of one group after the other group "
            "left the risk set), so the estimate, its CI and p-value mean nothing. Merge the "
            "level with another, leave those subjects out, or drop the covariate."
        )


__all__ = ["MAX_SE_BINARY", "refuse_infinite"]
