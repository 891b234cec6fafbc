"""Audit rows of the read phase named by each record's final patient id.

Some cells are audited before a table's ids are final: SPSS user-missing codes, cells filled
from a merged spreadsheet range, unreadable cells set missing (each before the ids are trimmed
and normalised), and the ids changed by ``cleaning.ids`` (before a source's ``id_prefix``).
Their rows named the record by its id at that moment (``2.0``, `` p1``, ``P1``) while the
patient is ``A-2`` or ``B-P1``, so the audit log no longer joined the patient tables. Once the
ids are final, :func:`with_final_ids` renames each such row by its record's location (file,
sheet, row); a row of a record excluded in between (an id that cannot be read or does not match
the declared pattern) keeps the id it had, which its exclusion row gives too.
"""

from __future__ import annotations

import pandas as pd

_WHERE = ["source_file", "source_sheet", "source_row"]


def with_final_ids(audit: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    """``audit`` (``AUDIT_COLUMNS`` rows of records of ``data``' table) with each row's
    ``patient_id`` that of its record in ``data``, found by ``(source, sheet, row)``."""
    if audit.empty or "patient_id" not in data:
        return audit
    rows = data.loc[data["source_row"].isin(audit["row"].unique()), [*_WHERE, "patient_id"]]
    where = pd.MultiIndex.from_arrays(
        [rows["source_file"].astype(str), rows["source_sheet"].astype(str), rows["source_row"]]
    )
    final = pd.Series(rows["patient_id"].astype("string").array, index=where)
    final = final[~final.index.duplicated(keep="first")]
    at = pd.MultiIndex.from_arrays(
        [audit["source"].astype(str), audit["sheet"].astype(str), audit["row"].astype("int64")]
    )
    found = final.reindex(at)
    out = audit.copy()
    kept = found.notna().to_numpy()
    ids = out["patient_id"].astype("string").to_numpy(copy=True)
    ids[kept] = found.to_numpy()[kept]
    out["patient_id"] = pd.array(ids, dtype="string")
    return out


__all__ = ["with_final_ids"]
