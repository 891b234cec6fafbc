"""Plain reference implementations of the engine's counts, to cross-check them.

Each function computes the frame of one fast function of ``analysis.engine.counts`` or
``analysis.engine.incidence`` (same arguments, same columns and row order) the way a
statistician would by hand: pandas group-bys on a pandas frame, no Ibis, no DuckDB, no bitmaps.
Slow; for small data. ``tests/unit/engine/test_counts_reference.py`` checks every fast plan
against them on random cohorts; you can do the same on your own data::

    fast = counts.level_counts(counts.as_table(df), variable="grade", by=["arm"])
    pd.testing.assert_frame_equal(fast, reference.level_counts(df, variable="grade", by=["arm"]))

Conventions of the engine that they keep: a missing group value is a group of its own (sorted
last); a missing id is no subject; sums and statistics of no value are missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.engine.counts import (
    duplicate_subject_message,
    missing_group_message,
    refuse_levels_outside,
)
from analysis.errors import ArgumentError


def _sorted(
    frame: pd.DataFrame, keys: Sequence[str], like: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows in the order ``counts.execute`` gives: by ``keys``, missing values last. With no
    row, the key columns take their type in ``like`` (text for a categorical)."""
    keys = [k for k in keys if k in frame.columns]
    if frame.empty and like is not None:
        frame = frame.astype({k: _engine_dtype(like[k]) for k in keys if k in like.columns})
    if not keys:
        return frame.reset_index(drop=True)
    return frame.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _engine_dtype(values: pd.Series) -> object:
    """The type the engine gives back for a column (a categorical comes back as text)."""
    return object if isinstance(values.dtype, pd.CategoricalDtype) else values.dtype


def _groups(data: pd.DataFrame, by: Sequence[str]) -> list[tuple[tuple, pd.DataFrame]]:
    """``(key, rows)`` per observed group of ``by`` (a missing value is a group); one group
    ``()`` with every row when ``by`` is empty."""
    if not by:
        return [((), data)]
    rows: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(*(data[c] for c in by), strict=True)):
        rows.setdefault(tuple(None if pd.isna(v) else v for v in key), []).append(i)
    return [(key, data.iloc[at]) for key, at in rows.items()]


def _true(flags: pd.Series) -> pd.Series:
    """Whether each flag is true (a missing flag is not)."""
    return flags.astype("boolean").fillna(False).astype(bool)


def group_sizes(
    subjects: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    subject_id: str = "patient_id",
    unique: bool = False,
) -> pd.DataFrame:
    """Checks ``counts.group_sizes``: ``[*by, N]``, distinct subjects (rows when ``unique``)."""
    rows = [
        {**dict(zip(by, key, strict=True)), "N": len(g) if unique else g[subject_id].nunique()}
        for key, g in _groups(subjects, by)
    ]
    return _sorted(pd.DataFrame(rows, columns=[*by, "N"]).astype({"N": "int64"}), by, subjects)


def duplicate_count(subjects: pd.DataFrame, subject_id: str) -> int:
    """Checks ``counts.duplicate_count`` (its bitmap and its hash-set forms): rows minus
    distinct non-missing ids (a missing id counts as a duplicate)."""
    return len(subjects) - int(subjects[subject_id].nunique())


def per_subject_events(
    events: pd.DataFrame, *, subject_id: str, keys: Sequence[str] = (), flags: Sequence[str] = ()
) -> pd.DataFrame:
    """Checks ``counts.per_subject_events`` (which gives the Ibis table of this frame, in no
    order): ``[subject_id, *keys, events, *<flag>_events]`` sorted by subject and keys."""
    cols = [subject_id, *keys]
    rows = []
    for key, g in _groups(events, cols):
        row = dict(zip(cols, key, strict=True))
        if "events" in events.columns:  # already per subject: add the counts up
            row["events"] = g["events"].sum()
            row.update({f"{f}_events": g[f"{f}_events"].sum() for f in flags})
        else:
            row["events"] = len(g)
            row.update({f"{f}_events": int(_true(g[f]).sum()) for f in flags})
        rows.append(row)
    counts = ["events", *[f"{f}_events" for f in flags]]
    out = pd.DataFrame(rows, columns=[*cols, *counts]).astype(dict.fromkeys(counts, "int64"))
    return _sorted(out, cols, events)


def subject_max_level(
    subjects: pd.DataFrame,
    events: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    column: str,
    order: Sequence[str],
    subject_id: str = "patient_id",
) -> pd.DataFrame:
    """Checks ``counts.subject_max_level``: ``[*by, n, <column>]``, subjects (of ``subjects``,
    with an event) by the highest level of ``column`` among their events; levels outside
    ``order`` are refused."""
    rank = {level: i for i, level in enumerate(order)}
    given = events[column].dropna()
    refuse_levels_outside(given[~given.isin(list(rank))], column=column, order=order)
    worst: dict[object, int] = {}
    for sid, level in zip(events[subject_id], events[column], strict=True):
        if pd.notna(sid) and pd.notna(level):
            worst[sid] = max(worst.get(sid, -1), rank.get(level, -1))
    subj = subjects[[subject_id, *by]].drop_duplicates()
    subj = subj.loc[subj[subject_id].isin(list(worst))]
    subj = subj.assign(_rank=subj[subject_id].map(worst))
    rows = [
        {**dict(zip([*by, "_rank"], key, strict=True)), "n": g[subject_id].nunique()}
        for key, g in _groups(subj, [*by, "_rank"])
    ]
    out = _sorted(pd.DataFrame(rows, columns=[*by, "_rank", "n"]), [*by, "_rank"], subjects)
    out[column] = out.pop("_rank").map(dict(enumerate(order)))
    return out.astype({"n": "int64"})


def level_counts(data: pd.DataFrame, *, variable: str, by: Sequence[str] = ()) -> pd.DataFrame:
    """Checks ``counts.level_counts``: ``[*by, variable, n]``, rows per level (missing kept)."""
    keys = [*by, variable]
    rows = [{**dict(zip(keys, k, strict=True)), "n": len(g)} for k, g in _groups(data, keys)]
    return _sorted(pd.DataFrame(rows, columns=[*keys, "n"]).astype({"n": "int64"}), keys, data)


def _summary(values: pd.Series) -> dict[str, float]:
    """The statistics of ``counts.numeric_summary`` of one group's values."""
    x = values.dropna().astype("float64").to_numpy()
    n = len(x)

    def q(p: float) -> float:
        return float(np.quantile(x, p)) if n else np.nan

    return {
        "n": n,
        "n_missing": len(values) - n,
        "sum": x.sum() if n else np.nan,
        "sumsq": (x * x).sum() if n else np.nan,
        "mean": x.mean() if n else np.nan,
        "sd": x.std(ddof=1) if n > 1 else np.nan,
        "min": x.min() if n else np.nan,
        "q1": q(0.25),
        "median": q(0.5),
        "q3": q(0.75),
        "max": x.max() if n else np.nan,
    }


_STATS = ["n", "n_missing", "sum", "sumsq", "mean", "sd", "min", "q1", "median", "q3", "max"]


def numeric_summary(data: pd.DataFrame, *, variable: str, by: Sequence[str] = ()) -> pd.DataFrame:
    """Checks ``counts.numeric_summary``: ``[*by, n, n_missing, sum, sumsq, mean, sd, min, q1,
    median, q3, max]`` per group (numpy's linear quantiles, SD with n - 1)."""
    rows = [
        {**dict(zip(by, k, strict=True)), **_summary(g[variable])} for k, g in _groups(data, by)
    ]
    out = pd.DataFrame(rows, columns=[*by, *_STATS])
    floats = {s: "float64" for s in _STATS[2:]}
    return _sorted(out.astype({"n": "int64", "n_missing": "int64", **floats}), by, data)


def numeric_summaries(
    data: pd.DataFrame, *, variables: Sequence[str], by: Sequence[str] = ()
) -> pd.DataFrame:
    """Checks ``counts.numeric_summaries``: ``numeric_summary`` of each variable, stacked with
    a ``variable`` column after ``by``."""
    if not variables:
        return pd.DataFrame(columns=[*by, "variable", *_STATS])
    parts = []
    for var in variables:
        part = numeric_summary(data, variable=var, by=by)
        part.insert(len(by), "variable", var)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def rank_sums(
    data: pd.DataFrame, *, variable: str, by: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Checks ``counts.rank_sums``: ``([*by, n, rank_sum], [t])`` from pandas' average ranks of
    the non-missing values; the tie sizes in the order of the values (the engine's order is
    unspecified: compare them sorted)."""
    t = data.loc[data[variable].notna()]
    t = t.assign(_rank=t[variable].rank(method="average"))
    rows = [
        {**dict(zip(by, k, strict=True)), "n": len(g), "rank_sum": g["_rank"].sum()}
        for k, g in _groups(t, by)
    ]
    per_group = pd.DataFrame(rows, columns=[*by, "n", "rank_sum"])
    per_group = per_group.astype({"n": "int64", "rank_sum": "float64"})
    ties = t.groupby(variable, sort=True).size().to_numpy(dtype="int64")
    return _sorted(per_group, by, data), pd.DataFrame({"t": ties})


def _as_text(values: pd.Series) -> pd.Series:
    """Values as the engine's cast to text writes them (booleans ``true``/``false``); a
    missing value stays missing (``None``)."""
    return pd.Series(
        [
            None if pd.isna(v) else str(v).lower() if isinstance(v, bool | np.bool_) else str(v)
            for v in values
        ],
        index=values.index,
        dtype=object,
    )


def multi_level_counts(
    data: pd.DataFrame, *, variables: Sequence[str], by: Sequence[str] = ()
) -> pd.DataFrame:
    """Checks ``counts.multi_level_counts``: ``[*by, variable, level, n]``, the level as text."""
    if not variables:
        return pd.DataFrame(columns=[*by, "variable", "level", "n"])
    stacked = pd.concat(
        [data[list(by)].assign(variable=v, level=_as_text(data[v])) for v in variables],
        ignore_index=True,
    )
    return level_counts(stacked, variable="level", by=[*by, "variable"])


def incidence_counts(
    per_subject: pd.DataFrame,
    *,
    by: Sequence[str],
    terms: Sequence[str] = (),
    subject_id: str,
    events_column: str = "events",
) -> pd.DataFrame:
    """Checks ``counts.incidence_counts`` (the many-terms plan of the incidence table):
    ``[*by, *terms, n, events]``, rows (subjects) and their events per cell of a table with one
    row per subject (and term); without ``terms`` each subject counts once."""
    rows = per_subject
    if not terms:
        keys = [subject_id, *by]
        rows = pd.DataFrame(
            [
                {**dict(zip(keys, k, strict=True)), events_column: g[events_column].sum()}
                for k, g in _groups(per_subject, keys)
            ],
            columns=[*keys, events_column],
        )
    group = [*by, *terms]
    out = pd.DataFrame(
        [
            {**dict(zip(group, k, strict=True)), "n": len(g), "events": g[events_column].sum()}
            for k, g in _groups(rows, group)
        ],
        columns=[*group, "n", "events"],
    )
    return _sorted(out.astype({"n": "int64", "events": "int64"}), group, per_subject)


def subjects_and_events(
    events: pd.DataFrame, *, by: Sequence[str], subject_id: str
) -> pd.DataFrame:
    """Checks ``incidence.subjects_and_events``: ``[*by, n, events]``, distinct subjects
    (non-missing ids) and rows per group of an event table."""
    rows = [
        {**dict(zip(by, k, strict=True)), "n": g[subject_id].nunique(), "events": len(g)}
        for k, g in _groups(events, by)
    ]
    out = pd.DataFrame(rows, columns=[*by, "n", "events"])
    return _sorted(out.astype({"n": "int64", "events": "int64"}), by, events)


def incidence(
    subjects: pd.DataFrame,
    events: pd.DataFrame,
    *,
    by: Sequence[str],
    subject_id: str,
    term: str,
    terms: Sequence[str],
    categories: dict[str, str] | None = None,
    serious: str | None = None,
) -> pd.DataFrame:
    """Checks both plans of ``incidence`` (``incidence_bitmaps``, ``incidence_wide``):
    ``[*by, variable, level, n, events, N]``, every group (sorted) with every row: any event,
    any serious event (``serious`` true), each category (of ``terms``, in the order of their
    first term), each term; ``n`` subjects with such an event, ``events`` such events, ``N``
    subjects in the group. Events of subjects absent from ``subjects`` do not count; a missing
    ``by`` value or a duplicate id is an error (the engine's messages)."""
    by = list(by)
    for c in by:
        if subjects[c].isna().any():
            raise ArgumentError(missing_group_message(int(subjects[c].isna().sum()), c))
    dup = duplicate_count(subjects, subject_id)
    if dup:
        raise ArgumentError(duplicate_subject_message(dup, subject_id))
    sizes = group_sizes(subjects, by=by, subject_id=subject_id, unique=True)
    ev = events.loc[events[subject_id].notna()].merge(subjects[[subject_id, *by]], on=subject_id)
    rows: list[tuple[str, str, pd.Series]] = [("any_ae", "", pd.Series(True, index=ev.index))]
    if serious is not None:
        rows.append(("serious_ae", "", _true(ev[serious])))
    categories = categories or {}
    for cat in dict.fromkeys(categories[t] for t in terms if t in categories):
        in_cat = [t for t in terms if categories.get(t) == cat]
        rows.append(("ae_category", cat, ev[term].isin(in_cat)))
    rows += [("ae_term", t, ev[term] == t) for t in terms]
    parts = []
    for variable, level, hit in rows:
        cells = {k: g for k, g in _groups(ev.loc[hit], by)}
        part = sizes[by].assign(variable=variable, level=level)
        keys = [tuple(k) for k in sizes[by].to_numpy()]
        part["n"] = [cells[k][subject_id].nunique() if k in cells else 0 for k in keys]
        part["events"] = [len(cells[k]) if k in cells else 0 for k in keys]
        part["N"] = sizes["N"].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True).astype({"n": "int64", "events": "int64"})
