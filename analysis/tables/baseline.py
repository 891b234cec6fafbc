"""Table 1: baseline characteristics by a group, with an overall column.

Categorical variables: n (%) per level (missing counted apart); continuous: mean (SD) and
median [Q1, Q3]; booleans: n (%) with the characteristic. All summaries are computed on the
engine; tests and standardized differences are computed from those summaries, with the test
chosen per variable by argument (never switched silently) and named in the ARD and footnotes.

Over 400 lines as one job: Table 1, whose summaries, tests and layout are one table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.ard import ard_frame, concat_ard, group_label
from analysis.clean.derive import NOT_APPLICABLE
from analysis.engine import counts as engine
from analysis.errors import ArgumentError
from analysis.report.method_prose import method_words
from analysis.stats import tests
from analysis.stats.design import natural_key
from analysis.stats.results import test_context
from analysis.stats.summary_tests import anova_summary, kruskal_summary, welch_summary
from analysis.tables._aliases import Aliases
from analysis.tables._arguments import shaped
from analysis.tables._columns import require_columns, require_frame
from analysis.tables._common import (
    EXPECTED_STATS,
    contingency_test,
    expected_count_rows,
    levels_of,
    small_expected_notes,
    sort_by_levels,
)
from analysis.tables.render import SUB_ROW, TableResult, fmt_n_pct, fmt_num, fmt_p, stat_lookup
from analysis.words import in_sentence

TABLE = "baseline"
NOT_TESTED = "—"
#: a summary a group's values cannot give (the SD of one value, the mean of none)
UNDEFINED = "NA"
UNTESTED_STATS = ("p_value", "statistic", "smd", *EXPECTED_STATS)
CATEGORICAL_TESTS = ("chi2", "fisher", "none")
CONTINUOUS_TESTS = ("welch", "anova", "kruskal", "none")


@shaped
def baseline_table(
    data: pd.DataFrame,
    *,
    by: str | None,
    variables: Sequence[str] | Mapping[str, str],
    tests_by_variable: Mapping[str, str] | None = None,
    categorical_test: str = "chi2",
    continuous_test: str = "welch",
    categorical: Sequence[str] = (),
    subject_id: str = "patient_id",
    seed: int | None = None,
    table: str = TABLE,
    not_tested: Mapping[str, str] | None = None,
    by_label: str | None = None,
    not_applicable: Mapping[str, str] | None = None,
) -> TableResult:
    """Baseline characteristics of ``data`` by ``by`` (or overall only when ``by`` is None).

    Parameters
    ----------
    data : one row per subject.
    by : grouping column (e.g. ``sex``).
    variables : columns to summarise, or ``{column: label}``. Numeric columns are continuous,
        booleans a single "yes" row, anything else categorical (levels of a categorical dtype
        kept in order, empty levels included).
    tests_by_variable : ``{column: test}`` overriding the defaults for some variables.
    categorical_test : ``chi2`` (Pearson, no continuity correction), ``fisher`` (Fisher exact /
        Fisher-Freeman-Halton exact) or ``none``.
    continuous_test : ``welch`` (Welch t-test; with > 2 groups this is an error — choose
        ``anova`` or ``kruskal``), ``anova`` (one-way ANOVA), ``kruskal`` (Kruskal-Wallis) or
        ``none``.
    categorical : numeric columns to summarise as categories (e.g. a schedule in months).
    seed : for a Monte-Carlo fallback of the exact test on very large tables.
    not_tested : ``{column: why}``: summarised, but no p-value or SMD (e.g. a column the
        grouping is derived from: "defines the groups"). A categorical variable whose every
        level occurs in one group only is not tested either ("determined by <by_label>").
        Each is named in a footnote.
    by_label : ``by`` in words for that footnote (default ``by`` with spaces).
    not_applicable : ``{column: rule}``: a missing value of this (derived) column means "not
        applicable" by ``rule``, not "missing": it is the level ``not applicable``, counted in
        the denominator, and the footnote states the rule.
    """
    labels = dict(variables) if isinstance(variables, Mapping) else {v: v for v in variables}
    # One ARD table name per built table, so two Table 1s (by sex, by therapy) never share keys.
    table = f"{table}_{by}" if by else table
    by_cols = [by] if by else []
    require_frame("baseline_table", data, table="data")
    require_columns(
        "baseline_table",
        data,
        table="the data",
        subject_id=subject_id,
        by=by,
        variables=list(labels),
        categorical=categorical,
    )
    _refuse_unsummarisable(data, list(labels), subject_id, tests_by_variable)
    engine.check_subject_table(data, by=by_cols, subject_id=subject_id)
    # the ids are checked above; the counts below count rows (one per subject), so the engine
    # gets the summarised columns only (a million ids as text cost more than the counts), under
    # aliases: a study's column may be named as the counts' own columns (``n``, ``level``...)
    alias = Aliases([*by_cols, *labels])
    data = alias.frame(data)
    for var in categorical:  # summarised as categories: a categorical keeps its declared order
        if not isinstance(data[alias[var]].dtype, pd.CategoricalDtype):
            data[alias[var]] = data[alias[var]].astype("string")
    for var in set(labels) - set(categorical):
        data[alias[var]] = _as_counted(data[alias[var]])
    # a rule of a column not summarised here does nothing (as before the aliases)
    rules = {alias[v]: r for v, r in (not_applicable or {}).items() if v in alias.of}
    data = _with_not_applicable(data, rules)
    tbl = engine.as_table(data)
    chosen = dict(tests_by_variable or {})
    by_keys = alias.all(by_cols)
    frames = [_n_rows(tbl, by_keys, table, data, alias)]
    group_levels = levels_of(data, alias[by]) if by else []
    kinds = {v: "categorical" if v in categorical else _kind(data[alias[v]]) for v in labels}
    # Counts on the engine, batched: one query for every continuous variable per grouping and
    # one for every categorical variable (overall counts are sums of the group counts).
    cont = alias.all([v for v, k in kinds.items() if k == "continuous"])
    summaries = {
        tuple(spec): _named(engine.numeric_summaries(tbl, variables=cont, by=spec), alias)
        for spec in _specs(by_keys)
    }
    counts = _named(
        engine.multi_level_counts(
            tbl, variables=alias.all([v for v, k in kinds.items() if k != "continuous"]), by=by_keys
        ),
        alias,
    )
    untestable: dict[str, str] = {}  # variables whose test cannot be computed -> why
    left_out: dict[str, list[str]] = {}  # variables tested without a group lacking values
    for var, kind in kinds.items():
        if kind == "continuous":
            test = chosen.get(var, continuous_test)
            _check_test(var, test, CONTINUOUS_TESTS)
            if var in (not_tested or {}):
                test = "none"  # shown untested: its test is neither run nor a reason to stop
            per_spec = {k: s.loc[s["variable"] == var] for k, s in summaries.items()}
            frames.append(
                _continuous(
                    tbl,
                    var,
                    by_keys,
                    per_spec,
                    test,
                    table,
                    len(group_levels),
                    alias,
                    untestable,
                    left_out,
                )
            )
        else:
            test = chosen.get(var, categorical_test)
            _check_test(var, test, CATEGORICAL_TESTS)
            levels = ["true"] if kind == "boolean" else levels_of(data, alias[var])
            frames.append(
                _categorical(
                    counts.loc[counts["variable"] == var],
                    var,
                    by_keys,
                    levels,
                    test,
                    table,
                    seed,
                    boolean=kind == "boolean",
                    alias=alias,
                    untestable=untestable,
                    left_out=left_out,
                )
            )
    frame = concat_ard(frames)
    untested = {**untestable, **(not_tested or {})}
    if by:
        words = by_label or by.replace("_", " ")
        for var, kind in kinds.items():
            var_counts = counts.loc[counts["variable"] == var]
            separated = _separated_by(var_counts, alias[by])
            if kind != "continuous" and var not in untested and separated:
                untested[var] = (
                    f"determined by {in_sentence(words)}: each level occurs in one group only"
                )
    untested = {v: why for v, why in untested.items() if v in labels}
    frame = frame.loc[~(frame["variable"].isin(untested) & frame["stat"].isin(UNTESTED_STATS))]
    frame = frame.reset_index(drop=True)
    tested = frame.loc[frame["stat"] == "p_value", ["variable", "method"]].drop_duplicates()
    # what the rows show, for the kinds of variable the table has (a yes/no one as n (%))
    counted_rows = any(kind != "continuous" for kind in kinds.values())
    shows = [
        *(["categorical: n (%) of non-missing values"] if counted_rows else []),
        *(
            ["continuous: mean (SD) and median [Q1, Q3] (quartiles by linear interpolation, "
             "R type 7)"]
            if "continuous" in kinds.values()
            else []
        ),
    ]  # fmt: skip
    said = "; ".join(shows)
    notes = [f"{said[:1].upper()}{said[1:]}."] if said else []
    at, expected = 0, []
    if len(tested):
        per_test: dict[str, list[str]] = {}
        for r in tested.itertuples():
            per_test.setdefault(method_words(r.method), []).append(
                labels.get(r.variable, r.variable)
            )
        # one sentence per test, its variables apart by ";" (a label may hold a comma: "Age, years")
        notes.append("Tests: " + " ".join(f"{m} for {'; '.join(v)}." for m, v in per_test.items()))
        at = len(notes)
        expected = small_expected_notes(frame, labels)
        notes += expected
    if untested and by:
        by_reason: dict[str, list[str]] = {}
        for v, why in untested.items():
            by_reason.setdefault(why, []).append(labels[v])
        notes.append(
            f"{NOT_TESTED} = not tested (no p-value or SMD): "
            + "; ".join(f"{', '.join(vs)}: {why}" for why, vs in by_reason.items())
            + "."
        )
    if left_out and by:
        by_groups: dict[str, list[str]] = {}
        for v, groups in left_out.items():
            if v in labels and v not in untested:
                by_groups.setdefault(", ".join(groups), []).append(labels[v])
        notes += [
            f"{'; '.join(vs)}: no value in {in_sentence(by_label or by.replace('_', ' '))} "
            f"{groups}; tested across the other groups."
            for groups, vs in by_groups.items()
        ]
    if not_applicable:
        notes += [
            f"{labels[v]}: not applicable when {rule}; a level of its own, in the "
            "denominator and the test."
            for v, rule in not_applicable.items()
            if v in labels
        ]
    summaries = frame.loc[frame["stat"].isin(["mean", "sd"])]
    if summaries["value"].isna().any():
        notes.append(
            f"{UNDEFINED}: not defined (the SD of a group of one patient; the mean and median of "
            "a group without values)."
        )
    if (frame["stat"] == "smd").any():
        notes.append(
            "SMD: absolute standardized difference (continuous: pooled SD "
            "sqrt((s1² + s2²)/2); categorical: Yang & Dalton 2012)."
        )
    title = f"Baseline characteristics by `{by}`" if by else "Baseline characteristics"
    return TableResult(
        name=table,
        title=title,
        frame=frame,
        layout=lambda f: _layout(f, labels, set(untested) if by else set()),
        footnotes=tuple(notes),
        # under suppression, the expected counts of a withheld χ² test are withheld too
        notes_of=(
            (
                lambda shown: (
                    *notes[:at],
                    *small_expected_notes(frame, labels, shown),
                    *notes[at + len(expected) :],
                )
            )
            if expected
            else None
        ),
    )


def _with_not_applicable(data: pd.DataFrame, rules: Mapping[str, str]) -> pd.DataFrame:
    """``data`` with the missing values of each ``rules`` column as the level ``not applicable``
    (the column becomes text; a categorical column gains the level last)."""
    changes = {}
    for var in rules:
        if var not in data.columns:
            continue
        s = data[var]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = (
                s.cat.add_categories([NOT_APPLICABLE])
                if NOT_APPLICABLE not in s.cat.categories
                else s
            )
            changes[var] = s.fillna(NOT_APPLICABLE)
        else:
            text = s.astype("string")
            levels = sorted(text.dropna().unique(), key=natural_key)
            changes[var] = pd.Categorical(text.fillna(NOT_APPLICABLE), [*levels, NOT_APPLICABLE])
    return data.assign(**changes) if changes else data


def _separated_by(var_counts: pd.DataFrame, by: str) -> bool:
    """Whether every observed level of a variable occurs in one group of ``by`` only, across at
    least two groups and two levels: the variable is then determined by the grouping and a test
    of it against the groups says nothing."""
    c = var_counts.loc[var_counts["level"].notna() & (var_counts["n"] > 0)]
    if c.empty:
        return False
    c = c.assign(_level=c["level"].astype("string"), _group=c[by].astype("string"))
    groups_per_level = c.groupby("_level")["_group"].nunique()
    return bool(
        (groups_per_level == 1).all() and c["_group"].nunique() >= 2 and len(groups_per_level) >= 2
    )


def _refuse_unsummarisable(
    data: pd.DataFrame,
    variables: list[str],
    subject_id: str,
    tests: Mapping[str, str] | None,
) -> None:
    """``ArgumentError`` for a variable no table shows: the subjects' identifier (a row per
    patient, each id in the table), dates (each date a level counted 0 (0.0%) in every
    column), and a test named for a variable the table does not summarise (ignored)."""
    if subject_id in variables:
        raise ArgumentError(
            f"baseline_table: `{subject_id}` is the subjects' identifier (`subject_id`); a table "
            "shows no identifier. Leave it out of `variables`."
        )
    dates = [v for v in variables if _holds_dates(data[v])]
    if dates:
        raise ArgumentError(
            f"baseline_table: {dates} hold dates, which a baseline table does not summarise; "
            "summarise a number derived from them (an age, a follow-up in months) instead."
        )
    stray = sorted(set(tests or {}) - set(variables))
    if stray:
        raise ArgumentError(
            f"baseline_table: `tests_by_variable` names {stray}, which are not among the "
            f"`variables` summarised ({variables}); check the spelling."
        )


def _holds_dates(s: pd.Series) -> bool:
    """Dates or times in any of pandas' forms: datetime64 (naive or zoned), Arrow timestamps
    and dates (``dtype_backend="pyarrow"``), Python dates and datetimes in an object column."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return True
    if isinstance(s.dtype, pd.ArrowDtype):
        arrow = s.dtype.pyarrow_dtype
        return bool(pa.types.is_timestamp(arrow) or pa.types.is_date(arrow))
    return s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in {"date", "datetime"}


def _as_counted(s: pd.Series) -> pd.Series:
    """A summarised column as the counts read it: an object column of True/False (yes/no
    values with gaps, after a fill, from a workbook) as a yes/no column, like a boolean one;
    any other column counted as categories and not text already (object columns of numbers
    or mixed types) as text, each value as ``str`` writes it, the spelling of the levels the
    table lists (``levels_of``). The engine wrote an object True as "true": every level of
    such a column was counted 0 (0.0%)."""
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) == "boolean":
        return s.astype("boolean")
    if _kind(s) == "categorical" and not (
        isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s)
    ):
        return s.map(str, na_action="ignore").astype("string")
    return s


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if isinstance(s.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(s):
        return "categorical"
    return "continuous"


def _check_test(var: str, test: str, allowed: tuple[str, ...]) -> None:
    if test not in allowed:
        raise ArgumentError(f"test {test!r} for `{var}` is not one of {allowed}")


def _specs(by_cols: list[str]) -> list[list[str]]:
    return [by_cols, []] if by_cols else [[]]


def _named(found: pd.DataFrame, alias: Aliases) -> pd.DataFrame:
    """The engine's long frame with the study's names of its summarised variables."""
    return found.assign(variable=found["variable"].map(alias.name))


def _label(spec: list[str], row: pd.Series, alias: Aliases) -> str:
    """The group key of ``row`` (``spec``: aliased columns) in the study's names."""
    names = [alias.name(c) for c in spec]
    return group_label(names, [row[c] for c in spec]) if spec else "overall"


def _n_rows(tbl, by_keys, table, data, alias) -> pd.DataFrame:  # noqa: ANN001
    out = []
    for spec in _specs(by_keys):
        # one row per subject (checked by the caller): rows are counted, no id is needed
        sizes = sort_by_levels(engine.group_sizes(tbl, by=spec, unique=True), spec, data)
        for _, r in sizes.iterrows():
            out.append(
                {
                    "table": table,
                    "variable": "N",
                    "level": "",
                    "group": _label(spec, r, alias),
                    "stat": "N",
                    "value": r["N"],
                    "method": "subjects",
                }
            )
    return ard_frame(out, context="group_size")


def _categorical(
    var_counts, var, by_cols, levels, test, table, seed, *, boolean, alias, untestable, left_out
) -> pd.DataFrame:  # noqa: ANN001, E501
    rows = []
    counts_by_spec = {}
    by_level = var_counts.assign(_level=var_counts["level"].astype("string"))
    for spec in _specs(by_cols):
        if spec:
            counts = by_level
        else:
            counts = by_level.groupby("_level", dropna=False)["n"].sum().reset_index()
        counts_by_spec[tuple(spec)] = counts
        groups = counts.groupby(spec, dropna=False) if spec else [((), counts)]
        for key, grp in groups:
            key_t = key if isinstance(key, tuple) else (key,)
            g = group_label(alias.all_names(spec), key_t) if spec else "overall"
            miss = int(grp.loc[grp["_level"].isna(), "n"].sum())
            nonmiss = int(grp.loc[grp["_level"].notna(), "n"].sum())
            base = {"table": table, "variable": var, "group": g}
            for level in levels:
                n = int(grp.loc[grp["_level"] == level, "n"].sum())
                lvl = "yes" if boolean else level
                rows += [
                    {**base, "level": lvl, "stat": "n", "value": n, "method": ""},
                    {**base, "level": lvl, "stat": "N", "value": nonmiss, "method": "non-missing"},
                    {
                        **base,
                        "level": lvl,
                        "stat": "pct",
                        "value": 100 * n / nonmiss if nonmiss else np.nan,
                        "method": "",
                    },
                ]
            rows.append({**base, "level": "", "stat": "n_missing", "value": miss, "method": ""})
    if by_cols:
        counted = counts_by_spec[tuple(by_cols)]
        rows += _categorical_tests(counted, var, by_cols[0], levels, test, table, seed, alias, untestable, left_out)  # fmt: skip
    return ard_frame(rows, context="categorical_summary")


def _categorical_tests(
    counts, var, by, levels, test, table, seed, alias, untestable, left_out
) -> list[dict]:  # noqa: ANN001, E501
    """The test and SMD of a categorical variable against the groups of ``by``; when there is
    nothing to compare (values in fewer than two groups, or a single level observed) neither,
    and ``untestable[var]`` says why (a footnote of the table). A group of patients without a
    value takes no part: ``left_out[var]`` names it when the others are tested; the SMD (of
    two groups) is given for a table of two groups only."""
    c = counts.loc[counts["_level"].notna()]
    groups = sorted(c[by].astype(str).unique())
    mat = np.array(
        [
            [int(c.loc[(c[by].astype(str) == g) & (c["_level"] == lv), "n"].sum()) for lv in levels]
            for g in groups
        ]
    )
    if mat.ndim < 2:  # no group has a value (no subjects): nothing to count or compare
        mat = mat.reshape(len(groups), len(levels))
    if mat.shape[1] == 1:  # boolean: yes / no
        totals = np.array([int(c.loc[c[by].astype(str) == g, "n"].sum()) for g in groups])
        mat = np.column_stack([mat[:, 0], totals - mat[:, 0]])
    mat = mat[:, mat.sum(axis=0) > 0]
    # the groups of patients (with a value or not), to say which took no part
    patients = counts.groupby(counts[by].astype(str))["n"].sum()
    without = [str(g) for g in patients.index[patients > 0] if g not in set(groups)]
    if test == "none":
        pass  # no test asked for: nothing to explain
    elif mat.ndim < 2 or mat.shape[0] < 2:
        untestable[var] = "values in one group only" if mat.shape[0] else "no values"
    elif mat.shape[1] < 2:
        untestable[var] = "a single level observed"
    out = []
    base = {"table": table, "variable": var, "level": "", "group": f"{alias.name(by)}=*"}
    if test != "none" and mat.shape[0] >= 2 and mat.shape[1] >= 2:
        res = contingency_test(mat, test=test, seed=seed)
        if getattr(res, "statistic", None) is not None:
            out.append({**base, "stat": "statistic", "value": res.statistic, "method": res.method})
        out.append({**base, "stat": "p_value", "value": res.p_value, "method": res.method})
        if test == "chi2":
            out += expected_count_rows(mat, base)
        if without:
            left_out[var] = without
    if mat.shape[0] == 2 and mat.shape[1] >= 2 and not without:
        props = mat / mat.sum(axis=1, keepdims=True)
        smd = tests.smd_categorical(props[0], props[1])
        out.append({**base, "stat": "smd", "value": smd.smd, "method": smd.method})
    return [r if "context" in r else {**r, "context": test_context(r["method"])} for r in out]


def _continuous(
    tbl, var, by_cols, summaries, test, table, n_groups, alias, untestable, left_out
) -> pd.DataFrame:  # noqa: ANN001
    """The summaries of ``var`` per group and its test; why it could not be tested, if so, into
    ``untestable`` (variable -> words)."""
    rows = []
    for spec in _specs(by_cols):
        s = summaries[tuple(spec)]
        for _, r in s.iterrows():
            base = {"table": table, "variable": var, "level": "", "group": _label(spec, r, alias)}
            for stat in ("n", "n_missing", "mean", "sd", "median", "q1", "q3", "min", "max"):
                rows.append({**base, "stat": stat, "value": r[stat], "method": ""})
    if by_cols:
        s = summaries[tuple(by_cols)].sort_values(by_cols[0])
        by = alias.name(by_cols[0])
        base = {"table": table, "variable": var, "level": "", "group": f"{by}=*"}
        res = _continuous_test(tbl, var, by_cols[0], s, test, n_groups, alias)
        if isinstance(res, str):
            untestable[var] = res
        elif res is not None:
            without = [str(g) for g in s.loc[s["n"] == 0, by_cols[0]]]
            if without:
                left_out[var] = without
            rows += [
                {**base, "stat": "statistic", "value": res[1], "method": res[2]},
                {**base, "stat": "p_value", "value": res[0], "method": res[2]},
            ]
        args = [float(s.iloc[i][k]) for i in range(min(len(s), 2)) for k in ("mean", "sd")]
        if len(s) == 2 and all(map(math.isfinite, args)) and (s["sd"] > 0).any():
            smd = tests.smd_from_summary(*args)
            rows.append({**base, "stat": "smd", "value": smd.smd, "method": smd.method})
    tested = [{**r, "context": test_context(r["method"])} if r["method"] else r for r in rows]
    return ard_frame(tested, context="continuous_summary")


def _continuous_test(
    tbl, var, by, s, test, n_groups, alias
) -> tuple[float, float, str] | str | None:  # noqa: ANN001
    """``(p, statistic, method)`` of the continuous test, from the group summaries counted on
    the engine (:mod:`analysis.stats.summary_tests`, the one implementation of each test);
    ``by`` is the group's alias, ``var`` the study's name. Every group with a value takes part
    (a group of one value too: ANOVA and Kruskal-Wallis use it, as scipy and R do; they once
    left it out in silence, and ANOVA's p was that of the other groups). When the test cannot
    be computed, why, in words (shown under the table); None with ``test="none"``."""
    s = s.loc[s["n"] > 0]
    if test == "none":
        return None
    if len(s) < 2:
        return "values in one group only" if len(s) else "no values"
    if test == "welch":
        if len(s) > 2:
            raise ArgumentError(
                f"`{var}` by `{alias.name(by)}` has {len(s)} groups: the Welch t-test compares "
                f"two; choose continuous_test='anova' or 'kruskal' (in a study file: "
                f"`analysis.options.continuous_test`)."
            )
        if (s["n"] < 2).any():
            return "a group with a single value (Welch's t-test needs a variance in each group)"
        if not (s["sd"] > 0).any():
            return "no variation within either group (Welch's t-test is not defined)"
        result = welch_summary(*[float(s.iloc[i][k]) for i in (0, 1) for k in ("n", "mean", "sd")])
    elif test == "anova":
        if s["n"].sum() <= len(s):
            return "no group with two or more values (ANOVA needs a variance within groups)"
        sd = s["sd"].where(s["n"] > 1, 0.0)  # a single value adds nothing within its group
        result = anova_summary(s["n"], s["mean"], sd)
    else:
        per_group, ties = engine.rank_sums(tbl, variable=alias[var], by=[by])
        if len(ties) == 1 and int(ties["t"].iloc[0]) == int(per_group["n"].sum()):
            return "every value is the same (Kruskal-Wallis is not defined)"
        result = kruskal_summary(per_group["n"], per_group["rank_sum"], ties["t"])
    return result.p_value, float(result.statistic or 0.0), result.method


def _layout(
    frame: pd.DataFrame, labels: dict[str, str], untested: set[str] | None = None
) -> pd.DataFrame:
    look = stat_lookup(frame)
    # the group sizes' rows (a study variable may be named ``N`` too)
    sizes = frame.loc[(frame["variable"] == "N") & (frame["context"] == "group_size"), "group"]
    groups = list(dict.fromkeys(sizes))
    heads = {
        g: f"{'Overall' if g == 'overall' else g.split('=', 1)[1]} "
        f"(N={int(look[('N', '', g, 'N')])})"
        for g in groups
    }
    star = [g for g in dict.fromkeys(frame["group"]) if g.endswith("=*")]
    rows = []
    for var, label in labels.items():
        sub = frame.loc[frame["variable"] == var]
        if sub.empty:
            continue
        continuous = (sub["stat"] == "mean").any()
        p = look.get((var, "", star[0], "p_value")) if star else None
        smd = look.get((var, "", star[0], "smd")) if star else None
        shown_p = NOT_TESTED if var in (untested or set()) else ""  # "no p-value or SMD"
        extra = (
            {
                "p-value": fmt_p(p) if p is not None else shown_p,
                "SMD": fmt_num(smd, 2) if smd is not None else shown_p,
            }
            if star
            else {}
        )
        if continuous:
            rows.append(
                {
                    "Characteristic": f"{label}, mean (SD)",
                    **{
                        heads[g]: _shown(
                            look.get((var, "", g, "mean")), "{} ({})", look.get((var, "", g, "sd"))
                        )  # fmt: skip
                        for g in groups
                    },
                    **extra,
                }
            )
            rows.append(
                {
                    "Characteristic": f"{SUB_ROW}median [Q1, Q3]",
                    **{
                        heads[g]: _shown(
                            look.get((var, "", g, "median")),
                            "{} [{}, {}]",
                            look.get((var, "", g, "q1")),
                            look.get((var, "", g, "q3")),
                        )  # fmt: skip
                        for g in groups
                    },
                    **dict.fromkeys(extra, ""),
                }
            )
        else:
            levels = list(dict.fromkeys(sub.loc[sub["stat"] == "n", "level"]))
            if levels == ["yes"]:
                rows.append(
                    {
                        "Characteristic": f"{label}, n (%)",
                        **{
                            heads[g]: fmt_n_pct(
                                look.get((var, "yes", g, "n")), look.get((var, "yes", g, "pct"))
                            )
                            for g in groups
                        },
                        **extra,
                    }
                )
            else:
                rows.append(
                    {
                        "Characteristic": f"{label}, n (%)",
                        **dict.fromkeys(heads.values(), ""),
                        **extra,
                    }
                )
                for lv in levels:
                    rows.append(
                        {
                            "Characteristic": f"{SUB_ROW}{lv}",
                            **{
                                heads[g]: fmt_n_pct(
                                    look.get((var, lv, g, "n")), look.get((var, lv, g, "pct"))
                                )
                                for g in groups
                            },
                            **dict.fromkeys(extra, ""),
                        }
                    )
        n_miss = [look.get((var, "", g, "n_missing"), 0) for g in groups]
        if any(m and m > 0 for m in n_miss):
            rows.append(
                {
                    "Characteristic": f"{SUB_ROW}missing",
                    **{heads[g]: str(int(m)) for g, m in zip(groups, n_miss, strict=True)},
                    **dict.fromkeys(extra, ""),
                }
            )
    out = pd.DataFrame(rows)
    if "p-value" in out and not (frame["stat"] == "p_value").any():
        out = out.drop(columns="p-value")  # no test run (e.g. a frequencies table): no column
    return out


def _shown(value: float | None, pattern: str, *more: float | None) -> str:
    """A continuous summary cell ("39.0 (12.1)", "40.0 [31.0, 52.5]"): ``NA`` for a summary
    the group's values do not define, rather than an empty bracket ("39.0 ()")."""
    numbers = [fmt_num(v) or UNDEFINED for v in (value, *more)]
    return UNDEFINED if numbers[0] == UNDEFINED else pattern.format(*numbers)
