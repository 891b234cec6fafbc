"""The highest severity of adverse events per subject: each subject counted once at the worst
grade of their events (no event a level of its own), compared across groups by a
Fisher–Freeman–Halton exact test (seeded Monte Carlo above its size limit) or chi-square.

A subject with events but no recorded severity on any of them is a level of its own ("severity
not recorded"), never "no event"; a subject with some events graded counts at the highest grade
recorded, and the footnote says how many such subjects also had an event without one. The
tests compare the graded subjects and those without an event: those whose severity is not
recorded are left out of them (their grade is missing, not a grade)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analysis.ard import ard_frame, concat_ard, group_label
from analysis.engine import counts as engine
from analysis.engine.levels import declared_levels
from analysis.errors import ArgumentError
from analysis.report.method_prose import method_words, per_table_merged
from analysis.stats.results import test_context
from analysis.tables._aliases import with_aliases
from analysis.tables._arguments import shaped
from analysis.tables._common import (
    CONTINGENCY_TESTS,
    contingency_test,
    expected_count_rows,
    levels_to_show,
    p_value_groups,
    p_value_head,
    small_expected_notes,
    sort_by_levels,
    subgroup_specs,
)
from analysis.tables.ae_detail import emergent
from analysis.tables.ae_sex_specific import (
    check_sex_column,
    left_out_notes,
    other_sex_events,
)
from analysis.tables.render import SUB_ROW, TableResult, fmt_n_pct, fmt_p, stat_lookup
from analysis.words import counted

#: The level of the subjects without an event: each column adds up to its N.
NONE_LEVEL = "no event"
#: The level of the subjects whose every event lacks a severity.
NOT_RECORDED_LEVEL = "severity not recorded"


@shaped(choices={"test": CONTINGENCY_TESTS})
@with_aliases(
    tables=("subjects", "events"),
    columns=("by", "severity", "subject_id", "teae_flag", "term", "sex"),
    need={"subjects": ("subject_id", "by"), "events": ("subject_id", "severity", "teae_flag")},
)
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
    sex_specific: Mapping[str, str] | None = None,
    term: str = "ae_term",
    sex: str = "sex",
) -> TableResult:
    """Subjects by the highest severity of their events (each subject counted once).

    Subjects without an event are the "no event" row, so each column adds up to its N;
    subjects whose events all lack a severity are the "severity not recorded" row (shown when
    there are any), left out of the tests.
    ``subjects`` and ``events`` are pandas frames, Parquet paths or Ibis tables. Severity
    levels, lowest first: ``order``, else the categories of a categorical pandas column, else
    the observed values sorted. ``test`` compares the distribution across ``by[0]``
    (Fisher-Freeman-Halton exact, or ``chi2``) per stratum of the other ``by`` columns and
    overall. ``sex_specific`` (``{term: level of sex}``, the events' ``term`` column and the
    subjects' ``sex``): an event of a term of one sex recorded for a subject of another or
    unknown sex counts in no row, as in the incidence table
    (:mod:`analysis.tables.ae_sex_specific`), and a footnote counts them.
    """
    by = list(by)  # one name is a list of it already (``shaped``)
    restrict = dict(sex_specific or {})
    own = [sex] if restrict and sex not in by else []
    full_t = engine.as_table(subjects, columns=[subject_id, *by, *own])
    engine.check_subject_table(full_t, by=by, subject_id=subject_id)
    check_sex_column(full_t, restrict, sex)
    subj_t = full_t.select(subject_id, *by)
    ev_all = engine.as_table(
        events, columns=[subject_id, severity, teae_flag, term if restrict else None]
    )
    levels = levels_to_show(order, events, ev_all, severity)
    _refuse_undeclared(order, declared_levels(events, severity), severity)
    ev_t, left_out = other_sex_events(
        emergent(ev_all, teae_flag),
        full_t,
        sex_specific=restrict,
        term=term,
        sex=sex,
        subject_id=subject_id,
    )
    ev_t = ev_t.select(subject_id, ev_t[severity].cast("string").name(severity))
    # an event without a severity ranks below every grade: a subject is counted at the highest
    # grade recorded, or at "not recorded" when none of their events has one
    blank = _blank_level(levels)
    worst = engine.subject_max_level(
        subj_t,
        ev_t.mutate(ev_t[severity].fill_null(blank).name(severity)),
        by=by,
        column=severity,
        order=[blank, *levels],
        subject_id=subject_id,
        unnamed=[blank],
    )
    worst[severity] = worst[severity].replace({blank: NOT_RECORDED_LEVEL})
    ungraded = _subjects_with_ungraded_event(subj_t, ev_t, severity, subject_id)
    shown = (
        [*levels, NOT_RECORDED_LEVEL] if (worst[severity] == NOT_RECORDED_LEVEL).any() else levels
    )
    sizes = engine.group_sizes(subj_t, by=by, subject_id=subject_id, unique=True)
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
            for lv in shown:
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
        *_not_recorded_notes(frame, ungraded, bool(by) and test != "none"),
        *_test_notes(frame, by),
        *small_expected_notes(frame, {"worst_severity": "the highest severity"}),
        *left_out_notes(left_out, restrict, term, "subjects", rows="the highest severity"),
    )
    return TableResult(
        name="ae_severity",
        title="Highest severity of adverse events per subject",
        frame=frame,
        layout=lambda f: _dist_layout(f, "Highest severity"),
        footnotes=notes,
    )


def _refuse_undeclared(
    order: Sequence[object] | None, declared: list[str] | None, severity: str
) -> None:
    """A given order naming a level the column does not declare (a misspelt "sever" was a row
    of 0 (0.0%) beside "severe" left out)."""
    if order is None or declared is None:
        return
    unknown = [str(lv) for lv in order if str(lv) not in declared]
    if unknown:
        raise ArgumentError(
            f"ae_severity: `order` names {unknown}, which `{severity}` does not have; its "
            f"levels are {declared}. Check the spelling."
        )


def _blank_level(levels: Sequence[str]) -> str:
    """A name for "no severity" that no level has."""
    blank = "(none)"
    while blank in levels:
        blank = f"({blank})"
    return blank


def _subjects_with_ungraded_event(
    subjects: ir.Table, events: ir.Table, severity: str, subject_id: str
) -> int:
    """How many of ``subjects`` have an event (of ``events``) without a severity."""
    ids = events.filter(events[severity].isnull()).select(subject_id).distinct()
    joined = ids.inner_join(subjects.select(subject_id).distinct(), subject_id)
    return int(engine.execute(joined.aggregate(n=joined.count()), [])["n"].iloc[0])


def _not_recorded_notes(frame: pd.DataFrame, ungraded: int, tested: bool) -> list[str]:
    """The footnote of the subjects with an event without a severity, when there are any."""
    if not ungraded:
        return []
    n = frame.loc[(frame["stat"] == "n") & (frame["group"] == "overall")]
    none = int(n.loc[n["level"] == NOT_RECORDED_LEVEL, "value"].sum())
    graded = ungraded - none
    words = []
    if none:
        words.append(
            f"Severity not recorded: {counted(none, 'subject')} whose treatment-emergent events "
            "all lack a severity" + ("; they are left out of the p-values." if tested else ".")
        )
    if graded:
        words.append(
            f"{counted(graded, 'subject')} with an event without a severity also had a graded "
            f"one and {'is' if graded == 1 else 'are'} counted at the highest severity recorded "
            "(the ungraded event's may be higher)."
        )
    return [" ".join(words)]


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
        if test == "chi2":
            at = {
                "table": table,
                "variable": variable,
                "level": "",
                "group": f"{prefix}{compare}=*",
            }
            out += expected_count_rows(mat, at)
    return ard_frame(out)


def _test_notes(frame: pd.DataFrame, by: list[str]) -> list[str]:
    p = frame.loc[frame["stat"] == "p_value"]
    place = {group: i for i, group in enumerate(p_value_groups(frame))}  # the columns' order
    ordered = p["method"].iloc[np.argsort(p["group"].map(place), kind="stable")]
    methods = [method_words(m) for m in per_table_merged(ordered)]  # as a statistician names them
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
