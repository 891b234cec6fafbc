"""Patient ids across the exports: the declared normalisation, near-duplicate ids, orphaned sources.

- :func:`normalise_ids` (every table, before de-duplication): applies ``cleaning.ids`` to
  ``patient_id`` with an audit row per changed id, and excludes ids not matching its ``pattern``.
- :func:`check_ids` (once every table is read): reports ids that differ only by white space,
  look-alike characters, case or leading zeros (within the patient table, or a child record
  matching no patient but one after folding) and stops on a source whose records mostly match
  no patient (``cleaning.max_orphan_fraction``). ``analysis.clean.id_index`` prepares it as the
  tables come.

The rules are documented for users in ``docs/config.md`` (``cleaning.ids``).
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from analysis.clean.id_index import IdIndex, PatientIds
from analysis.clean.identity_rules import (
    FOLD_WORDS,
    Fold,
    IdRules,
    folds_needed,
    may_change,
    normalise_id,
    suggest_rules,
)
from analysis.clean.per_patient import IdLookup
from analysis.clean.record_sources import by_source, source_label, source_members
from analysis.clean.shared_text import Quoting
from analysis.clean.step import AUDIT_COLUMNS, LOG_COLUMNS, Step, audit_rows, log_rows
from analysis.clean.text_cells import cells_matching, text_positions
from analysis.errors import SourceError
from analysis.studyfile.config import Cleaning

ID_COLUMNS = ["patient_id", "source_file", "source_sheet", "source_row"]
_MOSTLY = 0.5  # a pattern failed by more than half of a source is a wrong pattern or column
_EXAMPLES = 5


def _rows(df: pd.DataFrame, limit: int = 3) -> str:
    rows = [str(r) for r in df["source_row"].head(limit)]
    more = " …" if len(df) > limit else ""
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(rows)}{more}"


# ------------------------------------------------------------------ declared normalisation
def normalise_ids(data: pd.DataFrame, table: str, rules: IdRules) -> Step:
    """``patient_id`` under the declared ``cleaning.ids``: an audit row per changed id (old value,
    new id, reason); records whose id does not match ``rules.pattern`` excluded (``id_pattern``).

    Raises
    ------
    SourceError
        More than half of a source's ids fail ``rules.pattern``.
    """
    ids = data["patient_id"]
    mapping: dict[object, str | None] = {}
    reasons: dict[object, str] = {}
    distinct, cells = _ids_to_normalise(ids, rules)
    for value in distinct:
        new, why = normalise_id(str(value), rules)
        if new != value:
            mapping[value] = new or None
            reasons[value] = "; ".join(why)
    out, audit = data, pd.DataFrame(columns=AUDIT_COLUMNS)
    if mapping:
        if cells is None:
            changed = ids.isin(list(mapping)).to_numpy()
        else:
            changed = np.zeros(len(ids), dtype=bool)
            changed[[i for i in cells if ids.iat[i] in mapping]] = True
        old = ids[changed]
        out = data.copy()
        out.loc[changed, "patient_id"] = pd.Series(
            [mapping[v] for v in old], index=old.index, dtype=object
        )
        said = {
            v: f"patient_id {v!r} -> {new!r} ({reasons[v]}), by `cleaning.ids`"
            if new
            else f"patient_id {v!r} is empty once white space and invisible characters are "
            "removed (`cleaning.ids.strip_whitespace`); the record has no id"
            for v, new in mapping.items()
        }
        messages = pd.Series([said[v] for v in old], index=old.index, dtype=object)
        audit = audit_rows(
            out.loc[changed], table, "patient_id", "id_normalised", old, "corrected", messages
        )
    if rules.pattern is None:
        return Step(out, audit=audit)
    kept, excluded = _match_pattern(out, table, rules.pattern)
    return Step(kept, excluded, audit)


def prefix_ids(data: pd.DataFrame, prefixes: dict[str, str]) -> pd.DataFrame:
    """``patient_id`` of each record of a source with an ``id_prefix`` (``prefixes``: source
    name -> prefix) written after that prefix (a new frame; ``data`` when no record has one).
    A declared rule of the study file applied to every id of the source alike, as a vocabulary
    is (``docs/config.md``, ``sources``): no audit row per record."""
    if not prefixes or "_source" not in data:
        return data
    ids = data["patient_id"]
    source = data["_source"]
    rows = source.isin(list(prefixes)).to_numpy() & ids.notna().to_numpy()
    if not rows.any():
        return data
    texts = ids[rows].map(_id_text)
    out = data.copy(deep=False)
    column = ids.astype(object).copy()
    column[rows] = source[rows].map(prefixes).astype(str) + texts
    out["patient_id"] = column
    return out


def _id_text(value: object) -> str:
    """An id as text: a whole number read as a float (a spreadsheet's 12.0) without its
    ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _ids_to_normalise(ids: pd.Series, rules: IdRules) -> tuple[list[object], np.ndarray | None]:
    """The distinct ids ``rules`` may change and the positions of their cells: when every id
    is text, only the ids holding a character some declared rule acts on (found in one scan;
    told apart by Python's own equality); else every distinct id (positions None)."""
    found = text_positions(ids.to_numpy(dtype=object))
    if found is None:
        return list(pd.unique(ids.dropna())), None
    positions, texts = found
    hits = cells_matching(texts, may_change(rules))
    return list(dict.fromkeys(texts[hits])), positions[hits]


def _match_pattern(
    data: pd.DataFrame, table: str, pattern: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rx = re.compile(pattern)
    ids = data["patient_id"]
    ok = {v: rx.fullmatch(str(v)) is not None for v in pd.unique(ids.dropna())}
    bad = ids.notna() & ~ids.map(lambda v: ok.get(v, True)).astype(bool)
    if not bad.any():
        return data, pd.DataFrame(columns=LOG_COLUMNS)
    for label, grp in by_source(data.loc[ids.notna()]):
        failed = grp.loc[bad[grp.index]]
        if len(failed) > _MOSTLY * len(grp):
            examples = ", ".join(
                f"{pid!r} ({_rows(g)})"
                for pid, g in list(failed.groupby("patient_id", sort=False))[:_EXAMPLES]
            )
            raise SourceError(
                f"{label}: {len(failed)} of {len(grp)} records ({len(failed) / len(grp):.0%}) of "
                f"table '{table}' have a patient_id that does not match `cleaning.ids.pattern` "
                f"{pattern!r}, e.g. {examples}. When most ids of an export fail, the pattern or "
                "the column mapping is wrong, not the records: correct `cleaning.ids.pattern` "
                "(the whole id must match, after the declared normalisation, in every export) or "
                "map `patient_id` of this source to the column that holds the patient id."
            )
    reasons = ids[bad].map(
        lambda v: f"patient_id {v!r} does not match `cleaning.ids.pattern` {pattern!r}"
    )
    return data.loc[~bad], log_rows(data.loc[bad], table, "id_pattern", reasons)


def id_records(data: pd.DataFrame) -> pd.DataFrame:
    """The located ids of a table (records with an id, under their labels in ``data``), for
    :func:`check_ids`."""
    kept = data["patient_id"].notna().to_numpy()
    return pd.DataFrame({c: data[c].to_numpy()[kept] for c in ID_COLUMNS}, index=data.index[kept])


def excluded_patients(logs: list[pd.DataFrame], kept: set[str]) -> dict[str, tuple[str, str]]:
    """``id -> (step, reason)`` of the patients whose every record was excluded (``logs``: the
    exclusion logs so far): their child records follow them with that reason, not as orphans."""
    frames = [f for f in logs if len(f)]
    if not frames:
        return {}
    log = pd.concat(frames, ignore_index=True)
    log = log.loc[(log["table"] == "patients") & log["patient_id"].notna()]
    # each logged id looked up in the set (isin hashes every kept id again: ~1 s at 1M)
    gone = np.fromiter((p not in kept for p in log["patient_id"]), dtype=bool, count=len(log))
    log = log.loc[gone].drop_duplicates("patient_id")
    return {
        str(p): (str(s), str(r))
        for p, s, r in zip(log["patient_id"], log["step"], log["reason"], strict=True)
    }


# ------------------------------------------------------------------ near-duplicates, orphans
def _folds_words(folds: set[Fold]) -> str:
    return " and ".join(FOLD_WORDS[f] for f in FOLD_WORDS if f in folds)


def check_ids(
    ids: dict[str, pd.DataFrame], cleaning: Cleaning, index: IdIndex | None = None
) -> tuple[list[str], pd.DataFrame, dict[str, IdLookup]]:
    """Warnings and audit rows (``near_duplicate_id``, flagged) for ids equal only after folding,
    and where each child table's ids are among the patient table's (``IdLookup``, for the
    de-duplication; a table whose labels are not increasing has none).

    ``ids``: table -> :func:`id_records` of its normalised records. ``index``: an
    :class:`IdIndex` of ``ids["patients"]`` with some child tables added already (else made).

    Raises
    ------
    SourceError
        Patient-table ids equal after folding (unless ``cleaning.ids.near_duplicates: warn``);
        a source with more than ``cleaning.max_orphan_fraction`` of records whose patient_id is
        not in the patient table at all.
    """
    if index is None or index.known.records is not ids["patients"]:
        index = IdIndex(ids["patients"])
    known, patient_ids = index.known, index.patient_ids
    warnings: list[str] = []
    audit = [_patient_near_duplicates(known, cleaning.ids, warnings)]
    stops: list[str] = []
    lookups: dict[str, IdLookup] = {}
    for table, df in ids.items():
        if table == "patients" or df.empty:
            continue
        at = index.at(table, df)
        if df.index.is_monotonic_increasing:
            lookups[table] = IdLookup(patient_ids, df.index.to_numpy(), at)
        orphan = at < 0
        orphans = df.loc[orphan]
        match = known.match(orphans["patient_id"])
        for label, members in source_members(df):
            o = df.loc[orphan & members]
            near = o.loc[match[o.index].notna()]
            if len(near):
                audit.append(_flag_near(near, match, table, known))
            n = int(members.sum())
            if len(o) > cleaning.max_orphan_fraction * n:
                stops.append(_orphan_paragraph(label, table, o, n, match, known, cleaning))
            elif len(near):
                warnings.append(_near_warning(label, table, near, match, known))
    if stops:
        raise SourceError(
            "patient ids do not link: "
            + "\n".join(stops)
            + "\nDeclare how the exports write their ids (`cleaning.ids`), correct the ids in "
            "the export, or, if these records really belong to no patient of the study, raise "
            f"`cleaning.max_orphan_fraction` (now {cleaning.max_orphan_fraction:g}). Records of "
            "patients excluded later (missing values, conflicts, inclusion) never count here."
        )
    audited = pd.concat([a for a in audit if len(a)] or [audit[0]], ignore_index=True)
    return warnings, audited, lookups


def _patient_near_duplicates(
    known: PatientIds, rules: IdRules, warnings: list[str]
) -> pd.DataFrame:
    """Patient-table ids equal after folding: a stop, or (``near_duplicates: warn``) a warning
    and an audit row per record."""
    groups = known.groups
    if not groups:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    records = known.records
    folds: set[Fold] = set()
    described = []
    for i, g in enumerate(groups):
        need = {f for other in g[1:] for f in folds_needed(g[0], other)}
        folds |= need
        if i < 10:
            where = ", ".join(
                f"{p!r} ({_located(records.loc[records['patient_id'] == p])})" for p in g
            )
            described.append(f"{where}: equal after {_folds_words(need)}")
    more = f"; and {len(groups) - 10} more" if len(groups) > 10 else ""
    shown = "; ".join(described) + more
    n = sum(len(g) for g in groups)
    fix = suggest_rules(folds, known.style)
    if rules.near_duplicates == "error":
        raise SourceError(
            f"the patient table has {len(groups)} group(s) of ids that differ only by white "
            f"space, look-alike characters, case or leading zeros ({n} ids): {shown}. Each would "
            "be counted as a different patient. If they are the same patients, declare "
            f"`cleaning.ids: {fix}` (their records are then merged, or excluded as a conflict "
            "when they disagree); if they are different patients, set "
            "`cleaning.ids.near_duplicates: warn`."
        )
    said = (
        f"{len(groups)} group(s) of patient ids differ only by white space, look-alike "
        f"characters, case or leading zeros and are counted as different patients "
        f"(`cleaning.ids.near_duplicates: warn`)"
    )
    advice = f"If they are the same patients, declare `cleaning.ids: {fix}`."
    warnings.append(
        Quoting(
            f"{said}: {shown}. {advice}",
            f"{said} ({n} ids; the audit log lists them). {advice}",
        )
    )
    group_of = {p: g for g in groups for p in g}
    flagged = records.loc[records["patient_id"].isin(set(group_of))]
    messages = flagged["patient_id"].map(
        lambda p: (
            f"patient_id {p!r} equals "
            + ", ".join(repr(o) for o in group_of[p] if o != p)
            + " after folding; counted as a different patient (`cleaning.ids.near_duplicates: "
            "warn`)"
        )
    )
    ids = flagged["patient_id"]
    return audit_rows(
        flagged, "patients", "patient_id", "near_duplicate_id", ids, "flagged", messages
    )


def _located(df: pd.DataFrame) -> str:
    """``file, row 2`` of the first record(s) of one id."""
    first = df.iloc[0]
    return f"{source_label(str(first['source_file']), str(first['source_sheet']))}, {_rows(df)}"


def _examples(o: pd.DataFrame, match: pd.Series, known: PatientIds) -> str:
    out = []
    for pid, g in list(o.groupby("patient_id", sort=False))[:_EXAMPLES]:
        m = match[g.index[0]]
        if pd.notna(m):
            close = f"patient id {m!r} (equal after {_folds_words(set(folds_needed(pid, m)))})"
        else:
            similar = difflib.get_close_matches(str(pid), known.ids, n=1, cutoff=0.8)
            close = (
                f"most similar patient id {similar[0]!r}" if similar else "no similar patient id"
            )
        out.append(f"{pid!r} ({_rows(g)}) -> {close}")
    more = o["patient_id"].nunique() - len(out)
    return "; ".join(out) + (f"; and {more} more id(s)" if more > 0 else "")


def _fix(near: pd.DataFrame, match: pd.Series) -> set[Fold]:
    pairs = {(str(v), str(match[i])) for i, v in near["patient_id"].items()}
    return {f for a, b in pairs for f in folds_needed(a, b)}


def _orphan_paragraph(
    label: str,
    table: str,
    o: pd.DataFrame,
    n: int,
    match: pd.Series,
    known: PatientIds,
    cleaning: Cleaning,
) -> str:
    near = o.loc[match[o.index].notna()]
    text = (
        f"{label}: {len(o)} of {n} records ({len(o) / n:.1%}) of table '{table}' have a "
        f"patient_id that is not in the patient table, more than `cleaning.max_orphan_fraction` "
        f"({cleaning.max_orphan_fraction:g}): {_examples(o, match, known)}."
    )
    if len(near):
        text += (
            f" {len(near)} of them match a patient id after folding: declare "
            f"`cleaning.ids: {suggest_rules(_fix(near, match), known.style)}`."
        )
    return text


def _near_warning(
    label: str, table: str, near: pd.DataFrame, match: pd.Series, known: PatientIds
) -> str:
    head = (
        f"{label}: {len(near)} record(s) of table '{table}' ({near['patient_id'].nunique()} "
        f"id(s)) match no patient id but do after folding"
    )
    rest = (
        "They are excluded as orphans. If they are the same patients, declare "
        f"`cleaning.ids: {suggest_rules(_fix(near, match), known.style)}` in the study file."
    )
    return Quoting(
        f"{head}: {_examples(near, match, known)}. {rest}",
        f"{head} (the audit log lists them). {rest}",
    )


def _flag_near(near: pd.DataFrame, match: pd.Series, table: str, known: PatientIds) -> pd.DataFrame:
    said: dict[tuple[str, str], str] = {}
    for i, v in near["patient_id"].items():
        pair = (str(v), str(match[i]))
        if pair not in said:
            folds = set(folds_needed(*pair))
            said[pair] = (
                f"patient_id {pair[0]!r} is in no patient record but equals patient {pair[1]!r} "
                f"after {_folds_words(folds)}; the record is excluded as an orphan. If they are "
                f"the same patient, declare `cleaning.ids: {suggest_rules(folds, known.style)}`"
            )
    messages = pd.Series(
        [said[(str(v), str(match[i]))] for i, v in near["patient_id"].items()], index=near.index
    )
    ids = near["patient_id"]
    return audit_rows(near, table, "patient_id", "near_duplicate_id", ids, "flagged", messages)
