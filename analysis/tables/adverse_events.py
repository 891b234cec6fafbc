"""Adverse-event tables: incidence by group, highest severity per subject, events by session,
duration. Works on any subject-level + event-level pair (e.g. CDISC ADaM ADSL / ADAE): pass the
column names.

Counting follows clinical convention: a subject with several events of a term counts once in
``n`` and every time in ``events``; denominators ``N`` come from the subject-level table; the
highest severity counts once per subject.

Over 400 lines as one job: the adverse-event tables share one counting convention and one
denominator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from analysis.ard import ard_frame, concat_ard, group_label
from analysis.engine import counts as engine
from analysis.engine import incidence
from analysis.errors import ArgumentError
from analysis.report.method_prose import method_words, per_table_key, per_table_merged
from analysis.stats.ci_level import ci_label, ci_level
from analysis.stats.proportions import PROPORTION_CI_METHODS, proportion_ci, risk_difference
from analysis.stats.results import test_context
from analysis.tables._aliases import with_aliases
from analysis.tables._arguments import shaped
from analysis.tables._common import (
    CONTINGENCY_TESTS,
    compare_counts_many,
    expected_count_rows,
    group_columns,
    group_title,
    groups_table,
    levels_to_show,
    p_value_groups,
    p_value_head,
    small_expected_notes,
    sort_by_levels,
    subgroup_specs,
)
from analysis.tables.ae_pairwise import Pairwise, pairwise_notes, pairwise_p, pairwise_rows
from analysis.tables.ae_serious_unknown import unknown_seriousness_notes
from analysis.tables.ae_sex_specific import (
    NOT_APPLICABLE_CELL,
    check_sex_column,
    left_out_notes,
    one_sex_notes,
    one_sex_rows,
    other_sex_events,
    sex_text,
)
from analysis.tables.render import SUB_ROW, TableResult, fmt_ci, fmt_n_pct, fmt_p, stat_lookup
from analysis.tables.suppress import format_suppressed
from analysis.words import and_list

TABLE = "ae_incidence"
N_METHOD = "subjects in the group"
ANY = "any adverse event"
SERIOUS = "any serious adverse event"
OTHER = "Other"


@shaped(choices={"ci": PROPORTION_CI_METHODS, "test": CONTINGENCY_TESTS})
@with_aliases(
    tables=("subjects", "events"),
    columns=("by", "term", "category", "subject_id", "teae_flag", "serious_flag", "sex"),
    keep=("is_teae",),
    need={
        "subjects": ("subject_id", "by"),
        "events": ("subject_id", "term", "category", "teae_flag", "serious_flag"),
    },
    if_present=("serious_flag",),
)
def ae_incidence(
    subjects: engine.Data,
    events: engine.Data,
    *,
    by: Sequence[str] = (),
    term: str = "ae_term",
    category: str | None = None,
    subject_id: str = "patient_id",
    teae_flag: str | None = "is_teae",
    serious_flag: str | None = "is_serious",
    terms: Sequence[str] | None = None,
    categories: dict[str, str] | None = None,
    ci: str = "wilson",
    alpha: float = 0.05,
    test: str = "fisher",
    reference: str | None = None,
    prune_zero: bool = False,
    seed: int | None = None,
    unit: str = "subjects",
    sex_specific: Mapping[str, str] | None = None,
    sex: str = "sex",
    pairwise: Pairwise | None = None,
) -> TableResult:
    """Subjects with ≥ 1 adverse event n (%) with CI, and events, per term and group.

    Parameters
    ----------
    subjects : subject-level table (one row per subject; the denominators), e.g. ADSL — a pandas
        frame, a Parquet path or an Ibis table.
    events : event-level table, e.g. ADAE (same kinds of input).
    by : subject-level grouping columns; the first is compared (tests, risk differences)
        within each stratum of the others and overall. Subjects with a missing ``by`` value are
        an error (filter or label them first).
    term, category : event columns of the term and of its higher level (system organ class).
    teae_flag : event column selecting treatment-emergent events (bool, or ``"Y"``); ``None``
        counts every event.
    serious_flag : event column flagging serious events, adding an "any serious" row. The
        default ``is_serious`` is used when the events have that column (the row is left out
        otherwise); a name passed that the events lack is an error, as for every column
        argument (checked before any count, with the columns there are).
    terms : every term to show (zero rows kept); default: the categories of a categorical
        ``term`` column, else the terms observed.
    categories : term -> category, when the category is not a column of ``events``.
    ci : ``wilson`` (default), ``clopper_pearson``, ``wilson_cc``, ``agresti_coull`` or ``wald``.
    test : ``fisher`` (Fisher exact for 2 groups, Fisher-Freeman-Halton exact for more),
        ``chi2`` (Pearson, no continuity correction) or ``none``.
    reference : level of ``by[0]`` that the other levels are compared against (risk difference,
        Newcombe hybrid score CI); default its first level.
    prune_zero : drop terms with no subject in any group.
    seed : for a Monte-Carlo fallback of the exact test on very large tables.
    unit : what one subject is, in the footnote ("subjects"; "patient-dose periods" when each
        exposure of each patient is a subject).
    sex_specific : ``{term: level of sex}``: a term of one sex (an event only men or only women
        can have) is counted among the subjects of that sex only: its ``N`` (an ``N`` row of its
        own), percent, CI and comparisons; the other sex's cells are not applicable (no rows,
        "—" in the layout). A category whose every shown term is of the same sex is too. An
        event of such a term recorded for a subject of another or unknown sex is counted in no
        row (not the term, its category, any event or any serious event); a footnote counts
        them (:mod:`analysis.tables.ae_sex_specific`).
    sex : the subject column holding the sex (needed only with ``sex_specific``).
    pairwise : Fisher exact p of each level of ``by[0]`` against a reference level, beside the
        global test (:class:`analysis.tables.ae_pairwise.Pairwise`).

    Returns
    -------
    TableResult with ``frame`` in ARD form: stats ``n``, ``N``, ``pct``, ``events``, ``ci_low``,
    ``ci_high`` (percent) per group, and for comparisons ``p_value`` (group ``<by0>=*``) and
    ``estimate``/``ci_low``/``ci_high`` of the risk difference in percentage points (group
    ``<by0>=<level> vs <reference>``), each prefixed by its stratum.
    """
    by = list(by)  # one name is a list of it already (``shaped``)
    restrict = dict(sex_specific or {})
    own = [sex] if restrict and sex not in by else []
    full_t = engine.as_table(subjects, columns=[subject_id, *by, *own])
    engine.check_subject_columns(full_t, by=by, subject_id=subject_id)
    check_sex_column(full_t, restrict, sex)
    subj_t = full_t.select(subject_id, *by)
    ev_t = engine.as_table(events, columns=[subject_id, term, teae_flag, serious_flag, category])
    # the terms of every event, as levels_of gives them for a pandas frame: the same rows
    # (zero rows for terms seen only outside the treatment-emergent filter) whatever the input
    all_terms = levels_to_show(terms, events, ev_t, term)
    if categories is None and category is not None:
        pairs = engine.execute(ev_t.select(term, category).distinct().drop_null())
        categories = dict(zip(pairs[term].astype(str), pairs[category].astype(str), strict=True))
    if teae_flag is not None:
        ev_t = engine.flag_true(ev_t, teae_flag)
    ev_t = ev_t.mutate(**{term: ev_t[term].cast("string")})
    has_serious = serious_flag is not None  # a named column is there (checked on entry)
    if has_serious:
        ev_t = ev_t.mutate(_serious=engine.flag_true(ev_t, str(serious_flag), as_column=True))
    if categories:
        categories = {t: categories.get(t, OTHER) for t in all_terms}
    # an event of one sex recorded for a subject of another (or unknown) sex: in no row
    ev_t, left_out = other_sex_events(
        ev_t, full_t, sex_specific=restrict, term=term, sex=sex, subject_id=subject_id
    )
    count = partial(_count, ev_t=ev_t, by=by, subject_id=subject_id, term=term, serious=has_serious)
    counts, sizes = count(subj_t, all_terms, categories, covers=terms is None)
    sizes = sort_by_levels(sizes, by, subjects)
    rows_index = _row_index(all_terms, categories, has_serious)
    if prune_zero:
        seen = set(counts.loc[counts["n"] > 0, "level"].astype(str))
        rows_index = [r for r in rows_index if r[1] in seen or r[0] == "any_ae"]
    one_sex = one_sex_rows(rows_index, categories, restrict)
    shared = [r for r in rows_index if not any(r in rows for rows in one_sex.values())]
    # the ARD method of N says what one subject is when it is not a patient ("dose periods")
    in_group = N_METHOD if unit in ("subjects", "patients") else f"{unit} in the group"
    # the reference of the whole table, also for the rows of one sex (never their own first
    # level: a reference without subjects of that sex gives those rows no risk difference)
    if reference is None and by and len(sizes):
        reference = str(sizes[by[0]].astype(str).iloc[0])
    rows = partial(
        _table_rows, by=by, ci=ci, alpha=alpha, test=test, reference=reference, seed=seed,
        n_words=in_group,
    )  # fmt: skip
    frames = rows(counts, sizes, shared, pairwise=pairwise)
    no_reference: list[str] = []  # notes: rows of one sex whose reference has none of that sex
    for level, own_rows in one_sex.items():
        terms_of = [r[1] for r in own_rows if r[0] == "ae_term"]
        cats = {t: c for t, c in (categories or {}).items() if t in terms_of} or None
        sub_t = full_t.filter(sex_text(full_t[sex]) == level).select(subject_id, *by)
        sub_counts, sub_sizes = count(sub_t, terms_of, cats, covers=False)
        sub_sizes = sort_by_levels(sub_sizes, by, subjects)
        frames += rows(
            sub_counts, sub_sizes, own_rows, n_method=f"{level} {in_group}", pairwise=pairwise
        )
        compared = set(sub_sizes[by[0]].astype(str)) if by else set()
        if by and len(compared) >= 2 and reference not in compared:
            no_reference.append(
                f"{', '.join(terms_of)} (counted among {level} {unit}): the reference "
                f"{reference} has no {level} {unit}, so no risk difference"
                + (" or pairwise test" if pairwise is not None else "")
                + " against it is given."
            )
    frame = _sort_by_overall(concat_ard(frames), rows_index, categories)
    notes = _footnotes(by, ci, alpha, test, teae_flag, frame, unit)
    notes = (
        *notes,
        *one_sex_notes(frame, one_sex, unit),
        *no_reference,
        *left_out_notes(left_out, restrict, term, unit),
        *unknown_seriousness_notes(
            ev_t,
            subj_t,
            serious_flag=serious_flag if has_serious else None,
            subject_id=subject_id,
            unit=unit,
            emergent=teae_flag is not None,
        ),
    )
    if pairwise is not None:
        notes = (*notes, *pairwise_notes(frame, pairwise, by[0] if by else ""))
    not_applicable = {r for rows in one_sex.values() for r in rows}
    return TableResult(
        name=TABLE,
        title="Adverse events: subjects with at least one event",
        frame=frame,
        layout=lambda f: _layout(f, by, categories is not None, alpha, not_applicable),
        footnotes=notes,
    )


def _count(
    subj_t: Any,
    terms: list[str],
    categories: dict[str, str] | None,
    *,
    ev_t: Any,
    by: list[str],
    subject_id: str,
    term: str,
    serious: bool,
    covers: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(counts, sizes)``: subjects and events per row and group, and subjects per group, on
    the engine (one query where the terms allow it)."""
    count_args: dict[str, Any] = {
        "by": by,
        "subject_id": subject_id,
        "term": term,
        "terms": terms,
    }
    one_query: dict[str, Any] = {
        "categories": categories,
        "serious": "_serious" if serious else None,
    }
    counts = incidence.incidence_bitmaps(
        subj_t, ev_t, **count_args, **one_query, terms_cover_events=covers
    )
    if counts is None and len(terms) <= incidence.MAX_WIDE_TERMS:
        counts = incidence.incidence_wide(subj_t, ev_t, **count_args, **one_query)
    if counts is not None:
        sizes = counts.loc[counts["variable"] == "any_ae", [*by, "N"]].reset_index(drop=True)
        counts.loc[counts["variable"] == "any_ae", "level"] = ANY
        counts.loc[counts["variable"] == "serious_ae", "level"] = SERIOUS
        return counts, sizes
    engine.check_subject_table(subj_t, by=by, subject_id=subject_id)
    counts = _long_counts(subj_t, ev_t, **count_args, categories=categories, serious=serious)
    return counts, engine.group_sizes(subj_t, by=by, subject_id=subject_id, unique=True)


def _table_rows(
    counts: pd.DataFrame,
    sizes: pd.DataFrame,
    rows_index: list[tuple[str, str]],
    *,
    by: list[str],
    ci: str,
    alpha: float,
    test: str,
    reference: str | None,
    seed: int | None,
    n_method: str | None = None,
    pairwise: Pairwise | None = None,
    n_words: str = N_METHOD,
) -> list[pd.DataFrame]:
    """The incidence rows of every group and, with two levels of ``by[0]`` or more, the
    comparisons (global test, risk differences, pairwise tests against the reference)."""
    frames = [
        _incidence_rows(counts, sizes, spec, by, rows_index, ci, alpha, n_method or n_words)
        for spec in subgroup_specs(by)
    ]
    compared = sizes[by[0]].astype(str).unique() if by else []
    ref = reference if reference is not None else (compared[0] if len(compared) else None)
    one_sex = n_method is not None  # a sex's own rows: no comparison where one level remains
    # the risk differences are given whatever the test; ``test="none"`` drops the test only
    if by and (not one_sex or len(compared) >= 2):
        frames.append(
            _comparison_rows(
                counts, sizes, by, rows_index, test, ref, alpha, seed, absent_ok=one_sex
            )
        )
    # a sex's own rows are compared among that sex, where the reference group has its subjects
    if (
        by
        and pairwise is not None
        and len(compared) >= 2
        and (not one_sex or pairwise.reference in compared)
    ):
        frames.append(pairwise_rows(counts, sizes, by, rows_index, pairwise, table=TABLE))
    return frames


def _long_counts(
    subj_t: Any,
    ev_t: Any,
    *,
    by: list[str],
    subject_id: str,
    term: str,
    terms: list[str],
    categories: dict[str, str] | None,
    serious: bool,
) -> pd.DataFrame:
    """Counts for many terms: the events go to one row per (subject, term) first, kept in
    memory, and every count is a small group-by of that (``incidence.incidence_wide`` does it in
    one pass when there are few terms)."""
    flags = ["_serious"] if serious else []
    per_term = engine.materialize(
        engine.per_subject_events(ev_t, subject_id=subject_id, keys=[term], flags=flags).inner_join(
            subj_t, subject_id
        )
    )
    count = partial(engine.incidence_counts, by=by, subject_id=subject_id)
    parts = [
        count(per_term, terms=(term,)).rename(columns={term: "level"}).assign(variable="ae_term"),
        count(per_term).assign(variable="any_ae", level=ANY),
    ]
    if categories:
        # every shown term has a category (OTHER if unmapped); other terms have none
        mapped = per_term[term].cases(*categories.items(), else_=None)
        cat_t = per_term.mutate(_category=mapped).filter(lambda t: t["_category"].notnull())
        cat_rows = engine.per_subject_events(cat_t, subject_id=subject_id, keys=[*by, "_category"])
        parts.append(
            count(cat_rows, terms=("_category",))
            .rename(columns={"_category": "level"})
            .assign(variable="ae_category")
        )
    if serious:
        ser = per_term.filter(per_term["_serious_events"] > 0)
        parts.append(
            count(ser, events_column="_serious_events").assign(variable="serious_ae", level=SERIOUS)
        )
    return pd.concat(parts, ignore_index=True)


def _row_index(
    all_terms: list[str], categories: dict[str, str] | None, serious: bool
) -> list[tuple[str, str]]:
    rows = [("any_ae", ANY)]
    if serious:
        rows.append(("serious_ae", SERIOUS))
    if categories:
        for cat in dict.fromkeys(categories.get(t, OTHER) for t in all_terms):
            rows.append(("ae_category", cat))
    rows += [("ae_term", t) for t in all_terms]
    return rows


def _incidence_rows(
    counts: pd.DataFrame,
    sizes: pd.DataFrame,
    spec: list[str],
    by: list[str],
    rows_index: list[tuple[str, str]],
    ci: str,
    alpha: float,
    n_method: str = "subjects in the group",
) -> pd.DataFrame:
    """n, N, pct, events, CI for every row and every group of ``spec`` (margins summed)."""
    c = counts.groupby([*spec, "variable", "level"], observed=True)[["n", "events"]].sum()
    cells = dict(zip(c.index, zip(c["n"], c["events"], strict=True), strict=True))
    n_by = sizes.groupby(spec, sort=False)["N"].sum() if spec else pd.Series({(): sizes["N"].sum()})
    method = f"{ci} {ci_label(alpha)}"
    out = []
    for key, big_n in n_by.items():
        key_t = key if isinstance(key, tuple) else (key,)
        grp = group_label(spec, key_t) if spec else "overall"
        for variable, level in rows_index:
            k = (*key_t, variable, level) if spec else (variable, level)
            n, e = cells.get(k, (0, 0))
            lo, hi = proportion_ci(int(n), int(big_n), method=ci, alpha=alpha)
            base = {"table": TABLE, "variable": variable, "level": level, "group": grp}
            out += [
                {**base, "stat": "n", "value": n, "method": ""},
                {**base, "stat": "N", "value": big_n, "method": n_method},
                {
                    **base,
                    "stat": "pct",
                    "value": 100 * n / big_n if big_n else np.nan,
                    "method": "",
                },
                {**base, "stat": "events", "value": e, "method": ""},
                {**base, "stat": "ci_low", "value": 100 * lo, "method": method},
                {**base, "stat": "ci_high", "value": 100 * hi, "method": method},
            ]
    return ard_frame(out, context="ae_incidence")


def _comparison_rows(
    counts: pd.DataFrame,
    sizes: pd.DataFrame,
    by: list[str],
    rows_index: list[tuple[str, str]],
    test: str,
    reference: str | None,
    alpha: float,
    seed: int | None,
    *,
    absent_ok: bool = False,
) -> pd.DataFrame:
    """Tests across levels of ``by[0]`` and risk differences vs ``reference``, per stratum;
    ``absent_ok`` (the rows of one sex): a reference without subjects gives the tests only."""
    compare, strata = by[0], by[1:]
    text = sizes[by].astype(str)
    levels = list(dict.fromkeys(text[compare]))
    if not levels:  # no subjects: nothing to compare
        return ard_frame([], context="ae_incidence")
    ref = reference if reference is not None else levels[0]
    if ref not in levels and not absent_ok:
        raise ArgumentError(f"reference {ref!r} is not a level of `{compare}`; levels are {levels}")
    stratum_keys: list[tuple[str, ...]] = list(
        dict.fromkeys(map(tuple, text[strata].itertuples(index=False)))
    )
    # subjects (N) and subjects with the event (n) per (stratum, level), and pooled over strata
    big: dict[tuple[tuple[str, ...] | None, str], int] = {}
    for row, big_n in zip(text.itertuples(index=False), sizes["N"], strict=True):
        lv, stratum = row[0], tuple(row[1:])
        for s in (stratum, None) if strata else (None,):
            big[(s, lv)] = big.get((s, lv), 0) + int(big_n)
    ctext = counts[by].astype(str)
    small: dict[tuple[tuple[str, ...] | None, str, str, str], int] = {}
    for row, variable, level, n in zip(
        ctext.itertuples(index=False), counts["variable"], counts["level"], counts["n"], strict=True
    ):
        lv, stratum = row[0], tuple(row[1:])
        for s in (stratum, None) if strata else (None,):
            k = (s, lv, variable, level)
            small[k] = small.get(k, 0) + int(n)
    cells = []
    where: tuple[str, ...] | None
    for where in [*stratum_keys, None] if strata else [None]:
        for variable, level in rows_index:
            ns = [small.get((where, lv, variable, level), 0) for lv in levels]
            bigs = [big.get((where, lv), 0) for lv in levels]
            cells.append((where, variable, level, ns, bigs))
    tested = (
        compare_counts_many([(c[3], c[4]) for c in cells], test=test, seed=seed)
        if test != "none"
        else [None] * len(cells)
    )
    out = []
    for (where, variable, level, ns, bigs), res in zip(cells, tested, strict=True):
        prefix = group_label(strata, where) + ";" if where is not None else ""
        base = {"table": TABLE, "variable": variable, "level": level}
        if res is not None:
            out.append(
                {
                    **base,
                    "group": f"{prefix}{compare}=*",
                    "context": test_context(res[1]),
                    "stat": "p_value",
                    "value": res[0],
                    "method": res[1],
                }
            )
            if test == "chi2" and res[0] == res[0]:  # run (not "no events": NaN)
                at = {**base, "group": f"{prefix}{compare}=*"}
                out += expected_count_rows(groups_table(ns, bigs), at)
        if ref not in levels:
            continue
        i_ref = levels.index(ref)
        for i, lv in enumerate(levels):
            if i == i_ref or bigs[i] == 0 or bigs[i_ref] == 0:
                continue
            rd = risk_difference(ns[i], bigs[i], ns[i_ref], bigs[i_ref], alpha=alpha)
            g = f"{prefix}{compare}={lv} vs {ref}"
            out += [
                {
                    **base,
                    "group": g,
                    "stat": "estimate",
                    "value": 100 * rd.estimate,
                    "method": "risk difference (percentage points)",
                },
                {
                    **base,
                    "group": g,
                    "stat": "ci_low",
                    "value": 100 * rd.ci_low,
                    "method": rd.method,
                },
                {
                    **base,
                    "group": g,
                    "stat": "ci_high",
                    "value": 100 * rd.ci_high,
                    "method": rd.method,
                },
            ]
    return ard_frame(out, context="risk_difference")


def _sort_by_overall(
    frame: pd.DataFrame, rows_index: list[tuple[str, str]], categories: dict[str, str] | None
) -> pd.DataFrame:
    """Summary rows first; then by descending overall frequency (ties by name) — with a
    hierarchy, each category followed by its own terms."""
    overall_n = frame.loc[(frame["group"] == "overall") & (frame["stat"] == "n")].set_index(
        ["variable", "level"]
    )["value"]

    def freq(row: tuple[str, str]) -> tuple[float, str]:
        return (-overall_n.get(row, 0), row[1])

    summary = [r for r in rows_index if r[0] in ("any_ae", "serious_ae")]
    terms = sorted((r for r in rows_index if r[0] == "ae_term"), key=freq)
    if categories:
        cats = sorted((r for r in rows_index if r[0] == "ae_category"), key=freq)
        order = list(summary)
        for cat in cats:
            order.append(cat)
            order += [t for t in terms if categories.get(t[1], "Other") == cat[1]]
    else:
        order = summary + terms
    rank = {r: i for i, r in enumerate(order)}
    key = [rank.get(r, len(rank)) for r in zip(frame["variable"], frame["level"], strict=True)]
    return frame.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def _footnotes(
    by: list[str],
    ci: str,
    alpha: float,
    test: str,
    teae_flag: str | None,
    frame: pd.DataFrame,
    unit: str = "subjects",
) -> tuple[str, ...]:
    level = ci_level(alpha)
    notes = [
        f"n (%) = {unit} with at least one event (each counted once per row), percent of the "
        f"{unit} in the column (N, from the table of {unit}); [E] = number of events.",
        f"{level}% CI of the percentage: {method_words(ci)}.",
    ]
    if teae_flag:
        notes.append(_teae_note(teae_flag))
    if by:
        # the pairwise p-values have their own note (``pairwise_notes``)
        notes += _test_note(by[0], frame.loc[(frame["stat"] == "p_value") & ~pairwise_p(frame)])
        notes += small_expected_notes(frame)
    rd = sorted(
        set(frame.loc[(frame["stat"] == "ci_low") & frame["group"].str.contains(" vs "), "method"])
    )
    if rd:
        notes.append(
            f"Risk difference in percentage points, {level}% CI: "
            + "; ".join(method_words(m) for m in rd)
            + "."
        )
    return tuple(notes)


def _test_note(by: str, p: pd.DataFrame) -> list[str]:
    """The note naming the tests of the p-values; when they are of more than one method (an
    exact test switched to Monte Carlo above its enumeration limit), which rows (and, with
    several p-value columns, which columns) each one is: the most used is "the others"."""
    used: dict[str, tuple[list[str], list[str]]] = {}  # rows and texts of each method
    several = p["group"].nunique() > 1
    for level, group, method in zip(p["level"], p["group"], p["method"], strict=True):
        where = f"{level} ({group_title(group)})" if several else str(level)
        rows, texts = used.setdefault(per_table_key(method_words(method)), ([], []))
        rows.append(where)
        texts.append(method_words(method))
    if not used:
        return []
    words = {key: per_table_merged(texts)[0] for key, (_, texts) in used.items()}
    if len(used) == 1:
        return [f"p-values compare the `{by}` levels: {next(iter(words.values()))}."]
    most = max(used, key=lambda m: len(used[m][0]))  # ties: the first in the frame
    parts = [f"{words[m]} for {and_list(rows)}" for m, (rows, _) in used.items() if m != most]
    return [
        f"p-values compare the `{by}` levels: {'; '.join(parts)}; {words[most]} for the others."
    ]


def _teae_note(teae_flag: str) -> str:
    """The footnote of the events counted: treatment-emergent (the toolkit's ``is_teae``) or
    those a study's own flag marks (named in backticks, a label when shown)."""
    if teae_flag == "is_teae":
        return "Treatment-emergent events only."
    return f"Only events with `{teae_flag}` set."


def _layout(
    frame: pd.DataFrame,
    by: list[str],
    hierarchical: bool,
    alpha: float = 0.05,
    one_sex: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    look, ci = stat_lookup(frame), ci_label(alpha)
    groups = group_columns(frame)
    one_sex = one_sex or set()
    # each column's N from the rows counted among every subject (a one-sex row has its own)
    shared = frame.loc[
        (frame["stat"] == "N")
        & ~pd.Series(
            list(zip(frame["variable"], frame["level"], strict=True)), index=frame.index
        ).isin(one_sex)
    ]
    column_n = dict(zip(shared["group"], shared["value"], strict=False))
    pgroups = p_value_groups(frame)
    rdgroups = [
        g
        for g in dict.fromkeys(frame.loc[frame["group"].str.contains(" vs "), "group"])
        if ";" not in g
    ]
    rows = []
    for variable, level in dict.fromkeys(zip(frame["variable"], frame["level"], strict=True)):
        label = level if variable != "ae_term" or not hierarchical else f"{SUB_ROW}{level}"
        row = {"Adverse event": label}
        for g in groups:
            n = look.get((variable, level, g, "n"))
            big = column_n.get(g, look.get((variable, level, g, "N")))
            head = f"{group_title(g)} (N={int(big)})" if big is not None else group_title(g)
            e = look.get((variable, level, g, "events"), np.nan)
            cell = fmt_n_pct(n, look.get((variable, level, g, "pct")))
            if n is None and (variable, level) in one_sex:
                cell = NOT_APPLICABLE_CELL
            row[head] = f"{cell} [{int(e)}]" if cell and not np.isnan(e) else cell
        lo = look.get((variable, level, "overall", "ci_low"))
        hi = look.get((variable, level, "overall", "ci_high"))
        row[f"{ci} (overall)"] = fmt_ci(lo, hi) if lo is not None else ""
        # a comparison a row of one sex has not (of the sexes; against a reference without
        # that sex) is not applicable, as its other sex's cells: it was a blank
        none = NOT_APPLICABLE_CELL if (variable, level) in one_sex else ""
        for g in rdgroups:
            est = look.get((variable, level, g, "estimate"))
            lo = look.get((variable, level, g, "ci_low"))
            hi = look.get((variable, level, g, "ci_high"))
            withheld = format_suppressed(est)
            row[f"RD {g.split('=', 1)[1]} ({ci})"] = (
                withheld
                if withheld is not None
                else f"{est:.1f} ({lo:.1f} to {hi:.1f})"
                if est is not None
                else none
            )
        for g in pgroups:
            p = look.get((variable, level, g, "p_value"))
            row[p_value_head(g)] = none if p is None and none else fmt_p(np.nan if p is None else p)
        rows.append(row)
    return pd.DataFrame(rows)
