"""Forest plot of ratio estimates (odds or hazard ratios) read from an ARD frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, NullLocator

from analysis.ard import group_cols, groups_of
from analysis.errors import ArgumentError
from analysis.figures.fit_labels import figure_width_in, fit
from analysis.figures.theme import OKABE_ITO, SMALL_FONT_PT
from analysis.stats.ci_level import label_from_methods
from analysis.tables.render import fmt_p, ratio_digits
from analysis.words import UNIT_WORDS, term_label

FOREST_COLUMNS = [
    "variable", "level", "reference", "label", "is_reference", "estimate", "ci_low", "ci_high",
    "p_value",
]  # fmt: skip


def forest_rows(
    ard_frame: pd.DataFrame,
    *,
    table: str | None = None,
    labels: Mapping[str, str] | None = None,
    level_labels: Mapping[str, Mapping[str, str]] | None = None,
    show_reference: bool = True,
) -> pd.DataFrame:
    """One row per (variable, level, reference, groups) that has ``estimate``, ``ci_low`` and
    ``ci_high``, in ARD order, with its ``p_value`` when present (else NaN) and a display
    ``label`` in the study's words (``labels`` for variables, ``level_labels`` for levels;
    without them the column name with a capital, its unit suffix dropped).

    A categorical term reads "Sex: Male" and, with ``show_reference``, is preceded once per
    covariate by its reference level ("Sex: Female (reference)", ``is_reference`` True, no
    estimate); a numeric term reads "Age (per year)" (the unit that ends its ``method``). The
    groups are appended in brackets when there are any.
    """
    f = ard_frame if table is None else ard_frame.loc[ard_frame["table"] == table]
    keys = ["variable", "level", "reference", *group_cols(f)]
    suppressed = "suppression" in f.columns  # withheld estimates are NaN: keep their columns
    wide = f.pivot_table(
        index=keys, columns="stat", values="value", aggfunc="first", sort=False,
        dropna=not suppressed,
    )  # fmt: skip
    needed = {"estimate", "ci_low", "ci_high"}
    if not needed <= set(wide.columns):
        raise ArgumentError(
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
        raise ArgumentError(
            "plot_forest: no (variable, level) row has estimate, ci_low and ci_high."
        )
    order = list(dict.fromkeys(map(tuple, f[keys].itertuples(index=False))))
    wide = wide.reindex([k for k in order if k in wide.index])
    out = wide.reset_index()
    if "p_value" not in out:
        out["p_value"] = np.nan
    out["_groups"] = groups_of(out)
    units = _units(f)
    words = _ForestWords(labels or {}, level_labels or {})
    records, seen = [], set()
    for r in out.to_dict("records"):
        groups = ", ".join(f"{k} {v or '(all)'}" for k, v in r["_groups"].items())
        tail = f" [{groups}]" if groups else ""
        var, level, ref = str(r["variable"]), str(r["level"]), str(r["reference"])
        if show_reference and ref and (var, ref, tail) not in seen:
            seen.add((var, ref, tail))
            records.append({
                "variable": var, "level": ref, "reference": "", "is_reference": True,
                "label": f"{words.var(var)}: {words.level(var, ref)} (reference){tail}",
                "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan,
            })  # fmt: skip
        if level and ref and not show_reference:
            shown = f"{words.level(var, level)} vs {words.level(var, ref)}"
        elif level:
            shown = words.level(var, level)
        else:
            shown = units.get(var, "")
        label = term_label(words.var(var), shown, numeric=not level)
        records.append({**{c: r[c] for c in FOREST_COLUMNS if c in r}, "label": label + tail,
                        "is_reference": False})  # fmt: skip
    return pd.DataFrame(records, columns=FOREST_COLUMNS)


class _ForestWords:
    """Variable and level words for the forest labels."""

    def __init__(self, labels: Mapping[str, str], level_labels: Mapping[str, Mapping[str, str]]):
        self.labels, self.level_labels = labels, level_labels

    def var(self, name: str) -> str:
        if name in self.labels:
            return self.labels[name]
        words = name.split("_")
        if len(words) > 1 and words[-1] in UNIT_WORDS:
            words = words[:-1]  # "age_years" reads "Age"
        text = " ".join(words)
        return f"{text[:1].upper()}{text[1:]}"

    def level(self, name: str, level: str) -> str:
        return self.level_labels.get(name, {}).get(level, level)


def _units(frame: pd.DataFrame) -> dict[str, str]:
    """``{variable: "per year"}`` for the numeric terms: the unit that ends their estimate's
    ``method`` (``level`` and ``reference`` empty)."""
    if "method" not in frame.columns:
        return {}
    est = frame.loc[(frame["stat"] == "estimate") & (frame["level"] == "")]
    # a named group: Arrow-backed text (an ARD read with dtype_backend="pyarrow") refuses others
    found = est["method"].astype(object).astype(str).str.extract(r";\s*(?P<unit>per [^;]+)$")
    found = found["unit"]
    return {
        str(v): str(u) for v, u in zip(est["variable"], found, strict=True) if isinstance(u, str)
    }


def n_analysed(frame: pd.DataFrame, table: str | None = None) -> int | None:
    """Subjects in the model: the ``n`` row with an empty level in the context of the
    estimates (``variable`` = the outcome); ``None`` when the ARD has none."""
    f = frame if table is None else frame.loc[frame["table"] == table]
    contexts = set(f.loc[f["stat"] == "estimate", "context"]) if "context" in f.columns else set()
    hit = f.loc[(f["stat"] == "n") & (f["level"] == "")]
    if "context" in f.columns:
        hit = hit.loc[hit["context"].isin(contexts)]
    if len(hit) != 1 or pd.isna(hit["value"].iloc[0]):
        return None
    return int(hit["value"].iloc[0])


def plot_forest(
    ard_frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    reference_line: float | None = 1.0,
    log_scale: bool = True,
    table: str | None = None,
    xlabel: str | None = None,
    show_values: bool = True,
    labels: Mapping[str, str] | None = None,
    level_labels: Mapping[str, Mapping[str, str]] | None = None,
    show_reference: bool = True,
) -> Axes:
    """Point estimates and CIs, one row per (variable, level) of the ARD, first row on top.

    Labels on the left, a vertical line at ``reference_line`` (1 = no effect for ratios), log
    x axis (``log_scale``), and at the right "estimate (ci_low-ci_high)" and the p-value when
    the ARD has ``p_value`` for that row. Rows without a CI (e.g. model cut-points) are left
    out. ``table`` selects one table of a study-wide ARD. The measure and the confidence level
    in the headings ("OR (90% CI)", "HR (95% CI)"; ``xlabel`` defaults to "Odds ratio (90%
    CI)", "Hazard ratio (95% CI)") are read from the ARD's ``method`` of the drawn numbers
    (:func:`effect_measure`), so they are those of the very numbers shown; a given ``xlabel``
    does not change the column head.

    ``labels``, ``level_labels`` and ``show_reference`` are those of :func:`forest_rows`: each
    categorical covariate's reference level is a row of its own ("Reference", no marker). The
    number of subjects analysed (:func:`n_analysed`) heads the label column when the ARD has it.
    """
    rows = forest_rows(
        ard_frame, table=table, labels=labels, level_labels=level_labels,
        show_reference=show_reference,
    )  # fmt: skip
    is_ref = rows["is_reference"].to_numpy(bool)
    ci = _ci_words(ard_frame, table)
    measure, short = effect_measure(ard_frame, table)
    xlabel = f"{measure} ({ci})" if xlabel is None else xlabel
    ax = plt.gca() if ax is None else ax
    y = np.arange(len(rows))
    est, lo, hi = (rows[c].to_numpy(float) for c in ("estimate", "ci_low", "ci_high"))
    shown = ~np.isnan(est)  # a withheld estimate (suppressed frame) is not drawn: "†"; nor a
    # reference level (no estimate of its own)
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
        ax.set_xlim(ticks[0] / 1.1, ticks[-1] * 1.1)
    room = label_room(figure_width_in(ax))  # a long label is broken into lines
    ax.set_yticks(np.arange(len(rows)), [fit(label, room) for label in rows["label"]])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(xlabel)
    if show_values:
        has_p = rows["p_value"].notna().any()
        head = f"{short} ({ci})"
        _column(ax, -1, head, 8, bold=True)
        if has_p:
            _column(ax, -1, "p", 104, bold=True)
        n = n_analysed(ard_frame, table)
        if n is not None:
            ax.annotate(f"n = {n} analysed", xy=(0, -1), xycoords=("axes fraction", "data"),
                        xytext=(-6, 0), textcoords="offset points", ha="right", va="center",
                        fontsize=SMALL_FONT_PT, fontweight="bold", annotation_clip=False)  # fmt: skip
        for yi, r in enumerate(rows.to_dict("records")):
            if is_ref[yi]:
                _column(ax, float(yi), "Reference", 8)
                continue
            if np.isnan(r["estimate"]):
                _column(ax, float(yi), "withheld†", 8)
                continue
            _column(ax, float(yi), ratio_text(r["estimate"], r["ci_low"], r["ci_high"]), 8)
            if has_p:
                _column(ax, float(yi), fmt_p(r["p_value"]), 104)
    return ax


#: (words in an estimate's ``method``, the measure, its abbreviation), the first found wins
_MEASURES = (
    ("hr = exp", "Hazard ratio", "HR"),
    ("hazard ratio", "Hazard ratio", "HR"),
    ("odds ratio", "Odds ratio", "OR"),
)


def ratio_text(estimate: float, lo: float, hi: float) -> str:
    """A row's "estimate (lo–hi)" beside the plot: 2 decimals, or as many as it takes for a CI
    limit near 1 not to print as 1 and the estimate not to print as a limit
    (:func:`analysis.tables.render.ratio_digits`, as the tables print it)."""
    d = ratio_digits(estimate, lo, hi)
    return f"{estimate:.{d}f} ({lo:.{d}f}–{hi:.{d}f})"


#: the share of the figure's width the row labels may take
_LABEL_SHARE = 0.42


def label_room(figure_width_in: float) -> float:
    """The width (inches) of the row labels' column on a figure of this width."""
    return _LABEL_SHARE * figure_width_in


def label_lines(labels: Sequence[str], figure_width_in: float) -> int:
    """The lines the row labels take on a figure of this width (each at least one)."""
    room = label_room(figure_width_in)
    return sum(fit(label, room).count("\n") + 1 for label in labels)


def effect_measure(ard_frame: pd.DataFrame, table: str | None = None) -> tuple[str, str]:
    """The ratio the estimates are, and its abbreviation, from their ARD ``method``:
    ("Hazard ratio", "HR") for a Cox model, ("Odds ratio", "OR") for a logistic or
    proportional-odds model, ("Estimate", "Estimate") when the method names neither."""
    f = ard_frame if table is None else ard_frame.loc[ard_frame["table"] == table]
    if "method" in f.columns:
        methods = " ".join(sorted(set(f.loc[f["stat"] == "estimate", "method"]))).lower()
        for words, measure, short in _MEASURES:
            if words in methods:
                return measure, short
    return "Estimate", "Estimate"


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


_TICKS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20, 50,
          100, 200, 500, 1000)  # fmt: skip
_FEWER = (0.001, 0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100, 1000)  # when more than six
_FEWEST = (0.001, 0.01, 0.1, 1, 10, 100, 1000)  # when still more than six


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Readable ticks (0.25, 0.5, 1, 2, 4 ...) from the last one at or below ``lo`` to the
    first one at or above ``hi``, so that every interval ends between two ticks; at most six
    between those two (fewer round values kept), which are always kept."""
    lower = max((c for c in _TICKS if c <= lo), default=lo)
    upper = min((c for c in _TICKS if c >= hi), default=hi)
    inside = [c for c in _TICKS if lower < c < upper]
    for fewer in (_FEWER, _FEWEST):
        if len(inside) > 4:
            inside = [c for c in inside if c in fewer]
    return [float(c) for c in sorted({lower, *inside, upper})]


__all__ = [
    "FOREST_COLUMNS",
    "effect_measure",
    "forest_rows",
    "label_lines",
    "n_analysed",
    "plot_forest",
    "ratio_text",
]
