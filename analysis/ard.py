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
