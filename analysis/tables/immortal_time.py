"""A time-to-event table whose patients were selected on having lived part of the time
(immortal time): said in its footnote.

Time to discontinuation counts from day 0. When the inclusion criteria keep only patients
treated for at least three months (``exposure_months >= 3``), no included patient can stop
before month 3: the curve is flat there by design, and every estimate of the table is
conditional on reaching month 3 on treatment, not the probability for a patient starting it.
The table says so, with the criterion's threshold, rather than let S(6 months) read as the
chance of staying on treatment for six months from the first dose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig

#: time column -> the columns an inclusion threshold on which guarantees time free of its event
_GUARANTEED_BY = {
    "time_to_discontinuation_months": ("exposure_months", "time_to_discontinuation_months"),
}
_LOWER_BOUNDS = (">=", ">")


def immortal_time_note(config: StudyConfig, time: str, unit: str = "months") -> str | None:
    """The footnote of a Kaplan–Meier table of ``time`` whose inclusion criteria guarantee its
    patients some time free of the event, or None."""
    columns = _GUARANTEED_BY.get(time, ())
    bounds = [
        (crit, cond)
        for crit in config.inclusion
        for cond in crit.where
        if cond.column in columns
        and cond.op in _LOWER_BOUNDS
        and isinstance(cond.value, int | float)
        and not isinstance(cond.value, bool)
        and cond.value > 0
    ]
    if not bounds:
        return None
    crit, cond = max(bounds, key=lambda b: float(b[1].value))  # type: ignore[arg-type]
    t = f"{float(cond.value):g}"  # type: ignore[arg-type]
    return (
        f"Immortal time: the inclusion criterion “{crit.label}” keeps only patients who reached "
        f"{t} {unit} without the event, so no event can occur before {t} {unit}; the estimates "
        f"are conditional on reaching {t} {unit}, not probabilities from {config.exposure.day0_words}."
    )


__all__ = ["immortal_time_note"]
