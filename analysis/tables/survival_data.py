"""The patients of a time-to-event table or figure as the analysis reads them: the time in
months, censored where the study file says, and the footnotes that say both.

A study file describes its design here, not in code: a time counted in days is shown in months
(``analysis.studyfile.column_kinds``), and ``censor_at_months: 24`` censors every patient
followed longer at 24 months (administrative censoring: an event after it is not counted), as a
study reporting "two-year" outcomes does. The same preparation serves the Kaplan–Meier table,
its Cox model and the figure, so the three show the same patients and times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.stats.event_flag import event_flag
from analysis.studyfile.column_kinds import months_per, time_unit
from analysis.words import counted

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig


def survival_data(
    config: StudyConfig,
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    censor_at_months: float | None,
) -> tuple[pd.DataFrame, list[str]]:
    """``data`` with ``time`` in months and, under ``censor_at_months``, every later time
    censored then; the footnotes saying what was done (none when nothing was)."""
    data, in_months = times_in_months(config, data, time)
    notes = [in_months] if in_months else []
    if censor_at_months is None:
        return data, notes
    at = float(censor_at_months)
    flags = event_flag(data[event], event)
    later = (data[time] > at).fillna(False)
    events_after = int((later & (flags == 1)).sum())
    data = data.assign(
        **{time: data[time].where(~later, at), event: flags.where(~later, 0).astype(int)}
    )
    after = f" ({counted(events_after, 'event')} after {at:g} months not counted)"
    notes.append(
        f"Administrative censoring at {at:g} months: {counted(int(later.sum()), 'patient')} "
        f"followed longer censored then{after if events_after else ''}."
    )
    return data, notes


def in_months_note(unit: str, days_per_month: float) -> str:
    """The footnote of a table whose time column, counted in ``unit``, is shown in months."""
    how = {
        "days": f"days / {days_per_month:g}",
        "weeks": f"weeks × 7 / {days_per_month:g}",
        "years": "years × 12",
    }[unit]
    return f"Times are counted in {unit} and shown in months ({how})."


def times_in_months(cfg: StudyConfig, data: pd.DataFrame, time: str) -> tuple[pd.DataFrame, str]:
    """``data`` with ``time`` in months, as the Kaplan–Meier tables and figures show it, and
    the footnote saying so ("" when it already was; a time of no known unit is refused with the
    study file, ``plan_checks``)."""
    unit = time_unit(cfg, time) or "months"
    if unit == "months":
        return data, ""
    days = cfg.derive.days_per_month
    months = data.assign(**{time: data[time] * months_per(unit, days)})
    return months, in_months_note(unit, days)


__all__ = ["in_months_note", "survival_data", "times_in_months"]
