"""Forest plot of ratio estimates (odds or hazard ratios) read from an ARD frame."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, NullLocator

from analysis.ard import group_cols, groups_of
from analysis.figures.theme import OKABE_ITO, SMALL_FONT_PT
from analysis.stats.ci_level import label_from_methods
from analysis.tables.render import fmt_p

_UNITS = ("years", "months", "days", "weeks", "mg", "ml", "pct")
FOREST_COLUMNS = [
    "variable", "level", "reference", "label", "estimate", "ci_low", "ci_high", "p_value"
]  # fmt: skip


def forest_rows(ard_frame: pd.DataFrame, *, table: str | None = None) -> pd.DataFrame:
    """One row per (variable, level, reference, groups) that has ``estimate``, ``ci_low`` and ``ci_high``,
    in ARD order, with its ``p_value`` when present (else NaN) and a display ``label``
    ("Sex: male vs female"; the groups are appended when there are any)."""
    f = ard_frame if table is None else ard_frame.loc[ard_frame["table"] == table]
    keys = ["variable", "level", "reference", *group_cols(f)]
    suppressed = "suppression" in f.columns  # withheld estimates are NaN: keep their columns
    wide = f.pivot_table(
        index=keys, columns="stat", values="value", aggfunc="first", sort=False,
        dropna=not suppressed,
    )  # fmt: skip
    needed = {"estimate", "ci_low", "ci_high"}
    if not needed <= set(wide.columns):
        raise ValueError(
            f"plot_forest: the ARD needs stats {sorted(needed)} per row; it has "
            f"{sorted(wide.columns)}."
        )
    if suppressed:  # a suppressed frame: withheld estimates stay, as "†" rows
        estimates = f.loc[f["stat"] == "estimate"]
        withheld = estimates.loc[estimates["suppression"] == "withheld", keys]
        kept = wide.index.isin(list(map(tuple, withheld.itertuples(index=False))))
        wide = wide.loc[wide[sorted(needed)].notna().all(axis=1).to_numpy() | kept]
    else:
        wide = wide.dropna(subset=sorted(needed))
    if wide.empty:
        raise ValueError("plot_forest: no (variable, level) row has estimate, ci_low and ci_high.")
    order = list(dict.fromkeys(map(tuple, f[keys].itertuples(index=False))))
    wide = wide.reindex([k for k in order if k in wide.index])
    out = wide.reset_index()
    if "p_value" not in out:
        out["p_value"] = np.nan

    def label(r: pd.Series) -> str:
        words = str(r["variable"]).split("_")
        if len(words) > 1 and words[-1] in _UNITS:
            words = words[:-1]  # "age_years: per year" reads "Age: per year"
        var = " ".join(words)
        versus = f"{r['level']} vs {r['reference']}" if r["reference"] else r["level"]
        text = f"{var[:1].upper()}{var[1:]}: {versus}" if r["level"] else var
        groups = ", ".join(f"{k} {v or '(all)'}" for k, v in r["_groups"].items())
        return f"{text} [{groups}]" if groups else text

    out["_groups"] = groups_of(out)
    out["label"] = out.apply(label, axis=1)
    return out[FOREST_COLUMNS].reset_index(drop=True)


def plot_forest(
    ard_frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    reference_line: float | None = 1.0,
    log_scale: bool = True,
    table: str | None = None,
    xlabel: str | None = None,
    show_values: bool = True,
) -> Axes:
    """Point estimates and CIs, one row per (variable, level) of the ARD, first row on top.

    Labels on the left, a vertical line at ``reference_line`` (1 = no effect for ratios), log
    x axis (``log_scale``), and at the right "estimate (ci_low-ci_high)" and the p-value when
    the ARD has ``p_value`` for that row. Rows without a CI (e.g. model cut-points) are left
    out. ``table`` selects one table of a study-wide ARD. The confidence level in the headings
    ("OR (90% CI)"; ``xlabel`` defaults to "Odds ratio (90% CI)") is read from the ARD's
    ``method`` of the drawn intervals, so it is the level of the very numbers shown.
    """
    rows = forest_rows(ard_frame, table=table)
    ci = _ci_words(ard_frame, table)
    xlabel = f"Odds ratio ({ci})" if xlabel is None else xlabel
    ax = plt.gca() if ax is None else ax
    y = np.arange(len(rows))
    est, lo, hi = (rows[c].to_numpy(float) for c in ("estimate", "ci_low", "ci_high"))
    shown = ~np.isnan(est)  # a withheld estimate (suppressed frame) is not drawn: "†"
    if not shown.all():
        y, est, lo, hi = y[shown], est[shown], lo[shown], hi[shown]
    color = OKABE_ITO["blue"]
    ax.errorbar(est, y, xerr=np.vstack([est - lo, hi - est]), fmt="s", color=color,
                ecolor=color, elinewidth=0.9, capsize=2, markersize=4)  # fmt: skip
    if reference_line is not None:
        ax.axvline(reference_line, color="0.4", linewidth=0.7, linestyle="--", zorder=0)
    if log_scale:
        ax.set_xscale("log")
        span = [*lo, *hi] + ([reference_line] if reference_line is not None else [])
        span = span or [0.5, 2.0]  # every estimate withheld and no reference line
        ticks = _log_ticks(min(span), max(span))
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.set_xlim(min(span) / 1.15, max(span) * 1.15)
    ax.set_yticks(np.arange(len(rows)), rows["label"])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(xlabel)
    if show_values:
        has_p = rows["p_value"].notna().any()
        head = f"OR ({ci})" if xlabel.lower().startswith("odds") else f"Estimate ({ci})"
        _column(ax, -1, head, 8, bold=True)
        if has_p:
            _column(ax, -1, "p", 104, bold=True)
        for yi, r in enumerate(rows.to_dict("records")):
            if np.isnan(r["estimate"]):
                _column(ax, float(yi), "withheld†", 8)
                continue
            _column(ax, float(yi), f"{r['estimate']:.2f} ({r['ci_low']:.2f}–{r['ci_high']:.2f})", 8)
            if has_p:
                _column(ax, float(yi), fmt_p(r["p_value"]), 104)
    return ax


def _ci_words(ard_frame: pd.DataFrame, table: str | None) -> str:
    """ "90% CI" from the ``method`` of the ARD's ``ci_low`` rows (of ``table``), else "CI"."""
    f = ard_frame if table is None else ard_frame.loc[ard_frame["table"] == table]
    if "method" not in f.columns:
        return "CI"
    return label_from_methods(f.loc[f["stat"] == "ci_low", "method"]) or "CI"


def _column(ax: Axes, y: float, text: str, x_pt: float, bold: bool = False) -> None:
    """Text right of the Axes, ``x_pt`` points from its right edge, at data row ``y``."""
    ax.annotate(text, xy=(1, y), xycoords=("axes fraction", "data"), xytext=(x_pt, 0),
                textcoords="offset points", ha="left", va="center", fontsize=SMALL_FONT_PT,
                fontweight="bold" if bold else "normal", annotation_clip=False)  # fmt: skip


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Readable ticks (0.25, 0.5, 1, 2, 4 ...) covering [lo, hi]."""
    candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20, 50, 100]
    inside = [c for c in candidates if lo / 1.15 <= c <= hi * 1.15]
    if len(inside) > 6:
        inside = [c for c in inside if c in (0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100)]
    return [float(c) for c in inside] or [float(lo), float(hi)]


__all__ = ["FOREST_COLUMNS", "forest_rows", "plot_forest"]
