"""First-year treatment schedule: patients per usual interval between discrete exposures
(sessions, infusions), in the study's own word for one."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis.clean.derive import NOT_APPLICABLE
from analysis.errors import ArgumentError
from analysis.figures.theme import OKABE_ITO, SMALL_FONT_PT
from analysis.tables.render import fmt_pct

# Patients with one exposure in the first year have no interval: "not applicable" by the rule
# of the derivation (analysis.clean.derive.not_applicable_rules), as in Table 1, and in the
# denominator there too, so a bar and its Table 1 cell give the same n (%).
SINGLE = NOT_APPLICABLE


def schedule_counts(
    patients: pd.DataFrame,
    *,
    column: str = "schedule_months_year1",
    levels: Sequence[float] | None = None,
    missing_label: str = SINGLE,
) -> pd.DataFrame:
    """Patients per first-year interval (months), then those without one (a single session in
    the first year: not applicable, ``missing_label``), every patient in the denominator as in
    Table 1.

    ``levels``: every interval to show, zero counts kept (e.g. ``config.derive.schedule_months``);
    default the observed ones. Returns ``interval, n, N, pct`` (``pct`` of all patients, 0-100).
    """
    if column not in patients.columns:
        raise ArgumentError(f"schedule_counts: column `{column}` is not in the patient table.")
    s = patients[column]
    observed = sorted(float(v) for v in s.dropna().unique())
    shown = [float(v) for v in levels] if levels is not None else observed
    extra = [v for v in observed if v not in shown]
    if extra:
        raise ArgumentError(
            f"schedule_counts: `{column}` has interval(s) {extra} not in `levels` {shown}; "
            "add them, or they would be dropped from the figure."
        )
    big_n = len(s)
    values = s.astype("Float64")
    rows = []
    for v in shown:
        n = int((values == v).sum())
        rows.append({"interval": f"{v:g}", "n": n})
    n_missing = int(s.isna().sum())
    if n_missing:
        rows.append({"interval": missing_label, "n": n_missing})
    out = pd.DataFrame(rows, columns=["interval", "n"])
    out["N"] = big_n
    out["pct"] = 100 * out["n"] / big_n if big_n else np.nan
    return out.astype({"n": "int64", "N": "int64", "pct": "float64"})


def plot_schedule_year1(
    patients: pd.DataFrame,
    *,
    column: str = "schedule_months_year1",
    levels: Sequence[float] | None = None,
    noun: str = "session",
    suppress_below: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of patients per usual first-year interval between exposures (months), with
    "n (%)" over each bar; patients with one exposure in the first year form the last bar.
    ``noun``: the study's word for one exposure ("session", "infusion"). ``suppress_below=k``:
    bars of 1..k-1 patients (and those hiding them) are not drawn, labelled ``<k`` (``*``)."""
    counts = schedule_counts(patients, column=column, levels=levels)
    if suppress_below:
        from analysis.figures.suppressed import suppress_counts

        counts = suppress_counts(counts, level="interval", k=suppress_below)
    ax = plt.gca() if ax is None else ax
    x = np.arange(len(counts))
    is_single = (counts["interval"] == SINGLE).to_numpy()
    colors = [OKABE_ITO["grey"] if m else OKABE_ITO["blue"] for m in is_single]
    heights = counts["n"].fillna(0)
    ax.bar(x, heights, width=0.7, color=colors)
    labels_over = counts["label"] if "label" in counts.columns else [""] * len(counts)
    for xi, n, pct, hidden in zip(x, counts["n"], counts["pct"], labels_over, strict=True):
        text = hidden or f"{int(n)}\n({fmt_pct(pct)})"
        ax.annotate(text, xy=(xi, 0 if hidden else n), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontsize=SMALL_FONT_PT, linespacing=1.1)  # fmt: skip
    labels = [
        f"Not applicable\n(single {noun})" if m else iv
        for iv, m in zip(counts["interval"], is_single, strict=True)
    ]
    ax.set_xticks(x, labels)
    ax.set_xlabel(f"First-year interval between {noun}s (months)")
    ax.set_ylabel(f"Patients (N = {int(counts['N'].iloc[0])})")
    ax.set_ylim(0, max(heights.max(), 1) * 1.22)
    ax.tick_params(axis="x", length=0)
    return ax


__all__ = ["plot_schedule_year1", "schedule_counts"]
