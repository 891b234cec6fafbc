"""Events whose seriousness is not recorded, counted under the adverse-event table.

A blank seriousness is read as "not serious" by the row "any serious adverse event" (a flag
counts when it is true). That is the usual convention, but a reader could not tell it from a
recorded "no": severity not recorded had a row and a footnote, seriousness nothing (a probe's
event with a blank `serious` cell). The footnote counts the events of the table (those it
counts: treatment-emergent when it filters so, of its own subjects) whose seriousness is blank,
and says how they are counted. No identifier.
"""

from __future__ import annotations

import ibis.expr.types as ir

from analysis.engine import counts as engine
from analysis.words import counted


def unknown_seriousness_notes(
    events: ir.Table,
    subjects: ir.Table,
    *,
    serious_flag: str | None,
    subject_id: str,
    unit: str,
    emergent: bool,
) -> list[str]:
    """The footnote for the counted ``events`` (of ``subjects``) whose ``serious_flag`` is
    blank; none without such events or without a seriousness column."""
    if serious_flag is None or serious_flag not in events.columns:
        return []
    blank = events.filter(events[serious_flag].isnull())
    blank = blank.semi_join(subjects.select(subject_id), subject_id)
    found = engine.execute(
        blank.aggregate(n_events=blank.count(), n_subjects=blank[subject_id].nunique())
    )
    n_events, n_subjects = int(found["n_events"].iloc[0]), int(found["n_subjects"].iloc[0])
    if not n_events:
        return []
    one = unit[:-1] if unit.endswith("s") else unit
    kind = "treatment-emergent event" if emergent else "event"
    return [
        f"Seriousness not recorded for {counted(n_events, kind)} of "
        f'{counted(n_subjects, one, unit)}: counted as not serious (row "any serious adverse '
        f'event").'
    ]


__all__ = ["unknown_seriousness_notes"]
