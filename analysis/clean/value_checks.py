"""Checks of values the study file declares (``checks[]``: ranges, allowed values) and of
periods whose stop precedes their start; a failing record is excluded with its reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.step import (
    AUDIT_COLUMNS,
    LOG_COLUMNS,
    Step,
    audit_rows,
    concat_rows,
    drop_records,
    log_rows,
)
from analysis.studyfile.config import RangeCheck, StudyConfig


def apply_range_checks(
    data: pd.DataFrame, table: str, config: StudyConfig, *, written: pd.DataFrame | None = None
) -> Step:
    """Apply ``checks[]`` for this table with pandera (lazy: every failure is collected).

    ``written``: the table before its numbers were parsed (same index); an audit row's value
    is then the cell as written (``'1 500'``), as for a number that could not be read, rather
    than the number read from it."""
    import pandera.pandas as pa

    checks = [c for c in config.checks if c.table == table and c.column in data]
    checks += [
        RangeCheck(table=table, column=name, min=spec.min, max=spec.max)  # type: ignore[arg-type]
        for name, spec in config.columns_for(table).items()
        if (spec.min is not None or spec.max is not None) and name in data
    ]
    if not checks:
        return Step(data)
    out = data.copy(deep=False)  # a column is replaced, never written into
    excluded, audit = [], []
    drop: set[object] = set()
    for chk in checks:
        lo = -np.inf if chk.min is None else chk.min
        hi = np.inf if chk.max is None else chk.max
        schema = pa.DataFrameSchema(
            {chk.column: pa.Column(float, pa.Check.in_range(lo, hi), nullable=True)}
        )
        try:
            schema.validate(out[[chk.column]], lazy=True)
            continue
        except pa.errors.SchemaErrors as err:
            idx = sorted(set(err.failure_cases["index"].dropna().astype(int)))
        bad = out.loc[idx]
        values = bad[chk.column]
        msgs = values.map(
            lambda v, c=chk, k="checks" if chk in config.checks else "variables": (
                f"`{c.column}` value {v:g} outside the plausible range "
                f"[{c.min}, {c.max}] ({k}: {c.table}.{c.column})"
            )
        )
        if chk.action == "exclude":
            excluded.append(log_rows(bad, table, "check", msgs))
            drop |= set(idx)
        else:
            as_written = values
            if written is not None and chk.column in written:
                as_written = written.loc[idx, chk.column]
            audit.append(
                audit_rows(bad, table, chk.column, "range", as_written, "set_missing", msgs)
            )
            cleared = out[chk.column].copy()
            cleared.loc[idx] = np.nan
            out[chk.column] = cleared
    return Step(
        drop_records(out, drop) if drop else out,
        concat_rows(excluded, LOG_COLUMNS),
        concat_rows(audit, AUDIT_COLUMNS),
    )


def check_stop_after_start(data: pd.DataFrame, table: str = "concomitant") -> Step:
    """Exclude records (concomitant treatments, treatment periods) whose ``stop_date`` precedes
    their ``start_date``."""
    bad_mask = data["stop_date"].notna() & (data["stop_date"] < data["start_date"])
    if not bad_mask.any():
        return Step(data)
    bad = data.loc[bad_mask]
    msgs = bad.apply(
        lambda r: (
            f"stop_date {r['stop_date']:%Y-%m-%d} is before start_date {r['start_date']:%Y-%m-%d}"
        ),
        axis=1,
    )
    return Step(data.loc[~bad_mask], log_rows(bad, table, "check", msgs))
