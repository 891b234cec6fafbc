"""A comparison or a covariate measured after day 0, in a model of what follows day 0: said in
the footnote.

A group whose rule looks past day 0 (``concomitant_overlap``: another treatment started
between day 0 and the response assessment, or the end of exposure) is known only once that
window has passed. In a time-to-event comparison or a Cox model it carries immortal time: a
patient who stops early has less time to start another treatment, so lands in the group without
one more often, whatever the treatment does. A count that grows with the time on treatment
(sessions, doses, months of exposure or follow-up) as a covariate of a model of an event on
treatment mixes the exposure with the time at risk. A statistician writes either only with a
word of warning, and a landmark analysis or a time-dependent covariate as the way around; the
table says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from analysis.studyfile.config import StudyConfig

#: patient columns counted over follow-up (``analysis.clean.derive``): they grow with time
GROW_WITH_TIME = (
    "n_exposures",
    "n_doses",
    "exposure_months",
    "followup_months",
    "max_dose_mg",
    "n_teae",
    "is_titrated",
)


def after_day0_notes(
    config: StudyConfig,
    columns: Iterable[str | None],
    label: Callable[[str], str],
    *,
    over_time: bool = True,
) -> list[str]:
    """The footnotes of a time-to-event table or a model whose grouping or covariates
    (``columns``) are measured after day 0 (see the module doc); ``label``: a column's words.
    ``over_time``: the table follows patients over time from day 0 (Kaplan–Meier, Cox), where a
    group defined after day 0 carries immortal time; a model of an outcome at one timepoint
    (whose window the group shares) gets only the note on counts over follow-up."""
    notes = []
    day0 = config.exposure.day0_words
    for column in dict.fromkeys(c for c in columns if c):
        group = config.groups.get(column)
        if group is not None and group.concomitant_overlap is not None:
            if not over_time:
                continue
            month = f"{config.derive.response_target_month:g}"
            end = (
                f"the response assessment at month {month} (day 0 plus {month} months for a "
                "patient without one)"
                if group.concomitant_overlap.window == "response"
                else "the end of exposure"
            )
            notes.append(
                f"{label(column)} is defined by treatments from day 0 ({day0}) to {end}, "
                "after follow-up starts: a patient with a shorter follow-up has less time to "
                "start another treatment, so the comparison may carry immortal-time bias; a "
                "landmark analysis, or the treatment as a time-dependent covariate, avoids it."
            )
        elif column in GROW_WITH_TIME:
            notes.append(
                f"{label(column)} is measured over follow-up, after day 0: the longer a "
                "patient is treated, the higher (or likelier) it is, and the longer the time "
                "at risk of the outcome; its estimate mixes the two (adjust for the time at "
                "risk, or measure it at a landmark)."
            )
    return notes


__all__ = ["GROW_WITH_TIME", "after_day0_notes"]
