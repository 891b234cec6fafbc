"""Response table: distribution of an ordered response grade by group, within strata.

Population: subjects with a non-missing outcome (the assessable subjects); the number excluded
is stated in a footnote and kept in the ARD (``n_missing``). Within each stratum of ``within``
(e.g. monotherapy / combined) and over all subjects, each level of ``by`` (e.g. sex) and the
stratum total get n (%) per grade, "any improvement" and "marked improvement" with a confidence
interval. The levels of ``by`` are compared within each stratum by the Fisher-Freeman-Halton
exact test on the (``by`` x grade) table and by a trend test across the ordered grades.

Counts run on the engine (``engine.level_counts``); tests run on the small count table.

Over 400 lines as one job: the response table, whose strata, grades, intervals and tests are one
table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.ard import OVERALL, ard_frame, concat_ard, group_label
from analysis.engine import counts as engine
from analysis.errors import ArgumentError
from analysis.report.method_prose import method_words, per_table_merged
from analysis.stats import tests
from analysis.stats.ci_level import ci_level
from analysis.stats.proportions import PROPORTION_CI_METHODS, proportion_ci
from analysis.stats.results import test_context
from analysis.tables._aliases import Aliases
from analysis.tables._arguments import shaped
from analysis.tables._columns import require_columns, require_frame
from analysis.tables._common import levels_of, p_value_head
from analysis.tables.render import SUB_ROW, TableResult, fmt_ci, fmt_n_pct, fmt_p, stat_lookup
from analysis.words import counted

TABLE = "response"
ALL = "all"
ANY_VARIABLE = "any_improvement"
ANY_LEVEL = "any improvement"
MARKED_VARIABLE = "marked_improvement"
TREND_CONTEXT = (
    "trend_test"  # the trend test's rows: level "", told apart from the FFH's by context
)
TREND_TESTS = ("cochran_armitage", "mann_whitney", "none")


@shaped(choices={"ci": PROPORTION_CI_METHODS, "trend_test": TREND_TESTS})
def response_table(
    data: pd.DataFrame,
    *,
    by: str = "sex",
    within: str | None = "therapy_group",
    outcome: str = "response_12m",
    improvement_levels: Sequence[str] = ("mild improvement", "marked improvement"),
    marked_level: str = "marked improvement",
    ci: str = "wilson",
    alpha: float = 0.05,
    trend_test: str = "cochran_armitage",
    subject_id: str = "patient_id",
    seed: int | None = None,
) -> TableResult:
    """Response grades n (%) by ``by`` within strata of ``within``, with exact and trend tests.

    Parameters
    ----------
    data : subject-level table (one row per subject).
    by : column whose levels are compared (columns of the table, e.g. ``sex``).
    within : stratifying column (e.g. ``therapy_group``); an "all" stratum is always added.
        ``None``: no stratification.
    outcome : ordered categorical response; its category order defines the grades 1..k.
        Subjects with a missing outcome are excluded (and counted in a footnote).
    improvement_levels : grades that make up "any improvement".
    marked_level : the grade reported again as a row of its own (with its CI), e.g. the best.
    ci : confidence interval of the percentages (``analysis.stats.proportions.proportion_ci``):
        ``wilson`` (default), ``wilson_cc``, ``clopper_pearson``, ``agresti_coull``, ``wald``.
    alpha : 1 - confidence level.
    trend_test : ``cochran_armitage`` (Cochran-Armitage test on the 2 x k table of the two
        ``by`` levels across the grades, scores 1..k; R ``prop.trend.test``), ``mann_whitney``
        (Wilcoxon-Mann-Whitney on the grade scores 1..k, normal approximation with ties and
        continuity correction) or ``none``. Both need exactly two ``by`` levels with subjects.
    seed : for a Monte-Carlo fallback of the Fisher-Freeman-Halton test on very large tables.

    Returns
    -------
    TableResult named ``response``. ARD stats per group (``<within>=<s>;<by>=<level>``, the
    stratum total ``<within>=<s>``, ``<by>=<level>`` and ``overall`` for the "all" stratum):
    ``n``, ``N`` (assessable subjects in the group), ``pct`` per grade (variable ``outcome``),
    ``n_missing`` (subjects of the group without the outcome); variables ``any_improvement`` and
    ``marked_improvement`` add ``ci_low``/``ci_high`` in percent. Tests per stratum, group
    ``<within>=<s>;<by>=*`` (``<by>=*`` for all subjects): ``p_value`` of the
    Fisher-Freeman-Halton test (variable ``outcome``, level ``""``) and ``p_value`` and
    ``statistic`` of the trend test (level ``""``, context ``trend_test``).

    References
    ----------
    Freeman GH, Halton JH. Biometrika 1951;38:141-149. Armitage P. Biometrics 1955;11:375-386.
    Wilson EB. J Am Stat Assoc 1927;22:209-212.
    """
    require_frame("response_table", data, table="data")
    require_columns(
        "response_table",
        data,
        table="the data",
        subject_id=subject_id,
        by=by,
        within=within,
        outcome=outcome,
    )
    grades, by_levels, strata = _check_inputs(
        data, by, within, outcome, improvement_levels, marked_level, trend_test, subject_id
    )
    keys = [within, by] if within is not None else [by]
    # counted under aliases: the study's columns may be named as the counts' own (``n``...)
    alias = Aliases([*keys, outcome])
    raw = engine.level_counts(
        engine.as_table(alias.frame(data)), variable=alias[outcome], by=alias.all(keys)
    )
    counts = _count_cube(raw, alias.all(keys), alias[outcome], strata, by_levels, grades)
    missing = _missing_counts(raw, alias.all(keys), alias[outcome], strata, by_levels)

    observed_by = [b for b in by_levels if counts[:, by_levels.index(b), :].sum() > 0]
    if trend_test != "none" and len(observed_by) > 2:
        raise ArgumentError(
            f"`{by}` has {len(observed_by)} levels with assessable subjects ({observed_by}); "
            f"the {trend_test} trend test compares two groups. Pass trend_test='none' (in a "
            f"study file: `trend_test: none` on this table, or "
            f"`analysis.options.response_trend_test: none` for every response table) or choose "
            f"a `by` column with two levels."
        )

    frames = []
    for i_s, stratum in enumerate([*strata, ALL] if within is not None else [ALL]):
        cube = counts.sum(axis=0) if stratum == ALL else counts[i_s]
        miss = missing.sum(axis=0) if stratum == ALL else missing[i_s]
        frames.append(
            _stratum_rows(
                cube,
                miss,
                stratum=stratum,
                within=within,
                by=by,
                by_levels=by_levels,
                grades=grades,
                outcome=outcome,
                improvement_levels=improvement_levels,
                marked_level=marked_level,
                ci=ci,
                alpha=alpha,
            )
        )
        frames.append(
            _test_rows(
                cube,
                stratum=stratum,
                within=within,
                by=by,
                outcome=outcome,
                trend_test=trend_test,
                seed=seed,
            )
        )
    frame = concat_ard(frames)
    n_pop = int(counts.sum())
    n_excluded = int(missing.sum())
    notes = _footnotes(
        frame, by, within, outcome, grades, improvement_levels, ci, alpha, n_pop, n_excluded
    )
    strata_shown = [*strata, ALL] if within is not None else [ALL]
    return TableResult(
        name=TABLE,
        title=f"Response ({outcome}) by {by}" + (f" within {within}" if within else ""),
        frame=frame,
        layout=lambda f: _layout(
            f, by, within, strata_shown, by_levels, grades, outcome, marked_level, alpha
        ),
        footnotes=notes,
    )


# ----------------------------------------------------------------------------- inputs


def _check_inputs(
    data: pd.DataFrame,
    by: str,
    within: str | None,
    outcome: str,
    improvement_levels: Sequence[str],
    marked_level: str,
    trend_test: str,
    subject_id: str,
) -> tuple[list[str], list[str], list[str]]:
    if trend_test not in TREND_TESTS:
        raise ArgumentError(f"trend_test {trend_test!r} is not one of {TREND_TESTS}")
    if within is not None and within == by:
        raise ArgumentError(f"`by` and `within` are both {by!r}; choose two different columns.")
    keys = [within, by] if within is not None else [by]
    engine.check_subject_table(data, by=keys, subject_id=subject_id)
    if outcome not in data.columns:
        raise ArgumentError(
            f"outcome column `{outcome}` is not in the data; it has {list(data.columns)}."
        )
    dtype = data[outcome].dtype
    if not isinstance(dtype, pd.CategoricalDtype) or not dtype.ordered:
        raise ArgumentError(
            f"`{outcome}` must be an ordered categorical (its category order defines the grades "
            f"1..k of the trend test); found dtype {dtype}. Convert it with "
            "pd.Categorical(values, categories=[...], ordered=True)."
        )
    grades = levels_of(data, outcome)
    unknown = [lv for lv in [*improvement_levels, marked_level] if lv not in grades]
    if unknown:
        raise ArgumentError(
            f"improvement level(s) {unknown} are not grades of `{outcome}`; its grades are "
            f"{grades}. Check `improvement_levels` / `marked_level`."
        )
    if not improvement_levels:
        raise ArgumentError(
            "`improvement_levels` is empty; name the grades that count as improved."
        )
    by_levels = levels_of(data, by)
    strata = levels_of(data, within) if within is not None else []
    return grades, by_levels, strata


def _count_cube(
    raw: pd.DataFrame,
    keys: list[str],
    outcome: str,
    strata: list[str],
    by_levels: list[str],
    grades: list[str],
) -> np.ndarray:
    """Counts as an array ``[stratum, by level, grade]`` (one stratum when not stratified)."""
    cube = np.zeros((max(len(strata), 1), len(by_levels), len(grades)), dtype=np.int64)
    for stratum, by_level, level, n in _count_rows(raw, keys, outcome):
        if level is None or pd.isna(level):
            continue
        i_s = strata.index(str(stratum)) if len(keys) == 2 else 0
        cube[i_s, by_levels.index(str(by_level)), grades.index(str(level))] += int(n)
    return cube


def _count_rows(raw: pd.DataFrame, keys: list[str], outcome: str) -> Any:
    """``(stratum, by level, outcome level, n)`` of each row of ``raw`` (by column, not by
    ``itertuples``' field names, which rename columns that start with ``_``)."""
    return zip(raw[keys[0]], raw[keys[-1]], raw[outcome], raw["n"], strict=True)


def _missing_counts(
    raw: pd.DataFrame, keys: list[str], outcome: str, strata: list[str], by_levels: list[str]
) -> np.ndarray:
    """Subjects without the outcome as an array ``[stratum, by level]``."""
    out = np.zeros((max(len(strata), 1), len(by_levels)), dtype=np.int64)
    for stratum, by_level, level, n in _count_rows(raw, keys, outcome):
        if level is None or pd.isna(level):
            i_s = strata.index(str(stratum)) if len(keys) == 2 else 0
            out[i_s, by_levels.index(str(by_level))] += int(n)
    return out


# ----------------------------------------------------------------------------- ARD rows


def _group(within: str | None, stratum: str, by: str, level: str | None) -> str:
    keys: list[str] = []
    values: list[str] = []
    if within is not None and stratum != ALL:
        keys.append(within)
        values.append(stratum)
    if level is not None:
        keys.append(by)
        values.append(level)
    return group_label(keys, values)


def _stratum_rows(
    cube: np.ndarray,
    miss: np.ndarray,
    *,
    stratum: str,
    within: str | None,
    by: str,
    by_levels: list[str],
    grades: list[str],
    outcome: str,
    improvement_levels: Sequence[str],
    marked_level: str,
    ci: str,
    alpha: float,
) -> pd.DataFrame:
    """n, N, pct per grade and any / marked improvement with CI, per ``by`` level and total."""
    improved = [grades.index(lv) for lv in improvement_levels]
    marked = grades.index(marked_level)
    ci_method = f"{ci} {ci_level(alpha)}% CI"
    out: list[dict[str, Any]] = []
    columns: list[tuple[str | None, np.ndarray, int]] = [
        (lv, cube[i], int(miss[i])) for i, lv in enumerate(by_levels)
    ]
    columns.append((None, cube.sum(axis=0), int(miss.sum())))
    for level, per_grade, n_missing in columns:
        grp = _group(within, stratum, by, level)
        big_n = int(per_grade.sum())
        for grade, n in zip(grades, per_grade, strict=True):
            out += _n_pct(outcome, grade, grp, int(n), big_n)
        out.append(
            {
                "variable": outcome,
                "level": "",
                "group": grp,
                "stat": "n_missing",
                "value": n_missing,
                "method": f"subjects without `{outcome}` (excluded)",
            }
        )
        for variable, lvl, n in (
            (ANY_VARIABLE, ANY_LEVEL, int(per_grade[improved].sum())),
            (MARKED_VARIABLE, marked_level, int(per_grade[marked])),
        ):
            out += _n_pct(variable, lvl, grp, n, big_n)
            res = proportion_ci(n, big_n, method=ci, alpha=alpha)
            base = {"variable": variable, "level": lvl, "group": grp, "method": ci_method}
            out += [
                {**base, "stat": "ci_low", "value": 100 * res.ci_low},
                {**base, "stat": "ci_high", "value": 100 * res.ci_high},
            ]
    return ard_frame(({"table": TABLE, **r} for r in out), context="categorical_summary")


def _n_pct(variable: str, level: str, group: str, n: int, big_n: int) -> list[dict[str, Any]]:
    base = {"variable": variable, "level": level, "group": group}
    return [
        {**base, "stat": "n", "value": n, "method": ""},
        {**base, "stat": "N", "value": big_n, "method": "assessable subjects in the group"},
        {**base, "stat": "pct", "value": 100 * n / big_n if big_n else np.nan, "method": ""},
    ]


def _test_rows(
    cube: np.ndarray,
    *,
    stratum: str,
    within: str | None,
    by: str,
    outcome: str,
    trend_test: str,
    seed: int | None,
) -> pd.DataFrame:
    """FFH exact and trend test comparing the ``by`` levels in one stratum (``cube[by, grade]``)."""
    prefix = _group(within, stratum, by, None)
    grp = f"{prefix};{by}=*" if prefix != OVERALL else f"{by}=*"
    table = cube[cube.sum(axis=1) > 0]
    out: list[dict[str, Any]] = []
    if table.shape[0] < 2:
        return ard_frame(out)
    ffh = tests.fisher_exact_rxc(table, seed=seed)
    out.append(
        {
            "variable": outcome,
            "level": "",
            "group": grp,
            "stat": "p_value",
            "value": ffh.p_value,
            "method": ffh.method,
        }
    )
    if trend_test != "none":
        p, statistic, method = _trend(table, trend_test)
        base = {"variable": outcome, "level": "", "group": grp, "method": method,
                "context": TREND_CONTEXT}  # fmt: skip
        out += [
            {**base, "stat": "p_value", "value": p},
            {**base, "stat": "statistic", "value": statistic},
        ]
    return ard_frame({"table": TABLE, "context": test_context(r["method"]), **r} for r in out)


def _trend(table: np.ndarray, trend_test: str) -> tuple[float, float, str]:
    """Trend test across the ordered grades (columns, scores 1..k) between two rows."""
    k = table.shape[1]
    occupied = int((table.sum(axis=0) > 0).sum())
    if trend_test == "cochran_armitage":
        name = f"cochran-armitage trend (scores 1..{k})"
        if occupied < 2:
            return np.nan, np.nan, f"{name} (not computable: all subjects in one grade)"
        res = tests.cochran_armitage_trend(table)  # default scores 1..k
        return res.p_value, res.statistic, res.method
    name = f"{tests.MANN_WHITNEY} on grade scores 1..{k}"
    if occupied < 2:
        return np.nan, np.nan, f"{name} (not computable: all subjects in one grade)"
    scores = np.arange(1, k + 1, dtype=float)
    mw = tests.mann_whitney(np.repeat(scores, table[0]), np.repeat(scores, table[1]))
    return mw.p_value, float(mw.statistic) if mw.statistic is not None else np.nan, name


# ----------------------------------------------------------------------------- text


def _footnotes(
    frame: pd.DataFrame,
    by: str,
    within: str | None,
    outcome: str,
    grades: list[str],
    improvement_levels: Sequence[str],
    ci: str,
    alpha: float,
    n_pop: int,
    n_excluded: int,
) -> tuple[str, ...]:
    level = ci_level(alpha)
    notes = [
        f"Population: subjects with a non-missing `{outcome}` (N = {n_pop}); "
        f"{counted(n_excluded, 'subject')} without it (not assessable) "
        f"{'is' if n_excluded == 1 else 'are'} excluded.",
        "n (%) = subjects at each grade; percentages of the assessable subjects in the column (N).",
        # the levels in backticks: a study's plan shows them in its words
        f"Any improvement = {' or '.join(f'`{lv}`' for lv in improvement_levels)}; grades in "
        f"order {' < '.join(f'`{g}`' for g in grades)}.",
        f"{level}% CI of the percentage: {method_words(ci)}.",
    ]
    p = frame.loc[frame["stat"] == "p_value"]
    is_trend = p["context"] == TREND_CONTEXT
    ffh = per_table_merged(p.loc[(p["level"] == "") & ~is_trend, "method"])
    trend = per_table_merged(p.loc[is_trend, "method"])
    where = f"within each `{within}` stratum and in all subjects" if within else "in all subjects"
    if ffh:
        notes.append(
            f"p-values compare the `{by}` levels {where}: "
            + "; ".join(method_words(m) for m in ffh)
            + f" on the `{by}` × grade table"
            + (
                f"; {_ordered_words(pd.Series(trend))[1]}: "
                + "; ".join(method_words(m) for m in trend)
                if trend
                else ""
            )
            + "."
        )
    return tuple(notes)


def _ordered_words(methods: pd.Series) -> tuple[str, str]:
    """The row label and the footnote's words of the test of the ordered grades: a trend test
    (Cochran–Armitage), or a rank comparison of the two groups (Wilcoxon–Mann–Whitney, which
    is no trend test: it was labelled "p for trend across grades")."""
    if methods.astype(str).str.contains("mann-whitney", regex=False).any():
        return (
            "p, ordered grades (rank-sum)",
            "ordered grades compared between the two groups by rank",
        )
    return "p for trend across grades", "trend across ordered grades"


def _column_title(stratum: str, level: str | None) -> str:
    """A column's group as the adverse-event tables name theirs (``_common.group_title``):
    "Monotherapy, female" (a level within a stratum), "Monotherapy" (the stratum, every
    level), "Female" (the level in all subjects), "Overall" (all subjects)."""
    parts = [p for p in (None if stratum == ALL else stratum, level) if p is not None]
    title = ", ".join(parts) if parts else "overall"
    return title[:1].upper() + title[1:]


def _layout(
    frame: pd.DataFrame,
    by: str,
    within: str | None,
    strata: list[str],
    by_levels: list[str],
    grades: list[str],
    outcome: str,
    marked_level: str,
    alpha: float,
) -> pd.DataFrame:
    is_trend = frame["context"] == TREND_CONTEXT
    look, trend = stat_lookup(frame.loc[~is_trend]), stat_lookup(frame.loc[is_trend])
    level = ci_level(alpha)
    columns: list[tuple[str, str]] = []  # (heading, group)
    p_columns: list[tuple[str, str]] = []  # (heading, test group)
    for stratum in strata:
        for lv in [*by_levels, None]:
            grp = _group(within, stratum, by, lv)
            big = look.get((outcome, grades[0], grp, "N"))
            if big is None:
                continue
            columns.append((f"{_column_title(stratum, lv)} (N={int(big)})", grp))
        prefix = _group(within, stratum, by, None)
        tested = f"{prefix};{by}=*" if prefix != OVERALL else f"{by}=*"
        p_columns.append((p_value_head(tested), tested))

    def row(label: str, cells: dict[str, str], ps: dict[str, str]) -> dict[str, str]:
        return {"Response": label, **cells, **ps}

    blank_p = {h: "" for h, _ in p_columns}
    rows = [
        row(
            f"{outcome}, n (%)",
            {h: "" for h, _ in columns},
            {h: fmt_p(look.get((outcome, "", g, "p_value"), np.nan)) for h, g in p_columns},
        )
    ]
    for grade in grades:
        rows.append(
            row(
                f"{SUB_ROW}{grade}",
                {
                    h: fmt_n_pct(
                        look.get((outcome, grade, g, "n")), look.get((outcome, grade, g, "pct"))
                    )
                    for h, g in columns
                },
                blank_p,
            )
        )
    if any((outcome, "", g, "p_value") in trend for _, g in p_columns):
        rows.append(
            row(
                f"{SUB_ROW}{_ordered_words(frame.loc[is_trend, 'method'])[0]}",
                {h: "" for h, _ in columns},
                {h: fmt_p(trend.get((outcome, "", g, "p_value"), np.nan)) for h, g in p_columns},
            )
        )
    for variable, lvl, label in (
        (ANY_VARIABLE, ANY_LEVEL, "Any improvement"),
        (MARKED_VARIABLE, marked_level, marked_level[:1].upper() + marked_level[1:]),
    ):
        cells = {}
        for h, g in columns:
            n_pct = fmt_n_pct(
                look.get((variable, lvl, g, "n")), look.get((variable, lvl, g, "pct"))
            )
            ci_txt = fmt_ci(
                look.get((variable, lvl, g, "ci_low"), np.nan),
                look.get((variable, lvl, g, "ci_high"), np.nan),
            )
            cells[h] = f"{n_pct} [{ci_txt}]" if n_pct and ci_txt else n_pct
        rows.append(row(f"{label}, n (%) [{level}% CI]", cells, blank_p))
    return pd.DataFrame(rows)
