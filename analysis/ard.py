"""The analysis-results data (ARD) frame: one number a row, with its groups in columns.

Columns, as R ``cards`` spells them: ``table, context, variable, level, group1, group1_level,
group2, group2_level, ..., reference, stat, value, method`` (as many ``groupK`` pairs as the
deepest grouping; ``""`` where unused). ``level`` is a level of ``variable`` (``""`` for a
whole-variable statistic). A statistic across every level of a group (a test's p-value) has
``groupK = key`` and ``groupK_level = ""``; a comparison of two levels (a risk difference, an
odds ratio) has the compared level where the level goes (``groupK_level`` for groups, ``level``
for a model term) and the other level in ``reference``. ``value`` is always a float.

While a table is built and laid out its frame also carries ``group``: the builders' own key
for a cell (``overall``, ``sex=female``, ``sex=*``, ``sex=male vs female``), which the table
layouts pivot on. It is not part of the ARD: :func:`published` drops it, and :func:`ard_frame`
spells it out into the columns above, the only place that reads it.

Fixed ``stat`` names: ``n`` (subjects with the characteristic), ``N`` (denominator), ``pct``
(0-100), ``events``, ``ci_low``, ``ci_high``, ``mean``, ``sd``, ``median``, ``q1``, ``q3``,
``min``, ``max``, ``n_missing``, ``smd``, ``p_value``, ``statistic``, ``df``, ``estimate``,
``surv``, ``n_risk``, ``n_event``, ``n_censor``, ``time``, ``se``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from analysis.errors import ArgumentError, UnknownNameError
from analysis.report.method_prose import method_words

HEAD = ["table", "context", "variable", "level"]
TAIL = ["reference", "stat", "value", "method"]
KEY = "group"  # the builders' cell key, in memory only (see the module docstring)
ARD_COLUMNS = [*HEAD, KEY, *TAIL]  # the columns a builder's rows carry
OVERALL = "overall"
ACROSS = "*"  # builders' key: ``sex=*`` is a statistic across every level of ``sex``
VERSUS = " vs "  # builders' key: ``sex=male vs female`` compares male with female (reference)
STATS = (
    "n",
    "N",
    "pct",
    "events",
    "ci_low",
    "ci_high",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "min",
    "max",
    "n_missing",
    "smd",
    "p_value",
    "statistic",
    "df",
    "estimate",
    "surv",
    "n_risk",
    "n_event",
    "n_censor",
    "time",
    "se",
    "min_expected",
    "n_cells_expected_below_5",
    "n_cells",
)
#: The context of a categorical variable's summary (baseline, response): each subject counted in
#: one level (or missing), so the levels' ``n`` add up to the variable's ``N`` when every level
#: is listed. A yes/no variable lists its "yes" row only: the rest of ``N`` is its "no".
CATEGORICAL_SUMMARY = "categorical_summary"
#: The stats that count subjects or events: whole numbers, which the claims check compares
#: exactly (a tolerance there would let 247 pass for 246).
COUNT_STATS = (
    "n",
    "N",
    "events",
    "n_missing",
    "n_risk",
    "n_event",
    "n_censor",
    "n_cells_expected_below_5",
    "n_cells",
)


def group_label(by: Iterable[str] = (), values: Iterable[Any] = ()) -> str:
    """The builders' cell key: ``group_label(["sex", "therapy_group"], ["female", "combined"])``
    -> ``"sex=female;therapy_group=combined"``; no ``by`` -> ``"overall"``."""
    pairs = [f"{k}={v}" for k, v in zip(by, values, strict=True)]
    return ";".join(pairs) if pairs else OVERALL


def _spell(key: str) -> tuple[list[tuple[str, str]], str]:
    """A builders' cell key as ``[(group, level), ...]`` and the reference level (or "")."""
    if key in (OVERALL, ""):
        return [], ""
    pairs, reference = [], ""
    for part in key.split(";"):
        name, _, level = part.partition("=")
        if level == ACROSS:
            level = ""
        elif VERSUS in level:
            level, _, reference = level.partition(VERSUS)
        pairs.append((name, level))
    return pairs, reference


def group_names(depth: int) -> list[str]:
    """``["group1", "group1_level", ..., f"group{depth}_level"]``."""
    return [c for i in range(1, depth + 1) for c in (f"group{i}", f"group{i}_level")]


def group_cols(frame: pd.DataFrame) -> list[str]:
    """The ``groupK`` / ``groupK_level`` columns of ``frame``, in order."""
    return [c for c in frame.columns if c.startswith("group") and c != KEY]


def _with_groups(df: pd.DataFrame) -> pd.DataFrame:
    spelled = [_spell(k) for k in df[KEY]]
    depth = max((len(p) for p, _ in spelled), default=0)
    cols: dict[str, list[str]] = {c: [] for c in group_names(depth)}
    for pairs, _ in spelled:
        padded = pairs + [("", "")] * (depth - len(pairs))
        for i, (name, level) in enumerate(padded, start=1):
            cols[f"group{i}"].append(name)
            cols[f"group{i}_level"].append(level)
    out = df.assign(**cols)
    ref = [r for _, r in spelled]
    out["reference"] = [a or b for a, b in zip(out["reference"], ref, strict=True)]
    return out[[*HEAD, *group_names(depth), *TAIL, KEY]]


def ard_frame(rows: Iterable[Mapping[str, Any]], *, context: str = "") -> pd.DataFrame:
    """A validated ARD frame from dict rows (``table, variable, level, group, stat, value,
    method``; optionally ``context`` and ``reference``, else ``context`` and ``""``).

    ``group`` (the builders' key, ``overall`` when missing) is spelt out into ``groupK`` /
    ``groupK_level`` columns and ``reference``; ``level``/``method`` missing become ``""``.
    """
    df = pd.DataFrame(list(rows), columns=ARD_COLUMNS)
    df["context"] = df["context"].fillna(context)
    df[KEY] = df[KEY].fillna(OVERALL)
    for col in ("table", "context", "variable", "level", KEY, "reference", "stat", "method"):
        df[col] = df[col].fillna("").astype(str)
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype("float64")
    unknown = sorted(set(df["stat"]) - set(STATS))
    if unknown:
        raise ArgumentError(f"unknown ARD stat name(s) {unknown}; allowed: {STATS}")
    return _with_groups(df)


def concat_ard(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Frames of ARD rows as one, the group columns as deep as the deepest frame's."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return ard_frame([])
    depth = max(len(group_cols(f)) // 2 for f in frames)
    names = group_names(depth)
    out = pd.concat(frames, ignore_index=True)
    out[names] = out.reindex(columns=names).fillna("")
    extra = [c for c in out.columns if c not in (*HEAD, *names, *TAIL, KEY)]
    keep = [*HEAD, *names, *TAIL, *([KEY] if KEY in out.columns else []), *extra]
    return out[keep]


#: the method of a descriptive statistic whose builder leaves it blank, by stat (``published``)
DESCRIPTIVE_METHODS = {
    "n": "count",
    "events": "count of events",
    "n_missing": "count of missing values",
    "pct": "percentage: n / N × 100",
    "mean": "arithmetic mean",
    "sd": "standard deviation, denominator n − 1",
    "median": "median, by linear interpolation between order statistics (R quantile type 7)",
    "q1": "first quartile, by linear interpolation between order statistics (R quantile type 7)",
    "q3": "third quartile, by linear interpolation between order statistics (R quantile type 7)",
    "min": "minimum",
    "max": "maximum",
}


def published(frame: pd.DataFrame) -> pd.DataFrame:
    """The ARD as written and as ``Study.ard``: without the builders' ``group`` key, each
    denominator once (:func:`one_denominator`), each ``method`` in a statistician's words
    (``method_words``: "fisher exact" -> "Fisher's exact test", as R ``cards`` writes them), and
    a descriptive statistic without one given its definition (:data:`DESCRIPTIVE_METHODS`), so
    that every number of the ARD says how it was made."""
    out = one_denominator(frame.drop(columns=[KEY], errors="ignore")).reset_index(drop=True)
    if "method" in out.columns:
        blank = out["method"] == ""
        out.loc[blank, "method"] = out.loc[blank, "stat"].map(DESCRIPTIVE_METHODS).fillna("")
        words = {m: method_words(m) for m in out["method"].unique()}
        out["method"] = out["method"].map(words)
    return out


def one_denominator(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each denominator as one row: the ``N`` rows of one ``table, context,
    variable``, group and ``reference`` that carry the same number (and the same ``method`` and
    every other column) for every ``level`` become the first of them with ``level`` ``""``.

    The builders write ``N`` beside each level's ``n`` (the table layouts read it there); in
    the ARD it is one number, so one row. Where ``N`` differs by level (a denominator that
    depends on the level) each level keeps its own row. Rows keep their order; a frame with the
    builders' ``group`` key or without ``N`` rows is returned as it is (idempotent)."""
    if KEY in frame.columns:
        return frame
    folded = _folded(frame)
    if not folded:
        return frame
    out = frame.copy()
    out.loc[sorted(set(folded.values())), "level"] = ""
    return out.drop(index=[i for i, k in folded.items() if i != k])


def published_positions(frame: pd.DataFrame) -> list[int]:
    """For each row of a builders' frame (with ``group``), the position in
    ``published(frame)`` of the row that carries its number: its own, or for an ``N`` repeated
    under every level the one ``N`` row (:func:`one_denominator`)."""
    flat = frame.drop(columns=[KEY], errors="ignore").reset_index(drop=True)
    folded = _folded(flat)
    kept = [i for i in range(len(flat)) if folded.get(i, i) == i]
    position = {i: p for p, i in enumerate(kept)}
    return [position[folded.get(i, i)] for i in range(len(flat))]


def _folded(frame: pd.DataFrame) -> dict[Any, Any]:
    """Index of each ``N`` row of a group that :func:`one_denominator` folds -> the index of
    the one row it keeps for the group (itself for that row)."""
    if "stat" not in frame.columns or not (frame["stat"] == "N").any():
        return {}
    n_rows = frame.loc[frame["stat"] == "N"]
    by = [c for c in frame.columns if c not in ("level", "value", "method")]
    out = {}
    for _, cell in n_rows.groupby(by, sort=False, dropna=False):
        # one folded row per key: where two denominators of a variable share a group (every
        # subject, and one sex for the terms of one sex, told apart by their method), the
        # largest (all subjects: a subset's N is never above it) becomes the variable's row and
        # the others keep their levels; folding a published frame again changes nothing
        parts = (
            cell.groupby("method", sort=False, dropna=False) if "method" in cell else [(0, cell)]
        )
        same = [rows for _, rows in parts if _one_value(rows["value"])]
        if same:
            rows = max(same, key=lambda r: (_or_lowest(r["value"].iloc[0]), len(r)))
            value = rows["value"].iloc[0]
            # a denominator of a subset that here equals the group's (one sex's N in a group of
            # that sex) is that same number: folded too
            equal = cell.index[cell["value"] == value] if pd.notna(value) else rows.index
            out.update({i: rows.index[0] for i in rows.index.union(equal)})
    return out


def _or_lowest(value: float) -> float:
    return -math.inf if pd.isna(value) else float(value)


def _one_value(values: pd.Series) -> bool:
    return bool(values.isna().all() or (values.notna().all() and values.nunique() == 1))


def key_columns(frame: pd.DataFrame) -> list[str]:
    """The columns that name one number: ``table, context, variable, level, groupK...,
    reference, stat`` (unique together in an ARD). ``context`` tells apart two computations on
    the same cell (a coefficient's p-value and its proportional-hazards test's)."""
    return ["table", "context", "variable", "level", *group_cols(frame), "reference", "stat"]


def groups_of(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Each row's groups as a mapping ``{group: level}`` (``""``: across all its levels)."""
    cols = group_cols(frame)
    values = frame[cols].fillna("").astype(str).to_numpy()
    pairs = range(0, len(cols), 2)
    return [{row[i]: row[i + 1] for i in pairs if row[i]} for row in values]


def select(
    frame: pd.DataFrame,
    *,
    group: Mapping[str, str] | None = None,
    reference: str | None = None,
    **keys: str,
) -> pd.DataFrame:
    """The rows of ``frame`` with these column values (``table=``, ``variable=``, ``level=``,
    ``stat=``...), exactly these groups (``group=None``: any; ``{}``: overall) and, when given,
    this ``reference`` (``""``: not a comparison)."""
    mask = pd.Series(True, index=frame.index)
    for col, want in keys.items():
        mask &= frame[col].astype(str) == want
    if reference is not None:
        mask &= frame["reference"].astype(str) == reference
    sel = frame.loc[mask]
    if group is not None:
        wanted = {str(k): str(v) for k, v in group.items()}
        sel = sel.loc[[g == wanted for g in groups_of(sel)]]
    return sel


def get(
    frame: pd.DataFrame,
    *,
    table: str,
    variable: str,
    stat: str,
    level: str = "",
    group: Mapping[str, str] | None = None,
    reference: str = "",
    context: str | None = None,
) -> float:
    """The one ARD number with these keys.

    ``group`` maps each group to its level (``None`` or ``{}``: all subjects), in any order:
    ``{"sex": "female"}`` for a subgroup, ``{"sex": ""}`` for a statistic across every level of
    ``sex`` (a test), ``{"sex": "male"}`` with ``reference="female"`` for the comparison of male
    with female (a risk difference). A model contrast is ``level="male", reference="female"``.
    ``stat="N"`` at a level without an ``N`` row of its own is its variable's one ``N`` (``level``
    ``""``): the ARD holds a denominator once unless it differs by level (``one_denominator``).
    ``context`` (``None``: any) picks one computation where two share the cell.
    Raises ``KeyError`` naming what was asked and what the ARD holds when there is no such row,
    or the contexts to choose from when there are several.
    """
    wanted = dict(group or {})
    by_context = {} if context is None else {"context": context}
    sel = select(
        frame,
        table=table,
        variable=variable,
        level=level,
        stat=stat,
        group=wanted,
        reference=reference,
        **by_context,
    )
    if sel.empty and stat == "N" and _has_level(frame, table, variable, level, wanted, reference):
        sel = select(  # the variable's one N (``one_denominator``)
            frame,
            table=table,
            variable=variable,
            level="",
            stat=stat,
            group=wanted,
            reference=reference,
            **by_context,
        )
    if len(sel) == 1:
        return float(sel["value"].iloc[0])
    asked = (
        f"table={table!r}, variable={variable!r}, level={level!r}, group={wanted}, "
        f"reference={reference!r}, stat={stat!r}"
    )
    if len(sel) > 1:
        contexts = sorted(set(sel["context"].astype(str))) if "context" in sel else []
        if len(contexts) > 1:
            raise UnknownNameError(
                f"{len(sel)} ARD rows for {asked}, one per context: give context= one of {contexts}"
            )
        raise UnknownNameError(f"{len(sel)} ARD rows for {asked}; the ARD should hold one")
    raise UnknownNameError(f"no ARD row for {asked}; {_what_exists(frame, table, variable)}")


def _has_level(
    frame: pd.DataFrame,
    table: str,
    variable: str,
    level: str,
    group: Mapping[str, str],
    reference: str,
) -> bool:
    """Whether ``table`` has a row of ``variable`` at ``level`` (not ``""``) in this group and
    comparison: a level seen in another group only has no denominator here."""
    if not level:
        return False
    here = select(
        frame, table=table, variable=variable, level=level, group=group, reference=reference
    )
    return not here.empty


def _what_exists(frame: pd.DataFrame, table: str, variable: str) -> str:
    near = frame.loc[(frame["table"] == table) & (frame["variable"] == variable)]
    if near.empty:
        tables = sorted(set(frame["table"]))
        variables = sorted(set(frame.loc[frame["table"] == table, "variable"]))
        return f"variables of {table!r}: {variables}" if variables else f"tables: {tables}"
    groups = sorted({repr(g) for g in groups_of(near)})
    return (
        f"levels: {sorted(set(near['level'].astype(str)))[:12]}, "
        f"groups: {', '.join(groups[:12])}, "
        f"references: {sorted(set(near['reference'].astype(str)))}, "
        f"stats: {sorted(set(near['stat']))}"
    )
