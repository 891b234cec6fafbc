"""What a Kaplan–Meier table's time counts, in its footnote: where it starts, what ends it as an
event and where a patient without the event is censored, for each time the clean stage derives
(``analysis.clean.derive``), in the words ``docs/derivations.md`` §5 uses.

Every table said "censored at the last contact", also where the code censored elsewhere: at the
last assessment (time to improvement), at the end of the treatment-emergent window (time to the
first treatment-emergent adverse event).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.stats.event_flag import event_flag
from analysis.words import counted

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig


def teae_window_words(config: StudyConfig) -> str:
    """The treatment-emergent window as the footnotes define it: "onset from the first session
    to 90 days after the end of exposure"."""
    e = config.exposure
    lag = e.teae_days_after_last
    end = f"{counted(lag, 'day')} after the end of exposure" if lag else "the end of exposure"
    return f"onset from {e.first_exposure_words} to {end}"


def survival_axis_label(config: StudyConfig, time: str, event: str) -> str:
    """What a Kaplan–Meier curve of ``time`` and ``event`` shows, for its y axis: every curve
    was "Proportion still on treatment", also of the time to a first adverse event."""
    if time == "time_to_discontinuation_months":
        return "Proportion still on treatment"
    if time == "time_to_first_teae_days":
        return "Proportion without a treatment-emergent adverse event"
    if time == "time_to_first_improvement_months":
        return "Proportion not yet improved"
    from analysis.studyfile.plan_defaults import variable_label
    from analysis.words import in_sentence

    return f"Proportion event-free (event: {in_sentence(variable_label(config, event))})"


def in_months_label(label: str) -> str:
    """A time's label as a Kaplan–Meier table titles it: the tables show every time in months
    (``analysis.tables.survival_data``), so a label ending with another unit says months."""
    for unit in ("days", "weeks", "years"):
        if label.endswith(f", {unit}"):
            return label.removesuffix(unit) + "months"
    return label


def time_rule_note(config: StudyConfig, data: pd.DataFrame, *, time: str, event: str) -> str:
    """The footnote sentence of ``time`` (shown in months): its origin, event and censoring."""
    e, d = config.exposure, config.derive
    if time == "time_to_discontinuation_months":
        return (
            f"Time in months from {e.day0_words} to the discontinuation date (event); a patient "
            "recorded as stopped without a date is taken to have stopped at the end of exposure; "
            "a patient not stopped is censored at the last contact."
        )
    if time == "time_to_first_teae_days":
        return (
            f"Time in months from {e.first_exposure_words} to the first treatment-emergent "
            f"adverse event (event; treatment-emergent: {teae_window_words(config)}); a patient without one is "
            "censored at the earlier of the last contact and the end of that window (an event "
            f"after it would not count); 0, censored, without a {e.singular}."
        )
    if time == "time_to_first_improvement_months":
        flags = event_flag(data[event], event) if event in data else None
        never = 0 if flags is None else int(((data[time] == 0) & (flags == 0)).sum())
        return (
            f"Time in months from {e.day0_words} to the first assessment graded as an "
            f"improvement ({', '.join(d.improvement_levels)}) at any visit (event); a patient "
            "without one is censored at the last assessment; a patient never assessed after "
            "day 0 cannot be seen to improve and is censored at 0 months, contributing no time "
            f"at risk ({counted(never, 'patient')})."
        )
    return f"Time in months from {e.day0_words}; censored at the last contact."


__all__ = ["in_months_label", "teae_window_words", "time_rule_note"]
