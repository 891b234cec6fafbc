"""What a figure may draw under small-cell suppression (``retro run --suppress-below K``).

A figure must not show what its table hides: a bar, a label or a curve step drawn from a count
of 1..k-1 gives the count back as surely as the number. The figures drawn from a table's ARD
read its suppressed frame (``TableResult.shown``): hidden points and withheld estimates are not
drawn. The figures drawn from the cleaned data use the helpers here, which apply the same rule
(``analysis.tables.suppress``) to the numbers they would draw:

- ``suppress_counts``: bars of one partition (patients per interval; their total is shown):
  counts of 1..k-1 and the complementary ones are not drawn, their label is ``<k`` or ``*``;
- ``hide_grades``: 100 % stacked bars: the hidden grades of a bar (below k, complementary, or
  hidden by the response table) are not drawn in place — the position of the segments above
  a hidden one would give its height back — but as one "withheld" block on top of the shown
  ones (its height, N minus the shown grades, is in the table too);
- ``coarse_km``: a Kaplan–Meier curve steps only at the figure's listed times (not at each
  event and censoring), and stops before the first listed time at which the number at risk, of
  events or of censored subjects since the previous listed time is 1..k-1; a group whose size
  or number of events is 1..k-1 is not drawn.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

import numpy as np
import pandas as pd

from analysis.ard import ard_frame
from analysis.stats.survival import km_at_times
from analysis.tables.suppress import format_suppressed, suppress_small_cells, suppressed_markers


def suppress_counts(counts: pd.DataFrame, *, level: str, k: int) -> pd.DataFrame:
    """``counts`` (one row per bar: ``level``, ``n``, ``N``, ``pct``; the bars add up to
    ``N``) with hidden bars' ``n`` and ``pct`` set to NaN and a ``label`` column: ``<k``,
    ``*`` or empty."""
    rows = []
    for lv, n, big_n in zip(counts[level].astype(str), counts["n"], counts["N"], strict=True):
        cell = {"table": "figure", "variable": level, "level": lv, "group": "overall"}
        rows += [{**cell, "stat": "n", "value": n}, {**cell, "stat": "N", "value": big_n}]
    markers = suppressed_markers(suppress_small_cells(ard_frame(rows), k=k))
    labels = [
        format_suppressed(markers.get((level, lv, "overall", "n"))) or ""
        for lv in counts[level].astype(str)
    ]
    hidden = np.array([bool(text) for text in labels])
    out = counts.astype({"n": "float64"}).assign(label=labels)
    out.loc[hidden, ["n", "pct"]] = np.nan
    return out


def hide_grades(
    dist: pd.DataFrame, *, k: int, hidden: Set[tuple[str, str, str]] = frozenset()
) -> pd.DataFrame:
    """A ``response_distribution`` frame with a ``hidden`` column (bool per row) and the
    ``n`` and ``pct`` of hidden grades set to NaN.

    A grade is hidden when it is 1..k-1 subjects or must be hidden so that such a grade cannot
    be recovered from the bar's total (the bar's grades are a set, as in the tables), or when
    ``hidden`` names it as ``(within, by, grade)`` — the cells the response table hides, so
    that the figure shows nothing the table withholds. The plot stacks the shown grades and
    one "withheld" block for the rest, whose height (the bar's N minus the shown grades) the
    table shows as well.
    """
    keys = [
        (str(w), str(b), str(g))
        for w, b, g in zip(dist["within"], dist["by"], dist["grade"], strict=True)
    ]
    rows = []
    for (w, b, grade), n, big_n in zip(keys, dist["n"], dist["N"], strict=True):
        cell = {"table": "figure", "variable": "grade", "level": grade, "group": f"bar={w}|{b}"}
        rows += [{**cell, "stat": "n", "value": n}, {**cell, "stat": "N", "value": big_n}]
    markers = suppressed_markers(suppress_small_cells(ard_frame(rows), k=k))
    mask = np.array(
        [("grade", g, f"bar={w}|{b}", "n") in markers or (w, b, g) in hidden for w, b, g in keys],
        dtype=bool,
    )
    out = dist.astype({"n": "float64"}).assign(hidden=mask)
    out.loc[mask, ["n", "pct"]] = np.nan
    return out


def coarse_km(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str,
    levels: Sequence[str],
    times: Sequence[float],
    k: int,
    conf_type: str = "log",
    alpha: float = 0.05,
) -> dict[str, pd.DataFrame | None]:
    """Per level of ``by``: the curve to draw (``time, n_risk, surv, lower, upper`` at the
    listed ``times`` up to the last safe one, see module doc), or None when the group is not
    drawn (its size or number of events is 1..k-1)."""
    out: dict[str, pd.DataFrame | None] = {}
    for lv in levels:
        d = data.loc[data[by].astype(str) == lv]
        n, events = len(d), int(d[event].sum())
        if 0 < n < k or 0 < events < k:
            out[lv] = None
            continue
        at = km_at_times(d, time=time, event=event, times=times, conf_type=conf_type, alpha=alpha)
        counts = at[["n_risk", "n_event", "n_censor"]].to_numpy()
        unsafe = ((counts > 0) & (counts < k)).any(axis=1)
        stop = int(np.argmax(unsafe)) if unsafe.any() else len(at)
        out[lv] = at.iloc[:stop][["time", "n_risk", "surv", "lower", "upper"]].reset_index(
            drop=True
        )
    return out


def km_test_withheld(data: pd.DataFrame, *, event: str, by: str, k: int) -> bool:
    """Whether the log-rank p of the figure is withheld: a group's size or number of events is
    1..k-1 (the table withholds its log-rank test then)."""
    sizes = data.groupby(data[by].astype(str), observed=True)[event].agg(["size", "sum"])
    values = sizes.to_numpy()
    return bool(((values > 0) & (values < k)).any())


__all__ = ["coarse_km", "hide_grades", "km_test_withheld", "suppress_counts"]
