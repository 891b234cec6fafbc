"""Counts by exposure number (session, infusion, ...) from one bit mask per subject.

The per-exposure table needs, for each exposure number k, the subjects who received a k-th
exposure (``N``), the same with the tail pooled (``k+``: subjects who received any number from
k on), and the events after exposure k of subjects who received it. Counted as distinct
(subject, number) pairs, each of these is a hash aggregation over every exposure row (7.4M rows
for a million patients, ~1.7 s each). Here the exposures are read once per query into one row
per subject holding ``_mask``, the bitwise OR of ``1 << k`` over its exposure numbers; the
distribution of the masks (a few hundred distinct values) gives every ``N`` exactly, and an
event is kept when its subject's mask has the bit of its number (or, pooled, any bit from the
pool's start on). The counts are those of distinct pairs, exactly; numbers outside
``0..MAX_BIT`` do not fit the mask, and then the caller counts pairs (``fits``).

DuckDB only (``counts.on_duckdb``); other engines count pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from analysis.engine import counts as engine
from analysis.engine import incidence
from analysis.errors import ArgumentError

#: The largest exposure number a bit of the int64 mask holds (bits 0..62; bit 63 is the sign).
MAX_BIT = 62


@dataclass(frozen=True)
class MaskCounts:
    """The distribution of the subjects' masks: one row per distinct (``mask``, ``has_null``,
    ``has_outside``, ``no_id``) with its number of subjects ``n``; ``no_id`` marks the group of
    the rows without a subject id (counted as no subject, its numbers still listed with
    ``N = 0``, as a distinct count over pairs gives them)."""

    frame: pd.DataFrame

    @property
    def fits(self) -> bool:
        """Whether every exposure number lies in ``0..MAX_BIT`` (else count pairs instead)."""
        return not bool(self.frame["has_outside"].any())

    def sizes(self, cap: int | None = None) -> pd.Series:
        """Subjects who received each exposure number (index ``_k``, int64, ascending), the
        numbers from ``cap`` on pooled into ``cap``; numbers without a subject id count 0."""
        f = self.frame[self.frame["mask"] != 0]
        weight = f["n"].where(~f["no_id"], 0).astype("int64")
        masks = f["mask"].astype("int64").to_numpy()
        top = MAX_BIT if cap is None else min(cap, MAX_BIT + 1) - 1
        out: dict[int, int] = {}
        for k in range(top + 1):
            has = (masks >> k) & 1 == 1
            if has.any():
                out[k] = int(weight[has].sum())
        if cap is not None and cap <= MAX_BIT:
            has = (masks >> cap) != 0
            if has.any():
                out[cap] = int(weight[has].sum())
        return pd.Series(out, dtype="int64", name="N").rename_axis("_k")

    def missing_number(self) -> tuple[bool, int]:
        """Whether some exposure row has no number, and the subjects (with an id) it concerns."""
        f = self.frame[self.frame["has_null"]]
        return len(f) > 0, int(f.loc[~f["no_id"], "n"].sum())


def subject_masks(exposures: ir.Table, *, subject_id: str, number: str = "_k") -> ir.Table:
    """One row per subject of ``exposures`` (a null id is one group): ``_mask``, the OR of
    ``1 << k`` over its numbers in ``0..MAX_BIT``; ``_nulls`` and ``_outside``, its rows
    without a number and with one outside that range."""
    k = exposures[number]
    inside = k.between(0, MAX_BIT)
    bit = ibis.literal(1, type="int64") << inside.ifelse(k, 0).cast("int64")
    return exposures.group_by(subject_id).aggregate(
        _mask=bit.bit_or(where=inside).fill_null(0),
        _nulls=k.isnull().sum(),
        _outside=(k.notnull() & ~inside).sum(),
    )


def held_masks(exposures: ir.Table, *, subject_id: str, number: str = "_k") -> ir.Table:
    """``subject_masks`` computed now and held in memory (Arrow, one row per subject), so that
    the queries after it do not read every exposure row again."""
    m = subject_masks(exposures, subject_id=subject_id, number=number)
    return ibis.memtable(engine.backend_of(m).to_pyarrow(m))


def mask_counts(masks: ir.Table, *, subject_id: str) -> MaskCounts:
    """The distribution of ``masks`` (``subject_masks``)."""
    m = masks
    dist = m.group_by(
        mask=m["_mask"],
        has_null=m["_nulls"] > 0,
        has_outside=m["_outside"] > 0,
        no_id=m[subject_id].isnull(),
    ).aggregate(n=m.count())
    frame = engine.execute(dist, ["mask", "has_null", "has_outside", "no_id"])
    for col in ("has_null", "has_outside", "no_id"):
        frame[col] = frame[col].astype(bool)
    return MaskCounts(frame)


def received(
    events: ir.Table, masks: ir.Table, *, subject_id: str, cap: int | None, number: str = "_k"
) -> ir.Table:
    """The rows of ``events`` (uncapped number ``number``) whose subject received an exposure
    of the same number, or with ``cap``, of the same pooled number (numbers from ``cap`` on are
    one); an inner join of the events with ``masks`` (``subject_masks``) on the subject id.
    ``cap`` must lie in ``0..MAX_BIT`` and every exposure number too (``MaskCounts.fits``)."""
    masks = masks.select(subject_id, masks["_mask"])
    j = events.inner_join(masks, subject_id)
    k = j[number]
    shift = k.between(0, MAX_BIT).ifelse(k, 0).cast("int64")
    exact = k.between(0, MAX_BIT) & (((j["_mask"] >> shift) & 1) == 1)
    pooled = (k >= cap) & ((j["_mask"] >> cap) != 0) if cap is not None else None
    keep = exact if pooled is None else ((k < cap) & exact) | pooled
    return j.filter(keep).drop("_mask")


@dataclass(frozen=True)
class ByExposure:
    """The counts of a per-exposure table: ``exposed`` (subjects who received each number,
    pooled from ``cap`` on; index ``_k``), ``counts`` (``[_k, term, n, events]``: subjects and
    events per pooled number and term, then per number alone with ``term`` = ``any_label``,
    each part sorted by its keys), ``cap`` (the first pooled number, or None) and ``sizes`` (the
    subjects per number before pooling, which ``cap`` was chosen from)."""

    sizes: pd.Series
    exposed: pd.Series
    counts: pd.DataFrame
    cap: int | None


def by_exposure(
    events: ir.Table,
    exposures: ir.Table,
    *,
    subject_id: str,
    term: str,
    choose_cap: Callable[[pd.Series], int | None],
    any_label: str,
    missing_message: Callable[[int], str],
) -> ByExposure:
    """Count ``events`` (columns ``subject_id``, ``term``, ``_k``: the exposure number) by
    exposure number among the subjects who received it, from ``exposures`` (``subject_id``,
    ``_k``). ``choose_cap(sizes)`` gives the first pooled number from the subjects per number;
    an exposure row without a number is a ``ValueError`` (``missing_message(subjects)``).

    On DuckDB with every number in ``0..MAX_BIT``: the exposures are read once, into one mask
    per subject (``held_masks``), and the counts come from the masks; otherwise from distinct
    (subject, number) pairs, each query reading every exposure row. Both count the same.
    """
    masks, held = None, None
    if engine.on_duckdb(events, exposures):
        held = held_masks(exposures, subject_id=subject_id)
        masks = mask_counts(held, subject_id=subject_id)
        masks = masks if masks.fits else None
    if masks is not None:
        sizes = masks.sizes()
    else:
        found = engine.group_sizes(exposures, by=["_k"], subject_id=subject_id)
        sizes = found.dropna(subset=["_k"]).set_index("_k")["N"]
    cap = choose_cap(sizes)
    if masks is not None and held is not None and (cap is None or 0 <= cap <= MAX_BIT):
        missing, n_missing = masks.missing_number()
        if missing:
            raise ArgumentError(missing_message(n_missing))
        exposed = masks.sizes(cap)
        kept = received(events, held, subject_id=subject_id, cap=cap)
    else:
        exposed, kept = _by_pairs(events, exposures, subject_id, cap, missing_message)
    if cap is not None:
        kept = kept.mutate(_k=kept["_k"].clip(upper=cap))
    per_term = incidence.subjects_and_events(kept, by=["_k", term], subject_id=subject_id)
    per_number = incidence.subjects_and_events(kept, by=["_k"], subject_id=subject_id).assign(
        **{term: any_label}
    )
    return ByExposure(sizes, exposed, pd.concat([per_number, per_term], ignore_index=True), cap)


def _by_pairs(
    events: ir.Table,
    exposures: ir.Table,
    subject_id: str,
    cap: int | None,
    missing_message: Callable[[int], str],
) -> tuple[pd.Series, ir.Table]:
    """``by_exposure`` on any engine: the subjects per pooled number and the events whose
    subject received their pooled number, from distinct (subject, pooled number) pairs."""
    if cap is not None:
        exposures = exposures.mutate(_k=exposures["_k"].clip(upper=cap))
        events = events.mutate(_k=events["_k"].clip(upper=cap))
    found = engine.group_sizes(exposures, by=["_k"], subject_id=subject_id)
    if found["_k"].isna().any():
        raise ArgumentError(missing_message(int(found.loc[found["_k"].isna(), "N"].sum())))
    pairs = exposures.select(subject_id, "_k").distinct()
    return found.set_index("_k")["N"], events.inner_join(pairs, [subject_id, "_k"])
