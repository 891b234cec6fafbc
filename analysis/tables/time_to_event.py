"""Time-to-event table: Kaplan–Meier by group (R survfit conventions), log-rank, Cox HRs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.ard import concat_ard
from analysis.stats.ci_level import ci_label, ci_level
from analysis.stats.design import design_matrix
from analysis.stats.survival import cox_ard, cox_model, survival_ard
from analysis.tables._common import levels_of
from analysis.tables.render import TableResult, fmt_count, fmt_p, stat_lookup
from analysis.tables.suppress import format_suppressed


def time_to_event_table(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str,
    covariates: Mapping[str, str | None] | None = None,
    times: Sequence[float] = (12, 24),
    conf_type: str = "log",
    alpha: float = 0.05,
    time_unit: str = "months",
    title: str | None = None,
    name: str = "time_to_event",
    origin: str = "day 0",
) -> TableResult:
    """Kaplan–Meier summary per level of ``by``, log-rank test and a Cox model.

    Survival and its CI use Greenwood's variance with R ``survfit``'s default ``log`` transform
    (``conf_type``); the median CI is where the CI curves cross 0.5 (Brookmeyer–Crowley, as R
    prints it); log-rank as R ``survdiff``; Cox PH with Efron ties and Wald CIs as R ``coxph``,
    with the ``cox.zph`` proportional-hazards score test. ``origin`` says in words where time
    starts (the footnote: "from the first session").
    """
    frame_in = data.copy()
    frame_in[event] = frame_in[event].astype(int)
    frames = [
        survival_ard(
            frame_in,
            time=time,
            event=event,
            by=by,
            times=times,
            conf_type=conf_type,
            alpha=alpha,
            table=name,
        )
    ]
    labels: dict[str, str] = {}
    terms: dict[str, tuple[str, str, str]] = {}
    cox_note = ""
    if covariates:
        design = design_matrix(frame_in, list(covariates), reference=covariates)
        labels = {t.column: f"{t.covariate}: {t.contrast}" for t in design.terms}
        # the ARD's level is a level of the covariate: "" for a numeric one (HR per unit)
        terms = {
            t.column: (t.covariate, "" if t.is_numeric else t.level, t.reference)
            for t in design.terms
        }
        fit = cox_model(
            design.X.join(frame_in[[time, event]]),
            time=time,
            event=event,
            covariates=list(design.X.columns),
            alpha=alpha,
        )
        frames.append(cox_ard(fit, table=name, terms=terms))
        dropped = design.n_missing_covariates
        cox_note = (
            f" Cox model on {len(design.X)} subjects with complete covariates"
            f"{f' ({dropped} excluded for missing values)' if dropped else ''}."
        )
    frame = concat_ard(frames)
    level = ci_level(alpha)
    notes = (
        f"Kaplan–Meier estimates; {level}% CI from Greenwood's variance with the {conf_type} "
        f"transform (R survfit default); median CI by Brookmeyer–Crowley as R prints it; NR = not "
        f"reached.",
        "p: log-rank test (R survdiff, rho = 0). HR: Cox proportional hazards, Efron ties, Wald "
        f"{level}% CI; PH p: cox.zph score test (km transform), small values question "
        f"proportional hazards.{cox_note}",
        f"Time in {time_unit} from {origin}; censored at the last contact.",
    )
    order = levels_of(data, by)
    return TableResult(
        name=name,
        title=title or f"Time to event: {time}",
        frame=frame,
        layout=lambda f: _layout(f, by, order, list(times), labels, time_unit, terms, time, alpha),
        footnotes=notes,
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
    return f"{_fmt_time(median)} ({_fmt_time(lo)}–{_fmt_time(hi)})"


def _fmt_estimate(est: float, lo: float, hi: float, scale: float, digits: int, unit: str) -> str:
    """ "est (lo–hi)" (× ``scale``), or the marker of a withheld estimate."""
    withheld = format_suppressed(est)
    if withheld is not None:
        return withheld
    return f"{scale * est:.{digits}f}{unit} ({scale * lo:.{digits}f}–{scale * hi:.{digits}f})"


def _layout(
    frame: pd.DataFrame,
    by: str,
    order: list[str],
    times: list[float],
    labels: dict[str, str],
    unit: str,
    terms: Mapping[str, tuple[str, str, str]],
    var: str,
    alpha: float = 0.05,
) -> pd.DataFrame:
    look, ci = stat_lookup(frame), ci_label(alpha)
    cox = _cox_lookup(frame)
    rows = []
    for lv in order:
        g = f"{by}={lv}"
        if (var, "", g, "n") not in look:
            continue
        row = {
            "Group": lv,
            "N": fmt_count(look[(var, "", g, "n")]),
            "Events": fmt_count(look[(var, "", g, "events")]),
            f"Median, {unit} ({ci})": _fmt_median(look, (var, "median", g)),
        }
        for t in times:
            key = f"{t:g}"
            s = look.get((var, key, g, "surv"))
            lo, hi = look.get((var, key, g, "ci_low")), look.get((var, key, g, "ci_high"))
            row[f"S({key} {unit}) ({ci})"] = (
                _fmt_estimate(s, lo, hi, 100, 1, "%")
                if s is not None and lo is not None and hi is not None
                else ""
            )
        rows.append(row)
    p = look.get((var, "", f"{by}=*", "p_value"))
    for row in rows:
        row["Log-rank p"] = ""
    if rows and p is not None:
        rows[0]["Log-rank p"] = fmt_p(p)
    for col, label in labels.items():
        term = terms[col][:2]  # covariate, compared level
        hr = cox.get(("cox_regression", *term, "estimate"))
        if hr is None:
            continue
        lo, hi = cox[("cox_regression", *term, "ci_low")], cox[("cox_regression", *term, "ci_high")]
        ph = cox.get(("cox_ph_test", *term, "p_value"))
        rows.append(
            {
                "Group": f"HR {label}",
                "N": "",
                "Events": "",
                f"Median, {unit} ({ci})": _fmt_estimate(hr, lo, hi, 1, 2, ""),
                **{f"S({t:g} {unit}) ({ci})": "" for t in times},
                "Log-rank p": f"p {fmt_p(cox[('cox_regression', *term, 'p_value')])}; "
                f"PH p {fmt_p(ph)}",
            }
        )
    return pd.DataFrame(rows)


def _cox_lookup(frame: pd.DataFrame) -> dict[tuple[str, str, str, str], float]:
    """``(context, variable, level, stat) -> value`` of the Cox rows of ``frame`` (a covariate
    and its compared level name one term), suppressed values as ``stat_lookup`` marks them."""
    out = {}
    for context in ("cox_regression", "cox_ph_test"):
        rows = frame.loc[frame["context"] == context]
        out.update({(context, v, lv, st): x for (v, lv, _, st), x in stat_lookup(rows).items()})
    return out
