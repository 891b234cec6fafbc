"""Cells: text trimmed, blank cells recognised, unreadable cells (spreadsheet errors, control
characters, formulas without a value) and records missing a required value logged."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.columns import TABLE_COLUMNS
from analysis.clean.distinct import map_distinct
from analysis.clean.shown_value import shown_value
from analysis.clean.step import (
    AUDIT_COLUMNS,
    Columns,
    Step,
    audit_rows,
    concat_rows,
    drop_records,
    log_rows,
)
from analysis.clean.text_cells import (
    MAYBE_UNREADABLE,
    cells_matching,
    str_positions,
    text_positions,
)
from analysis.clean.xlsx_marks import FORMULA_WITHOUT_VALUE


def strip_text(data: pd.DataFrame, trimmed: Collection[str] = ()) -> pd.DataFrame:
    """Trim text cells; empty text becomes missing. Non-text cells are left as they are.

    ``trimmed``: columns whose every cell the reader trimmed already (``trim_at_read``);
    they are left as they are."""
    columns: dict[str, Any] = {}
    for col in data.columns:
        s = data[col]
        if col.startswith("source_") or col == "_source" or col in trimmed:
            columns[col] = values_copy(s)
        elif col == "patient_id":  # trimmed as an id (a number read as 12.0 is id "12")
            columns[col] = _id_texts(s).to_numpy()
        elif s.dtype == object:
            columns[col] = _stripped(s.to_numpy())
        elif pd.api.types.is_string_dtype(s):
            is_str = s.map(lambda v: isinstance(v, str))
            if is_str.any():
                stripped = s[is_str].str.strip()
                s = s.where(~is_str, stripped)
                s = s.mask(is_str & (s == ""), None)
            columns[col] = s.array
        else:
            columns[col] = values_copy(s)
    # a block a column, as built (copied once, not consolidated into one more copy of the table)
    out = pd.DataFrame(columns, index=data.index, copy=False)
    out.attrs = dict(data.attrs)
    return out


def values_copy(s: pd.Series) -> np.ndarray | Any:
    """A copy of a column's values to build a frame from: a NumPy array where the column is
    one (pandas would check every cell of its ``.array`` wrapper for missing values on the way
    in), else its extension array."""
    return s.to_numpy(copy=True) if isinstance(s.dtype, np.dtype) else s.array.copy()


def _stripped(values: np.ndarray) -> np.ndarray:
    """:func:`_strip_cell` of each cell (an object array): the text cells trimmed in one pass,
    the others (blank, numbers, dates) left as they are."""
    positions, texts = str_positions(values)
    if len(texts) == len(values):
        return _trimmed(texts)
    out = values.copy()
    if len(texts):
        out[positions] = _trimmed(texts)
    return out


def _strip_cell(value: object) -> object:
    """A text cell trimmed (None when nothing is left); any other cell as it is."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _id_texts(ids: pd.Series) -> pd.Series:
    """:func:`_id_text` of each id: text trimmed (None when nothing is left, or blank) in one
    pass when every id is text or blank, else one call per distinct id."""
    values = ids.to_numpy(dtype=object)
    found = text_positions(values)
    if found is None or not len(found[1]):
        return pd.Series(map_distinct(_id_text, ids), index=ids.index, dtype=object)
    positions, texts = found
    trimmed = np.full(len(values), None, dtype=object)
    trimmed[positions] = _trimmed(texts)
    return pd.Series(trimmed, index=ids.index, dtype=object)


def _trimmed(texts: np.ndarray) -> np.ndarray:
    """Each text trimmed, None when nothing is left (an object array)."""
    out = np.empty(len(texts), dtype=object)
    out[:] = [t or None for t in map(str.strip, texts)]
    return out


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


def _unreadable_cells(values: np.ndarray) -> np.ndarray | None:
    """:func:`_unreadable` of each cell (an object array), or None when every cell is readable.

    The text cells are scanned once for the characters an unreadable cell holds, and
    :func:`_unreadable` runs on those cells only; no other cell (blank, a number, a date) is
    ever unreadable."""
    positions, texts = str_positions(values)
    suspects = cells_matching(texts, MAYBE_UNREADABLE)
    said = [_unreadable(texts[i]) for i in suspects]
    if all(w is None for w in said):
        return None
    why = np.full(len(values), None, dtype=object)
    why[positions[suspects]] = said
    return why


def unreadable_cells(
    data: pd.DataFrame,
    table: str,
    columns: Columns | None = None,
    *,
    plain: Collection[str] = (),
) -> tuple[Step, dict[object, str]]:
    """Excel error cells (``#DIV/0!``, ``#N/A``...) and cells holding a control character (a NUL
    byte...) set missing with an audit row each; returns the step and, for each other record
    with one in a required column (by label), the reason it lacks that value:
    :func:`require_values` excludes it after the ids are normalised (``unreadable``), so that
    its log row names the patient by the id the other records have, and a patient's duplicate
    record is compared as one with a blank cell is. A record whose id cell is unreadable has no
    id to normalise: the step excludes it (``unreadable``), its log row giving the cell as
    written. Runs before :func:`strip_text`, which would trim some controls.

    ``plain``: columns the reader found hold none (every cell text of files holding no ``#`` and
    no control character: ``accounting.read_table_checked``); they are not scanned again."""
    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    out = data  # copied when the first unreadable cell is set missing
    located: pd.DataFrame | None = None  # the records with readable ids, made when first needed
    audit: list[pd.DataFrame] = []
    reasons: dict[object, str] = {}
    unnamed: dict[object, str] = {}  # records whose id cell is unreadable
    for column in data.columns:
        if column.startswith("source_") or column == "_source" or column in plain:
            continue
        if isinstance(data[column].dtype, np.dtype) and data[column].dtype != object:
            continue  # numbers, dates, booleans of a typed file: no cell is text
        found = _unreadable_cells(data[column].to_numpy(dtype=object))
        if found is None:
            continue
        why = pd.Series(found, index=data.index, dtype=object)
        bad = why.notna()
        if out is data:
            out = data.copy()
        if located is None:
            has_ids = "patient_id" in data
            located = data.assign(patient_id=_id_texts(data["patient_id"])) if has_ids else data
        values = out.loc[bad, column]
        msgs = [
            f"`{column}` value {shown_value(v)} is an {w}; set missing. Correct the cell in the file."
            if w == "Excel error cell"
            else f"`{column}` value {shown_value(v)} holds the {w}; the cell cannot be read safely and was "
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
                said = f"required `{column}` unreadable: {w}"
                if column == "patient_id":
                    unnamed[i] = said
                reasons.setdefault(i, said)
    audited = concat_rows(audit, AUDIT_COLUMNS)
    if not unnamed or located is None:
        return Step(out, audit=audited), reasons
    # a record whose id cannot be read has no id to normalise or compare: out now, its id cell
    # as written in its log row
    idx = sorted(unnamed, key=data.index.get_loc)
    excluded = log_rows(
        located.loc[idx], table, "unreadable", pd.Series([unnamed[i] for i in idx], index=idx)
    )
    rest = {i: why for i, why in reasons.items() if i not in unnamed}
    return Step(drop_records(out, idx), excluded, audited), rest


def _id_text(v: object) -> object:
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def require_values(
    data: pd.DataFrame,
    table: str,
    columns: Columns | None = None,
    *,
    merged: bool = False,
    unreadable: Mapping[object, str] | None = None,
) -> Step:
    """Exclude records whose required columns are empty (missing: None, NaN, ``pd.NA``, NaT).

    ``columns``: the table's columns (``StudyConfig.columns_for``); default the canonical ones.
    ``unreadable``: records (by label) whose required value was an unreadable cell, set missing
    (:func:`unreadable_cells`): logged at step ``unreadable`` with that reason.
    ``merged`` (the patient table): a record with its id whose id is on another record too is
    kept here, whatever it lacks: duplicate patient records are compared and merged first, and
    the required values are checked on the merged record (``patient_records.settle``). Excluded
    here, its values would never be compared, and a duplicate that disagrees (another sex)
    would leave the other record in as if it were the only one.
    """
    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    required = [c for c, spec in spec_of.items() if spec.required and c in data]
    if not required:
        return Step(data)
    missing = np.column_stack([data[c].isna().to_numpy() for c in required])
    flagged = missing.any(axis=1)
    if merged and "patient_id" in data and flagged.any():
        ids = data["patient_id"]
        twice = (ids.notna() & ids.duplicated(keep=False)).to_numpy()
        flagged &= ~twice  # checked on the merged record
    rows = np.flatnonzero(flagged)
    if not len(rows):
        return Step(data)
    order = np.argsort(data.index.to_numpy()[rows], kind="stable")
    rows = rows[order]
    bad = data.iloc[rows]
    reasons = pd.Series(
        [
            "required value missing: "
            + ", ".join(f"`{c}`" for c, m in zip(required, r, strict=True) if m)
            for r in missing[rows].tolist()
        ],
        index=bad.index,
        dtype=object,
    )
    steps: pd.Series | str = "missing"
    if unreadable:
        said = bad.index.map(lambda i: unreadable.get(i))
        known = pd.notna(np.asarray(said, dtype=object))
        if known.any():
            reasons = reasons.where(~known, pd.Series(list(said), index=bad.index, dtype=object))
            steps = pd.Series(np.where(known, "unreadable", "missing"), index=bad.index)
    keep = np.ones(len(data), dtype=bool)
    keep[rows] = False
    return Step(data.iloc[np.flatnonzero(keep)], log_rows(bad, table, steps, reasons))


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
