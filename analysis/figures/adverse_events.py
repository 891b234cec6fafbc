"""Adverse-event figures drawn from the ARD of ``ae_incidence`` and ``ae_by_exposure``.

Over 400 lines as one job: the adverse-event figures share their reading of the ARD, their
markers and their suppressed points.

The numbers (n, N, %, CI) are read from the ARD rows; nothing is recounted here, so a figure
always shows what the tables show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis.ard import OVERALL, groups_of
from analysis.errors import ArgumentError
from analysis.figures.fit_labels import figure_width_in, fit, text_width_in
from analysis.figures.theme import FONT_PT, SMALL_FONT_PT, colors_for
from analysis.tables.exposure_pool import pooled_label

ANY_EVENT = "any adverse event"


#: The terms the events-by-exposure figure draws by default: those with the most patients.
MAX_TERMS = 5


def _select(frame: pd.DataFrame, table: str | None, variable: str) -> pd.DataFrame:
    f = frame
    if table is not None and "table" in f.columns and (f["table"] == table).any():
        f = f.loc[f["table"] == table]
    f = f.loc[f["variable"] == variable]
    if f.empty:
        raise ArgumentError(
            f"no ARD rows with variable {variable!r}"
            + (f" in table {table!r}" if table else "")
            + "; pass the frame of the right table (e.g. study.tables['ae_incidence'].frame)."
        )
    return f


#: the interval methods as a statistician names them, short (the authors joined by en dashes)
_CI_NAMES = {
    "wilson": "Wilson",
    "wilson_cc": "Wilson, continuity-corrected",
    "clopper_pearson": "Clopper–Pearson",
    "agresti_coull": "Agresti–Coull",
    "wald": "Wald",
}


def _ci_label(methods: pd.Series) -> str:
    """'95% CI, Wilson' from a method string such as 'wilson 95% CI'."""
    for m in methods.dropna().astype(str):
        hit = re.search(r"(\d+(?:\.\d+)?)% CI", m)
        if hit:
            code = m[: hit.start()].strip()
            name = _CI_NAMES.get(code, code.replace("_", " ").capitalize())
            return f"{hit.group(1)}% CI" + (f", {name}" if name else "")
    return "CI"


def ae_incidence_points(
    ard_frame: pd.DataFrame,
    *,
    by: str | None = "sex",
    table: str | None = "ae_incidence",
    variable: str = "ae_term",
) -> pd.DataFrame:
    """The numbers ``plot_ae_incidence`` draws: one row per term and ``by`` level (``by=None``:
    the overall column only, level ``"overall"``).

    Terms with no subject overall are left out; terms are sorted by the overall number of
    subjects (descending, then name). Returns ``term, level, n, N, pct, ci_low, ci_high``
    (percent), terms in plotting order (most frequent first).
    """
    f = _select(ard_frame, table, variable)
    f = f.loc[f["reference"] == ""].assign(_groups=groups_of(f.loc[f["reference"] == ""]))
    # groups of subjects have every level set; a test across them has an empty level
    subjects = f.loc[[all(g.values()) for g in f["_groups"]]]
    found = sorted({tuple(g) for g in subjects["_groups"]})
    if by is None:
        cells = subjects.loc[[not g for g in subjects["_groups"]]].assign(_col=OVERALL)
    else:
        cells = subjects.loc[[list(g) == [by] for g in subjects["_groups"]]]
        cells = cells.assign(_col=[g[by] for g in cells["_groups"]])
    if cells.empty:
        raise ArgumentError(
            f"the ARD has no groups of `{by}` alone (found {found}); build the table "
            f"with `by` starting with {by!r}."
        )
    wide = cells.pivot_table(
        index=["level", "_col"], columns="stat", values="value", aggfunc="first", dropna=False
    ).reindex(columns=["n", "N", "pct", "ci_low", "ci_high"])  # hidden cells stay, as NaN
    overall_rows = subjects.loc[[not g for g in subjects["_groups"]]]
    if len(overall_rows):
        overall = overall_rows.loc[overall_rows["stat"] == "n"].set_index("level")["value"]
    else:
        overall = wide["n"].groupby(level="level").sum()
    terms = [t for t in dict.fromkeys(f["level"]) if overall.get(t, 0) > 0]
    terms.sort(key=lambda t: (-overall[t], t))
    columns = list(dict.fromkeys(cells["_col"]))
    rows = []
    for t in terms:
        for col in columns:
            r = wide.loc[(t, col)]
            rows.append(
                {
                    "term": t,
                    "level": col,
                    **{s: float(r[s]) for s in ("n", "N", "pct", "ci_low", "ci_high")},
                }
            )
    return pd.DataFrame(rows, columns=["term", "level", "n", "N", "pct", "ci_low", "ci_high"])


def plot_ae_incidence(
    ard_frame: pd.DataFrame,
    *,
    by: str | None = "sex",
    table: str | None = "ae_incidence",
    variable: str = "ae_term",
    ax: Axes | None = None,
    words: Callable[[str, str], str] | None = None,
    subjects: str = "Patients",
) -> Axes:
    """Patients with each adverse event (%) and its CI, one row per term, dodged by ``by``
    (``None``: all patients, one point per term). ``subjects``: what the table counts, for the
    axis ("Patient-dose periods" for a table per patient-exposure).

    Reads ``n, N, pct, ci_low, ci_high`` from the ARD of ``ae_incidence`` (groups
    ``"<by>=<level>"``); terms sorted by overall frequency, most frequent on top; terms with
    no patient omitted. The CI method is taken from the ARD ``method`` column. ``words(column,
    level)``: a level of ``by`` or a term as the study names it (``labels.levels``; default:
    the code with a capital).
    """
    word = words or (lambda _column, level: _cap(level))
    pts = ae_incidence_points(ard_frame, by=by, table=table, variable=variable)
    ax = plt.gca() if ax is None else ax
    if pts.empty:  # every term's number withheld (small-cell suppression), or no event at all
        return nothing_drawn(ax, ard_frame)
    terms = list(dict.fromkeys(pts["term"]))
    levels = list(dict.fromkeys(pts["level"]))
    sizes = _column_sizes(ard_frame, pts, by=by, table=table)
    colors = colors_for(levels)
    step = 0.36 if len(levels) > 1 else 0.0
    offsets = np.linspace(-step / 2, step / 2, len(levels)) if len(levels) > 1 else [0.0]
    y_of = {t: i for i, t in enumerate(terms)}
    for lv, color, off in zip(levels, colors, offsets, strict=True):
        d = pts.loc[pts["level"] == lv]
        y = np.array([y_of[t] for t in d["term"]], dtype=float) + off
        pct, lo, hi = (d[c].to_numpy(float) for c in ("pct", "ci_low", "ci_high"))
        err = np.vstack([pct - lo, hi - pct])
        big_n = sizes.get(lv, 0)
        # not clipped: a marker at 0% sits on the axis whole, not cut in half by it
        ax.errorbar(pct, y, xerr=err, fmt="o", color=color, ecolor=color, elinewidth=0.8,
                    capsize=1.5, markersize=3.5, label=f"{word(by or '', lv)} (N={big_n})",
                    clip_on=False)  # fmt: skip
        _hidden_marks(ax, d, by, ard_frame, table, variable, y)
    room = _TERM_SHARE * figure_width_in(ax)  # a long term is broken into lines
    term_labels = [fit(word(variable, t), room) for t in terms]
    ax.set_yticks(range(len(terms)), term_labels)
    ax.set_ylim(len(terms) - 0.5, -0.5)
    ax.set_xlim(left=0)
    ax.xaxis.grid(True, color="0.9", linewidth=0.5)
    ax.set_axisbelow(True)
    f = _select(ard_frame, table, variable)
    what = f"{subjects} with the event, %"
    ci = f"({_ci_label(f.loc[f['stat'] == 'ci_low', 'method'])})"
    # a longer unit than "Patients", or long terms left of the axes, would run the label past
    # the figure's edge: the CI on a line of its own
    # (the label is centred under the axes, right of the terms: it may pass the axes' ends by
    # the figure's right margin, no more)
    left = max((text_width_in(t) for t in term_labels), default=0.0) + _TICK_PAD_IN
    room = figure_width_in(ax) - left + _OVERHANG_IN
    one_line = f"{what} {ci}"
    fits = len(one_line) <= _LABEL_CHARS and text_width_in(one_line, FONT_PT) <= room
    ax.set_xlabel(one_line if fits else f"{what}\n{ci}")
    ax.tick_params(axis="y", length=0)
    handles, labels = ax.get_legend_handles_labels()
    inside = len(levels) <= _LEGEND_INSIDE
    room = (_INSIDE_SHARE if inside else _OUTSIDE_SHARE) * figure_width_in(ax)
    labels = [fit(label, room) for label in labels]
    if inside:
        ax.legend(handles, labels, loc="lower right", handletextpad=0.3, borderaxespad=0.2)
    else:  # more groups than fit beside the smallest bars: a legend of its own, under it all
        ax.figure.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=2,
            handletextpad=0.3,
            columnspacing=1.0,
            frameon=False,
        )
    return ax


def _column_sizes(
    ard_frame: pd.DataFrame, points: pd.DataFrame, *, by: str | None, table: str | None
) -> dict[str, int]:
    """Each level's subjects (its column's N) for the legend: the N of the table's "any adverse
    event" row in that group, not a term's (a term of one sex has its sex's N, and none in the
    other sex's group); without that row, the largest N of the level's points."""
    sizes = {
        str(lv): int(n) for lv, n in points.groupby("level", sort=False)["N"].max().items()
        if pd.notna(n)
    }  # fmt: skip
    f = ard_frame
    if table is not None and "table" in f.columns and (f["table"] == table).any():
        f = f.loc[f["table"] == table]
    f = f.loc[(f["variable"] == "any_ae") & (f["stat"] == "N") & (f["reference"] == "")]
    for groups, n in zip(groups_of(f), f["value"], strict=True):
        if pd.isna(n):
            continue
        if by is None and not groups:
            sizes[OVERALL] = int(n)
        elif by is not None and list(groups) == [by]:
            sizes[str(groups[by])] = int(n)
    return sizes


#: groups whose legend fits inside the axes, beside the smallest bars
_LEGEND_INSIDE = 3
#: characters of an axis label that fit under a single-column figure
_LABEL_CHARS = 50
#: shares of the figure's width for a term (left of the axes) and a legend label (inside the
#: axes, or in one of the two columns under them)
_TERM_SHARE = 0.4
_INSIDE_SHARE = 0.4
_OUTSIDE_SHARE = 0.4
#: the space between the terms and the axes, and how far the axis label may pass the axes'
#: width (the figure's margins), inches
_TICK_PAD_IN = 0.1
_OVERHANG_IN = 0.1


def _hidden_marks(
    ax: Axes,
    points: pd.DataFrame,
    by: str | None,
    ard_frame: pd.DataFrame,
    table: str | None,
    variable: str,
    y: np.ndarray,
) -> None:
    """Under suppression (a frame from ``TableResult.shown``), the marker of each point not
    drawn (``<5``, ``*``) at the left of its row, instead of an empty place."""
    if "suppression" not in ard_frame.columns:
        return
    from analysis.tables.suppress import format_suppressed, suppressed_markers

    marks = suppressed_markers(_select(ard_frame, table, variable))
    for term, level, pct, yi in zip(points["term"], points["level"], points["pct"], y, strict=True):
        group = OVERALL if by is None else f"{by}={level}"
        text = format_suppressed(marks.get((variable, term, group, "n")))
        if text and np.isnan(pct):
            ax.annotate(text, xy=(0, yi), xytext=(3, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=SMALL_FONT_PT, color="0.35")  # fmt: skip


def _gaps_said(ax: Axes, lines: pd.DataFrame, ard_frame: pd.DataFrame, table: str | None) -> None:
    """Under suppression, a line's gap (a count withheld) is said in a corner of the axes: it
    was a gap with no marker, while the AE incidence figure marks each hidden point."""
    if "suppressed" not in ard_frame.columns or not lines["pct"].isna().any():
        return
    f = _select(ard_frame, table, "ae_term")
    k = f.loc[f["suppressed"].astype(bool), "suppress_k"]
    if k.empty:
        return
    ax.annotate(
        f"gap: a count withheld (<{int(k.iloc[0])}, or * to protect one)",
        xy=(1, 1), xycoords="axes fraction", xytext=(-3, -3), textcoords="offset points",
        ha="right", va="top", fontsize=SMALL_FONT_PT, color="0.35",
    )  # fmt: skip


def ae_by_exposure_lines(
    ard_frame: pd.DataFrame,
    *,
    terms: Sequence[str] | None = None,
    max_terms: int = MAX_TERMS,
    table: str | None = "ae_by_exposure",
    variable: str = "ae_term",
) -> pd.DataFrame:
    """The numbers ``plot_ae_by_exposure`` draws: ``term, session, n, N, pct`` per term and
    exposure number (column ``session``), in ARD order (``"13+"`` pools the later ones: the
    table's pooling rule, ``analysis.tables.exposure_pool``).

    ``terms=None``: the ``max_terms`` terms with the most patients over all exposures (the
    "any adverse event" row excluded), most frequent first.
    """
    f = _select(ard_frame, table, variable)
    # one group, the exposure number: its level names the session
    wide = f.pivot_table(
        index=["level", "group1_level"], columns="stat", values="value", aggfunc="first"
    )
    sessions = list(dict.fromkeys(f["group1_level"]))
    if terms is None:
        total = wide["n"].groupby(level="level").sum().drop(ANY_EVENT, errors="ignore")
        total = total.loc[total > 0]
        chosen = sorted(total.index, key=lambda t: (-total[t], t))[:max_terms]
    else:
        chosen = list(terms)
        unknown = [t for t in chosen if t not in wide.index.get_level_values("level")]
        if unknown:
            raise ArgumentError(
                f"term(s) {unknown} not in the ae_by_exposure ARD; it has "
                f"{sorted(set(wide.index.get_level_values('level')))}."
            )
    rows = []
    for t in chosen:
        for g in sessions:
            r = wide.loc[(t, g)]
            rows.append(
                {
                    "term": t,
                    "session": g,
                    "n": float(r["n"]),
                    "N": float(r["N"]),
                    "pct": float(r["pct"]),
                }
            )
    return pd.DataFrame(rows, columns=["term", "session", "n", "N", "pct"])


def plot_ae_by_exposure(
    ard_frame: pd.DataFrame,
    *,
    terms: Sequence[str] | None = None,
    max_terms: int = MAX_TERMS,
    table: str | None = "ae_by_exposure",
    noun: str = "exposure",
    ax: Axes | None = None,
    words: Callable[[str, str], str] | None = None,
    term: str = "ae_term",
) -> Axes:
    """Patients with each event after exposure 1, 2, ... (% of those who received it).

    One line per term (default: the ``max_terms`` most frequent), x = exposure number with the
    patients who received it (N) under each tick; a pooled last group (``k+``) is labelled
    "≥k" and reached by a dashed segment. ``noun`` is the study's word for one exposure (the
    axis label says "Session number" for "session"). ``words(column, level)``: a term as the
    study names it (``labels.levels`` of ``term``; default: the code with a capital).
    """
    word = words or (lambda _column, level: _cap(level))
    lines = ae_by_exposure_lines(ard_frame, terms=terms, max_terms=max_terms, table=table)
    ax = plt.gca() if ax is None else ax
    sessions = list(dict.fromkeys(lines["session"]))
    chosen = list(dict.fromkeys(lines["term"]))
    if not chosen:  # every term's number withheld (small-cell suppression), or no event at all
        return nothing_drawn(ax, ard_frame)
    x = np.arange(len(sessions))
    pooled = len(sessions) > 1 and str(sessions[-1]).endswith("+")
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    for i, (t, color) in enumerate(zip(chosen, colors_for(chosen), strict=True)):
        d = lines.loc[lines["term"] == t].set_index("session").loc[sessions]
        y = d["pct"].to_numpy(float)
        solid = len(x) - 1 if pooled else len(x)
        # not clipped: a marker at 0% sits on the axis whole (the data never leave the axes)
        ax.plot(x[:solid], y[:solid], marker=markers[i % len(markers)], color=color,
                label=word(term, str(t)), markersize=3.5, linewidth=1.1,
                clip_on=False)  # fmt: skip
        if pooled:  # the pooled tail: a dashed step into one point
            ax.plot(x[-2:], y[-2:], linestyle=(0, (2, 1.5)), color=color, linewidth=1.1,
                    clip_on=False)  # fmt: skip
            ax.plot(x[-1:], y[-1:], marker=markers[i % len(markers)], color=color,
                    markersize=3.5, linestyle="none", clip_on=False)  # fmt: skip
    _gaps_said(ax, lines, ard_frame, table)
    # the subjects who received each number: the largest N of its column (the table's "any
    # adverse event" row; a term of one sex has its sex's N)
    f = _select(ard_frame, table, "ae_term")
    big_n = f.loc[f["stat"] == "N"].groupby("group1_level")["value"].max()
    ax.set_xticks(x, [f"{pooled_label(s).replace(' ', '')}\n{int(big_n[s])}" for s in sessions])
    ax.annotate("N", xy=(0, 0), xycoords="axes fraction", xytext=(-4, -13.5),
                textcoords="offset points", ha="right", va="top", fontsize=SMALL_FONT_PT,
                annotation_clip=False)  # fmt: skip
    ax.set_xlim(-0.4, len(sessions) - 0.6)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"{noun.capitalize()} number (N = patients who received it)")
    ax.set_ylabel("Patients with the event (%)")
    ax.yaxis.grid(True, color="0.9", linewidth=0.5)
    ax.set_axisbelow(True)
    ncol = min(len(chosen), 3)
    room = (figure_width_in(ax) - 0.2) / ncol - 0.4  # a column, less its line and gap
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, [fit(label, room) for label in labels], loc="lower center",
              bbox_to_anchor=(0.5, 1.01), ncol=ncol, handlelength=1.6, columnspacing=1.0,
              borderaxespad=0.0)  # fmt: skip
    return ax


def nothing_drawn(ax: Axes, ard_frame: pd.DataFrame) -> Axes:
    """An empty figure that says why: every number withheld under small-cell suppression (the
    frame of ``TableResult.shown`` marks hidden cells), else no patient with an event."""
    hidden = "suppressed" in ard_frame.columns and bool(ard_frame["suppressed"].any())
    ax.set_axis_off()
    ax.text(0.5, 0.5, "Every number withheld (small-cell suppression)" if hidden
            else "No patient with an adverse event", ha="center", va="center",
            transform=ax.transAxes)  # fmt: skip
    return ax


def _cap(s: object) -> str:
    s = str(s)
    return s[:1].upper() + s[1:]


__all__ = [
    "ae_by_exposure_lines",
    "ae_incidence_points",
    "plot_ae_by_exposure",
    "plot_ae_incidence",
]
