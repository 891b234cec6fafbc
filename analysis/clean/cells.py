"""Cells: text trimmed, blank cells recognised, unreadable cells (spreadsheet errors, control
characters, formulas without a value) and records missing a required value logged."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from analysis.clean.columns import TABLE_COLUMNS
from analysis.clean.distinct import map_distinct
from analysis.clean.read import FORMULA_WITHOUT_VALUE
from analysis.clean.step import (
    AUDIT_COLUMNS,
    LOG_COLUMNS,
    Columns,
    Step,
    audit_rows,
    concat_rows,
    log_rows,
)


def strip_text(data: pd.DataFrame) -> pd.DataFrame:
    """Trim text cells; empty text becomes missing. Non-text cells are left as they are."""
    out = data.copy()
    for col in out.columns:
        if col.startswith("source_") or col == "_source":
            continue
        s = out[col]
        if s.dtype == object:
            present = s.notna().to_numpy()
            if present.any():
                values = s.to_numpy(dtype=object).copy()
                values[present] = map_distinct(_strip_cell, values[present])
                out[col] = pd.Series(values, index=s.index, dtype=object)
        elif pd.api.types.is_string_dtype(s):
            is_str = s.map(lambda v: isinstance(v, str))
            if is_str.any():
                stripped = s[is_str].str.strip()
                s = s.where(~is_str, stripped)
                s = s.mask(is_str & (s == ""), None)
                out[col] = s
    if "patient_id" in out:
        out["patient_id"] = _id_texts(out["patient_id"])
    return out


def _strip_cell(value: object) -> object:
    """A text cell trimmed (None when nothing is left); any other cell as it is."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _id_texts(ids: pd.Series) -> pd.Series:
    """:func:`_id_text` of each id: text trimmed (None when nothing is left) in one vectorised
    pass when every id is text, else one call per distinct id."""
    values = ids.to_numpy(dtype=object)
    if infer_dtype(values, skipna=True) != "string":
        return pd.Series(map_distinct(_id_text, ids), index=ids.index, dtype=object)
    trimmed = pd.Series(values, dtype=object).str.strip().to_numpy(dtype=object)
    blank = pd.isna(trimmed)
    blank[~blank] = trimmed[~blank] == ""
    trimmed[blank] = None
    return pd.Series(trimmed, index=ids.index, dtype=object)


EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
# C0 controls but tab, line feed and carriage return (line breaks inside a cell are text), DEL
# and the C1 controls: none is ever part of a value, and pandas or str.strip may drop them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0: "NUL", 0x7F: "DEL"}


def _unreadable(value: object) -> str | None:
    """Why a raw cell cannot be read as a value, or None."""
    if not isinstance(value, str):
        return None
    if value.strip() in EXCEL_ERRORS:
        return "Excel error cell"
    if value.startswith(FORMULA_WITHOUT_VALUE):
        formula = value[len(FORMULA_WITHOUT_VALUE) :].strip()
        return f"Excel formula {formula} saved without its result (open and save it in Excel)"
    m = _CONTROL.search(value)
    if m:
        code = ord(m.group())
        name = _CONTROL_NAMES.get(code, "control character")
        return f"control character U+{code:04X} ({name})"
    return None


def flag_unreadable_cells(data: pd.DataFrame, table: str, columns: Columns | None = None) -> Step:
    """Excel error cells (``#DIV/0!``, ``#N/A``...) and cells holding a control character (a NUL
    byte...) are set missing with an audit row each; a record with one in a required column is
    excluded with that reason. Runs before :func:`strip_text`, which would trim some controls."""
    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    out = data.copy()
    located: pd.DataFrame | None = None  # the records with readable ids, made when first needed
    audit: list[pd.DataFrame] = []
    reasons: dict[object, str] = {}
    for column in out.columns:
        if column.startswith("source_") or column == "_source":
            continue
        why = pd.Series(map_distinct(_unreadable, out[column]), index=out.index, dtype=object)
        bad = why.notna()
        if not bad.any():
            continue
        if located is None:
            has_ids = "patient_id" in data
            located = data.assign(patient_id=_id_texts(data["patient_id"])) if has_ids else data
        values = out.loc[bad, column]
        msgs = [
            f"`{column}` value {v!r} is an {w}; set missing. Correct the cell in the file."
            if w == "Excel error cell"
            else f"`{column}` value {v!r} holds the {w}; the cell cannot be read safely and was "
            f"set missing. Correct the cell in the file."
            for v, w in zip(values, why[bad], strict=True)
        ]
        audit.append(
            audit_rows(
                located.loc[bad],
                table,
                column,
                "unreadable",
                values,
                "set_missing",
                pd.Series(msgs, index=values.index),
            )
        )
        out.loc[bad, column] = None
        spec = spec_of.get(column)
        if spec is not None and spec.required:
            for i, w in zip(values.index, why[bad], strict=True):
                reasons.setdefault(i, f"required `{column}` unreadable: {w}")
    excluded = pd.DataFrame(columns=LOG_COLUMNS)
    if reasons and located is not None:
        idx = list(reasons)
        excluded = log_rows(
            located.loc[idx], table, "unreadable", pd.Series([reasons[i] for i in idx], index=idx)
        )
        out = out.drop(index=idx)
    return Step(out, excluded, concat_rows(audit, AUDIT_COLUMNS))


def _id_text(v: object) -> object:
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def require_values(data: pd.DataFrame, table: str, columns: Columns | None = None) -> Step:
    """Exclude records whose required columns are empty (pandera nullable check, lazy).

    ``columns``: the table's columns (``StudyConfig.columns_for``); default the canonical ones.
    """
    import pandera.pandas as pa

    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    required = [c for c, spec in spec_of.items() if spec.required and c in data]
    schema = pa.DataFrameSchema(
        {c: pa.Column(object, nullable=False, coerce=False) for c in required}, strict=False
    )
    try:
        schema.validate(data.astype({c: object for c in required}), lazy=True)
        return Step(data)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["check"].astype(str).str.contains("not_nullable")]
    bad_idx = sorted(set(fc["index"].dropna().astype(int)))
    if not bad_idx:
        return Step(data)
    bad = data.loc[bad_idx]
    reasons = bad.apply(
        lambda r: (
            "required value missing: " + ", ".join(f"`{c}`" for c in required if pd.isna(r[c]))
        ),
        axis=1,
    )
    return Step(data.drop(index=bad_idx), log_rows(bad, table, "missing", reasons))


def is_blank(value: object) -> bool:
    """True for a cell that holds nothing, in any of the forms readers give an empty cell.

    None, ``pd.NA``, ``NaT`` (pandas or NumPy), NaN (Python or NumPy float) and text that is empty
    or only white space. calamine and openpyxl give None for a blank XLSX cell, but pandas turns
    it into NaT in a column of dates; Parquet nulls arrive as None, NaN or NaT by column type;
    pyreadstat gives NaN or NaT.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    try:
        return bool(pd.isna(value))  # e.g. pd.NaT subclasses; arrays answer with an array
    except (TypeError, ValueError):
        return False
