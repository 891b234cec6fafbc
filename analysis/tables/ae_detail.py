"""Adverse-event detail tables: events by exposure number (session, infusion, dose period) and
their duration; the treatment-emergent filter they share with the highest-severity table
(:mod:`analysis.tables.ae_severity`)."""

from __future__ import annotations

import functools

import ibis.expr.types as ir
import pandas as pd

from analysis.ard import ard_frame, group_label
from analysis.engine import counts as engine
from analysis.engine import exposure_counts
from analysis.report.method_prose import method_words
from analysis.stats.ci_level import ci_level
from analysis.stats.proportions import proportion_ci
from analysis.tables._aliases import with_aliases
from analysis.tables.exposure_pool import (
    Pooling,
    exposure_layout,
    pool_exposures,
    pooling_note,
)
from analysis.tables.render import (
    TableResult,
    fmt_count,
    fmt_num,
    stat_lookup,
)


def emergent(t: ir.Table, teae_flag: str | None) -> ir.Table:
    """Treatment-emergent events only (bool, numeric or CDISC ``"Y"`` flag); all if ``None``."""
    return t if teae_flag is None else engine.flag_true(t, teae_flag)


_NO_CAP = 2**62  # an exposure number no study reaches: nothing pooled


def _exposure_key(col: ir.Value, max_exposure: int) -> ir.Value:
    """Exposure number as an integer, exposures beyond ``max_exposure`` pooled into it (missing
    stays missing). Floats are floored first: DuckDB's cast would round 2.7 up to 3."""
    k = col.floor() if col.type().is_floating() else col
    return k.cast("int64").clip(upper=max_exposure)


@with_aliases(
    tables=("events", "exposures"),
    columns=("term", "number", "subject_id", "teae_flag"),
    need={
        "events": ("subject_id", "term", "number", "teae_flag"),
        "exposures": ("subject_id", "number"),
    },
)
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
    ev_t = emergent(
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
        f"{ci_level(alpha)}% CIs of the percentages ({method_words(ci)}) are not shown; they "
        "are in the analysis results data (ard.csv).",
    )
    return TableResult(
        name="ae_by_exposure",
        title=f"Adverse events by {noun} number",
        frame=frame,
        layout=functools.partial(exposure_layout, noun=noun),
        footnotes=notes,
    )


@with_aliases(
    tables=("events",),
    columns=("term", "duration", "teae_flag"),
    need={"events": ("term", "duration", "teae_flag")},
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
    t = emergent(engine.as_table(events, columns=[term, duration, teae_flag]), teae_flag)
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
