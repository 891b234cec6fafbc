"""What a study file can know of a patient column before any data are read: whether it holds
numbers or dates, and in what unit a time is counted.

A condition `{column: age_years, op: ">=", value: "18"}` (the number quoted, a common YAML
slip) stopped the clean stage with pandas' "Invalid comparison between dtype=float64 and str",
and `op: in` with quoted numbers matched nobody, in silence. A time-to-event table on
`time_to_first_teae_days` printed S(6 days) as "S(6 months)": the tables took every time as
months. Both need the column's kind and unit from the study file alone: the canonical and
declared columns carry their kind (and a declared one its `unit`); the derived ones are listed
here, and their names end with their unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig

#: derived columns that hold numbers (``analysis.clean.derive``), by table
DERIVED_NUMBERS: dict[str, frozenset[str]] = {
    "patients": frozenset(
        {
            "n_exposures",
            "n_doses",
            "initial_dose_mg",
            "max_dose_mg",
            "exposure_months",
            "followup_months",
            "schedule_months_year1",
            "n_teae",
            "time_to_discontinuation_months",
            "time_to_first_teae_days",
            "exposures_to_first_teae",
            "time_to_first_improvement_months",
        }
    ),
    "exposures": frozenset({"exposure_number", "doses_per_week", "daily_dose_mg"}),
    "adverse_events": frozenset({"exposure_number", "days_from_day0"}),
}

#: a time's unit as a study may write it (``variables.<table>.<column>.unit``), by unit
_UNIT_WORDS = {
    "days": ("d", "day", "days", "día", "días", "jour", "jours", "tag", "tage"),
    "weeks": ("wk", "wks", "week", "weeks", "semana", "semanas", "semaine", "semaines"),
    "months": ("mo", "mon", "month", "months", "mes", "meses", "mois", "monat", "monate"),
    "years": ("y", "yr", "yrs", "year", "years", "año", "años", "an", "ans", "jahr", "jahre"),
}
#: days in one of each unit, for a time in months (``derive.days_per_month`` for a month)
_YEAR_DAYS = 365.25


def is_number(cfg: StudyConfig, column: str, table: str = "patients") -> bool:
    """``column`` of ``table`` holds numbers: read as a number or integer, or derived as one."""
    spec = cfg.columns_for(table).get(column)
    if spec is not None:
        return spec.kind in ("number", "integer")
    return column in DERIVED_NUMBERS.get(table, frozenset())


def is_date(cfg: StudyConfig, column: str, table: str = "patients") -> bool:
    """``column`` of ``table`` holds dates: read as a date, or derived as one (the derived
    dates end in ``_date``: ``day0_date``, ``exposure_end_date``, ...)."""
    spec = cfg.columns_for(table).get(column)
    if spec is not None:
        return spec.kind == "date"
    return column.endswith("_date")


def time_unit(cfg: StudyConfig, column: str, table: str = "patients") -> str | None:
    """The unit a time column counts in (days, weeks, months or years): its declared ``unit``,
    else the end of its name (``_days``, ``_weeks``, ``_months``, ``_years``); None when
    neither says."""
    spec = cfg.columns_for(table).get(column)
    declared = (getattr(spec, "unit", "") or "").strip().lower() if spec is not None else ""
    for unit, words in _UNIT_WORDS.items():
        if declared in words:
            return unit
    if declared:
        return None
    for unit in _UNIT_WORDS:
        if column.endswith(f"_{unit}"):
            return unit
    return None


def months_per(unit: str, days_per_month: float) -> float:
    """How many months one ``unit`` is (a month of ``days_per_month`` days, a year of 365.25)."""
    days = {"days": 1.0, "weeks": 7.0, "months": days_per_month, "years": _YEAR_DAYS}[unit]
    return days / days_per_month


def time_origin_words(cfg: StudyConfig, time: str) -> str:
    """Where a derived time starts, in words: the first exposure for the time to the first
    treatment-emergent adverse event (it runs over the treatment-emergent window,
    ``analysis.clean.derive.days_to_first_teae``), day 0 for every other."""
    e = cfg.exposure
    return e.first_exposure_words if time == "time_to_first_teae_days" else e.day0_words


__all__ = ["DERIVED_NUMBERS", "is_number", "months_per", "time_origin_words", "time_unit"]
