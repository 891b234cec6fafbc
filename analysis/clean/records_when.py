"""The rows of a file that are records of a source, by one of its columns (``records_when``).

A clinic export often keeps adverse events as a yes/no column per term on each visit's row:
each term is then a source reading the file, whose records are the rows holding "yes". A row
whose cell is blank or listed under ``otherwise`` is no record of that source (as a repeated
group whose cells are all blank is none); a value neither listed nor blank stops the run,
naming it and its rows, so that no row is left out unsaid. The accounting counts a source's
records: the rows it selects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.text_cells import is_blank
from analysis.errors import SourceError
from analysis.studyfile.config import Source, StudyConfig
from analysis.studyfile.text import normalize_label


def when_header(source: Source, index: int | str | None) -> str:
    assert source.records_when is not None
    header = source.records_when.column
    return header if index is None else header.replace("{i}", str(index))


def records_when(
    config: StudyConfig, source: Source, cells: pd.Series, rows: np.ndarray
) -> pd.Series:
    """Whether each row is a record of ``source`` by its ``records_when`` (``cells``: that
    column of the file, ``rows``: their rows in it); a value neither listed nor blank stops
    the run, naming its rows and the key to extend."""
    assert source.records_when is not None
    when = source.records_when
    yes = {normalize_label(v) for v in when.values}
    no = {normalize_label(v) for v in when.otherwise}
    blank = cells.map(is_blank).to_numpy(dtype=bool)
    folded = cells.map(lambda v: "" if is_blank(v) else normalize_label(v))
    chosen = folded.isin(yes).to_numpy() & ~blank
    other = ~blank & ~chosen & ~folded.isin(no).to_numpy()
    if other.any():
        odd = pd.Series(rows[other]).groupby(cells.to_numpy()[other].astype(str)).agg(list)
        said = "; ".join(
            f"{value!r} in row(s) {', '.join(map(str, at[:10]))}{', ...' if len(at) > 10 else ''}"
            for value, at in odd.items()
        )
        key = config.key_at("sources", config.sources.index(source), "records_when")
        raise SourceError(
            f"{source.label}: column {cells.name!r} holds value(s) `records_when` does not "
            f"list: {said}. Add each to `values` (the row is a record of source "
            f"{source.name!r}) or to `otherwise` (it is none) at {key}."
        )
    return pd.Series(chosen, index=cells.index)


__all__ = ["records_when", "when_header"]
