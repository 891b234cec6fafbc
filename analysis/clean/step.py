"""One cleaning step: ``df -> Step(data, excluded, audit)``, and the rows it logs.

Nothing in a step mutates its input. ``excluded`` holds one row per raw record not carried
forward (``LOG_COLUMNS``); ``audit`` holds one row per value corrected or flagged
(``AUDIT_COLUMNS``). Every record keeps where it came from (``where``). The rules of the steps
are documented for users in ``docs/derivations.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.columns import Column

LOG_COLUMNS = ["table", "source", "sheet", "row", "patient_id", "step", "reason"]
AUDIT_COLUMNS = [
    "table",
    "source",
    "sheet",
    "row",
    "patient_id",
    "column",
    "check",
    "value",
    "action",
    "message",
]


Columns = dict[str, Column]


@dataclass(frozen=True)
class Step:
    """Result of one cleaning step."""

    data: pd.DataFrame
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LOG_COLUMNS))
    audit: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AUDIT_COLUMNS))


def where(df: pd.DataFrame, i: int | object) -> str:
    """Human location of a record: ``file, sheet 'S', row N``."""
    rec = df.loc[i]
    sheet = f", sheet {rec['source_sheet']!r}" if rec.get("source_sheet") else ""
    return f"{rec['source_file']}{sheet}, row {rec['source_row']}"


def _located(df: pd.DataFrame, table: str, columns: list[str], **fields: object) -> pd.DataFrame:
    """Log rows for the records of ``df``: where each came from, plus ``fields``."""
    out = pd.DataFrame(
        {
            "table": table,
            "source": df["source_file"].astype(str),
            "sheet": df["source_sheet"].astype(str),
            "row": df["source_row"].astype("int64"),
            "patient_id": df["patient_id"].astype("string"),
            **fields,
        },
        index=df.index,
    )
    return out.reset_index(drop=True)[columns]


def log_rows(
    df: pd.DataFrame, table: str, step: str | pd.Series, reasons: pd.Series | str
) -> pd.DataFrame:
    """Exclusion-log rows (``LOG_COLUMNS``) for the records of ``df`` (``step``: one for all,
    or each record's, indexed as ``df``)."""
    return _located(df, table, LOG_COLUMNS, step=step, reason=reasons)


def audit_rows(
    df: pd.DataFrame,
    table: str,
    column: str,
    check: pd.Series | str,
    values: pd.Series,
    action: pd.Series | str,
    messages: pd.Series | str,
) -> pd.DataFrame:
    """Audit-log rows (``AUDIT_COLUMNS``): a value of ``column`` corrected or flagged."""
    return _located(
        df,
        table,
        AUDIT_COLUMNS,
        column=column,
        check=check,
        value=values.astype(str),
        action=action,
        message=messages,
    )


def _each(
    field: str | Callable[[tuple[Any, ...]], str], details: list[tuple[Any, ...]], at: list[Any]
) -> str | pd.Series:
    """``field`` itself, or its value for each cell's ``details`` (indexed ``at``)."""
    return pd.Series([field(d) for d in details], index=at) if callable(field) else field


def marked_cells_audit(
    data: pd.DataFrame,
    table: str,
    marks_column: str,
    check: str | Callable[[tuple[Any, ...]], str],
    action: str | Callable[[tuple[Any, ...]], str],
    said: Callable[[str, tuple[Any, ...]], tuple[object, str]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without marks_column, an audit row per marked cell)``: a reader that changed
    cells as it read them (SPSS user-missing codes, merged spreadsheet cells) left in
    ``marks_column`` per row a list of ``(column, *details)``; ``said(column, details)`` gives
    each cell's value as the file had it and the audit message; ``check`` and ``action`` are
    those of every cell, or give each cell's from its details."""
    if marks_column not in data:
        return data, pd.DataFrame(columns=AUDIT_COLUMNS)
    marks = data[marks_column]
    rows = marks.notna()
    parts = []
    if rows.any():
        marked = data.loc[rows]
        cells = [(i, mark[0], tuple(mark[1:])) for i, m in marks[rows].items() for mark in m]
        for column in dict.fromkeys(c for _, c, _ in cells):
            mine = [(i, said(column, details)) for i, c, details in cells if c == column]
            at = [i for i, _ in mine]
            values = pd.Series([str(value) for _, (value, _) in mine], index=at)
            messages = pd.Series([message for _, (_, message) in mine], index=at)
            details = [d for _, c, d in cells if c == column]
            checks, actions = (_each(f, details, at) for f in (check, action))
            parts.append(
                audit_rows(marked.loc[at], table, column, checks, values, actions, messages)
            )
    return data.drop(columns=marks_column), concat_rows(parts, AUDIT_COLUMNS)


def drop_records(df: pd.DataFrame, labels: Collection[object]) -> pd.DataFrame:
    """``df.drop(index=list(labels))``: the same frame, index type and attrs. When the index is
    strictly increasing integers (as read: the stacked sources' ``RangeIndex``, less the rows
    dropped since) the labels are found by binary search and the rows kept taken by position;
    ``drop`` hashes the whole index for that (1.6 s for 7M records).
    ``tests/unit/clean/test_drop_records.py`` compares the two."""
    index = df.index
    wanted = np.asarray(list(labels))
    if (
        wanted.dtype.kind not in "iu"
        or index.dtype.kind not in "iu"
        or not len(wanted)
        or not _strictly_increasing(index)
    ):
        return df.drop(index=list(labels))
    values = index.to_numpy()
    at = np.searchsorted(values, wanted)
    found = at < len(values)
    if not found.all() or not (values[at] == wanted).all():
        return df.drop(index=list(labels))  # raises: a label is not in the index
    keep = np.ones(len(df), dtype=bool)
    keep[at] = False
    # the index as ``drop`` makes it: deleted in the labels' order (a RangeIndex may stay one)
    return df.take(np.flatnonzero(keep)).set_axis(index.delete(at), axis=0, copy=False)


def _strictly_increasing(index: pd.Index) -> bool:
    if isinstance(index, pd.RangeIndex):
        return index.step > 0
    values = index.to_numpy()
    return bool((values[1:] > values[:-1]).all())


def concat_rows(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
