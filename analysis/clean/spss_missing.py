"""SPSS user-missing codes: read as missing, each with an audit row.

An SPSS file declares codes that mean "no value" per variable (9 = "Not recorded" for sex, 99
for an age, a range 98-99). Read with its value labels, such a cell simply came back empty: a
patient excluded for "required value missing: `sex`" with no trace that the file said 9, "Not
recorded". The file is read with its codes (``user_missing=True``), the declared ones are found
from the file's own missing ranges and set missing, and each becomes an audit row (check
``user_missing``) naming the code and its label; the other cells get their value labels as
before, but for the variables the study reads as numbers or dates.

Value labels and declared types. A labelled variable may be a category whose codes are
labelled (1 "male", 2 "female") or a number some of whose values are named: a visual analogue
scale from 0 to 10 with 0 "None" and 10 "Worst imaginable". Labelled, the scale's 0 and 10 became
the label texts, then were cleared as "not a whole number": data lost under a misleading audit.
So the caller names the headers it maps to a ``number``, ``integer`` or ``date`` column
(``codes_of``): those keep the file's values; every other labelled variable reads as its labels.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.step import marked_cells_audit

#: the column of a read source that carries each record's user-missing cells
USER_MISSING = "_user_missing"


def read_sav_with_missing(
    path: Path, codes_of: Collection[str] = (), encoding: str | None = None
) -> tuple[pd.DataFrame, Any]:
    """``pyreadstat.read_sav(path, apply_value_formats=True)``, its user-missing cells set
    missing as it sets them, with ``attrs["user_missing"]``: ``{row: [(header, code, label)]}``
    of those cells (none: the key is absent). The variables named in ``codes_of`` (read by the
    study as numbers or dates) keep their values: their value labels are not applied.
    ``encoding``: the source's declared encoding, for a file whose header states a wrong one
    (else the file's own)."""
    import pyreadstat

    raw, meta = pyreadstat.read_sav(str(path), user_missing=True, encoding=encoding)
    found: dict[int, list[tuple[str, object, str]]] = {}
    masks = {}
    for header, ranges in (meta.missing_ranges or {}).items():
        if header not in raw:
            continue
        hit = _in_ranges(raw[header], ranges)
        if not hit.any():
            continue
        masks[header] = hit
        labels = (meta.variable_value_labels or {}).get(header, {})
        for row in np.flatnonzero(hit.to_numpy()):
            code = raw[header].iloc[row]
            found.setdefault(int(row), []).append((header, _code(code), str(labels.get(code, ""))))
    if masks:
        raw = raw.assign(**{h: raw[h].mask(m) for h, m in masks.items()})
    df = pyreadstat.set_value_labels(raw, meta, formats_as_category=True)
    kept = [h for h in codes_of if h in raw and h in (meta.variable_value_labels or {})]
    if kept:  # a scale's values, not the names of its end points
        df = df.assign(**{h: raw[h] for h in kept})
    if found:
        df.attrs["user_missing"] = found
    return df, meta


def _in_ranges(values: pd.Series, ranges: list[Any]) -> pd.Series:
    """Cells inside one of the file's missing ranges (``{"lo", "hi"}``; a discrete code is a
    range of one, or the code itself)."""
    hit = pd.Series(False, index=values.index)
    for r in ranges:
        lo, hi = (r.get("lo"), r.get("hi")) if isinstance(r, dict) else (r, r)
        if isinstance(lo, str) or isinstance(hi, str):
            hit |= values.astype("string").isin({str(lo), str(hi)}).fillna(False)
        else:
            hit |= values.between(lo, hi).fillna(False)
    return hit


def _code(value: object) -> object:
    """A numeric code as the file's user writes it: 9, not 9.0; 98.5, not np.float64(98.5)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def user_missing_column(
    found: dict[int, list[tuple[str, object, str]]], headers: dict[str, str], n: int
) -> np.ndarray:
    """Per record of a source (``n`` rows), its user-missing cells of the mapped columns as
    ``[(column, code, label)]`` (None where none); ``headers``: canonical column -> header."""
    column_of = {h: c for c, h in headers.items()}
    out = np.full(n, None, dtype=object)
    for row, cells in found.items():
        mapped = [(column_of[h], code, label) for h, code, label in cells if h in column_of]
        if mapped:
            out[row] = mapped
    return out


def user_missing_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its USER_MISSING column, an audit row per user-missing cell)``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        code, label = details
        return code, (
            f"`{column}` holds the SPSS user-missing code {code!r}"
            + (f" ({label!r})" if label else "")
            + ", declared as no value in the file: read as missing"
        )

    return marked_cells_audit(data, table, USER_MISSING, "user_missing", "set_missing", said)


__all__ = [
    "USER_MISSING",
    "read_sav_with_missing",
    "user_missing_audit",
    "user_missing_column",
]
