"""Time-to-event tables: Kaplan–Meier by group with the log-rank test (R survfit / survdiff
conventions), and the Cox model in a table of its own (HRs, Wald p, PH tests).

Over 400 lines as one job: the time-to-event analysis of a plan, whose Kaplan–Meier table and
the Cox model set beside it read the same time, event and groups and print their times and
ratios alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.ard import ard_frame, concat_ard
from analysis.stats._km import CONF_TYPES
from analysis.stats.at_risk import floor_rule_text, km_stop_times, stops_text
from analysis.stats.ci_level import ci_label, ci_level
from analysis.stats.cox_refusals import refuse_levels_without_events
from analysis.stats.design import design_matrix
from analysis.stats.event_flag import event_flag
from analysis.stats.survival import (
    KM_AT_PREFIX,
    KM_CONTEXT,
    cox_ard,
    cox_model,
    km_at_context,
    survival_ard,
)
from analysis.tables._arguments import shaped
from analysis.tables._columns import require_columns, require_frame
from analysis.tables._common import levels_of
from analysis.tables.plan_context import without_empty_levels
from analysis.tables.render import TableResult, fmt_count, fmt_p, ratio_digits, stat_lookup
from analysis.tables.suppress import format_suppressed
from analysis.words import and_list, term_label


@shaped(choices={"conf_type": CONF_TYPES})
def time_to_event_table(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str,
    times: Sequence[float] = (12, 24),
    conf_type: str = "log",
    alpha: float = 0.05,
    time_unit: str = "months",
    title: str | None = None,
    name: str = "time_to_event",
    origin: str = "day 0",
    curve_floor: tuple[float, int] | None = None,
    level_names: Mapping[str, str] | None = None,
    time_note: str | None = None,
) -> TableResult:
    """Kaplan–Meier summary per level of ``by`` and the log-rank test (the Cox model has its
    own table, ``cox_table``).

    Survival and its CI use Greenwood's variance with R ``survfit``'s default ``log`` transform
    (``conf_type``); the median CI is where the CI curves cross 0.5 (Brookmeyer–Crowley, as R
    prints it); log-rank as R ``survdiff``. ``origin`` says in words where time starts (the
    footnote: "from the first session"); ``time_note`` replaces that footnote's sentence where
    the time's origin and censoring are known (``analysis.tables.time_rules``). ``curve_floor=(fraction, minimum)``: the figure's
    curves stop where fewer than that many remain at risk (``analysis.stats.at_risk``); a
    footnote says where, and which listed times lie beyond.
    """
    require_frame("time_to_event_table", data, table="data")
    require_columns("time_to_event_table", data, table="the data", time=time, event=event, by=by)
    used = list(dict.fromkeys([time, event, by]))
    # a copy of the columns the table reads (all of them when one is absent: the error names it)
    frame_in = data[used].copy() if all(c in data.columns for c in used) else data.copy()
    if event in frame_in:
        frame_in[event] = event_flag(frame_in[event], event)
    # a declared level no patient has is no curve and no row: said, as the other tables say it
    frame_in, empty = without_empty_levels(frame_in, by, lambda column: column)
    frame = survival_ard(
        frame_in,
        time=time,
        event=event,
        by=by,
        times=times,
        conf_type=conf_type,
        alpha=alpha,
        table=name,
    )
    level = ci_level(alpha)
    notes = [
        f"Kaplan–Meier estimates; {level}% CI from Greenwood's variance with the {conf_type} "
        f"transform{' (R survfit default)' if conf_type == 'log' else ''}; median CI by "
        f"Brookmeyer–Crowley as R prints it; NR = not reached.",
        "p: log-rank test (R survdiff, rho = 0).",
        time_note or f"Time in {time_unit} from {origin}; censored at the last contact.",
    ]
    if curve_floor is not None:
        notes.append(
            _stop_note(frame_in, time, by, times, time_unit, curve_floor, level_names or {})
        )
    beyond = _beyond_last_time_note(frame_in, time, by, times, time_unit, level_names or {})
    if beyond:
        notes.append(beyond)
    notes += _not_estimable_note(frame, conf_type)
    notes += empty
    order = levels_of(data, by)
    return TableResult(
        name=name,
        title=title or f"Time to event: {time}",
        frame=frame,
        layout=lambda f: _layout(f, by, order, list(times), time_unit, time, alpha),
        footnotes=tuple(notes),
    )


def _stop_note(
    data: pd.DataFrame,
    time: str,
    by: str,
    times: Sequence[float],
    unit: str,
    floor: tuple[float, int],
    names: Mapping[str, str],
) -> str:
    """Where the figure's curves stop under ``floor`` and which listed times lie beyond."""
    fraction, minimum = floor
    stops = km_stop_times(data, time=time, by=by, fraction=fraction, minimum=minimum)
    beyond = sorted(
        {f"{t:g}" for _, stop in stops.values() for t in times if stop is None or t > stop},
        key=float,
    )
    text = (
        f"The Kaplan–Meier figure draws each curve only while at least "
        f"{floor_rule_text(fraction=fraction, minimum=minimum)} remain at risk; it stops: "
        f"{stops_text(stops, names, unit)}."
    )
    if beyond:
        text += (
            f" Estimates at {', '.join(beyond)} {unit} lie beyond the end of at least one curve "
            "and rest on few patients at risk."
        )
    return text


def _beyond_last_time_note(
    data: pd.DataFrame,
    time: str,
    by: str,
    times: Sequence[float],
    unit: str,
    names: Mapping[str, str],
) -> str:
    """The footnote of the S(t) cells left blank: a listed time after a group's last observed
    time, where the Kaplan–Meier curve is not estimated (R ``summary(survfit, times)`` without
    ``extend``); "" when there is none."""
    if time not in data or by not in data:
        return ""
    last = data.groupby(data[by].astype(str), observed=True)[time].max()
    blank = [
        f"S({t:g} {unit}) for {names.get(str(g), str(g))} (last time {m:.1f} {unit})"
        for t in times
        for g, m in last.items()
        if pd.notna(m) and t > m
    ]
    if not blank:
        return ""
    return (
        f"Blank: {and_list(blank)}, not estimated: the listed time lies beyond the group's "
        "last observed time, where the Kaplan–Meier curve ends."
    )


@shaped
def cox_table(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    covariates: Mapping[str, str | None],
    alpha: float = 0.05,
    title: str | None = None,
    name: str = "cox",
    by: str | None = None,
    units: Mapping[str, str] | None = None,
) -> TableResult:
    """A Cox proportional-hazards model: per term the hazard ratio with its Wald CI and p-value,
    its proportional-hazards test, and the global PH test; the patients analysed and their
    events (ARD variable ``model``, stats ``n`` and ``events``).

    Cox PH with Efron ties and Wald CIs as R ``coxph``, with the ``cox.zph`` score test of
    x·g(t) (KM transform). ``covariates`` maps each covariate to its reference level (``None``:
    numeric, HR per unit, the unit named by ``units`` as for the other models: "per session").
    ``by``: the groups of the Kaplan–Meier table beside it; their sizes and events are the
    model's ``source_counts``, so that small-cell suppression withholds the model when a
    group's size or events is small (``analysis.tables.withhold``).
    """
    require_frame("cox_table", data, table="data")
    require_columns(
        "cox_table", data, table="the data", time=time, event=event, covariates=covariates, by=by
    )
    used = [c for c in dict.fromkeys([*covariates, time, event, by]) if c is not None]
    # a copy of the columns the model reads (all of them when one is absent: the error names it)
    frame_in = data[used].copy() if all(c in data.columns for c in used) else data.copy()
    # rows are matched by position below (the design's rows to their times): an index with a
    # repeated label joined each row to every row of that label (60 subjects became 3,600)
    frame_in = frame_in.reset_index(drop=True)
    if event in frame_in:
        frame_in[event] = event_flag(frame_in[event], event)
    design = design_matrix(frame_in, list(covariates), reference=covariates, units=units)
    labels = {
        t.column: term_label(t.covariate, t.contrast, numeric=t.is_numeric) for t in design.terms
    }
    # the ARD's level is a level of the covariate: "" for a numeric one (HR per unit)
    terms = {
        t.column: (t.covariate, "" if t.is_numeric else t.level, t.reference) for t in design.terms
    }
    refuse_levels_without_events(frame_in.loc[design.X.index], design.terms, event)
    fit = cox_model(
        design.X.join(frame_in[[time, event]]),
        time=time,
        event=event,
        covariates=list(design.X.columns),
        alpha=alpha,
    )
    counted = "subjects with complete covariates in the Cox model"
    size = ard_frame(
        [
            {"table": name, "variable": "model", "stat": "n", "value": fit.n, "method": counted},
            {
                "table": name,
                "variable": "model",
                "stat": "events",
                "value": fit.n_event,
                "method": "count of events among the subjects analysed",
            },
        ],  # fmt: skip
        context="cox_regression",
    )
    per = {t.column: t.contrast for t in design.terms if t.is_numeric}  # "per year"
    frame = concat_ard([size, cox_ard(fit, table=name, terms=terms, units=per)])
    level = ci_level(alpha)
    dropped = design.n_missing_covariates
    notes = (
        f"Cox proportional-hazards model: hazard ratio (HR) with its Wald {level}% CI and Wald "
        "p; Efron ties (R coxph). A categorical covariate "
        "is compared with its reference level (HR of one level vs the other); a numeric one "
        "per unit.",
        f"Analysed: {fit.n} subjects with complete covariates"
        f"{f' ({dropped} excluded for missing values)' if dropped else ''}, {fit.n_event} events.",
        f"PH test p-value: {fit.ph_method}, per term (1 df) and global (all terms); a small p "
        "questions proportional hazards.",
    )
    counts: tuple[int, ...] = ()
    if by is not None and by in frame_in:
        grouped = frame_in.groupby(frame_in[by].astype(str), observed=True)[event]
        counts = tuple(int(v) for pair in zip(grouped.size(), grouped.sum(), strict=True)
                       for v in pair)  # fmt: skip
    return TableResult(
        name=name,
        title=title or f"Cox proportional-hazards model of {time}",
        frame=frame,
        layout=lambda f: _cox_layout(f, labels, terms, alpha),
        footnotes=notes,
        source_counts=counts,
    )


def _fmt_time(x: float | None) -> str:
    withheld = format_suppressed(x)
    if withheld is not None:
        return withheld
    return "NR" if x is None or np.isnan(x) else f"{x:.1f}"


def _fmt_median(look: Mapping[tuple[str, str, str, str], float], key: tuple[str, str, str]) -> str:
    median = look.get((*key, "median"))
    if format_suppressed(median) is not None:
        return _fmt_time(median)
    lo, hi = look.get((*key, "ci_low")), look.get((*key, "ci_high"))
    shown = [_fmt_time(median), _fmt_time(lo), _fmt_time(hi)]
    if shown == ["NR"] * 3:
        return "NR"  # neither the median nor a limit of its CI reached: "NR (NR–NR)" says no more
    return f"{shown[0]} ({shown[1]}–{shown[2]})"


def _fmt_estimate(est: float, lo: float, hi: float, scale: float, digits: int, unit: str) -> str:
    """ "est (lo–hi)" (× ``scale``), or the marker of a withheld estimate; "est (NE)" when the
    limits are not estimable (a survival of 0 under the log transforms: R gives NA)."""
    withheld = format_suppressed(est)
    if withheld is not None:
        return withheld
    if np.isnan(lo) or np.isnan(hi):
        return f"{scale * est:.{digits}f}{unit} ({NOT_ESTIMABLE})"
    return f"{scale * est:.{digits}f}{unit} ({scale * lo:.{digits}f}–{scale * hi:.{digits}f})"


#: a confidence limit that cannot be computed (printed "nan" before)
NOT_ESTIMABLE = "NE"


def _not_estimable_note(frame: pd.DataFrame, conf_type: str) -> list[str]:
    """The footnote of the S(t) cells whose CI cannot be computed, when the table has one."""
    at = frame["context"].astype(str).str.startswith(KM_AT_PREFIX)
    limits = frame.loc[at & frame["stat"].isin(["ci_low", "ci_high"]), "value"]
    if not pd.to_numeric(limits, errors="coerce").isna().any():
        return []
    return [
        f"{NOT_ESTIMABLE} = confidence limits not estimable (a survival of 0% has no CI under "
        f"the {conf_type} transform; R survfit gives NA)."
    ]


def _layout(
    frame: pd.DataFrame,
    by: str,
    order: list[str],
    times: list[float],
    unit: str,
    var: str,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per group: N, events, median (CI), S(t) (CI) at each listed time; the log-rank
    p on the first row."""
    ci = ci_label(alpha)
    look = _context_lookup(frame, KM_CONTEXT)
    rows = []
    for lv in order:
        g = f"{by}={lv}"
        if (var, "", g, "n") not in look:
            continue
        row = {
            "Group": lv,
            "N": fmt_count(look[(var, "", g, "n")]),
            "Events": fmt_count(look[(var, "", g, "events")]),
            f"Median, {unit} ({ci})": _fmt_median(look, (var, "", g)),
        }
        for t in times:
            at = _context_lookup(frame, km_at_context(t))
            s = at.get((var, "", g, "surv"))
            lo, hi = at.get((var, "", g, "ci_low")), at.get((var, "", g, "ci_high"))
            row[f"S({t:g} {unit}) ({ci})"] = (
                _fmt_estimate(s, lo, hi, 100, 1, "%")
                if s is not None and lo is not None and hi is not None
                else ""
            )
        rows.append(row)
    p = _context_lookup(frame, "log_rank").get((var, "", f"{by}=*", "p_value"))
    for row in rows:
        row["Log-rank p-value"] = ""
    if rows and p is not None:
        rows[0]["Log-rank p-value"] = fmt_p(p)
    return pd.DataFrame(rows)


def _cox_layout(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    terms: Mapping[str, tuple[str, str, str]],
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per model term (HR (CI), Wald p, PH test p), then the global PH test."""
    cox = _cox_lookup(frame)
    hr_head = f"HR ({ci_label(alpha)})"
    rows = []
    for col, label in labels.items():
        term = terms[col][:2]  # covariate, compared level
        hr = cox.get(("cox_regression", *term, "estimate"))
        if hr is None:
            continue
        lo, hi = cox[("cox_regression", *term, "ci_low")], cox[("cox_regression", *term, "ci_high")]
        rows.append(
            {
                "Term": label,
                hr_head: _fmt_estimate(hr, lo, hi, 1, ratio_digits(hr, lo, hi), ""),
                "p-value": fmt_p(cox[("cox_regression", *term, "p_value")]),
                "PH test p-value": fmt_p(cox.get(("cox_ph_test", *term, "p_value"))),
            }
        )
    stat = cox.get(("cox_ph_test", "model", "", "statistic"))
    if stat is not None:
        df = cox.get(("cox_ph_test", "model", "", "df"))
        chi = format_suppressed(stat) or f"χ² {stat:.2f}, {int(df or 0)} df"
        rows.append(
            {
                "Term": f"Global proportional-hazards test ({chi})",
                hr_head: "",
                "p-value": "",
                "PH test p-value": fmt_p(cox.get(("cox_ph_test", "model", "", "p_value"))),
            }
        )
    return pd.DataFrame(rows, columns=["Term", hr_head, "p-value", "PH test p-value"])


def _context_lookup(frame: pd.DataFrame, context: str) -> dict[tuple[str, str, str, str], float]:
    """``stat_lookup`` of the rows of one ``context`` (the Kaplan–Meier rows at two listed
    times, or the median's CI and a time's CI, share every other key)."""
    return stat_lookup(frame.loc[frame["context"] == context])


def _cox_lookup(frame: pd.DataFrame) -> dict[tuple[str, str, str, str], float]:
    """``(context, variable, level, stat) -> value`` of the Cox rows of ``frame`` (a covariate
    and its compared level name one term), suppressed values as ``stat_lookup`` marks them."""
    out = {}
    for context in ("cox_regression", "cox_ph_test"):
        rows = frame.loc[frame["context"] == context]
        out.update({(context, v, lv, st): x for (v, lv, _, st), x in stat_lookup(rows).items()})
    return out
