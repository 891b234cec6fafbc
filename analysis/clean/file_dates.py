"""Without an end of the study window, no date may be later than the day its file was last
modified (a cleaning step per table, after the dates are parsed; the rules are written for users
in ``docs/derivations.md``, section "Plausible dates and ages")."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.clean.plausibility import _day, _Log
from analysis.clean.step import Step
from analysis.studyfile.config import StudyConfig

#: The latest calendar day anywhere on earth is UTC+14: a file saved at instant t can hold a date
#: up to the day of t + 14 h without that date being in anyone's future.
_AHEAD = dt.timedelta(hours=14)


def file_dates(config: StudyConfig) -> dict[str, dt.datetime]:
    """Source name -> when its file was last modified (UTC), for the sources that exist."""
    out = {}
    for source in config.sources:
        try:
            mtime = config.source_path(source).stat().st_mtime
        except OSError:
            continue
        out[source.name] = dt.datetime.fromtimestamp(mtime, dt.UTC).replace(microsecond=0)
    return out


def check_file_dates(data: pd.DataFrame, table: str, config: StudyConfig) -> Step:
    """Without an end of the study window (``cleaning.date_window.end``, ``study.export_date``),
    a date later than the day its file was last modified cannot have happened yet: a required
    one excludes its record (step ``check``), an optional one is cleared and audited (check
    ``file_date``). The day is that of the modification time at UTC+14, the earliest time zone,
    so a date written on the day of saving is never refused."""
    if config.date_window[1] is not None or "_source" not in data or not len(data):
        return Step(data)
    saved = file_dates(config)
    when = data["_source"].map(saved)
    bound = pd.to_datetime(
        when.map(lambda t: (t + _AHEAD).date() if isinstance(t, dt.datetime) else None)
    )
    log = _Log(data, table)
    for column, spec in config.columns_for(table).items():
        if spec.kind != "date" or column not in log.data:
            continue
        dates = log.data[column]
        late = dates.notna() & bound.reindex(log.data.index).notna()
        late &= dates > bound.reindex(log.data.index)
        msgs = [
            f"`{column}` {_day(d)} is after its file was last modified ({t:%Y-%m-%d %H:%M} UTC): "
            f"a date cannot be later than the file that holds it; check the year. (Without "
            f"`study.export_date` the file's modification day is the latest plausible date; "
            f"set `study.export_date` to state the day of the export.)"
            for d, t in zip(dates[late], when.reindex(log.data.index)[late], strict=True)
        ]
        if spec.required:
            log.exclude(late, msgs)
        else:
            log.note(late, column, "file_date", "set_missing", msgs)
    return log.step()


__all__ = ["check_file_dates", "file_dates"]
