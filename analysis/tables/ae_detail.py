"""Adverse-event detail tables: highest severity per subject, events by exposure number (session,
infusion, dose period), duration."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analysis.ard import ard_frame, concat_ard, group_label
from analysis.engine import counts as engine
from analysis.engine import exposure_counts
from analysis.report.method_prose import per_table_merged
from analysis.stats.ci_level import ci_level
from analysis.stats.proportions import proportion_ci
from analysis.stats.results import test_context
from analysis.tables._common import (
    contingency_test,
    levels_to_show,
    p_value_groups,
    p_value_head,
    sort_by_levels,
    subgroup_specs,
)
from analysis.tables.exposure_pool import (
    Pooling,
    exposure_layout,
    pool_exposures,
    pooling_note,
)
from analysis.tables.render import (
    SUB_ROW,
    TableResult,
    fmt_count,
    fmt_n_pct,
    fmt_num,
    fmt_p,
    stat_lookup,
)

NONE_LEVEL = "no event"


def _emergent(t: ir.Table, teae_flag: str | None) -> ir.Table:
    """Treatment-emergent events only (bool, numeric or CDISC ``"Y"`` flag); all if ``None``."""
    return t if teae_flag is None else engine.flag_true(t, teae_flag)


_NO_CAP = 2**62  # an exposure number no study reaches: nothing pooled


def _exposure_key(col: ir.Value, max_exposure: int) -> ir.Value:
    """Exposure number as an integer, exposures beyond ``max_exposure`` pooled into it (missing
    stays missing). Floats are floored first: DuckDB's cast would round 2.7 up to 3."""
    k = col.floor() if col.type().is_floating() else col
    return k.cast("int64").clip(upper=max_exposure)


def ae_severity(
    subjects: engine.Data,
    events: engine.Data,
    *,
    by: Sequence[str] = (),
    severity: str = "severity",
    order: Sequence[str] | None = None,
    subject_id: str = "patient_id",
    teae_flag: str | None = "is_teae",
    test: str = "fisher",
    seed: int | None = None,
) -> TableResult:
    """Subjects by the highest severity of their events (each subject counted once).

    Subjects without an event are the "no event" row, so each column adds up to its N.
    ``subjects`` and ``events`` are pandas frames, Parquet paths or Ibis tables. Severity
    levels, lowest first: ``order``, else the categories of a categorical pandas column, else
    the observed values sorted. ``test`` compares the distribution across ``by[0]``
    (Fisher-Freeman-Halton exact, or ``chi2``) per stratum of the other ``by`` columns and
    overall.
    """
    by = list(by)
    subj_t = engine.as_table(subjects, columns=[subject_id, *by])
    engine.check_subject_table(subj_t, by=by, subject_id=subject_id)
    subj_t = subj_t.select(subject_id, *by)
    ev_all = engine.as_table(events, columns=[subject_id, severity, teae_flag])
    levels = levels_to_show(order, events, ev_all, severity)
    ev_t = _emergent(ev_all, teae_flag)
    ev_t = ev_t.select(subject_id, ev_t[severity].cast("string").name(severity))
    worst = engine.subject_max_level(
        subj_t, ev_t, by=by, column=severity, order=levels, subject_id=subject_id
    )
    sizes = engine.group_sizes(subj_t, by=by, subject_id=subject_id, unique=True)
    if isinstance(subjects, pd.DataFrame):
        sizes = sort_by_levels(sizes, by, subjects)
    rows = []
    for spec in subgroup_specs(by):
        big = (
            sizes.groupby(spec, sort=False)["N"].sum()
            if spec
            else pd.Series({(): sizes["N"].sum()})
        )
        cnt = (
            worst.groupby([*spec, severity])["n"].sum()
            if spec
            else worst.groupby(severity)["n"].sum()
        )
        for key, big_n in big.items():
            key_t = key if isinstance(key, tuple) else (key,)
            g = group_label(spec, key_t) if spec else "overall"
            with_event = 0
            for lv in levels:
                k = (*key_t, lv) if spec else lv
                n = int(cnt.get(k, 0))
                with_event += n
                rows += _npct(g, lv, n, int(big_n))
            rows += _npct(g, NONE_LEVEL, int(big_n) - with_event, int(big_n))
    frame = ard_frame(
        [{"table": "ae_severity", "variable": "worst_severity", **r} for r in rows],
        context="ae_severity",
    )
    if by and test != "none":
        frame = concat_ard(
            [
                frame,
                _distribution_tests(
                    frame, by, [*levels, NONE_LEVEL], test, seed, "ae_severity", "worst_severity"
                ),
            ]
        )
    notes = (
        "Each subject counted once, at the highest severity of their treatment-emergent events; "
        "percent of the subjects in the column.",
        *_test_notes(frame, by),
    )
    return TableResult(
        name="ae_severity",
        title="Highest severity of adverse events per subject",
        frame=frame,
        layout=lambda f: _dist_layout(f, "Highest severity"),
        footnotes=notes,
    )


def _npct(group: str, level: str, n: int, big_n: int) -> list[dict]:
    return [
        {"level": level, "group": group, "stat": "n", "value": n, "method": ""},
        {
            "level": level,
            "group": group,
            "stat": "N",
            "value": big_n,
            "method": "subjects in the group",
        },
        {
            "level": level,
            "group": group,
            "stat": "pct",
            "value": 100 * n / big_n if big_n else np.nan,
            "method": "",
        },
    ]


def _distribution_tests(
    frame: pd.DataFrame,
    by: list[str],
    levels: list[str],
    test: str,
    seed: int | None,
    table: str,
    variable: str,
) -> pd.DataFrame:
    """Compare the level distribution across ``by[0]`` within each stratum and overall."""
    compare, strata = by[0], by[1:]
    n = frame.loc[frame["stat"] == "n"]
    out = []
    full = n.loc[n["group"].str.count("=") == len(by)]
    parsed = full["group"].str.split(";", expand=True)
    strata_vals = (
        sorted(set(";".join(p[1:]) for p in parsed.itertuples(index=False))) if strata else []
    )
    for stratum in [*strata_vals, None]:
        sub = full if stratum is None else full.loc[full["group"].str.endswith(";" + stratum)]
        sub = sub.assign(_cmp=sub["group"].str.split(";").str[0])
        mat = sub.pivot_table(index="_cmp", columns="level", values="value", aggfunc="sum")
        mat = mat.reindex(columns=levels).fillna(0).to_numpy(int)
        mat = mat[:, mat.sum(axis=0) > 0]
        if mat.shape[0] < 2 or mat.shape[1] < 2:
            continue
        res = contingency_test(mat, test=test, seed=seed)
        prefix = f"{stratum};" if stratum else ""
        out.append(
            {
                "table": table,
                "variable": variable,
                "level": "",
                "stat": "p_value",
                "group": f"{prefix}{compare}=*",
                "context": test_context(res.method),
                "value": res.p_value,
                "method": res.method,
            }
        )
    return ard_frame(out)


def _test_notes(frame: pd.DataFrame, by: list[str]) -> list[str]:
    p = frame.loc[frame["stat"] == "p_value"]
    place = {group: i for i, group in enumerate(p_value_groups(frame))}  # the columns' order
    methods = per_table_merged(p["method"].iloc[np.argsort(p["group"].map(place), kind="stable")])
    return (
        [f"p-values compare the `{by[0]}` levels: {'; '.join(methods)}."] if by and methods else []
    )


def _group_head(group: str, big_n: float | None) -> str:
    title = (
        "Overall" if group == "overall" else ", ".join(p.split("=", 1)[1] for p in group.split(";"))
    )
    return f"{title} (N={int(big_n)})" if big_n is not None else title


def _dist_layout(frame: pd.DataFrame, first: str) -> pd.DataFrame:
    look = stat_lookup(frame)
    groups = list(dict.fromkeys(frame.loc[frame["stat"] == "N", "group"]))
    var = frame["variable"].iloc[0]
    levels = list(dict.fromkeys(frame.loc[frame["stat"] == "n", "level"]))
    pgroups = p_value_groups(frame)
    heads = {g: _group_head(g, look.get((var, levels[0], g, "N"))) for g in groups}
    p_heads = {pg: p_value_head(pg) for pg in pgroups}
    # the tests compare the whole distribution: their p-values on a row of their own, above
    # the levels (on the first level's row they read as a test of that level alone)
    rows = []
    if pgroups:
        rows.append(
            {
                first: "Subjects, n (%)",
                **dict.fromkeys(heads.values(), ""),
                **{
                    p_heads[pg]: fmt_p(look.get((var, "", pg, "p_value"), np.nan)) for pg in pgroups
                },
            }
        )
    for lv in levels:
        row = {first: f"{SUB_ROW}{lv}" if pgroups else lv}
        for g in groups:
            row[heads[g]] = fmt_n_pct(look.get((var, lv, g, "n")), look.get((var, lv, g, "pct")))
        rows.append({**row, **dict.fromkeys(p_heads.values(), "")})
    return pd.DataFrame(rows)


def ae_by_exposure(
    events: engine.Data,
    exposures: engine.Data,
    *,
    term: str = "ae_term",
    number: str = "exposure_number",
    subject_id: str = "patient_id",
    teae_flag: str | None = "is_teae",
    max_exposure: int | None = None,
    pool_below: tuple[float, int] = (0.10, 20),
    ci: str = "wilson",
    alpha: float = 0.05,
    noun: str = "exposure",
) -> TableResult:
    """Events after each exposure number (session, infusion, ...), per term.

    For exposure k: subjects with the event after exposure k (``n``), among the subjects who
    received a k-th exposure (``N``, from the exposures table), percent with CI, and ``events``.
    Each exposure number is shown while enough subjects received it (``pool_below = (fraction,
    minimum)``, ``analysis.tables.exposure_pool``), the tail is pooled as ``k+`` (from
    ``max_exposure`` on at the latest), and a footnote states the rule; events without an
    exposure number are not attributed to any. ``events`` and ``exposures`` are pandas frames,
    Parquet paths or Ibis tables; ``noun`` is the study's word for one exposure ("session").
    """
    session = number
    ev_t = _emergent(
        engine.as_table(events, columns=[subject_id, term, session, teae_flag]), teae_flag
    )
    ev_t = ev_t.filter(ev_t[session].notnull())
    ev_t = ev_t.select(
        subject_id,
        ev_t[term].cast("string").name(term),
        _k=_exposure_key(ev_t[session], _NO_CAP),
    )
    ss_t = engine.as_table(exposures, columns=[subject_id, session])
    each = ss_t.select(subject_id, _k=_exposure_key(ss_t[session], _NO_CAP))

    def pooling_of(sizes: pd.Series) -> Pooling:
        return pool_exposures(sizes, pool_below, max_exposure=max_exposure)

    found = exposure_counts.by_exposure(
        ev_t,
        each,
        subject_id=subject_id,
        term=term,
        choose_cap=lambda sizes: pooling_of(sizes).start,
        any_label="any adverse event",
        missing_message=lambda n_subjects: (
            f"the exposures table has rows without a `{session}` (for {n_subjects} "
            f"subject(s)); the denominators need every {noun}'s number: fix or drop those "
            "rows first."
        ),
    )
    pooling, exposed, counts = pooling_of(found.sizes), found.exposed, found.counts
    terms = list(dict.fromkeys(counts[term]))
    level_ci = f"{ci} {ci_level(alpha)}% CI"
    rows = []
    cells = counts.groupby([term, "_k"])[["n", "events"]].sum()
    cell = {
        key: (int(r[0]), int(r[1])) for key, r in zip(cells.index, cells.to_numpy(), strict=True)
    }
    for t in terms:
        for k, big_n in exposed.items():
            n, e = cell.get((t, k), (0, 0))
            lo, hi = proportion_ci(n, int(big_n), method=ci, alpha=alpha)
            g = f"{session}={k}+" if k == pooling.start else f"{session}={k}"
            base = {"table": "ae_by_exposure", "variable": term, "level": t, "group": g}
            rows += [
                {**base, "stat": "n", "value": n, "method": ""},
                {
                    **base,
                    "stat": "N",
                    "value": big_n,
                    "method": f"subjects who received the {noun}",
                },
                {**base, "stat": "pct", "value": 100 * n / big_n, "method": ""},
                {**base, "stat": "events", "value": e, "method": ""},
                {**base, "stat": "ci_low", "value": 100 * lo, "method": level_ci},
                {**base, "stat": "ci_high", "value": 100 * hi, "method": level_ci},
            ]
    frame = ard_frame(rows, context="ae_by_exposure")
    notes = (
        f"n (%) = subjects with the event after that {noun}, percent of the subjects who "
        f"received it (N); events attributed to the last {noun} on or before onset.",
        pooling_note(pooling, noun=noun, pooled_n=exposed.get(pooling.start)),
        f"{ci_level(alpha)}% CIs of the percentages ({ci}) are not shown; they are in the "
        "analysis results data (ard.csv).",
    )
    return TableResult(
        name="ae_by_exposure",
        title=f"Adverse events by {noun} number",
        frame=frame,
        layout=functools.partial(exposure_layout, noun=noun),
        footnotes=notes,
    )


def ae_duration(
    events: engine.Data,
    *,
    term: str = "ae_term",
    duration: str = "duration_days",
    teae_flag: str | None = "is_teae",
) -> TableResult:
    """Duration of events per term: events with a duration, median, Q1–Q3, range (days).

    ``events`` is a pandas frame, a Parquet path or an Ibis table. In the ARD the term is the
    group of the continuous summary (``group1 = ae_term``, ``group1_level`` the term, ``level``
    ``""``): ``level`` is a level of ``variable`` (the duration has none).
    """
    t = _emergent(engine.as_table(events, columns=[term, duration, teae_flag]), teae_flag)
    t = t.select(t[term].cast("string").name(term), duration)
    per_term = engine.numeric_summary(t, variable=duration, by=[term])
    odd = sorted(v for v in per_term[term].astype(str) if ";" in v)
    if odd:  # the builders' group key joins groups with ";"
        raise ValueError(
            f"ae_duration: `{term}` value(s) {odd} contain ';', which the table's group key "
            f"uses between groups; rename them (e.g. ';' -> ',') in the events data."
        )
    rows = []
    for _, r in per_term.iterrows():
        group = group_label([term], [r[term]])
        base = {"table": "ae_duration", "variable": duration, "level": "", "group": group}
        for stat in ("n", "n_missing", "median", "q1", "q3", "min", "max"):
            rows.append({**base, "stat": stat, "value": r[stat], "method": ""})
    frame = ard_frame(rows, context="continuous_summary")
    return TableResult(
        name="ae_duration",
        title="Duration of adverse events (days)",
        frame=frame,
        layout=_duration_layout,
        footnotes=(
            "Per event; median [Q1, Q3] by linear interpolation (R type 7) "
            "and range, in days; events without a recorded duration counted "
            "as missing.",
        ),
    )


def _joined(pattern: str, values: list[float], digits: int = 1) -> str:
    """Format several numbers into one cell; empty when any is missing or suppressed."""
    texts = [fmt_num(v, digits) for v in values]
    return pattern.format(*texts) if all(texts) else ""


def _duration_layout(frame: pd.DataFrame) -> pd.DataFrame:
    look = stat_lookup(frame)
    var = frame["variable"].iloc[0]
    order = frame.loc[frame["stat"] == "n"].sort_values("value", ascending=False)["group"]
    rows = []
    for g in order:  # one group per term: "<term column>=<term>"
        rows.append(
            {
                "Adverse event": g.split("=", 1)[1],
                "Events with duration": fmt_count(look[(var, "", g, "n")]),
                "Median [Q1, Q3]": _joined(
                    "{} [{}, {}]", [look[(var, "", g, s)] for s in ("median", "q1", "q3")]
                ),
                "Range": _joined(
                    "{}–{}", [look[(var, "", g, s)] for s in ("min", "max")], digits=0
                ),
                "Missing": fmt_count(look[(var, "", g, "n_missing")]),
            }
        )
    return pd.DataFrame(rows)
