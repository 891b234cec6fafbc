"""Response at 12 months: 100 % stacked bars of the ordered grades, by sex within therapy group."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.patches import Patch
from matplotlib.text import Annotation, Text

from analysis.errors import ArgumentError
from analysis.figures.fit_labels import figure_width_in, fit
from analysis.figures.theme import SMALL_FONT_PT, grade_colors, text_color_on
from analysis.tables.render import fmt_pct

DIST_COLUMNS = ["within", "by", "grade", "n", "N", "pct"]


def _levels(s: pd.Series) -> list[str]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return sorted(s.dropna().astype(str).unique())


def _present(levels: list[str], values: pd.Series) -> list[str]:
    """``levels`` that ``values`` hold (all of them when it holds none: nothing is drawn)."""
    held = set(values.dropna().astype(str))
    return [lv for lv in levels if lv in held] or levels


def response_distribution(
    patients: pd.DataFrame,
    *,
    by: str = "sex",
    within: str | None = "therapy_group",
    outcome: str = "response_12m",
    assessable: str | None = "is_response_assessable",
) -> pd.DataFrame:
    """Subjects per outcome grade in each bar (``by`` level within each ``within`` level).

    Only subjects with ``assessable`` true and a non-missing ``outcome`` count. Grades follow
    the order of the (ordered categorical) ``outcome``; grades with no subject are kept with
    ``n = 0``, so each bar has every grade and its ``pct`` adds up to 100. A level of ``by``
    or ``within`` that no counted subject has is left out, as the response table leaves it.

    Returns
    -------
    DataFrame with ``within, by, grade, n, N, pct`` (``pct`` of ``N`` = the bar's subjects,
    0-100), bars in the order of the levels of ``within`` then ``by``; ``within`` is
    "overall" when ``within=None``.
    """
    cols = [c for c in (by, within, outcome, assessable) if c is not None]
    missing = [c for c in cols if c not in patients.columns]
    if missing:
        raise ArgumentError(
            f"response_distribution: column(s) {missing} not in the patient table; pass the "
            "right names with `by=`, `within=`, `outcome=`, `assessable=`."
        )
    keep = patients[outcome].notna()
    if assessable is not None:
        keep &= patients[assessable].fillna(False).astype(bool)
    sub = patients.loc[keep, list(dict.fromkeys(cols))]  # only the columns counted
    grades = _levels(patients[outcome])
    # a level no counted subject has is left out, as the response table leaves it out (a study
    # of women drew an empty "Male n=0" bar in each group)
    by_levels = _present(_levels(patients[by]), sub[by])
    within_levels = _present(_levels(patients[within]), sub[within]) if within else ["overall"]
    rows = []
    for w in within_levels:
        in_w = sub if within is None else sub.loc[sub[within].astype(str) == w]
        for b in by_levels:
            bar = in_w.loc[in_w[by].astype(str) == b, outcome].astype(str)
            big_n = len(bar)
            counts = bar.value_counts()
            for g in grades:
                n = int(counts.get(g, 0))
                pct = 100 * n / big_n if big_n else np.nan
                rows.append({"within": w, "by": b, "grade": g, "n": n, "N": big_n, "pct": pct})
    out = pd.DataFrame(rows, columns=DIST_COLUMNS)
    return out.astype({"n": "int64", "N": "int64", "pct": "float64"})


class SegmentLabel(Text):
    """A bar segment's percentage, centred in it, drawn only when its text is no taller than
    the segment as drawn (a 5.9% segment of a small figure once had its label spill over its
    edges): decided at drawing time, in the figure's final size and layout."""

    def __init__(self, x: float, low: float, high: float, text: str, fill: str) -> None:
        super().__init__(x, (low + high) / 2, text, ha="center", va="center",
                         fontsize=SMALL_FONT_PT, color=text_color_on(fill))  # fmt: skip
        self._span = (low, high)

    def draw(self, renderer: RendererBase) -> None:
        if self.axes is not None:
            transform = self.axes.transData
            (_, bottom), (_, top) = transform.transform([(0, self._span[0]), (0, self._span[1])])
            if self.get_window_extent(renderer).height > abs(top - bottom):
                return
        super().draw(renderer)


def plot_response_by_sex_therapy(
    data: pd.DataFrame,
    *,
    by: str = "sex",
    within: str | None = "therapy_group",
    outcome: str = "response_12m",
    assessable: str | None = "is_response_assessable",
    min_label_pct: float = 5.0,
    within_labels: dict[str, str] | None = None,
    level_labels: Mapping[str, str] | None = None,
    legend_title: str | None = None,
    suppress_below: int | None = None,
    hidden: Set[tuple[str, str, str]] = frozenset(),
    ax: Axes | None = None,
) -> Axes:
    """100 % stacked bars of the outcome grades: one bar per ``by`` level within each
    ``within`` level, worst grade at the bottom.

    ``data`` is the patient table (``response_distribution`` is applied to it) or a frame
    returned by ``response_distribution``. Under each bar its level and ``n``; under each
    group of bars the ``within`` level. Segments of at least ``min_label_pct`` % show their
    percentage; the legend above the bars lists the grades worst first (row by row).
    ``within_labels`` renames the group labels (``{"combined": "Combined therapy"}``);
    ``level_labels`` the levels of ``by`` and the grades (``{"male": "Men"}``; default: the code
    with a capital).
    ``suppress_below=k``: grades of 1..k-1 subjects, those hidden to protect them and those in
    ``hidden`` (``(within, by, grade)``, the cells the response table hides) are drawn as one
    hatched "withheld" block on top of each bar (``analysis.figures.suppressed.hide_grades``).
    """
    dist = (
        data
        if set(DIST_COLUMNS) <= set(data.columns)
        else response_distribution(
            data, by=by, within=within, outcome=outcome, assessable=assessable
        )
    )
    if suppress_below:
        from analysis.figures.suppressed import hide_grades

        dist = hide_grades(dist, k=suppress_below, hidden=hidden)
    ax = plt.gca() if ax is None else ax
    grades = list(dict.fromkeys(dist["grade"]))
    bars = list(dict.fromkeys(zip(dist["within"], dist["by"], strict=True)))
    groups = list(dict.fromkeys(w for w, _ in bars))
    x: list[float] = []
    pos = 0.0
    for i, (w, _) in enumerate(bars):
        if i and w != bars[i - 1][0]:
            pos += 0.6  # gap between groups
        x.append(pos)
        pos += 1.0
    width = 0.75
    look = dist.set_index(["within", "by", "grade"])
    bottom = np.zeros(len(bars))
    colors = dict(zip(grades, grade_colors(grades), strict=True))  # by place on the scale
    for g in grades:
        pct = np.array([float(look.loc[(w, b, g), "pct"]) for w, b in bars])
        pct = np.nan_to_num(pct)
        ax.bar(x, pct, width, bottom=bottom, color=colors[g], label=g, edgecolor="white",
               linewidth=0.5)  # fmt: skip
        for xi, p, b0 in zip(x, pct, bottom, strict=True):
            if p >= min_label_pct:
                ax.add_artist(SegmentLabel(xi, b0, b0 + p, fmt_pct(p), colors[g]))
        bottom += pct
    withheld = _withheld_block(ax, dist, x, bars, bottom, width, suppress_below)
    ax.set_xlim(min(x) - 0.6, max(x) + 0.6)
    ax.set_ylim(0, 100)
    ax.set_yticks(np.arange(0, 101, 25))
    ax.set_ylabel("Patients (%)")
    big_n = dist.groupby(["within", "by"], sort=False)["N"].first()
    shown = {**(level_labels or {})}

    def word(level: Any) -> str:
        return shown.get(str(level), _cap(level))

    # a label wider than its bar, or its group, is broken into lines that fit under it
    unit_in = _unit_width_in(ax, span=max(x) - min(x) + 1.2)
    ticks = [f"{fit(word(b), 0.95 * unit_in)}\nn={int(big_n[(w, b)])}" for w, b in bars]
    ax.set_xticks(x, ticks)
    ax.tick_params(axis="x", length=0)
    names = within_labels or {}
    below = -24 - _LINE_PT * (max(t.count("\n") for t in ticks) - 1)  # under the ticks' lines
    if len(groups) > 1 or groups != ["overall"]:
        for grp in groups:
            xs = [xi for xi, (w, _) in zip(x, bars, strict=True) if w == grp]
            room = (len(xs) + 0.5) * unit_in
            ax.annotate(
                fit(names.get(grp, _cap(grp)), room, weight="bold"),
                xy=(float(np.mean(xs)), 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, below),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=SMALL_FONT_PT,
                fontweight="bold",
                annotation_clip=False,
            )
    # Above the bars, in grade order read left to right then down (worst first), so the bars
    # keep the full width of a single journal column.
    ncol = 2 if len(grades) > 3 else len(grades)
    room = (figure_width_in(ax) - _LEGEND_MARGIN_IN) / ncol - _LEGEND_HANDLE_IN
    handles = [Patch(facecolor=colors[g], label=fit(word(g), room)) for g in grades]
    if withheld is not None:
        handles.append(withheld)
    order = [h for c in range(ncol) for h in handles[c::ncol]]
    ax.legend(handles=order, loc="lower center", bbox_to_anchor=(0.5, 1.02), ncol=ncol,
              borderaxespad=0.0, handlelength=1.0, handleheight=1.0, columnspacing=1.2,
              title=legend_title if legend_title is not None else _title(outcome))  # fmt: skip
    return ax


def extra_height_in(ax: Axes) -> float:
    """How much taller (inches) a figure of these bars must be for its labels' extra lines (a
    level or group broken into several, a legend entry of two) to leave the bars the height a
    figure of one-line labels gives them."""
    ticks = [t.get_text().count("\n") + 1 for t in ax.get_xticklabels()]
    groups = [a.get_text().count("\n") + 1 for a in ax.texts if isinstance(a, Annotation)]
    lines = max(max(ticks, default=2) - 2, 0) + max(max(groups, default=1) - 1, 0)
    legend = ax.get_legend()
    if legend is not None:
        extra = sum(t.get_text().count("\n") for t in legend.get_texts())
        columns = max(int(getattr(legend, "_ncols", 1)), 1)  # matplotlib keeps it private
        lines += -(-extra // columns)  # about: the extra lines shared by the columns
    return lines * _LINE_PT / 72


def _withheld_block(
    ax: Axes,
    dist: pd.DataFrame,
    x: list[float],
    bars: list[tuple[str, str]],
    bottom: np.ndarray,
    width: float,
    k: int | None,
) -> Patch | None:
    """Under suppression, the hidden grades of each bar as one hatched block on top of the
    shown ones; its legend handle (None when nothing is hidden)."""
    if "hidden" not in dist.columns or not dist["hidden"].any():
        return None
    hidden = dist.groupby(["within", "by"], sort=False)["hidden"].any()
    for xi, bar, b0 in zip(x, bars, bottom, strict=True):
        if hidden[bar]:
            ax.bar(xi, 100 - b0, width, bottom=b0, facecolor="white", edgecolor="0.55",
                   hatch="////", linewidth=0.5)  # fmt: skip
    return Patch(facecolor="white", edgecolor="0.55", hatch="////", linewidth=0.5,
                 label=f"Withheld (<{k} or *)")  # fmt: skip


#: the height of one line of the tick labels (points)
_LINE_PT = 8.5
#: room left of the axes for the y label and its ticks ("Patients (%)", "100"), inches
_Y_LABEL_IN = 0.7
#: the legend's margins, and one entry's colour box and the space after it, inches
_LEGEND_MARGIN_IN = 0.2
_LEGEND_HANDLE_IN = 0.45


def _unit_width_in(ax: Axes, span: float) -> float:
    """Inches of one unit of the x axis (one bar and its gap) on a figure of this width."""
    return max(figure_width_in(ax) - _Y_LABEL_IN, 0.5) / span


def _cap(s: Any) -> str:
    s = str(s)
    return s[:1].upper() + s[1:]


def _title(outcome: str) -> str:
    return "Response at 12 months" if outcome == "response_12m" else outcome.replace("_", " ")


__all__ = [
    "DIST_COLUMNS",
    "extra_height_in",
    "plot_response_by_sex_therapy",
    "response_distribution",
]
