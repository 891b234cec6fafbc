"""Every code name a reader could meet, in the study's words: one place for displays.

:func:`~analysis.studyfile.plan_defaults.variable_label` and
:func:`~analysis.studyfile.plan_defaults.level_label` say one column or one level in words (the
study file's ``analysis.labels``, declared labels, then defaults). This module gathers them for
everything a study shows, so the tables' titles, cells, column heads and footnotes, the figures
and the report put in the same words: :func:`level_words` (each declared level of each
vocabulary and group -> its label) and :func:`column_words` (each column name -> its label).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from analysis.studyfile.plan_defaults import derived_columns, level_label, variable_label

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig


def declared_levels(config: StudyConfig) -> dict[str, list[str]]:
    """column -> its levels in declared order: each vocabulary (under its name and each column
    it applies to), each group, and the levels the study file labels."""
    out: dict[str, list[str]] = {}
    for name, vocab in config.vocabularies.items():
        for column in (name, *(vocab.applies_to or ())):
            found = config.vocabulary_for(column)  # a variable's own vocabulary first
            out.setdefault(column, list((found[1] if found else vocab).levels))
    for name, group in config.groups.items():
        out.setdefault(name, list(group.levels))
    for column, given in config.analysis.labels.levels.items():
        known = out.setdefault(column, [])
        known += [lv for lv in given if lv not in known]
    return out


def level_words(config: StudyConfig) -> dict[str, str]:
    """level -> its words for every declared level (:func:`declared_levels`), for displays
    that show a level without its column. A level the study file labels keeps that label
    wherever it appears; otherwise its default (capitalised) label."""
    out: dict[str, str] = {}
    given = config.analysis.labels.levels
    for column, levels in declared_levels(config).items():
        for level in levels:
            if level in given.get(column, {}) or level not in out:
                out[level] = level_label(config, column, level)
    return {k: v for k, v in out.items() if k != v}


def column_words(config: StudyConfig, columns: Iterable[str] = ()) -> dict[str, str]:
    """column name -> its label (:func:`variable_label`) for ``columns``, the toolkit's own
    columns, the study file's labelled variables, its declared variables and its groups."""
    names = [
        *columns,
        *derived_columns(config),
        *config.analysis.labels.variables,
        *config.groups,
        *(n for table_vars in config.variables.values() for n in table_vars),
    ]
    return {n: variable_label(config, n) for n in dict.fromkeys(names)}


__all__ = ["column_words", "declared_levels", "level_words"]
