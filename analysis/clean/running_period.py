"""The dose period an adverse event is charged to when periods overlap: the one running at onset.

An event's ``exposure_number`` is the number of the patient's exposures starting on or before
its onset (``derive.exposures_on_or_before``): the session or period it followed. For periods
that overlap (flagged by ``period_overlaps``) that is not always the dose taken: with 1 mg/day
from January (no stop date) and 2 mg/day from March to May, an event in June followed the
2 mg period by start, but only the 1 mg period was running. Such an event is charged to the
latest-starting period running at its onset (start on or before it, stop on or after it or no
stop). An event no period covers (in a gap between periods, or after the last one stopped)
keeps the period it followed, as documented (``docs/derivations.md`` §5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def running_period(
    exposures: pd.DataFrame,
    patient: pd.Series,
    onset: pd.Series,
    number: np.ndarray,
    *,
    by: str = "patient_id",
) -> np.ndarray:
    """``number`` (each event's period by the count of starts, 0 for none) with the events
    whose period had stopped before onset while an earlier one still ran given that earlier
    period's number (the latest-starting such). ``patient``: each event's value of the column
    ``by`` of ``exposures``; ``exposures``: the periods, with ``start_date`` and
    ``stop_date``."""
    periods = exposures.loc[exposures["start_date"].notna(), [by, "start_date", "stop_date"]]
    if periods.empty or not len(number):
        return number
    periods = periods.sort_values([by, "start_date"], kind="stable")
    rank = periods.groupby(by, sort=False).cumcount().to_numpy() + 1
    chosen = pd.DataFrame({by: patient.to_numpy(), "_n": number, "_onset": onset.to_numpy()})
    stops = pd.DataFrame(
        {by: periods[by].to_numpy(), "_n": rank, "_stop": periods["stop_date"].to_numpy()}
    )
    merged = chosen.merge(stops, on=[by, "_n"], how="left", sort=False)
    ended = (merged["_stop"] < merged["_onset"]).to_numpy()  # NaT stop: running, never ended
    if not ended.any():
        return number
    out = number.copy()
    wanted = set(merged.loc[ended, by])
    own = periods.loc[periods[by].isin(wanted)]
    per_patient = {
        p: (g["start_date"].to_numpy(), g["stop_date"].to_numpy())
        for p, g in own.groupby(by, sort=False)
    }
    for i in np.flatnonzero(ended):
        starts, ends = per_patient[merged.at[i, by]]
        when = np.datetime64(merged.at[i, "_onset"])
        for j in range(int(number[i]) - 1, -1, -1):  # the earlier periods, latest start first
            if starts[j] <= when and (np.isnat(ends[j]) or ends[j] >= when):
                out[i] = j + 1
                break
    return out


__all__ = ["running_period"]
