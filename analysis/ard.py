"""The analysis-results data (ARD) frame: one number a row.

Columns ``table, variable, level, group, stat, value, method``. ``group`` is ``overall`` or
``;``-joined ``key=value`` pairs in the order of ``by`` (``sex=female;therapy_group=combined``).
``value`` is always a float; formatting happens only when a table is rendered.

Fixed ``stat`` names: ``n`` (subjects with the characteristic), ``N`` (denominator), ``pct``
(0-100), ``events``, ``ci_low``, ``ci_high``, ``mean``, ``sd``, ``median``, ``q1``, ``q3``,
``min``, ``max``, ``n_missing``, ``smd``, ``p_value``, ``statistic``, ``df``, ``estimate``,
``surv``, ``n_risk``, ``n_event``, ``n_censor``, ``time``, ``se``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

ARD_COLUMNS = ["table", "variable", "level", "group", "stat", "value", "method"]
OVERALL = "overall"
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
)


def group_label(by: Iterable[str] = (), values: Iterable[Any] = ()) -> str:
    """``group_label(["sex", "therapy_group"], ["female", "combined"])`` ->
    ``"sex=female;therapy_group=combined"``; no ``by`` -> ``"overall"``."""
    pairs = [f"{k}={v}" for k, v in zip(by, values, strict=True)]
    return ";".join(pairs) if pairs else OVERALL


def parse_group(group: str) -> dict[str, str]:
    """Inverse of ``group_label``."""
    if group == OVERALL or not group:
        return {}
    return dict(part.split("=", 1) for part in group.split(";"))


def ard_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a validated ARD frame from dict rows (missing ``level``/``method`` become "")."""
    df = pd.DataFrame(list(rows), columns=ARD_COLUMNS)
    for col in ("table", "variable", "level", "group", "stat", "method"):
        df[col] = df[col].fillna("").astype(str)
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype("float64")
    unknown = sorted(set(df["stat"]) - set(STATS))
    if unknown:
        raise ValueError(f"unknown ARD stat name(s) {unknown}; allowed: {STATS}")
    return df


def concat_ard(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=ARD_COLUMNS)
    return pd.concat(frames, ignore_index=True)[ARD_COLUMNS]


#: ``group`` values that are not a group of patients but a comparison across them
ACROSS = "*"  # ``sex=*``: a test across every level of ``sex`` (one p-value for the variable)
VERSUS = " vs "  # ``sex=male vs female``: a difference or ratio, first level minus/over second


def group_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The ARD with its ``group`` spelt out as ``cards`` does: ``group1``, ``group1_level``,
    ``group2``, ``group2_level``, ... (as many as the deepest group), in the order of ``by``.

    ``overall`` has no group columns filled; ``sex=*`` gives ``group1 = "sex"`` and
    ``group1_level = "*"`` (across all levels: a test); ``sex=male vs female`` gives
    ``group1_level = "male vs female"`` (a comparison, first minus or over second). The
    ``group`` column stays, so the result can be filtered either way.
    """
    parsed = [parse_group(g) for g in frame["group"].astype(str)]
    depth = max((len(p) for p in parsed), default=0)
    out = frame.copy()
    for i in range(depth):
        keys = [list(p)[i] if len(p) > i else "" for p in parsed]
        out[f"group{i + 1}"] = keys
        out[f"group{i + 1}_level"] = [p[k] if k else "" for p, k in zip(parsed, keys, strict=True)]
    return out


def get(
    frame: pd.DataFrame,
    *,
    table: str,
    variable: str,
    stat: str,
    level: str = "",
    group: Mapping[str, str] | None = None,
) -> float:
    """The one ARD number with these keys; ``group`` as a mapping (``{}`` or None: overall).

    ``get(ard, table="ae_incidence", variable="ae_term", level=term, stat="n")`` -> the subjects
    with at least one event of ``term``;
    ``group={"sex": "female"}`` for a subgroup, ``{"sex": "*"}`` for the test across sexes,
    ``{"sex": "male vs female"}`` for the difference. The order of the group's keys does not
    matter. Raises ``KeyError`` naming what was asked and what the ARD holds when there is no
    such row (or, a broken ARD, more than one).
    """
    wanted = dict(group or {})
    sel = frame.loc[
        (frame["table"] == table)
        & (frame["variable"] == variable)
        & (frame["level"].astype(str) == level)
        & (frame["stat"] == stat)
    ]
    sel = sel.loc[[parse_group(g) == wanted for g in sel["group"].astype(str)]]
    if len(sel) == 1:
        return float(sel["value"].iloc[0])
    asked = (
        f"table={table!r}, variable={variable!r}, level={level!r}, group={wanted}, stat={stat!r}"
    )
    if len(sel) > 1:
        raise KeyError(f"{len(sel)} ARD rows for {asked}; the ARD should hold one")
    near = frame.loc[(frame["table"] == table) & (frame["variable"] == variable)]
    if near.empty:
        tables = sorted(set(frame["table"]))
        variables = sorted(set(frame.loc[frame["table"] == table, "variable"]))
        hint = f"variables of {table!r}: {variables}" if variables else f"tables: {tables}"
    else:
        hint = (
            f"levels: {sorted(set(near['level'].astype(str)))[:12]}, "
            f"groups: {sorted(set(near['group'].astype(str)))[:12]}, "
            f"stats: {sorted(set(near['stat']))}"
        )
    raise KeyError(f"no ARD row for {asked}; {hint}")
