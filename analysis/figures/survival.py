"""Kaplan-Meier curves with CI bands, censor ticks, log-rank p and a number-at-risk table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import to_rgba
from matplotlib.path import Path
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import IdentityTransform

from analysis.figures.fit_labels import figure_width_in, fit, shorten
from analysis.figures.theme import SMALL_FONT_PT, colors_for, darker
from analysis.stats.at_risk import at_risk_counts, km_stop_times
from analysis.stats.event_flag import event_flag
from analysis.stats.survival import km_table, logrank_test
from analysis.tables.render import fmt_p


def _event_as_int(data: pd.DataFrame, *, time: str, event: str, by: str) -> pd.DataFrame:
    """The columns ``time``, ``event`` and ``by`` of ``data``, the event as 0/1 integers
    (``analysis.stats.event_flag``: booleans, 0/1, yes/no levels); input untouched. Only these
    three: the whole patient table copied to convert one column took 0.41 s of a KM plot on a
    million patients."""
    d = data[list(dict.fromkeys([time, event, by]))]
    return d.assign(**{event: event_flag(d[event], event)})


def _levels(s: pd.Series) -> list[str]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories if (s == c).any()]
    return sorted(s.dropna().astype(str).unique())


class CensorTicks(Artist):
    """Vertical ticks ``size`` points tall centred on data points (the censoring marks of a
    Kaplan-Meier curve), drawn as one path.

    Looks the same as ``ax.plot(x, y, "|")``, but that writes one SVG/PDF element per mark, and
    a cohort's curve has hundreds: the report's PDF renderer spent ~0.3 s on them.
    """

    def __init__(
        self, x: np.ndarray, y: np.ndarray, *, size: float, linewidth: float, color: str
    ) -> None:
        super().__init__()
        self._xy = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
        self._size, self._linewidth, self._color = size, linewidth, color
        self.set_zorder(2)

    @property
    def points(self) -> np.ndarray:
        """The marks' (x, y) data coordinates, one row each."""
        return self._xy.copy()

    def draw(self, renderer: RendererBase) -> None:
        if not self.get_visible() or len(self._xy) == 0 or self.axes is None:
            return
        centres = self.axes.transData.transform(self._xy)
        half = cast(float, renderer.points_to_pixels(self._size)) / 2
        vertices = np.repeat(centres, 2, axis=0)
        vertices[0::2, 1] -= half
        vertices[1::2, 1] += half
        codes = np.tile([Path.MOVETO, Path.LINETO], len(centres))
        gc = renderer.new_gc()
        gc.set_clip_rectangle(self.axes.bbox)
        gc.set_foreground(to_rgba(self._color), isRGBA=True)
        gc.set_linewidth(self._linewidth)
        gc.set_capstyle("butt")
        renderer.draw_path(gc, Path(vertices, codes), IdentityTransform())
        gc.restore()
        self.stale = False


def number_at_risk(
    data: pd.DataFrame, *, time: str, by: str, times: Sequence[float]
) -> pd.DataFrame:
    """Subjects still at risk (time >= t) at each of ``times``, per level of ``by``, as the
    risk table under a Kaplan-Meier plot (R ``summary(survfit, times)$n.risk``).

    Returns a frame indexed by the ``by`` levels with one column per time.
    """
    levels = _levels(data[by])
    groups = data[by].astype(str)
    out = {}
    for lv in levels:
        follow_up = data.loc[groups == lv, time].to_numpy(dtype=float, na_value=np.nan)
        follow_up = np.sort(follow_up[~np.isnan(follow_up)])
        out[lv] = [int(n) for n in at_risk_counts(follow_up, times)]
    return pd.DataFrame.from_dict(out, orient="index", columns=list(times))


def _default_times(t_max: float) -> list[float]:
    """Ticks from 0 past ``t_max``: at most 8, a step of months a reader counts in (1, 2, 3, 6,
    12, 24 ... years), then 2, 5 or 10 times a power of ten for times longer than 70 years
    (a time in other units passed straight to ``plot_km``)."""
    steps = [1, 2, 3, 6, 12, 24, 60, 120]
    power = 100
    while steps[-1] * 7 < t_max:
        steps += [2 * power, 5 * power, 10 * power]
        power *= 10
    step = next(s for s in steps if t_max / s <= 7)
    return [float(v) for v in np.arange(0, t_max + 1e-9, step)]


#: the columns of ``km_table`` beside its group column, and the name a group so named takes
_KM_COLUMNS = frozenset(
    {"time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"}
)
_GROUP = "_km_group"


def plot_km(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str,
    ax: Axes | None = None,
    conf_type: str = "log",
    alpha: float = 0.05,
    risk_times: Sequence[float] | None = None,
    xlabel: str = "Months since day 0",
    ylabel: str = "Proportion without the event",
    labels: dict[str, str] | None = None,
    suppress_below: int | None = None,
    min_at_risk: tuple[float, int] | None = None,
    risk_events: bool = False,
) -> Axes:
    """Kaplan-Meier curves per level of ``by`` with pointwise CI bands (``km_table``,
    Greenwood variance, ``conf_type`` transform), ``|`` at censoring times, the log-rank p
    (``logrank_test``, R survdiff) and the number at risk under the x axis at ``risk_times``
    (default: the x ticks, at a round step), aligned with the ticks.

    ``suppress_below=k``: the curves are coarsened (``analysis.figures.suppressed.coarse_km``:
    steps at the ticks only, no censoring marks, a curve stops before an interval with 1..k-1
    at risk, events or censored); the numbers at risk are shown up to where the curve stops.

    ``min_at_risk=(fraction, minimum)``: each curve (line, band, censoring marks) stops at the
    last time at which at least ``analysis.stats.at_risk.subject_floor`` of its group remain at
    risk (``km_stop_times``; default None: the whole curve), and the x axis ends at the
    latest stop. ``risk_events``: the risk table shows "at risk (cumulative events)".
    """
    d = _event_as_int(data, time=time, event=event, by=by)
    if by in _KM_COLUMNS:  # a group named as a column of the curves' own table: renamed
        d, by = d.rename(columns={by: _GROUP}), _GROUP
    ax = plt.gca() if ax is None else ax
    levels = _levels(d[by])
    colors = dict(zip(levels, colors_for(levels), strict=True))
    names = labels or {}
    stops = curve_stops(d, time=time, by=by, levels=levels, min_at_risk=min_at_risk)
    t_max = max((v for v in stops.values() if v is not None), default=float(d[time].max()))
    ticks = list(risk_times) if risk_times is not None else _default_times(t_max)
    if suppress_below:
        _coarse_curves(ax, d, time=time, event=event, by=by, levels=levels, ticks=ticks,
                       k=suppress_below, conf_type=conf_type, alpha=alpha, colors=colors,
                       names=names, stops=stops)  # fmt: skip
        _axes(ax, ticks, t_max, xlabel, ylabel)
        return ax
    km = km_table(d, time=time, event=event, by=by, conf_type=conf_type, alpha=alpha)
    group_sizes = d[by].astype(str).value_counts()
    for lv in levels:
        k = _until(km.loc[km[by].astype(str) == lv], stops[lv])
        t = np.r_[0.0, k["time"].to_numpy(float)]
        s = np.r_[1.0, k["surv"].to_numpy(float)]
        lo = np.r_[1.0, k["lower"].to_numpy(float)]
        hi = np.r_[1.0, k["upper"].to_numpy(float)]
        n = int(group_sizes.get(lv, 0))
        name = names.get(lv, lv[:1].upper() + lv[1:])
        ax.step(t, s, where="post", color=colors[lv], linewidth=1.2, label=f"{name} (n={n})")
        ax.fill_between(t, np.nan_to_num(lo), np.nan_to_num(hi, nan=1.0), step="post",
                        color=colors[lv], alpha=0.15, linewidth=0)  # fmt: skip
        cens = k.loc[k["n_censor"] > 0]
        marks = CensorTicks(cens["time"].to_numpy(), cens["surv"].to_numpy(), size=4,
                            linewidth=0.7, color=colors[lv])  # fmt: skip
        ax.add_artist(marks)
    _axes(ax, ticks, t_max, xlabel, ylabel)
    lr = logrank_test(d, time=time, event=event, by=by)
    p = fmt_p(float(cast(float, lr["p_value"])))
    _logrank_text(ax, f"Log-rank p {'= ' + p if not p.startswith('<') else p}")
    _legend(ax)
    risk = number_at_risk(d, time=time, by=by, times=ticks)
    if risk_events:
        risk = _with_events(risk, d, time=time, event=event, by=by)
    _risk_table(ax, risk, colors, names)
    return ax


def curve_stops(
    data: pd.DataFrame,
    *,
    time: str,
    by: str,
    levels: Sequence[str],
    min_at_risk: tuple[float, int] | None,
) -> dict[str, float | None]:
    """Per level of ``by``: the time its curve stops under ``min_at_risk`` (``km_stop_times``);
    every level's largest time when ``min_at_risk`` is None (the whole curve)."""
    if min_at_risk is None:
        last = data.groupby(data[by].astype(str), observed=True)[time].max()
        return {lv: float(last[lv]) for lv in levels}
    fraction, minimum = min_at_risk
    stops = km_stop_times(data, time=time, by=by, fraction=fraction, minimum=minimum)
    return {lv: stops[lv][1] for lv in levels}


def _until(curve: pd.DataFrame, stop: float | None) -> pd.DataFrame:
    """The steps of a curve up to ``stop``, the last one carried to ``stop`` itself (nothing
    after time 0 when ``stop`` is None: too few subjects for any of it)."""
    if stop is None:
        return curve.iloc[:0]
    kept = curve.loc[curve["time"] <= stop]
    if len(kept) and kept["time"].iloc[-1] < stop:
        end = kept.iloc[[-1]].assign(time=stop, n_censor=0)
        kept = pd.concat([kept, end], ignore_index=True)
    return kept


def _with_events(
    risk: pd.DataFrame, data: pd.DataFrame, *, time: str, event: str, by: str
) -> pd.DataFrame:
    """The numbers at risk as text "n (e)", e the events up to each time (cumulative)."""
    out = risk.astype(object)
    for lv in risk.index:
        rows = data.loc[data[by].astype(str) == lv]
        hit = np.sort(rows.loc[rows[event] == 1, time].to_numpy(float))
        for t in risk.columns:
            events = int(np.searchsorted(hit, float(t), side="right"))
            out.loc[lv, t] = f"{int(risk.loc[lv, t])} ({events})"
    return out


def _axes(ax: Axes, ticks: list[float], t_max: float, xlabel: str, ylabel: str) -> None:
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.set_xlim(0, max(ticks[-1], t_max) * 1.02)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _logrank_text(ax: Axes, text: str) -> None:
    ax.text(0.98, 0.97, text, transform=ax.transAxes, ha="right", va="top",
            fontsize=SMALL_FONT_PT)  # fmt: skip


def _coarse_curves(
    ax: Axes,
    d: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str,
    levels: list[str],
    ticks: list[float],
    k: int,
    conf_type: str,
    alpha: float,
    colors: dict[str, str],
    names: dict[str, str],
    stops: dict[str, float | None],
) -> None:
    """The curves, log-rank p and numbers at risk of ``plot_km`` under suppression (each curve
    also ends at its ``stops`` time)."""
    from analysis.figures.suppressed import coarse_km, km_test_withheld

    curves = coarse_km(d, time=time, event=event, by=by, levels=levels, times=ticks, k=k,
                       conf_type=conf_type, alpha=alpha)  # fmt: skip
    risk = pd.DataFrame("–", index=levels, columns=ticks, dtype=object)  # "–": not shown
    for lv in levels:
        name = names.get(lv, lv[:1].upper() + lv[1:])
        c = curves[lv]
        if c is not None:
            stop = stops.get(lv)
            c = c.iloc[:0] if stop is None else c.loc[c["time"] <= stop]
        if c is None or len(c) < 2:  # nothing after time 0 to draw
            ax.plot([], [], color=colors[lv], linewidth=1.2, label=f"{name} (withheld†)")
            continue
        n = int((d[by].astype(str) == lv).sum())
        t = c["time"].to_numpy(float)
        ax.step(t, c["surv"], where="post", color=colors[lv], linewidth=1.2,
                label=f"{name} (n={n})")  # fmt: skip
        ax.fill_between(t, np.nan_to_num(c["lower"].to_numpy(float)),
                        np.nan_to_num(c["upper"].to_numpy(float), nan=1.0), step="post",
                        color=colors[lv], alpha=0.15, linewidth=0)  # fmt: skip
        for tick, n_risk in zip(c["time"], c["n_risk"], strict=True):
            risk.loc[lv, float(tick)] = int(n_risk)
    if km_test_withheld(d, event=event, by=by, k=k):
        _logrank_text(ax, "Log-rank p withheld†")
    else:
        p = fmt_p(float(cast(float, logrank_test(d, time=time, event=event, by=by)["p_value"])))
        _logrank_text(ax, f"Log-rank p {'= ' + p if not p.startswith('<') else p}")
    _legend(ax)
    _risk_table(ax, risk, colors, names)


#: the widest group name of the numbers at risk (one line each; the legend has it in full)
_RISK_NAME_IN = 1.3
#: the legend's share of the axes' width (a longer label is broken into lines)
_LEGEND_SHARE = 0.55


def _legend(ax: Axes) -> None:
    """The groups' legend, lower left, each label broken into lines that fit beside the
    curves, which run along the top."""
    handles, labels = ax.get_legend_handles_labels()
    room = _LEGEND_SHARE * figure_width_in(ax)
    ax.legend(handles, [fit(label, room) for label in labels], loc="lower left",
              handlelength=1.5, borderaxespad=0.3)  # fmt: skip


def _risk_table(
    ax: Axes, risk: pd.DataFrame, colors: dict[str, str], names: dict[str, str]
) -> None:
    """Rows of numbers at risk below the x-axis label, each number under its tick."""
    line = SMALL_FONT_PT * 1.35
    # below the tick labels and the axis label (tick 3.5 + pad 3.5 + 7 pt + pad 4 + 8 pt)
    top = -(3.5 + 3.5 + SMALL_FONT_PT * 1.2 + 4 + 8 * 1.2 + 5)
    # names end left of the widest number centred on the first tick
    width = max(len(_risk_text(v)) for v in risk.to_numpy().ravel()) if risk.size else 1
    name_x = -(width * SMALL_FONT_PT * 0.32 + 5)
    ax.annotate("Number at risk", xy=(0, 0), xycoords="axes fraction", xytext=(name_x, top),
                textcoords="offset points", ha="right", va="top", fontsize=SMALL_FONT_PT,
                fontweight="bold", annotation_clip=False)  # fmt: skip
    for i, (lv, row) in enumerate(risk.iterrows()):
        y = top - line * (i + 1)
        name = shorten(names.get(str(lv), str(lv)[:1].upper() + str(lv)[1:]), _RISK_NAME_IN)
        ax.annotate(name, xy=(0, 0), xycoords="axes fraction", xytext=(name_x, y),
                    textcoords="offset points", ha="right", va="top", fontsize=SMALL_FONT_PT,
                    color=darker(colors[str(lv)]), annotation_clip=False)  # fmt: skip
        for t, n in row.items():
            ax.annotate(_risk_text(n), xy=(float(t), 0), xycoords=("data", "axes fraction"),
                        xytext=(0, y), textcoords="offset points", ha="center", va="top",
                        fontsize=SMALL_FONT_PT, color=darker(colors[str(lv)]),
                        annotation_clip=False)  # fmt: skip


def _risk_text(n: object) -> str:
    """A number at risk as printed: an integer, or the text standing for a withheld one."""
    return n if isinstance(n, str) else str(int(cast(float, n)))


__all__ = ["curve_stops", "number_at_risk", "plot_km"]
