"""Per-patient values of the records of a child table, found by the row position of each
record's patient (one lookup of the ids) instead of grouping and mapping by the id text; each
function equals the grouped code it replaces (``tests/unit/clean/test_derive_vectorised.py``
checks them against it), and falls back to it when ids are missing or repeated."""

from __future__ import annotations

import numpy as np
import pandas as pd


def patient_positions(patients: pd.DataFrame, ids: pd.Series) -> np.ndarray | None:
    """The row position in ``patients`` of the patient of each id (-1: not a patient), or
    None when that does not identify a patient (no patients, a patient id missing or repeated,
    a missing id): the caller then matches by the id itself."""
    own = patients["patient_id"]
    if len(own) == 0 or own.isna().any() or ids.isna().any():
        return None
    index = pd.Index(own.to_numpy(dtype=object))
    if not index.is_unique:
        return None
    return index.get_indexer(ids.to_numpy(dtype=object))


def has_record(patients: pd.DataFrame, ids: pd.Series, at: np.ndarray | None) -> pd.Series:
    """``patients["patient_id"].isin(set(ids))``, from ``at = patient_positions(patients, ids)``
    (a flag per position) unless that is None."""
    if at is None:
        return patients["patient_id"].isin(set(ids))
    flags = np.zeros(len(patients), dtype=bool)
    flags[at[at >= 0]] = True
    return pd.Series(flags, index=patients.index, name="patient_id")


def per_patient(
    patients: pd.DataFrame, records: pd.DataFrame, column: str, how: list[str]
) -> pd.DataFrame:
    """``records.groupby("patient_id")[column].agg(how)`` looked up for each row of
    ``patients`` (missing where a patient has no record), as ``patients["patient_id"].map``
    of each would give it. Records are grouped by the position of their patient (one lookup of
    the ids, no text grouping) when the patient ids are unique and none is missing."""
    ids = patients["patient_id"]
    values = records[column]
    at = patient_positions(patients, records["patient_id"])
    if at is None or not isinstance(values.dtype, np.dtype):
        g = records.groupby("patient_id")[column].agg(how)
        return pd.DataFrame({h: ids.map(g[h]) for h in how}, index=patients.index)
    known = at >= 0
    g = pd.Series(values.to_numpy()[known]).groupby(at[known]).agg(how)
    g = g.reindex(np.arange(len(patients)))
    return pd.DataFrame({h: g[h].to_numpy() for h in how}, index=patients.index)


def snap_schedules(months: np.ndarray, allowed: list[int]) -> np.ndarray:
    """:func:`analysis.clean.derive.snap_schedule` of every value of ``months`` at once (float64; NaN stays NaN)."""
    months = np.asarray(months, dtype="float64")
    choices = np.array(sorted(allowed), dtype="float64")
    distance = np.abs(choices[None, :] - months[:, None])
    nearest = choices[np.argmin(np.where(np.isnan(distance), np.inf, distance), axis=1)]
    return np.where(np.isnan(months), np.nan, nearest)


_DAY_NS = 86_400_000_000_000


def median_first_year_gap(exposures: pd.DataFrame, year_days: float) -> pd.Series:
    """Per patient id: the median gap in whole days between consecutive exposure starts less
    than ``year_days`` after the patient's first (patients with fewer than two such starts are
    absent). Sorted integer codes and dates instead of grouping by the id text."""
    dated = exposures.loc[exposures["start_date"].notna(), ["patient_id", "start_date"]]
    codes, ids = pd.factorize(dated["patient_id"])
    dates = dated["start_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    order = np.lexsort((dates, codes))
    codes, dates = codes[order], dates[order]
    starts = np.r_[True, codes[1:] != codes[:-1]] if len(codes) else np.zeros(0, dtype=bool)
    first = np.maximum.accumulate(np.where(starts, np.arange(len(codes)), 0))
    in_year = (dates - dates[first]) // _DAY_NS < year_days
    codes, dates = codes[in_year], dates[in_year]
    later = np.r_[False, codes[1:] == codes[:-1]] if len(codes) else np.zeros(0, dtype=bool)
    gaps = (dates[1:] - dates[:-1]) // _DAY_NS
    gap = pd.Series(gaps[later[1:]].astype("float64"))
    median = gap.groupby(codes[later]).median()
    return pd.Series(median.to_numpy(), index=ids[median.index.to_numpy()], dtype="float64")
