"""Per-patient values of the records of a child table, found by the row position of each
record's patient (one lookup of the ids) instead of grouping and mapping by the id text; each
function equals the grouped code it replaces (``tests/unit/clean/test_derive_vectorised.py``
checks them against it), and falls back to it when ids are missing or repeated.

After de-duplication every table carries an integer patient key (:data:`KEY`, the row of the
patient in the de-duplicated patient table, -1 for an id not in it; :func:`with_keys`), so
that a record's patient is found by indexing an array, without hashing the id text again.
The key is internal: ``finalise_table`` drops it with the other helper columns, and
``tests/unit/clean/test_patient_keys.py`` checks every keyed path against the id path.
"""

from __future__ import annotations

from dataclasses import dataclass

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


#: The internal integer patient key column (never written: ``finalise_table`` drops it).
KEY = "_patient_key"


@dataclass(frozen=True)
class IdLookup:
    """Where the ids of a child table's records are among the patient table's ids, as the id
    checks found them (``identity.check_ids``), so that keying the records later
    (:meth:`PatientKeys.key`) does not look every id up again."""

    known: pd.Index  # the patient table's ids, each once
    labels: np.ndarray  # the labels of the records with an id, increasing
    at: np.ndarray  # the position in ``known`` of each one's id (-1: not a patient's)


class PatientKeys:
    """The :data:`KEY` of a de-duplicated patient table, for it and for each child table in
    turn (the ids ranked once; each child table keyed when it comes)."""

    def __init__(self, patients: pd.DataFrame, index: pd.Index) -> None:
        ids = index.to_numpy()
        self._index = index  # its hash table, built to check it is unique, used to key
        rank = np.empty(len(ids) + 1, dtype=np.int64)  # the extra last slot answers -1
        rank[np.argsort(ids, kind="stable")] = np.arange(len(ids), dtype=np.int64)
        rank[-1] = -1
        self._rank = rank
        self.patients = patients.copy(deep=False)  # a column is added, none written into
        self.patients[KEY] = rank[:-1]
        self._known: tuple[pd.Index, np.ndarray] | None = None  # keys of an IdLookup's ids

    @classmethod
    def of(cls, patients: pd.DataFrame) -> PatientKeys | None:
        """The keys of ``patients``; None when a patient id is missing, repeated or not text:
        every step then matches by the id text, as before."""
        own = patients["patient_id"]
        if own.isna().any():
            return None
        ids = own.to_numpy(dtype=object)
        if not all(type(p) is str for p in ids):  # noqa: E721 (str subclasses may order otherwise)
            return None
        index = pd.Index(ids)
        if not index.is_unique:
            return None
        return cls(patients, index)

    def key(self, records: pd.DataFrame, lookup: IdLookup | None = None) -> pd.DataFrame:
        """``records`` with the key of each record's patient (-1: none, or a missing id).

        ``lookup``: where the id checks found these records' ids among the patient table's
        (the records still holding the ids they had then); the key of each of those ids is
        found once, and each record's from its label. Without it, or when a record's label is
        not in it, each record's id is looked up."""
        out = records.copy(deep=False)
        found = None if lookup is None else self._looked_up(records.index, lookup)
        if found is None:
            found = self._rank[
                self._index.get_indexer(records["patient_id"].to_numpy(dtype=object))
            ]
        out[KEY] = found
        return out

    def _looked_up(self, index: pd.Index, lookup: IdLookup) -> np.ndarray | None:
        """The keys of the records labelled ``index`` from ``lookup``; None when a label is
        not in it."""
        labels = index.to_numpy()
        if labels.dtype.kind not in "iu" or lookup.labels.dtype.kind not in "iu":
            return None
        if not len(labels):
            return np.empty(0, dtype=np.int64)
        pos = np.searchsorted(lookup.labels, labels)
        if pos.max() >= len(lookup.labels) or not np.array_equal(lookup.labels[pos], labels):
            return None
        if self._known is None or self._known[0] is not lookup.known:
            known = self._rank[self._index.get_indexer(lookup.known.to_numpy())]
            self._known = (lookup.known, np.append(known, -1))  # the last slot answers -1
        return self._known[1][lookup.at[pos]]


def with_keys(
    patients: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """``patients`` and each of ``tables`` with the :data:`KEY` column: a patient's place in
    the text order of the patient ids (0 for the first), and for a record that of its patient
    (-1 for an id not in ``patients`` or missing). Sorting by the key is sorting by the id.
    Unchanged (no key) when a patient id is missing, repeated or not text (:class:`PatientKeys`)."""
    keys = PatientKeys.of(patients)
    if keys is None:
        return patients, tables
    return keys.patients, {name: keys.key(df) for name, df in tables.items()}


def key_column(df: pd.DataFrame, column: str) -> str:
    """``column``, or :data:`KEY` in its place when it is ``patient_id`` and ``df`` carries
    the key: the same grouping and the same order, on integers."""
    return KEY if column == "patient_id" and KEY in df else column


def key_positions(patients: pd.DataFrame, records: pd.DataFrame) -> np.ndarray | None:
    """:func:`patient_positions` of ``records["patient_id"]`` from the keys, or None when
    either frame has none (or there is no patient): the caller then matches by the id."""
    if KEY not in patients or KEY not in records or len(patients) == 0:
        return None
    own = patients[KEY].to_numpy()
    keys = records[KEY].to_numpy()
    size = max(int(own.max()), int(keys.max()) if len(keys) else -1) + 1
    where = np.full(size + 1, -1, dtype=np.intp)  # the extra last slot answers key -1
    where[own] = np.arange(len(own), dtype=np.intp)
    return where[keys]


def record_positions(patients: pd.DataFrame, records: pd.DataFrame) -> np.ndarray | None:
    """The row position in ``patients`` of the patient of each record (-1: none), by the keys
    when both frames carry them, else :func:`patient_positions` of the ids."""
    at = key_positions(patients, records)
    return at if at is not None else patient_positions(patients, records["patient_id"])


def patient_values(patients: pd.DataFrame, values: pd.Series, records: pd.DataFrame) -> pd.Series:
    """``records["patient_id"].map(pd.Series(values, index=patients["patient_id"]))``:
    ``values`` (aligned with the rows of ``patients``) of each record's patient, missing where
    it has none; by the keys when both frames carry them."""
    at = key_positions(patients, records)
    ids = records["patient_id"]
    if at is None:
        return ids.map(pd.Series(values.array, index=pd.Index(patients["patient_id"])))
    own = values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
    taken = pd.api.extensions.take(own, at, allow_fill=True)  # as Series.map takes them
    return pd.Series(taken, index=ids.index, name=ids.name)


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
    at = record_positions(patients, records)
    if at is None or not isinstance(values.dtype, np.dtype):
        g = records.groupby("patient_id")[column].agg(how)
        return pd.DataFrame({h: ids.map(g[h]) for h in how}, index=patients.index)
    if values.dtype == np.dtype("datetime64[ns]") and set(how) <= set(_DATE_AGGREGATES):
        dates = values.to_numpy().view(np.int64)
        return pd.DataFrame(
            _dates_per_position(dates, at, len(patients), how), index=patients.index
        )
    known = at >= 0
    g = pd.Series(values.to_numpy()[known]).groupby(at[known]).agg(how)
    g = g.reindex(np.arange(len(patients)))
    return pd.DataFrame({h: g[h].to_numpy() for h in how}, index=patients.index)


_DATE_AGGREGATES = ("min", "max", "size")
_NAT = np.iinfo(np.int64).min  # NaT as int64
_LAST = np.iinfo(np.int64).max


def _dates_per_position(
    dates: np.ndarray, at: np.ndarray, n: int, how: list[str]
) -> dict[str, np.ndarray]:
    """What :func:`per_patient` gets from pandas' ``groupby(at).agg(how)`` reindexed to the
    ``n`` positions, for dates (int64 nanoseconds, NaT the smallest) and ``how`` of ``min``,
    ``max`` and ``size``, with NumPy's ``ufunc.at`` and ``bincount`` (7M records: 0.05 s
    against 0.65-0.84 s): ``size`` counts every record of the position (int64, or float64 with
    NaN for a position without any when there is one), ``min`` and ``max`` skip NaT (NaT for a
    position without a date). ``tests/unit/clean/test_derive_vectorised.py`` compares them."""
    known = at >= 0
    where, dates = at[known], dates[known]
    out: dict[str, np.ndarray] = {}
    dated = dates != _NAT
    for h in how:
        if h == "size":
            counts = np.bincount(where, minlength=n)
            out[h] = counts if (counts > 0).all() else np.where(counts > 0, counts, np.nan)
        elif h == "min":
            first = np.full(n, _LAST, dtype=np.int64)
            np.minimum.at(first, where[dated], dates[dated])
            first[first == _LAST] = _NAT
            out[h] = first.view("datetime64[ns]")
        else:
            last = np.full(n, _NAT, dtype=np.int64)
            np.maximum.at(last, where[dated], dates[dated])
            out[h] = last.view("datetime64[ns]")
    return out


def snap_schedules(months: np.ndarray, allowed: list[int]) -> np.ndarray:
    """:func:`analysis.clean.derive.snap_schedule` of every value of ``months`` at once (float64; NaN stays NaN)."""
    months = np.asarray(months, dtype="float64")
    choices = np.array(sorted(allowed), dtype="float64")
    distance = np.abs(choices[None, :] - months[:, None])
    nearest = choices[np.argmin(np.where(np.isnan(distance), np.inf, distance), axis=1)]
    return np.where(np.isnan(months), np.nan, nearest)


_DAY_NS = 86_400_000_000_000


def _ascending(first: np.ndarray, then: np.ndarray) -> bool:
    """Whether the pairs ``(first, then)`` are in ascending order (ties allowed): what a
    stable ``np.lexsort((then, first))`` would leave in place."""
    step = np.diff(first)
    return bool((step >= 0).all() and ((step > 0) | (np.diff(then) >= 0)).all())


def median_first_year_gap(
    exposures: pd.DataFrame, year_days: float, *, by: str = "patient_id"
) -> pd.Series:
    """Per patient (its value of column ``by``: the id, or the integer patient key): the
    median gap in whole days between consecutive exposure starts less than ``year_days`` after
    the patient's first (patients with fewer than two such starts are absent). Sorted integer
    codes and dates instead of grouping by the id text."""
    dated = exposures.loc[exposures["start_date"].notna(), [by, "start_date"]]
    codes, ids = pd.factorize(dated[by])
    dates = dated["start_date"].to_numpy(dtype="datetime64[ns]").view("int64")
    if not _ascending(codes, dates):  # exposures mostly come sorted by patient and date
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
