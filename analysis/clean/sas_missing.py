"""SAS special missing values (.A-.Z, ._): read as missing, each with an audit row.

SAS writes "no value, for this reason" in a number column as a special missing value: .A for
"not asked", .N for "not applicable", as the study's programmer chose. The reader (pyreadstat)
gives a plain missing value for each, so a probe's cells written .A were read as blanks with no
trace, where an SPSS user-missing code gets an audit row (``spss_missing``). Each is now found,
read as missing as before, and logged (check ``special_missing``) with its letter.

Where they are found: a SAS7BDAT file read with ``user_missing=True`` returns each as its
letter; ``read_xport`` has no such option, so in a transport file they are found from its bytes
(a number whose first byte is the letter and the others zero; ``xport_whole`` locates the
variables and the observations).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.step import marked_cells_audit
from analysis.clean.xport_whole import xport_members

#: the column of a read source that carries each record's SAS special missing cells
SPECIAL_MISSING = "_special_missing"
CHECK = "special_missing"
_LETTERS = frozenset(range(ord("A"), ord("Z") + 1)) | {ord("_")}

Found = dict[int, list[tuple[str, object, str]]]


def xport_special_missing(path: Path, rows: int) -> Found:
    """``{row: [(header, ".A", "")]}``: the special missing values of the first data set of
    the transport file at ``path`` (its first ``rows`` observations, as the reader read them)."""
    found: Found = {}
    with open(path, "rb") as fh:
        data = fh.read()
    members = xport_members(data)
    if not members or members[0].obs_length <= 0 or rows <= 0:
        return found
    member = members[0]
    width = member.obs_length
    if member.start + rows * width > len(data):
        return found
    cells = np.frombuffer(data, dtype=np.uint8, count=rows * width, offset=member.start)
    cells = cells.reshape(rows, width)
    for var in member.variables:
        if not var.is_number or var.length < 2:
            continue
        first = cells[:, var.position]
        rest = cells[:, var.position + 1 : var.position + var.length]
        hit = np.isin(first, list(_LETTERS)) & ~rest.any(axis=1)
        for row in np.flatnonzero(hit):
            letter = "._" if first[row] == ord("_") else "." + chr(int(first[row]))
            found.setdefault(int(row), []).append((var.name, letter, ""))
    return found


def sas7bdat_special_missing(
    raw: pd.DataFrame, numbers: Collection[str]
) -> tuple[pd.DataFrame, Found]:
    """A SAS7BDAT frame read with ``user_missing=True`` (each special missing value its letter
    in a number column), those cells of the columns ``numbers`` (the file's number variables)
    set missing, and where they were."""
    found: Found = {}
    fixed = {}
    for header in raw.columns:
        column = raw[header]
        if header not in numbers or column.dtype != object:
            continue
        letters = column.map(lambda v: isinstance(v, str) and len(v) == 1 and ord(v) in _LETTERS)
        if not letters.any():  # a date column is of objects too: left as it is
            continue
        for row in np.flatnonzero(letters.to_numpy()):
            v = column.iloc[row]
            found.setdefault(int(row), []).append((str(header), f".{v}" if v != "_" else "._", ""))
        kept = column.mask(letters)
        plain = kept.dropna().map(lambda v: isinstance(v, int | float)).all()
        fixed[header] = pd.to_numeric(kept) if plain else kept
    return (raw.assign(**fixed) if fixed else raw), found


def special_missing_audit(data: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(data without its SPECIAL_MISSING column, an audit row per special missing cell)``."""

    def said(column: str, details: tuple[Any, ...]) -> tuple[object, str]:
        code, _ = details
        return code, (
            f"`{column}` holds the SAS special missing value {code} (a reason for no value, "
            "as the study's SAS programs use it): read as missing"
        )

    return marked_cells_audit(data, table, SPECIAL_MISSING, CHECK, "set_missing", said)


__all__ = [
    "CHECK",
    "SPECIAL_MISSING",
    "sas7bdat_special_missing",
    "special_missing_audit",
    "xport_special_missing",
]
