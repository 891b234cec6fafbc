"""Date-times with a time zone whose calendar day depends on the zone stop the run.

A Parquet export often stores timestamps in UTC, and an ISO text may end in an offset
(``2021-03-14T23:00:00+00:00``). A visit at local midnight in Madrid is 23:00 UTC the day before:
taking the day as written would move it a day, and with it follow-up, windows and the
treatment-emergent flag, with no message. A source that declares ``timezone`` has each such
value converted to that zone before its day is taken (``dates.parse_date_value``). Without the
declaration, a zoned value at midnight on its own clock is a date written with a zone, read as
written; one with any other time of day stops the run here, naming the file, column and count
and the key that fixes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.record_sources import source_members
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig


def zoned_paragraphs(
    data: pd.DataFrame, column: str, zoned: pd.Series, config: StudyConfig
) -> list[str]:
    """One paragraph per source of ``data`` (declaring no ``timezone``) with ``zoned`` values
    of ``column``: date-times with a zone and a time of day."""
    declared = {s.name for s in config.sources if s.timezone}
    out = []
    for label, members in source_members(data):
        bad = zoned.to_numpy(bool) & np.asarray(members, bool)
        if not bad.any():
            continue
        name = str(data["_source"][bad].iloc[0]) if "_source" in data else ""
        if name in declared:
            continue
        values = data[column][bad]
        examples = ", ".join(repr(str(v)) for v in list(dict.fromkeys(values.astype(str)))[:3])
        at = [i for i, s in enumerate(config.sources) if s.name == name]
        key = f"`timezone` under {config.key_at('sources', at[0])}" if at else "`timezone`"
        out.append(
            f"{label}" + (f" (source '{name}')" if name else "") + f": {int(bad.sum())} "
            f"value(s) of column `{column}` are date-times with a time zone and a time of day "
            f"(e.g. {examples}); their calendar day depends on the zone they are read in. "
            f"Declare the zone whose days the study counts as {key} (e.g. `timezone: "
            "Europe/Madrid`; `timezone: UTC` keeps the day as written)."
        )
    return out


def stop_if_zoned(paragraphs: list[str]) -> None:
    """Raise one ``SourceError`` for every paragraph of :func:`zoned_paragraphs`."""
    if paragraphs:
        raise SourceError(
            "dates whose day depends on a time zone the study does not declare:\n"
            + "\n".join(paragraphs)
            + "\nA clinic's local midnight is the evening before in UTC: read as written, "
            "these dates could move by a day."
        )


__all__ = ["stop_if_zoned", "zoned_paragraphs"]
