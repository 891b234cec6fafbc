"""Pairwise comparisons of an adverse-event incidence table against a reference group.

Beside the global test across the levels of ``by[0]`` (Fisher–Freeman–Halton, or Fisher for two
levels), each other level is compared with the reference level by Fisher's exact test on its
2×2 table (subjects with / without the event), per row, within each stratum and overall, as
standard treatment-emergent adverse-event tables show a p-value per arm against placebo. The
multiplicity is stated: p-values are not adjusted unless ``adjust`` is ``holm`` or
``bonferroni``, which adjust over the comparisons of one row (one term, one stratum).

ARD rows: ``context = fisher_exact``, ``stat = p_value``, the compared level with the reference
in ``reference`` (``group = sex=male vs female``, spelled out by ``ard_frame``), as the risk
differences of the same table.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from analysis.ard import ard_frame, group_label
from analysis.errors import ArgumentError
from analysis.stats.multiplicity import ADJUSTMENTS, WORDS, adjust_pvalues
from analysis.stats.results import test_context
from analysis.tables._common import compare_counts_many
from analysis.words import counted, in_sentence


@dataclasses.dataclass(frozen=True)
class Pairwise:
    """Compare every level of the table's first ``by`` column with ``reference``; ``adjust``:
    ``none`` (the default: stated in the footnote), ``holm`` or ``bonferroni``."""

    reference: str
    adjust: str = "none"
    #: the reference level and the compared column as the footnote names them (default: codes)
    reference_words: str | None = None
    compare_words: str | None = None

    def __post_init__(self) -> None:
        if self.adjust not in ADJUSTMENTS:
            raise ArgumentError(
                f"pairwise adjust {self.adjust!r} is not one of {list(ADJUSTMENTS)}"
            )


def _cells(
    counts: pd.DataFrame, sizes: pd.DataFrame, by: list[str]
) -> tuple[list[str], list[tuple[str, ...] | None], dict, dict]:
    """Levels of ``by[0]``, the strata (``None`` = pooled), ``N`` per (stratum, level) and
    ``n`` per (stratum, level, variable, row level)."""
    strata = by[1:]
    text = sizes[by].astype(str)
    levels = list(dict.fromkeys(text[by[0]]))
    keys: list[tuple[str, ...] | None] = list(
        dict.fromkeys(map(tuple, text[strata].itertuples(index=False)))
    )
    big: dict = {}
    for row, n in zip(text.itertuples(index=False), sizes["N"], strict=True):
        for s in (tuple(row[1:]), None) if strata else (None,):
            big[(s, row[0])] = big.get((s, row[0]), 0) + int(n)
    small: dict = {}
    ctext = counts[by].astype(str)
    for row, var, lv, n in zip(
        ctext.itertuples(index=False), counts["variable"], counts["level"], counts["n"], strict=True
    ):
        for s in (tuple(row[1:]), None) if strata else (None,):
            k = (s, row[0], var, lv)
            small[k] = small.get(k, 0) + int(n)
    return levels, [*keys, None] if strata else [None], big, small


def pairwise_rows(
    counts: pd.DataFrame,
    sizes: pd.DataFrame,
    by: list[str],
    rows_index: list[tuple[str, str]],
    pairwise: Pairwise,
    *,
    table: str,
) -> pd.DataFrame:
    """Fisher exact p of each level of ``by[0]`` vs ``pairwise.reference``, per row and stratum
    (adjusted over the comparisons of one row when ``pairwise.adjust`` says so)."""
    compare, strata = by[0], by[1:]
    levels, where_all, big, small = _cells(counts, sizes, by)
    ref = pairwise.reference
    if ref not in levels:
        raise ArgumentError(
            f"pairwise reference {ref!r} is not a level of `{compare}`; levels are {levels}"
        )
    others = [lv for lv in levels if lv != ref]
    asked = []
    for where in where_all:
        for variable, level in rows_index:
            n_ref, big_ref = small.get((where, ref, variable, level), 0), big.get((where, ref), 0)
            for lv in others:
                n, big_n = small.get((where, lv, variable, level), 0), big.get((where, lv), 0)
                if big_n and big_ref:
                    asked.append((where, variable, level, lv, [n, n_ref], [big_n, big_ref]))
    tested = compare_counts_many([(a[4], a[5]) for a in asked], test="fisher")
    family: dict[tuple, list[int]] = {}
    for i, a in enumerate(asked):
        family.setdefault(a[:3], []).append(i)
    p = [r[0] if r is not None else float("nan") for r in tested]
    shown = list(p)
    for idx in family.values():
        for i, q in zip(idx, adjust_pvalues([p[i] for i in idx], pairwise.adjust), strict=True):
            shown[i] = float(q)
    out = []
    for a, res, q in zip(asked, tested, shown, strict=True):
        if res is None:
            continue
        where, variable, level, lv = a[:4]
        prefix = group_label(strata, where) + ";" if where is not None else ""
        # the comparisons this p was adjusted over: fewer than the levels compared where a
        # level has no subjects in this stratum
        method = f"{res[1]} vs {ref}" + _adjusted_words(pairwise.adjust, len(family[a[:3]]))
        out.append(
            {
                "table": table,
                "variable": variable,
                "level": level,
                "group": f"{prefix}{compare}={lv} vs {ref}",
                "context": test_context(res[1]),
                "stat": "p_value",
                "value": q,
                "method": method,
            }
        )
    return ard_frame(out, context="fisher_exact")


def _adjusted_words(adjust: str, m: int) -> str:
    if adjust == "none":
        return ", not adjusted for multiplicity"
    return f", {WORDS[adjust]}-adjusted over the {counted(m, 'comparison')} of the row"


def pairwise_p(frame: pd.DataFrame) -> pd.Series:
    """Which rows are the p-values of a pairwise comparison (``group`` "...=B vs A")."""
    return (frame["stat"] == "p_value") & frame["group"].str.contains(" vs ", regex=False)


def pairwise_notes(frame: pd.DataFrame, pairwise: Pairwise, compare: str) -> list[str]:
    """The footnote of the pairwise p-values: the test, the reference and the multiplicity."""
    rows = frame.loc[pairwise_p(frame)]
    if rows.empty:
        return []
    m = len({g.rsplit(";", 1)[-1] for g in rows["group"]})
    # comparisons per row (term, stratum): fewer than m where a level has no subjects at risk
    per_row = rows.groupby(
        [rows["variable"], rows["level"], rows["group"].str.rpartition(";")[0]], observed=True
    ).size()
    fewer = int(per_row.min()) < m
    if pairwise.adjust == "none":
        multiplicity = f"not adjusted for multiplicity ({counted(m, 'comparison')} per row"
        multiplicity += ", fewer where a level has no subjects at risk)" if fewer else ")"
    else:
        multiplicity = (
            f"{WORDS[pairwise.adjust]}-adjusted over the comparisons of each row ({m}, fewer "
            "where a level has no subjects at risk: each row's method gives its number)"
            if fewer
            else f"{WORDS[pairwise.adjust]}-adjusted over the {counted(m, 'comparison')} "
            "of each row"
        )
    ref = pairwise.reference_words or pairwise.reference
    # the column as named: an alias (``_c0``) is written back as the study's name only whole
    what = pairwise.compare_words or compare
    tested = (frame["stat"] == "p_value") & frame["group"].str.endswith("=*")
    beside = "beside the global test" if tested.any() else "without a global test"
    return [
        f"p vs {ref}: Fisher's exact test of each {in_sentence(what)} level against {ref}, "
        f"{beside}; {multiplicity}."
    ]


__all__ = ["Pairwise", "pairwise_notes", "pairwise_rows"]
