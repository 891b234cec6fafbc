"""Counts by exposure number from subject bit masks (``engine.exposure_counts``) against the
distinct-pair counting the per-exposure table used before (kept here as the reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.engine import counts as engine
from analysis.engine import exposure_counts, incidence
from analysis.tables.ae_detail import ae_by_exposure
from analysis.tables.exposure_pool import pool_exposures


def _message(n: int) -> str:
    return f"missing number for {n} subject(s)"


def reference(events: pd.DataFrame, exposures: pd.DataFrame, floor, max_exposure):
    """The per-exposure counts as ``ae_by_exposure`` computed them before the masks: four
    queries over distinct (subject, pooled number) pairs."""
    ev_t = engine.as_table(events)
    ss_t = engine.as_table(exposures)
    sizes = engine.group_sizes(ss_t, by=["_k"], subject_id="patient_id").dropna(subset=["_k"])
    pooling = pool_exposures(sizes.set_index("_k")["N"], floor, max_exposure=max_exposure)
    cap = pooling.start if pooling.start is not None else 2**62
    ev_t = ev_t.mutate(_k=ev_t["_k"].clip(upper=cap))
    ss_t = ss_t.mutate(_k=ss_t["_k"].clip(upper=cap))
    exposed_df = engine.group_sizes(ss_t, by=["_k"], subject_id="patient_id")
    if exposed_df["_k"].isna().any():
        raise ValueError(_message(int(exposed_df.loc[exposed_df["_k"].isna(), "N"].sum())))
    received = ss_t.select("patient_id", "_k").distinct()
    ev_t = ev_t.inner_join(received, ["patient_id", "_k"])
    counts = incidence.subjects_and_events(ev_t, by=["_k", "ae_term"], subject_id="patient_id")
    any_counts = incidence.subjects_and_events(ev_t, by=["_k"], subject_id="patient_id")
    any_counts = any_counts.assign(ae_term="any")
    return exposed_df.set_index("_k")["N"], pd.concat([any_counts, counts], ignore_index=True)


def cohort(seed: int, n: int = 400, *, top: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Subjects with 1..top sessions, gaps, duplicated rows, subjects without sessions; events
    at sessions received, not received, beyond the last, negative and without an id."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        last = int(rng.integers(0, top + 1))
        numbers = [k for k in range(1, last + 1) if rng.random() > 0.1]
        numbers += list(rng.choice(numbers, size=min(2, len(numbers)), replace=False)) * (
            rng.random() < 0.2
        )
        rows += [(f"P{i:04d}", int(k)) for k in numbers]
    exposures = pd.DataFrame(rows, columns=["patient_id", "_k"]).astype({"_k": "int64"})
    m = 3 * n
    events = pd.DataFrame(
        {
            "patient_id": [f"P{int(i):04d}" for i in rng.integers(0, n + 20, m)],
            "ae_term": rng.choice(["a", "b", "c"], m),
            "_k": rng.integers(-1, top + 4, m).astype("int64"),
        }
    )
    events.loc[rng.random(m) < 0.02, "patient_id"] = None
    exposures.loc[rng.random(len(exposures)) < 0.01, "patient_id"] = None
    return events, exposures


def _ours(events, exposures, floor, max_exposure):
    found = exposure_counts.by_exposure(
        engine.as_table(events),
        engine.as_table(exposures),
        subject_id="patient_id",
        term="ae_term",
        choose_cap=lambda s: pool_exposures(s, floor, max_exposure=max_exposure).start,
        any_label="any",
        missing_message=_message,
    )
    return found.exposed, found.counts


def _same(ours, ref) -> None:
    pd.testing.assert_series_equal(ours[0], ref[0], check_names=False, check_dtype=False)
    pd.testing.assert_frame_equal(ours[1], ref[1], check_dtype=False)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("floor", "max_exposure"), [((0.10, 20), None), ((0.5, 5), None), ((0.0, 0), 4), ((0.1, 1), 0)]
)
def test_masks_count_as_distinct_pairs(seed, floor, max_exposure) -> None:
    events, exposures = cohort(seed)
    ref = reference(events, exposures, floor, max_exposure)
    _same(_ours(events, exposures, floor, max_exposure), ref)


def test_numbers_beyond_the_mask_count_pairs(monkeypatch) -> None:
    """Numbers above MAX_BIT (or negative) do not fit a mask: the pairs are counted instead."""
    events, exposures = cohort(1, top=70)
    exposures.loc[0, "_k"] = -2
    for floor in ((0.0, 0), (0.10, 20)):
        _same(_ours(events, exposures, floor, None), reference(events, exposures, floor, None))
    held = exposure_counts.held_masks(engine.as_table(exposures), subject_id="patient_id")
    assert not exposure_counts.mask_counts(held, subject_id="patient_id").fits


def test_other_engines_count_pairs(monkeypatch) -> None:
    events, exposures = cohort(2)
    monkeypatch.setattr(engine, "on_duckdb", lambda *tables: False)
    floor = (0.10, 20)
    _same(_ours(events, exposures, floor, None), reference(events, exposures, floor, None))


def test_missing_number_is_refused_with_the_subjects() -> None:
    events, exposures = cohort(3)
    exposures = exposures.astype({"_k": "Int64"})
    exposures.loc[[1, 2, 5], "_k"] = pd.NA
    with pytest.raises(ValueError) as ref:
        reference(events, exposures, (0.1, 20), None)
    with pytest.raises(ValueError) as ours:
        _ours(events, exposures, (0.1, 20), None)
    assert str(ours.value) == str(ref.value)


def test_table_on_a_cohort_with_pooling() -> None:
    """The whole table: pooled tail and every number, same rows as the pair counting."""
    events, exposures = cohort(4, n=2000, top=30)
    events = events.rename(columns={"_k": "exposure_number"}).assign(is_teae=True)
    exposures = exposures.rename(columns={"_k": "exposure_number"})
    table = ae_by_exposure(events, exposures)
    frame = table.frame
    assert frame["group"].str.endswith("+").any()
    big_n = frame[(frame["stat"] == "N") & (frame["level"] == "a")].set_index("group")["value"]
    ref = reference(
        events.rename(columns={"exposure_number": "_k"}),
        exposures.rename(columns={"exposure_number": "_k"}),
        (0.10, 20),
        None,
    )[0]
    assert list(big_n.to_numpy()) == list(ref.to_numpy())
