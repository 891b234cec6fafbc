"""Records removed or flagged as a whole: duplicate patients merged or excluded, duplicate
records dropped, records of no kept patient (orphans) dropped, exposures too close flagged.

Over 400 lines as one job: every way a record leaves the tables as a whole, each logged with
its reason; what a merged record takes from its duplicates is ``merged_values``, the words of
a conflict ``record_conflicts``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.columns import DUPLICATE_KEYS
from analysis.clean.merged_values import ChildFills, child_fills, filled_values, with_fills
from analysis.clean.ordering import integer_codes, sorted_positions, stable_order, taken
from analysis.clean.per_patient import KEY, key_column
from analysis.clean.record_conflicts import differing_values, stop_on_conflicts
from analysis.clean.shared_text import Quoting
from analysis.clean.step import AUDIT_COLUMNS, LOG_COLUMNS, Step, audit_rows, concat_rows, log_rows

_NOT_VALUES = {"patient_id", "source_file", "source_sheet", "source_row", "_source"}


def deduplicate_patients(data: pd.DataFrame) -> tuple[Step, pd.DataFrame]:
    """Merge agreeing duplicate patient rows; exclude every row of ids whose rows disagree.

    Rows agree when each value column has at most one distinct non-missing value (as text) over
    them; the merged record is the first row, its missing values filled by the first later row
    that has one. Returns the step and a table of conflicts (``patient_id, columns, rows``) for
    the report, in the order the ids first appear.
    """
    dup_mask = data["patient_id"].duplicated(keep=False)
    if not dup_mask.any():
        return Step(data), pd.DataFrame(columns=["patient_id", "columns", "rows"])
    dups = data.loc[dup_mask]
    cols = [c for c in dups.columns if c not in _NOT_VALUES]
    group, _ = pd.factorize(dups["patient_id"])
    texts = pd.DataFrame({c: dups[c].astype(str) for c in cols}, index=dups.index)
    present = texts.where(dups[cols].notna().to_numpy())
    differing = (present.groupby(group, sort=True).nunique() > 1).to_numpy()
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.diff(group[order], prepend=-1) != 0)
    members = np.split(order, starts[1:])
    places = locations(dups)
    shown = {c: texts[c].to_numpy() for c in cols}  # each column's text, got once
    source = dups["_source"].to_numpy() if "_source" in dups else None
    # a row lacking a value another row of its id has is no exact copy: its reason says so
    has_value = (present.notna().groupby(group, sort=True).sum() > 0).to_numpy()
    lacks = (present.isna().to_numpy() & has_value[group]).any(axis=1)
    # a date or number may change from visit to visit (`per_patient` takes it over the rows)
    values_by_visit = {
        c: "date"
        if pd.api.types.is_datetime64_any_dtype(dups[c])
        else "number"
        if pd.api.types.is_numeric_dtype(dups[c]) and not pd.api.types.is_bool_dtype(dups[c])
        else ""
        for c in cols
    }
    reasons: list[tuple[int, str, str]] = []
    conflicts, merged_first = [], []
    for g, rows in enumerate(members):
        pid = dups["patient_id"].iat[rows[0]]
        where_first = places[rows[0]]
        if differing[g].any():
            names = [c for c, d in zip(cols, differing[g], strict=True) if d]
            detail = ", ".join(
                f"{c}: " + " vs ".join(repr(v) for v in shown[c][rows]) for c in names
            )
            sources = sorted({str(s) for s in source[rows]}) if source is not None else []
            msg = (
                f"patient_id {pid!r} appears in {len(rows)} rows with conflicting values "
                f"({detail}); all rows excluded. Correct the export so one record remains."
                + (_SOURCES_HINT.format(", ".join(sources)) if len(sources) > 1 else "")
                + (_visits_hint(sources[0], names, values_by_visit) if len(sources) == 1 else "")
            )
            reasons += [(int(r), "conflict", msg) for r in rows]
            conflicts.append(
                {
                    "patient_id": pid,
                    "columns": ", ".join(names),
                    "rows": "; ".join(places[r] for r in rows),
                    "sources": len(sources),
                }
            )
            continue
        merged_first.append(int(rows[0]))
        reasons += [
            (int(r), "duplicate", f"duplicate of {where_first} ({_LACKS if lacks[r] else _SAME})")
            for r in rows[1:]
        ]
    filled = filled_values(dups, cols, group, merged_first, places)
    if len(filled):  # the record kept took a value it lacked from a duplicate: say so
        took = set(filled["patient_id"])
        reasons = [
            (r, s, m.replace(_SAME, _FILLED).replace(_LACKS, _FILLED))
            if s == "duplicate" and dups["patient_id"].iat[r] in took else (r, s, m)
            for r, s, m in reasons
        ]  # fmt: skip
    kept = _kept(data, dup_mask.to_numpy(), dups, cols, group, merged_first)
    logged = dups.iloc[[r for r, _, _ in reasons]]
    log = log_rows(
        logged,
        "patients",
        pd.Series([s for _, s, _ in reasons], index=logged.index),  # type: ignore[arg-type]
        pd.Series([m for _, _, m in reasons], index=logged.index),
    )
    return Step(kept, concat_rows([log], LOG_COLUMNS), filled), pd.DataFrame(conflicts)


#: the words of a merged duplicate's reason: an exact copy, a copy lacking values the record
#: kept has, a copy of a record that took values it lacked from its duplicates
_SAME = "same values"
_LACKS = "no value differs; values missing in this record"
_FILLED = (
    "no value differs; values missing in that record filled from its duplicates, see the audit log"
)


def _visits_hint(source: str, differing: list[str], kinds: dict[str, str]) -> str:
    """The end of a conflict's reason when the rows of one source differ in a date and
    otherwise only in dates or numbers, as the visit rows of one patient do: how
    ``per_patient`` would take each of those columns (a value that differs alone, an age of
    55 against 57, is more likely a typing error and gets no such hint)."""
    if not differing or "date" not in {kinds[c] for c in differing}:
        return ""
    if not all(kinds[c] for c in differing):
        return ""
    rules = ", ".join(
        f"{c}: {('earliest' if c.startswith('first') else 'latest') if kinds[c] == 'date' else 'highest'}"
        for c in differing
    )
    return (
        " If the file holds one row per visit, say how each of these is taken over a patient's "
        f"rows with `per_patient` on source {source!r} (earliest or latest of a date, lowest or "
        f"highest of a number), e.g. `per_patient: {{{rules}}}`."
    )


#: the end of a conflict's reason when its rows come from two or more sources
_SOURCES_HINT = (
    " The rows come from different sources ({}): if each centre numbers its patients on its "
    "own, give the sources of each centre an `id_prefix` in the study file."
)


def cross_source_warning(conflicts: pd.DataFrame) -> list[str]:
    """A warning when conflicting patient ids come from two or more sources: centres that each
    number their patients from 1 look like conflicting duplicates, and every record of those
    patients is excluded."""
    if "sources" not in conflicts or not (conflicts["sources"] > 1).any():
        return []
    across = conflicts.loc[conflicts["sources"] > 1, "patient_id"]
    shown = ", ".join(repr(p) for p in across.head(5))
    more = ", ..." if len(across) > 5 else ""
    said = (
        "appear in two or more sources with conflicting values, and every record of those "
        "patients was excluded: if each centre numbers its patients on its own, give the "
        "sources of each centre an `id_prefix` (docs/config.md, `sources`)."
    )
    return [
        Quoting(
            f"{len(across)} patient id(s) ({shown}{more}) {said}",
            f"{len(across)} patient id(s) {said}",
        )
    ]


def _kept(
    data: pd.DataFrame,
    dup_mask: np.ndarray,
    dups: pd.DataFrame,
    cols: list[str],
    group: np.ndarray,
    firsts: list[int],
) -> pd.DataFrame:
    """The records of ids given once and the merged records (:func:`_merged`), in the order
    of their labels: ``pd.concat([data.loc[~dup_mask], merged]).sort_index()``. When the labels
    of ``data`` are unique and increasing (as the stage's are), the records are taken once, in
    place, and the merged ones filled there (no concatenated copy to sort)."""
    index = data.index
    if not (index.is_monotonic_increasing and index.is_unique):
        return pd.concat([data.loc[~dup_mask], _merged(dups, cols, group, firsts)]).sort_index()
    keep = ~dup_mask
    keep[np.flatnonzero(dup_mask)[firsts]] = True
    kept = data.take(np.flatnonzero(keep))
    _fill(kept, kept.index.get_indexer(dups.index[firsts]), dups, cols, group, firsts)
    return kept


def _merged(
    dups: pd.DataFrame, cols: list[str], group: np.ndarray, firsts: list[int]
) -> pd.DataFrame:
    """The first row of each merged id (positions ``firsts`` of ``dups``), each missing value
    filled by the first later row of the id that has one."""
    out = dups.iloc[firsts].copy()
    _fill(out, np.arange(len(out)), dups, cols, group, firsts)
    return out


def _fill(
    out: pd.DataFrame,
    rows: np.ndarray,
    dups: pd.DataFrame,
    cols: list[str],
    group: np.ndarray,
    firsts: list[int],
) -> None:
    """The missing values of the first row of each merged id (at positions ``rows`` of
    ``out``) filled, in place, by the first later row of the id that has one."""
    filled = dups[cols].groupby(group, sort=True).first().iloc[group[firsts]]
    for c in cols:
        missing = out[c].iloc[rows].isna().to_numpy() & filled[c].notna().to_numpy()
        if missing.any():
            out.iloc[rows[missing], out.columns.get_loc(c)] = filled[c].to_numpy()[missing]


def locations(df: pd.DataFrame) -> list[str]:
    """:func:`analysis.clean.step.where` of every record of ``df``, in order."""
    sheets = df["source_sheet"] if "source_sheet" in df else [None] * len(df)
    return [
        f"{file}{f', sheet {sheet!r}' if sheet else ''}, row {row}"
        for file, sheet, row in zip(df["source_file"], sheets, df["source_row"], strict=True)
    ]


def drop_duplicate_records(
    data: pd.DataFrame,
    table: str,
    *,
    among: np.ndarray | None = None,
    on_conflict: str = "error",
) -> Step:
    """Keep the first record of each duplicate key (``schema.DUPLICATE_KEYS``); log the others.

    ``among`` (a flag per record), when given, limits this to the flagged records: the others,
    dropped by an earlier step, are left out of the result (the table is copied once, not once
    per step); the result equals this function on ``data.loc[among]``. ``on_conflict``
    (``cleaning.conflicting_records``): a duplicate whose other values differ stops the run
    (``error``), or is logged with them (``keep_first``; ``record_conflicts``). A value the
    record kept lacks and a duplicate has is taken from the first such duplicate, with an
    audit row (``merged_values.child_fills``)."""
    rows, logged, fills = duplicate_records(data, table, among=among, on_conflict=on_conflict)
    if among is None and len(rows) == len(data):
        return Step(data, logged)
    return Step(with_fills(data.iloc[rows], fills, rows), logged, fills.audit)


def duplicate_records(
    data: pd.DataFrame,
    table: str,
    *,
    among: np.ndarray | None = None,
    on_conflict: str = "error",
) -> tuple[np.ndarray, pd.DataFrame, ChildFills]:
    """:func:`drop_duplicate_records` without taking the rows: the positions in ``data`` of
    the records it keeps (ascending), the log of those it drops, and the values the records
    kept take from them (``merged_values.with_fills`` puts them in)."""
    keys = DUPLICATE_KEYS[table]
    rows = np.arange(len(data)) if among is None else np.flatnonzero(among)
    if len(rows) == 0:
        return rows, pd.DataFrame(columns=LOG_COLUMNS), NO_FILLS
    by = [key_column(data, k) for k in keys]  # the integer patient key groups as the id
    narrow = data[by] if among is None else data[by].iloc[rows]
    first = first_of_key(narrow, by)
    is_dup = first != np.arange(len(rows))  # not the first of its key
    if not is_dup.any():
        return rows, pd.DataFrame(columns=LOG_COLUMNS), NO_FILLS
    first = rows[first[is_dup]]
    places = locations(data.iloc[first])  # only the records a duplicate points to
    bad = data.iloc[rows[is_dup]]
    same = ", ".join(keys)
    fills = child_fills(data, rows[is_dup], first, {*_NOT_VALUES, *keys}, table, locations(bad))
    # each duplicate against the record kept as merged: two later records giving a missing
    # value two different values differ
    differ = differing_values(with_fills(data, fills), rows[is_dup], first, keys)
    if on_conflict == "error" and any(differ):
        stop_on_conflicts(table, keys, differ, locations(bad), places)
    reasons = pd.Series(
        [
            f"duplicate of {p} (same {same})"
            + (f"; its other values differ ({d}): the first record kept" if d else "")
            + (f"; {_GAVE}" if gave else "")
            for p, d, gave in zip(places, differ, fills.givers, strict=True)
        ],
        index=bad.index,
    )
    return rows[~is_dup], log_rows(bad, table, "duplicate", reasons), fills


#: the end of the log reason of a duplicate that gave the record kept a value it lacked
_GAVE = "values missing in the record kept were filled from this one, see the audit log"
#: no values filled
NO_FILLS = ChildFills({}, pd.DataFrame(columns=AUDIT_COLUMNS), np.zeros(0, dtype=bool))


def first_of_key(data: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """For each row of ``data``, the position of the first row with the same values of
    ``columns`` (missing values equal each other). One stable sort of integer codes when the
    columns have them (:func:`ordering.integer_codes`), else by grouping."""
    codes = integer_codes(data, columns)
    if codes is None or len(data) == 0:
        groups = data.groupby(columns, sort=False, dropna=False, observed=True)
        group = groups.ngroup().to_numpy()
        _, first_of_group = np.unique(group, return_index=True)
        return first_of_group[group]
    values = [np.where(missing, 0, c) for c, missing in codes]  # a missing value: one code
    flags = [missing for _, missing in codes if missing.any()]
    order = stable_order([*flags, *values])  # as lexsort of them reversed: the flags first
    new = np.zeros(len(order), dtype=bool)
    new[0] = True
    for a in [*values, *flags]:
        s = a[order]
        new[1:] |= s[1:] != s[:-1]
    run_start = np.maximum.accumulate(np.where(new, np.arange(len(order)), 0))
    first = np.empty(len(order), dtype=np.int64)
    first[order] = order[run_start]
    return first


def drop_orphans(
    data: pd.DataFrame,
    table: str,
    kept_ids: set[str] | pd.Index,
    excluded_patients: dict[str, tuple[str, str]],
    *,
    dropped_ids: set[str] | None = None,
    orphan: np.ndarray | None = None,
) -> Step:
    """Exclude child records whose patient is not kept (``kept_ids``: a set, or an index built
    once for several tables, which saves converting the set for each).

    ``excluded_patients`` maps an excluded patient id to its ``(step, reason)``; their records
    are logged as ``patient_excluded`` with that reason, others as ``orphan``. ``dropped_ids``,
    when the caller knows every id of ``data`` is either kept or in it (a table already
    stripped of orphans, then patients excluded), is matched instead: a smaller set.
    ``orphan``, when given, flags those records already (found by the integer patient keys,
    ``stage``): the ids are then not matched at all.
    """
    if orphan is None:
        ids = data["patient_id"]
        found = ids.isin(dropped_ids) if dropped_ids is not None else ~ids.isin(kept_ids)
        orphan = found.to_numpy()
    if not orphan.any():
        return Step(data)
    return Step(data.loc[~orphan], orphan_log(data, table, orphan, excluded_patients))


def orphan_log(
    data: pd.DataFrame,
    table: str,
    orphan: np.ndarray,
    excluded_patients: dict[str, tuple[str, str]],
) -> pd.DataFrame:
    """The exclusion log rows of the records of ``data`` flagged in ``orphan`` (as
    :func:`drop_orphans` logs them: ``patient_excluded`` with the step and reason of an
    excluded patient, else ``orphan``), by step in alphabetical order."""
    if not orphan.any():
        return pd.DataFrame(columns=LOG_COLUMNS)
    # only the columns the log shows, taken column by column (not every column of 7M rows)
    bad = taken(
        data, ["source_file", "source_sheet", "source_row", "patient_id"], np.flatnonzero(orphan)
    )
    ids = bad["patient_id"]
    # each distinct id looked up once (factorized: a missing id is code -1, no patient), and
    # one reason text per step and reason of the patients excluded
    codes, distinct = pd.factorize(ids)
    texts: dict[tuple[str, str], str] = {}
    excluded = np.zeros(len(distinct) + 1, dtype=bool)  # the extra last slot answers code -1
    reason_of = np.empty(len(distinct) + 1, dtype=object)
    for i, p in enumerate(distinct):
        why = excluded_patients.get(p)
        excluded[i] = why is not None
        if why is None:
            reason_of[i] = _not_in_patient_table(p)
        else:
            text = texts.get(why)
            if text is None:  # formatted once per step and reason, not per patient
                text = texts[why] = f"patient excluded at step '{why[0]}': {why[1]}"
            reason_of[i] = text
    reasons = reason_of[codes]
    missing = codes < 0
    if missing.any():
        reasons[missing] = [_not_in_patient_table(p) for p in ids[missing]]
    of_excluded = excluded[codes]
    reasons_of_rows = pd.Series(reasons, index=bad.index)
    logs = [
        log_rows(bad.loc[rows], table, step, reasons_of_rows[rows])
        for step, rows in (("orphan", ~of_excluded), ("patient_excluded", of_excluded))
        if rows.any()
    ]  # by step in alphabetical order
    return concat_rows(logs, LOG_COLUMNS)


def _not_in_patient_table(p: object) -> str:
    return f"patient_id {p!r} is not in the patient table"


def excluded_records(
    data: pd.DataFrame,
    table: str,
    deduped: pd.DataFrame,
    patients: pd.DataFrame,
    removed: dict[str, tuple[str, str]],
) -> tuple[np.ndarray | None, pd.DataFrame]:
    """The records of ``data`` (a child table stripped of orphans) whose patient, one of
    ``deduped``, is no longer in ``patients``, logged as :func:`drop_orphans` logs them (found
    by the integer patient keys when the frames carry them, else by the ids) but not dropped:
    returns the positions of the records kept (None: every one; ``finalise_table`` takes them,
    once) and the log of the others."""
    if KEY in data and KEY in patients and KEY in deduped:
        gone = np.zeros(len(deduped) + 1, dtype=bool)  # the extra last slot answers key -1
        gone[deduped[KEY].to_numpy()] = True
        gone[patients[KEY].to_numpy()] = False
        orphan = gone[data[KEY].to_numpy()]
    else:
        dropped = set(deduped["patient_id"]) - set(patients["patient_id"])
        orphan = data["patient_id"].isin(dropped).to_numpy()
    if not orphan.any():
        return None, pd.DataFrame(columns=LOG_COLUMNS)
    return np.flatnonzero(~orphan), orphan_log(data, table, orphan, removed)


def flag_close_exposures(
    data: pd.DataFrame, min_days: int, noun: str = "exposure", *, rows: np.ndarray | None = None
) -> Step:
    """Flag exposures fewer than ``min_days`` after the patient's previous one (kept, audited).

    ``rows`` (positions), when given, limits this to those records of ``data``, as if it were
    ``data.iloc[rows]`` (the records an earlier step kept: the table is copied once)."""
    patient = key_column(data, "patient_id")  # the integer key sorts as the id
    keys = [patient, "start_date", "source_row"]
    order = sorted_positions(data if rows is None else data[keys].iloc[rows], keys)
    if rows is not None:
        order = rows[order]
    # sort_values(kind="stable"), its index kept; no copy when already in that order
    same = len(order) == len(data) and _identity(order)
    out = data.copy(deep=False) if same else data.take(order)
    gap = days_since_previous(out[patient], out["start_date"])
    close = (gap < min_days).fillna(False).astype(bool)
    out["is_possible_double_entry"] = close
    flagged = out.loc[close]
    # the gaps of the rows flagged, by position (looking 10^6 labels up hashed all 7M)
    msgs = pd.Series(gap.to_numpy()[close.to_numpy()], index=flagged.index).map(
        lambda d: (
            f"{noun} {int(d)} day(s) after the previous one (< {min_days}); possible "
            f"double entry, kept"
        )
    )
    return Step(out, audit=start_date_flags(flagged, "min_interval", msgs))


def start_date_flags(flagged: pd.DataFrame, check: str, messages: pd.Series) -> pd.DataFrame:
    """Audit rows flagging the exposures ``flagged`` (kept) by their start date."""
    days = flagged["start_date"].dt.strftime("%Y-%m-%d")
    return audit_rows(flagged, "exposures", "start_date", check, days, "flagged", messages)


_DAY_NS = 86_400_000_000_000


def _identity(order: np.ndarray) -> bool:
    """Whether ``order`` keeps every row in place."""
    return bool((order == np.arange(len(order))).all())


def days_since_previous(keys: pd.Series, dates: pd.Series) -> pd.Series:
    """``dates.groupby(keys).diff().dt.days`` for rows sorted by ``keys``: whole days since the
    previous row of the same key (NaN for a key's first row and where a date is missing)."""
    if keys.isna().any() or len(keys) == 0:
        return dates.groupby(keys).diff().dt.days
    k = keys.to_numpy()
    d = dates.to_numpy(dtype="datetime64[ns]").view("int64")
    gap = np.full(len(d), np.nan)
    if len(d) > 1:
        known = (k[1:] == k[:-1]) & (d[1:] != _NAT) & (d[:-1] != _NAT)
        gap[1:][known] = ((d[1:] - d[:-1])[known] // _DAY_NS).astype("float64")
    return pd.Series(gap, index=dates.index)


_NAT = np.datetime64("NaT", "ns").view("int64")
