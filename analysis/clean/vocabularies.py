"""Coded values mapped to the study's vocabularies; a value no vocabulary maps is an error or an
excluded record, as the study file says."""

from __future__ import annotations

import difflib
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from analysis.clean.cells import values_copy
from analysis.clean.distinct import map_distinct
from analysis.clean.shown_value import shown_value
from analysis.clean.step import Step, drop_records, log_rows, where
from analysis.errors import UnmappedValuesError
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.text import label_text, normalize_label
from analysis.words import quoted


def vocabulary_lookup(config: StudyConfig, vocab_name: str, source_name: str) -> dict[str, str]:
    """Normalised label -> level for one vocabulary as seen from one source."""
    vocab = config.vocabularies[vocab_name]
    lookup = {}
    for level in vocab.levels:
        for label in [level, *vocab.synonyms.get(level, [])]:
            lookup[normalize_label(label)] = level
    src = next((s for s in config.sources if s.name == source_name), None)
    if src is not None:
        for level, labels in src.synonyms.get(vocab_name, {}).items():
            for label in labels:
                lookup[normalize_label(label)] = level
    return lookup


_UNMAPPED, _OTHER = -1, -2  # no level; a level that is not a category (or not yes/no)


def _coded(lookup: dict[str, str], codes: dict[str, int], label: object) -> int:
    """The code (in ``codes``) of the level a raw label maps to: ``_UNMAPPED`` when no level,
    ``_OTHER`` when a level ``codes`` does not hold."""
    level = lookup.get(normalize_label(label))
    return _UNMAPPED if level is None else codes.get(level, _OTHER)


def map_vocabularies(
    data: pd.DataFrame, table: str, config: StudyConfig
) -> tuple[Step, pd.DataFrame]:
    """Map raw labels to vocabulary levels.

    Returns the step and a table of unmapped values (``table, column, source, value, count,
    rows, suggestion``). Unmapped cells are left missing in ``data``; the caller decides whether
    they stop the run (``cleaning.on_unmapped: error``) or exclude their records.
    """
    changed: dict[str, Any] = {}
    unmapped = []
    source_codes, source_names = pd.factorize(data["_source"])
    shared = _sources_sharing_a_sheet(config)
    for column, spec in config.columns_for(table).items():
        if spec.kind not in ("category", "bool") or column not in data:
            continue
        found = config.vocabulary_for(column)
        if found is None:
            continue
        vocab_name, vocab = found
        values = data[column].to_numpy(dtype=object)
        if spec.kind == "bool":
            codes_of = {"yes": 1, "no": 0}
        else:
            codes_of = {level: i for i, level in enumerate(vocab.levels)}
        coded = np.full(len(data), _UNMAPPED, dtype=np.int64)
        for code, source_name in enumerate(source_names):
            lookup = vocabulary_lookup(config, vocab_name, str(source_name))
            rows = np.flatnonzero(source_codes == code)
            rows = rows[pd.notna(values[rows])]
            cells = map_distinct(partial(_coded, lookup, codes_of), values[rows])
            coded[rows] = cells.astype(np.int64)
            miss = coded[rows] == _UNMAPPED
            if miss.any():
                missed = data.iloc[rows[miss]]
                for value, grp in missed.groupby(missed[column].map(label_text)):
                    close = difflib.get_close_matches(normalize_label(value), list(lookup), n=1)
                    unmapped.append(
                        {
                            "table": table,
                            "column": column,
                            "vocabulary": vocab_name,
                            "source": where(grp, grp.index[0]).rsplit(", row", 1)[0],
                            "value": value,
                            "count": len(grp),
                            "rows": ", ".join(str(r) for r in grp["source_row"].head(10))
                            + (", ..." if len(grp) > 10 else ""),
                            "suggestion": lookup[close[0]] if close else "",
                            "close_label": close[0] if close else "",
                            "record_index": list(grp.index),
                            # which of the sources reading one sheet, by its raw header
                            "read_by": shared.get((str(source_name), column), ""),
                        }
                    )
        if spec.kind == "bool":
            changed[column] = pd.arrays.BooleanArray(coded == 1, coded < 0)
        else:
            changed[column] = pd.Categorical.from_codes(
                np.maximum(coded, -1), categories=vocab.levels, ordered=vocab.ordered
            )
    out = data
    if changed:
        # a block a column (each copied once, not consolidated into one more copy)
        out = pd.DataFrame(
            {c: changed[c] if c in changed else values_copy(data[c]) for c in data.columns},
            index=data.index,
            copy=False,
        )
        out.attrs = dict(data.attrs)
    report = pd.DataFrame(unmapped)
    return Step(out), report


def _sources_sharing_a_sheet(config: StudyConfig) -> dict[tuple[str, str], str]:
    """(source, column) -> "source 'x', column 'Dry lips'" for the sources that read a file
    (or sheet) another source reads too: their values' rows alone do not say which source's
    column holds them (three yes/no columns of one export, each a source)."""
    readers: dict[tuple[str, str | None], list[Any]] = {}
    for src in config.sources:
        readers.setdefault((src.file, src.sheet), []).append(src)
    return {
        (src.name, column): f"source '{src.name}', column {header!r}"
        for group in readers.values()
        if len(group) > 1
        for src in group
        for column, header in src.columns.items()
    }


def unmapped_message(report: pd.DataFrame) -> str:
    """The error text for unmapped labels: every value, its count, rows, and the fix."""
    lines = [f"{len(report)} unmapped value(s); nothing was guessed or dropped:"]
    for r in report.itertuples():
        hint = (
            f" (closest in spelling: {r.close_label!r}, a label of {r.suggestion!r}; spelling "
            "alone does not say it means the same)"
            if r.suggestion
            else ""
        )
        plural = "row" if r.count == 1 else "rows"
        by = f"; {r.read_by}" if getattr(r, "read_by", "") else ""
        lines.append(
            f"  - `{r.column}` has unmapped value {quoted(r.value)} in {r.count} {plural} "
            f"({plural} {r.rows} of {r.source}{by}){hint}; if it is another way of writing a "
            f"level, add it to `vocabularies.{r.vocabulary}.synonyms` (or to `sources[].synonyms` "
            f"for this source only); if it is a level of its own, add it to "
            f"`vocabularies.{r.vocabulary}.levels`."
        )
    return "\n".join(lines)


def handle_unmapped(step: Step, report: pd.DataFrame, table: str, on_unmapped: str) -> Step:
    """Raise on unmapped labels, or exclude their records when ``on_unmapped == 'exclude'``."""
    if report.empty:
        return step
    if on_unmapped == "error":
        raise UnmappedValuesError(unmapped_message(report), report.drop(columns="record_index"))
    idx = sorted({i for lst in report["record_index"] for i in lst})
    bad = step.data.loc[idx]
    reason_by_idx = {
        i: f"unmapped `{r.column}` value {shown_value(r.value)}"
        + (f" ({r.read_by})" if getattr(r, "read_by", "") else "")
        for r in report.itertuples()
        for i in r.record_index
    }
    reasons = pd.Series([reason_by_idx[i] for i in idx], index=idx)
    return Step(drop_records(step.data, idx), log_rows(bad, table, "vocabulary", reasons))
