"""What of the analysis data may be shown: levels, counts and statistics, never a value of one
patient that identifies them.

A column is shown in a table, a figure or a notebook only through its **levels** (a vocabulary
or a group of the study: words of the study file, counted), or its **statistics** (numbers).
Identifiers (patient ids, the source file, sheet and row of a record), exact dates and free text
are only counted. Free text is every ``text`` column the study declares (``variables.<table>.
<col>: {type: text}``, and ``dose_text``) and, the safe default, any other column whose values
are strings no vocabulary maps: whatever is typed in it may name a patient, a phone number or an
address. The study file is checked when it is loaded (:func:`never_shown_why`, used by the plan
checks), and every table checks its data again before it is built (:func:`check_shown`).

The row-level logs (``exclusions.parquet``, ``audit.parquet``, ``validation_report.csv``) and
the error log carry raw values for the study team; they are written under ``paths.processed``,
never under ``paths.reports``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.errors import PipelineError

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig

#: How a column is shown: its levels counted, its statistics, or only how many values it has.
SHOWN_LEVELS = "levels"
SHOWN_STATISTICS = "statistics"
COUNT_ONLY = {
    "id": "count only (identifier)",
    "date": "count only (date)",
    "text": "count only (text)",
}
#: What a column that is only counted is, in a sentence.
_WHAT = {
    "id": "an identifier",
    "date": "an exact date",
    "text": "free text",
}
_PROVENANCE = ("source_file", "source_sheet", "source_row")
#: What to do instead, said by every refusal.
HOW_TO_SHOW = (
    "Tables and figures show levels, counts and statistics: to tabulate it, read it as a "
    "`category` variable whose vocabulary maps every label to a level; otherwise remove it."
)


def column_kind(config: StudyConfig, column: str, table: str = "patients") -> str | None:
    """The kind of ``column`` of ``table`` as the study declares or the toolkit derives it
    (``id``, ``date``, ``text``, ``category``, ``bool``, ``number``, ``integer``); provenance
    columns are identifiers, derived ``*_date`` columns dates; ``None`` for another derived
    column (a number, a flag or a group)."""
    if column in _PROVENANCE:
        return "id"
    spec = config.columns_for(table).get(column)
    if spec is not None:
        return str(spec.kind)
    if table == "patients" and column in config.groups:
        return "category"
    if column.endswith("_date") or column == config.derive.response_date_column:
        return "date"
    return None


def never_shown_why(config: StudyConfig, column: str, table: str = "patients") -> str | None:
    """Why ``column`` can never be shown by its values (a sentence), or ``None`` when it can."""
    kind = column_kind(config, column, table)
    if kind not in _WHAT:
        return None
    if kind == "text":
        declared = f"`variables.{table}.{column}`" if column != "dose_text" else "`dose_text`"
        return f"{declared} is free text (type text): what is typed in it may identify a patient"
    return f"`{column}` is {_WHAT[kind]} of a patient"


def shown_as(values: pd.Series, kind: str | None = None) -> str:
    """How ``values`` may be shown: :data:`SHOWN_LEVELS` (categorical or yes/no),
    :data:`SHOWN_STATISTICS` (numbers) or one of :data:`COUNT_ONLY`. ``kind`` is the column's
    :func:`column_kind`; any other column of strings is counted only, as free text."""
    if kind in COUNT_ONLY:
        return COUNT_ONLY[kind]
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return SHOWN_LEVELS
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return COUNT_ONLY["date"]
    if pd.api.types.is_numeric_dtype(dtype):
        return SHOWN_STATISTICS
    return COUNT_ONLY["text"]


def shown_columns(spec: Any) -> Iterator[tuple[str, str, str | None]]:
    """``(key, column, table)`` of every column a table or figure of the plan shows by its
    values: ``by``, ``within``, ``variables``, ``covariates``, ``outcome``, ``time``, ``event``
    (of the patient table, or of the exposure table for a per-exposure ``by``: ``table`` is
    ``None``) and ``term`` (of the adverse-event table); ``key`` is relative to the spec."""
    for attr in ("by", "within", "variables", "covariates", "outcome", "time", "event", "term"):
        table = "adverse_events" if attr == "term" else None
        value = getattr(spec, attr, None)
        if isinstance(value, str):
            yield attr, value, table
        elif isinstance(value, list):
            yield from ((f"{attr}[{i}]", v, table) for i, v in enumerate(value))
        elif isinstance(value, dict):
            yield from ((f"{attr}.{v}", v, table) for v in value)


def check_shown(name: str, spec: Any, tables: dict[str, pd.DataFrame], config: StudyConfig) -> None:
    """Raise ``PipelineError`` when table ``name`` of the plan would show a column whose values
    are identifiers, dates or text no vocabulary maps (found in the cleaned data ``tables``:
    the patient table, else the exposure table; the adverse-event table for ``term``)."""
    for key, column, where in shown_columns(spec):
        places = (where,) if where else ("patients", "exposures")
        table = next((t for t in places if column in tables.get(t, ())), None)
        if table is None:
            continue
        kind = column_kind(config, column, table)
        if shown_as(tables[table][column], kind) in (SHOWN_LEVELS, SHOWN_STATISTICS):
            continue
        why = never_shown_why(config, column, table) or (
            f"`{column}` holds strings that no vocabulary maps, taken as free text: they may "
            "identify a patient"
        )
        raise PipelineError(
            f"table {name!r} (kind {spec.kind}) would show the values of `{column}` "
            f"(analysis.tables.{name}.{key}): {why}, so it is never shown in a table. "
            f"{HOW_TO_SHOW}"
        )


#: What an executed notebook kept under the reports folder says instead of an error's text.
WITHHELD = (
    "(not kept in this copy, which is meant to be shared: an error's text can quote raw values "
    "of the data; `retro notebooks` printed it in the terminal)"
)


def withhold_error_text(notebook: Any) -> int:
    """Replace the message and traceback of every error output of an executed notebook (an
    ``nbformat`` node, changed in place) by :data:`WITHHELD`, keeping the error's type; the
    number of outputs changed."""
    changed = 0
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["evalue"] = WITHHELD
                out["traceback"] = [f"{out.get('ename', 'Error')}: {WITHHELD}"]
                changed += 1
    return changed


def shareable_path(path: str | Path, root: str | Path) -> str:
    """``path`` as a shareable output (report, manifest, executed notebook) may show it:
    relative to ``root`` (the project folder, ``StudyConfig.root``) in POSIX form; its name
    alone when it lies outside ``root``, whose absolute path, or a path relative to ``root``
    through ``../``, could name the machine's user (``/home/<user>``, ``/tmp/pytest-of-<user>``).
    """
    from analysis.studyfile.config import study_location

    path, root = Path(path), Path(root).resolve()
    for where in (study_location(path), path.resolve()):  # a linked file where its link is
        if where.is_relative_to(root):
            return where.relative_to(root).as_posix()
    return path.name


__all__ = [
    "WITHHELD",
    "COUNT_ONLY",
    "SHOWN_LEVELS",
    "SHOWN_STATISTICS",
    "check_shown",
    "column_kind",
    "never_shown_why",
    "shareable_path",
    "shown_as",
    "shown_columns",
    "withhold_error_text",
]
