"""One cleaning step: ``df -> Step(data, excluded, audit)``, and the rows it logs.

Nothing in a step mutates its input. ``excluded`` holds one row per raw record not carried
forward (``LOG_COLUMNS``); ``audit`` holds one row per value corrected or flagged
(``AUDIT_COLUMNS``). Every record keeps where it came from (``where``). The rules of the steps
are documented for users in ``docs/derivations.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def log_rows(df: pd.DataFrame, table: str, step: str, reasons: pd.Series | str) -> pd.DataFrame:
    """Exclusion-log rows (``LOG_COLUMNS``) for the records of ``df``."""
    return _located(df, table, LOG_COLUMNS, step=step, reason=reasons)


def audit_rows(
    df: pd.DataFrame,
    table: str,
    column: str,
    check: str,
    values: pd.Series,
    action: str,
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


def concat_rows(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
