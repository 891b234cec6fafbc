"""Adverse-event detail tables: events by exposure number (session, infusion, dose period) and
their duration; the treatment-emergent filter they share with the highest-severity table
(:mod:`analysis.tables.ae_severity`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analysis.ard import ard_frame, group_label
from analysis.engine import counts as engine
from analysis.engine import exposure_counts
from analysis.errors import ArgumentError
from analysis.report.method_prose import method_words
from analysis.stats.ci_level import ci_level
from analysis.stats.proportions import PROPORTION_CI_METHODS, proportion_ci
from analysis.tables._aliases import with_aliases
from analysis.tables._arguments import shaped
from analysis.tables.ae_sex_specific import (
    left_out_notes,
    of_own_sex_only,
    one_sex_notes,
    one_sex_rows,
    sex_text,
)
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


@shaped(choices={"ci": PROPORTION_CI_METHODS})
@with_aliases(
    tables=("events", "exposures", "subjects"),
    columns=("term", "number", "subject_id", "teae_flag", "sex"),
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
    subjects: engine.Data | None = None,
    sex_specific: Mapping[str, str] | None = None,
    sex: str = "sex",
) -> TableResult:
    """Events after each exposure number (session, infusion, ...), per term.

    For exposure k: subjects with the event after exposure k (``n``), among the subjects who
    received a k-th exposure (``N``, from the exposures table), percent with CI, and ``events``.
    Each exposure number is shown while enough subjects received it (``pool_below = (fraction,
    minimum)``, ``analysis.tables.exposure_pool``), the tail is pooled as ``k+`` (from
    ``max_exposure`` on at the latest), and a footnote states the rule; events without an
    exposure number are not attributed to any. ``events`` and ``exposures`` are pandas frames,
    Parquet paths or Ibis tables; ``noun`` is the study's word for one exposure ("session").

    ``sex_specific`` (``{term: level of sex}``, with ``subjects`` holding each subject's
    ``sex``): a term of one sex is counted as in the incidence table
    (:mod:`analysis.tables.ae_sex_specific`): its ``N`` for exposure k is the subjects of that
    sex who received it (an ``N`` row of its own), and an event of it recorded for a subject of
    another or unknown sex counts in no row; footnotes say both.
    """
    session = number
    restrict = dict(sex_specific or {})
    ev_t = emergent(
        engine.as_table(events, columns=[subject_id, term, session, teae_flag]), teae_flag
    )
    ev_t = ev_t.filter(ev_t[session].notnull())
    ev_t, left_out = of_own_sex_only(
        ev_t, subjects, restrict, term=term, sex=sex, subject_id=subject_id
    )
    ev_t = ev_t.select(
        subject_id,
        ev_t[term].cast("string").name(term),
        _k=_exposure_key(ev_t[session], _NO_CAP),
    )
    ss_t = engine.as_table(exposures, columns=[subject_id, session])
    each = ss_t.select(subject_id, _k=_exposure_key(ss_t[session], _NO_CAP))

    def pooling_of(sizes: pd.Series) -> Pooling:
        return pool_exposures(sizes, pool_below, max_exposure=max_exposure)

    count = functools.partial(
        exposure_counts.by_exposure,
        subject_id=subject_id,
        term=term,
        any_label="any adverse event",
        missing_message=lambda n_subjects: (
            f"the exposures table has rows without a `{session}` (for {n_subjects} "
            f"subject(s)); the denominators need every {noun}'s number: fix or drop those "
            "rows first."
        ),
    )
    found = count(ev_t, each, choose_cap=lambda sizes: pooling_of(sizes).start)
    pooling, exposed, counts = pooling_of(found.sizes), found.exposed, found.counts
    terms = list(dict.fromkeys(counts[term]))
    one_sex = {  # the variable is the term column (here under its alias)
        level: [(term, lv) for _, lv in rows]
        for level, rows in one_sex_rows([("ae_term", t) for t in terms], None, restrict).items()
    }
    own_terms = {lv for rows in one_sex.values() for _, lv in rows}
    pooled_key = functools.partial(_exposure_group, session=session, start=pooling.start)
    row = functools.partial(_exposure_rows, term=term, ci=ci, alpha=alpha, group=pooled_key)
    shared = [t for t in terms if t not in own_terms]
    rows = row(counts, exposed, shared, f"subjects who received the {noun}")
    for level, own in one_sex.items():
        # the same columns (the pooling chosen on every subject), counted among one sex
        subj_t = engine.as_table(subjects, columns=[subject_id, sex])  # given: of_own_sex_only
        ids = subj_t.filter(sex_text(subj_t[sex]) == level).select(subject_id)
        terms_of = [lv for _, lv in own]
        mine = count(
            ev_t.filter(ev_t[term].isin(terms_of)).semi_join(ids, subject_id),
            each.semi_join(ids, subject_id),
            choose_cap=lambda _sizes: pooling.start,
        )
        # a number no subject of that sex received has N 0 there
        of_sex = mine.exposed.reindex(exposed.index, fill_value=0)
        rows += row(mine.counts, of_sex, terms_of, f"{level} subjects who received the {noun}")
    order = {t: i for i, t in enumerate(terms)}
    rows.sort(key=lambda r: order[r["level"]])  # stable: each term's rows keep their order
    frame = ard_frame(rows, context="ae_by_exposure")

    def nobody(own: list[tuple[str, str]]) -> bool:  # a column without a subject of that sex
        empty = (frame["stat"] == "N") & (frame["value"] == 0)
        return bool((empty & frame["level"].isin([lv for _, lv in own])).any())

    notes = (
        f"n (%) = subjects with the event after that {noun}, percent of the subjects who "
        f"received it (N); events attributed to the last {noun} on or before onset.",
        pooling_note(pooling, noun=noun, pooled_n=exposed.get(pooling.start)),
        f"{ci_level(alpha)}% CIs of the percentages ({method_words(ci)}) are not shown; they "
        "are in the analysis results data (ard.csv).",
        *(
            note
            for level, own in one_sex.items()
            for note in one_sex_notes(
                frame,
                {level: own},
                "subjects",
                where=_first_column(exposed, pooled_key, noun),
                dash=f"no subject of that sex received the {noun}" if nobody(own) else None,
            )
        ),
        *left_out_notes(left_out, restrict, term, "subjects", rows="this row or any adverse event"),
    )
    return TableResult(
        name="ae_by_exposure",
        title=f"Adverse events by {noun} number",
        frame=frame,
        layout=functools.partial(exposure_layout, noun=noun),
        footnotes=notes,
    )


def _first_column(exposed: pd.Series, group: Callable[[int], str], noun: str) -> tuple[str, str]:
    """The group key of the first exposure number and its words ("at session 1")."""
    if not len(exposed):
        return "", ""
    k = exposed.index[0]
    return group(k), f"at {noun} {k}"


def _exposure_group(k: int, *, session: str, start: int | None) -> str:
    """The group key of exposure number ``k``: ``<number>=k``, ``<number>=k+`` when pooled."""
    return f"{session}={k}+" if k == start else f"{session}={k}"


def _exposure_rows(
    counts: pd.DataFrame,
    exposed: pd.Series,
    terms: list[str],
    n_method: str,
    *,
    term: str,
    ci: str,
    alpha: float,
    group: Callable[[int], str],
) -> list[dict]:
    """n, N, pct, events and the CI of ``terms`` at each exposure number of ``exposed``."""
    level_ci = f"{ci} {ci_level(alpha)}% CI"
    cells = counts.groupby([term, "_k"])[["n", "events"]].sum()
    cell = {
        key: (int(r[0]), int(r[1])) for key, r in zip(cells.index, cells.to_numpy(), strict=True)
    }
    rows = []
    for t in terms:
        for k, big_n in exposed.items():
            n, e = cell.get((t, k), (0, 0))
            lo, hi = proportion_ci(n, int(big_n), method=ci, alpha=alpha)
            base = {"table": "ae_by_exposure", "variable": term, "level": t, "group": group(k)}
            rows += [
                {**base, "stat": "n", "value": n, "method": ""},
                {**base, "stat": "N", "value": big_n, "method": n_method},
                {
                    **base,
                    "stat": "pct",
                    "value": 100 * n / big_n if big_n else np.nan,
                    "method": "",
                },  # fmt: skip
                {**base, "stat": "events", "value": e, "method": ""},
                {**base, "stat": "ci_low", "value": 100 * lo, "method": level_ci},
                {**base, "stat": "ci_high", "value": 100 * hi, "method": level_ci},
            ]
    return rows


@shaped
@with_aliases(
    tables=("events", "subjects"),
    columns=("term", "duration", "teae_flag", "subject_id", "sex"),
    need={"events": ("term", "duration", "teae_flag")},
)
def ae_duration(
    events: engine.Data,
    *,
    term: str = "ae_term",
    duration: str = "duration_days",
    teae_flag: str | None = "is_teae",
    subjects: engine.Data | None = None,
    sex_specific: Mapping[str, str] | None = None,
    subject_id: str = "patient_id",
    sex: str = "sex",
) -> TableResult:
    """Duration of events per term: events with a duration, median, Q1–Q3, range (days).

    ``events`` is a pandas frame, a Parquet path or an Ibis table. In the ARD the term is the
    group of the continuous summary (``group1 = ae_term``, ``group1_level`` the term, ``level``
    ``""``): ``level`` is a level of ``variable`` (the duration has none).
    ``sex_specific`` (``{term: level of sex}``, with ``subjects`` holding each subject's
    ``sex``): an event of a term of one sex recorded for a subject of another or unknown sex is
    left out, as in the incidence table (:mod:`analysis.tables.ae_sex_specific`), and a
    footnote says so.
    """
    restrict = dict(sex_specific or {})
    id_column = subject_id if restrict else None
    t = emergent(engine.as_table(events, columns=[term, duration, teae_flag, id_column]), teae_flag)
    if not t[duration].type().is_numeric():  # it was DuckDB's ConversionException, with SQL
        raise ArgumentError(
            f"ae_duration: `{duration}` holds {t[duration].type()} values, not a number of days; "
            "name the events' duration column (`duration=`)."
        )
    t, left_out = of_own_sex_only(t, subjects, restrict, term=term, sex=sex, subject_id=subject_id)
    t = t.select(t[term].cast("string").name(term), duration)
    per_term = engine.numeric_summary(t, variable=duration, by=[term])
    odd = sorted(v for v in per_term[term].astype(str) if ";" in v)
    if odd:  # the builders' group key joins groups with ";"
        raise ArgumentError(
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
            *left_out_notes(left_out, restrict, term, "subjects", rows="this row"),
        ),
    )


def _joined(pattern: str, values: list[float], digits: int = 1) -> str:
    """Format several numbers into one cell; empty when any is missing or suppressed."""
    texts = [fmt_num(v, digits) for v in values]
    return pattern.format(*texts) if all(texts) else ""


DURATION_HEADS = ["Adverse event", "Events with duration", "Median [Q1, Q3]", "Range", "Missing"]


def _duration_layout(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:  # no events: the heads alone (it was an IndexError on display)
        return pd.DataFrame(columns=DURATION_HEADS)
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
