"""Cross-checks of a study file that need more than one section: every name a rule, criterion
or variable uses must exist, and every value it compares with must be a level of its column.

Called by ``StudyConfig`` after the sections are parsed; each failure is a ``ValueError`` whose
text names the key, what was found and what is allowed (the loader adds file and line).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from analysis.studyfile.column_kinds import is_date, is_number
from analysis.studyfile.condition_dates import condition_date

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig
    from analysis.studyfile.design import Condition

SEVERITY_GRADES = ("mild", "moderate", "severe")


def _hint(value: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _levels_of(cfg: StudyConfig, column: str) -> list[str] | None:
    if column in cfg.groups:
        return cfg.groups[column].levels
    found = cfg.vocabulary_for(column)
    if found is None:
        return None
    name, vocab = found
    if name in ("yes_no",) or set(vocab.levels) == {"no", "yes"}:
        return None  # compared as booleans
    return vocab.levels


def _is_boolean(cfg: StudyConfig, column: str) -> bool:
    """A yes/no column of the patient table: read as yes/no, or a derived ``is_``/``has_`` flag."""
    from analysis.clean.columns import derived_columns

    spec = cfg.columns_for("patients").get(column)
    if spec is not None:
        return bool(spec.kind == "bool")
    return column.startswith(("is_", "has_")) and (
        column in derived_columns(cfg)["patients"] or column.startswith("has_")
    )


class Known(set[str]):
    """The columns a table has, and ``unread``: those of its kind that this study's sources do
    not read (so an error can say why such a column is unknown)."""

    unread: frozenset[str] = frozenset()


def patient_columns(cfg: StudyConfig) -> Known:
    """Every column the patient table has after derivation (canonical, declared, derived): not
    an optional column no patient source reads (the analysis table leaves it out), nor a
    derived one made from such a column."""
    from analysis.clean.columns import derived_columns, unavailable_columns

    gone = unavailable_columns(cfg, "patients")
    cols = set(cfg.columns_for("patients")) | set(derived_columns(cfg)["patients"])
    known = Known((cols - gone) | set(cfg.groups))
    known.unread = frozenset(gone)
    return known


def unknown_column(name: str, known: Iterable[str]) -> str:
    """Why ``name`` is not a column of the table: no source reads it, the study declares no
    rule to derive it, or a close name."""
    from analysis.clean.columns import DERIVED_WITH, MADE_FROM

    if name in DERIVED_WITH:
        return f" (derived only when the study file declares {DERIVED_WITH[name]})"
    if name in getattr(known, "unread", ()):
        source = MADE_FROM.get(name)
        what = f"made from `{source}`, which" if source else "a column of that table, but"
        return (
            f" ({what} no source of this study reads: map it under `columns` of a source, or "
            "leave it out)"
        )
    return _hint(name, known)


def check_conditions(
    cfg: StudyConfig,
    where: Iterable[Condition],
    key: str,
    known: set[str],
    table: str = "patients",
) -> None:
    for j, cond in enumerate(where):
        if cond.column not in known:
            raise ValueError(
                f"{key}.where[{j}]: unknown column {cond.column!r}"
                f"{unknown_column(cond.column, known)}; the {table.replace('_', ' ')} table "
                f"has {sorted(known)}"
            )
        if cond.op in ("is_missing", "not_missing"):
            continue
        if is_number(cfg, cond.column, table):
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            text = [v for v in values if isinstance(v, str | bool)]
            if text:
                raise ValueError(
                    f"{key}.where[{j}].value: {cond.column} holds numbers and {text[0]!r} is "
                    f"not one (in YAML write a number without quotes, e.g. value: 18)"
                )
            continue
        if is_date(cfg, cond.column, table):
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            for v in values:
                if condition_date(v) is None:
                    raise ValueError(
                        f"{key}.where[{j}].value: {cond.column} holds dates and {v!r} is not "
                        "one (write the date as YYYY-MM-DD, e.g. value: 2021-01-01)"
                    )
            continue
        if _is_boolean(cfg, cond.column):
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            wrong = [v for v in values if not isinstance(v, bool)]
            if wrong:
                raise ValueError(
                    f"{key}.where[{j}]: {cond.column} is yes/no: compare it with true or false "
                    f"(found {wrong[0]!r}; in YAML write true or false without quotes)"
                )
            continue
        levels = _levels_of(cfg, cond.column)
        if levels is None:
            continue
        values = cond.value if isinstance(cond.value, list) else [cond.value]
        bad = [v for v in values if str(v) not in levels]
        if bad:
            raise ValueError(
                f"{key}.where[{j}]: {cond.column} has no level {bad[0]!r}"
                f"{_hint(str(bad[0]), levels)}; its levels are {levels}"
            )


def refuse_unusable_name(key: str, name: str) -> None:
    """A ``ValueError`` for a column name the toolkit cannot carry: a leading ``_`` (the
    cleaning steps keep working columns of their own under such names and drop them), or an
    ``=`` or ``;`` (a table's group key is ``column=level;column=level``). Any other name
    works, ``n`` or ``level`` included."""
    if name.startswith("_"):
        raise ValueError(
            f"{key}: a column name may not start with '_' (the toolkit's working columns do); "
            f"rename it, e.g. {name.lstrip('_') or 'x'!r}"
        )
    odd = [c for c in "=;" if c in name]
    if odd:
        raise ValueError(
            f"{key}: a column name may not contain {' or '.join(map(repr, odd))} (tables join "
            f"a group's column and level with '=' and two groups with ';'); rename it, e.g. "
            f"{name.replace('=', '_').replace(';', '_')!r}"
        )


def check_design(cfg: StudyConfig) -> None:
    """Raise ``ValueError`` at the first inconsistency between sections."""
    from analysis.clean.columns import TABLE_COLUMNS, derived_columns

    derived = derived_columns(cfg, groups=False)
    for table, variables in cfg.variables.items():
        for name, var in variables.items():
            key = f"variables.{table}.{name}"
            refuse_unusable_name(key, name)
            if name in TABLE_COLUMNS[table] or name in derived[table]:
                raise ValueError(
                    f"{key}: {name!r} is already a column the toolkit reads or derives; "
                    "choose another name"
                )
            if var.vocabulary is not None and var.vocabulary not in cfg.vocabularies:
                raise ValueError(
                    f"{key}.vocabulary: no vocabulary {var.vocabulary!r}"
                    f"{_hint(var.vocabulary, cfg.vocabularies)}; vocabularies are "
                    f"{sorted(cfg.vocabularies)}"
                )
            if var.type in ("category", "yes/no") and cfg.vocabulary_for(name) is None:
                raise ValueError(
                    f"{key}: a {var.type} variable needs a vocabulary mapping its labels: add "
                    f"`vocabulary: <name>`, a vocabulary named {name!r}, or list it in a "
                    "vocabulary's `applies_to`"
                )
    _check_vocabulary_columns(cfg)
    for i, src in enumerate(cfg.sources):
        columns = cfg.columns_for(src.table)
        for name in [*src.columns, *src.constants]:
            spec = columns.get(name)
            if (
                spec is not None
                and spec.kind in ("category", "bool")
                and not cfg.vocabulary_for(name)
            ):
                kind = "yes/no" if spec.kind == "bool" else "category"
                raise ValueError(
                    f"sources[{i}] ({src.name}) reads `{name}`, a {kind} column, but no "
                    f"vocabulary maps its labels: add `vocabularies.{name}` (levels and synonyms)"
                    + (
                        ", or list it in the `applies_to` of a yes/no vocabulary"
                        if kind == "yes/no"
                        else ""
                    )
                )
    day0 = cfg.exposure.day0
    if day0 != "first_exposure":
        day0_col = cfg.columns_for("patients").get(day0)
        if day0_col is None or day0_col.kind != "date":
            dates = sorted(c for c, s in cfg.columns_for("patients").items() if s.kind == "date")
            raise ValueError(
                f"exposure.day0: {day0!r} is neither 'first_exposure' nor a date column of the "
                f"patient table; date columns are {dates}"
            )
    if day0 == "first_exposure" and not cfg.sources_for("exposures"):
        raise ValueError(
            "exposure.day0 is 'first_exposure' but no source feeds table 'exposures': add a "
            "source with `table: exposures`, or set exposure.day0 to a date column of the "
            "patient table"
        )
    if cfg.derive.schedule_months and cfg.exposure.kind != "discrete":
        raise ValueError(
            "derive.schedule_months describes intervals between discrete exposures; remove it "
            "for exposure.kind: periods"
        )
    _check_levels(cfg)
    known = patient_columns(cfg)
    for name, group in cfg.groups.items():
        key = f"groups.{name}"
        refuse_unusable_name(key, name)
        if name in cfg.columns_for("patients") or name in derived["patients"]:
            raise ValueError(f"{key}: {name!r} is already a patient column; choose another name")
        if group.from_column is not None:
            col = group.from_column.column
            if col not in known:
                raise ValueError(
                    f"{key}.from_column.column: unknown column {col!r}{unknown_column(col, known)}"
                )
            _map_keys_known(cfg, f"{key}.from_column.map", col, list(group.from_column.map))
        if group.concomitant_overlap is not None:
            drug = cfg.vocabularies.get("drug")
            for t in group.concomitant_overlap.treatments:
                if drug is not None and t not in drug.levels:
                    raise ValueError(
                        f"{key}.concomitant_overlap.treatments: {t!r} is not a level of "
                        f"vocabulary 'drug'{_hint(t, drug.levels)}; its levels are {drug.levels}"
                    )
        for i, rule in enumerate(group.conditions or []):
            check_conditions(cfg, rule.where, f"{key}.conditions[{i}]", known)
    for i, crit in enumerate(cfg.inclusion):
        check_conditions(cfg, crit.where, f"inclusion[{i}] ({crit.id})", known)
    for name, sub in cfg.subgroups.items():
        check_conditions(cfg, sub.where, f"subgroups.{name}", known)


def _check_vocabulary_columns(cfg: StudyConfig) -> None:
    """Each column a vocabulary applies to exists, no column is claimed by two vocabularies
    (the first in the file mapped it, so their order decided `N`: no or yes), and a yes/no
    column's vocabulary has the levels no and yes (any other level was set missing, with no
    audit row, and "Yes" read as not discontinued)."""
    from analysis.studyfile.config import TABLES, vocabulary_targets

    every = {c: t for t in TABLES for c in cfg.columns_for(t)}
    claimed: dict[str, str] = {}
    for vname, vocab in cfg.vocabularies.items():
        for j, column in enumerate(vocab.applies_to or ()):
            if column not in every:  # mapped nothing, with no message
                raise ValueError(
                    f"vocabularies.{vname}.applies_to[{j}]: unknown column {column!r}"
                    f"{_hint(column, every)}; a vocabulary applies to columns the sources read "
                    "(canonical or declared under `variables`)"
                )
        for column in vocabulary_targets(vname, vocab):
            if column in claimed:
                raise ValueError(
                    f"vocabularies.{vname}: column `{column}` is mapped by vocabulary "
                    f"{claimed[column]!r} too; a column has one vocabulary: remove it from one "
                    "`applies_to` (or name the one to use in `variables.<table>.<column>."
                    "vocabulary`)"
                )
            claimed[column] = vname
    for column, table in every.items():
        spec = cfg.columns_for(table)[column]
        found = cfg.vocabulary_for(column)
        if spec.kind == "bool" and found is not None and set(found[1].levels) != {"no", "yes"}:
            raise ValueError(
                f"vocabularies.{found[0]}: `{column}` is a yes/no column, so its vocabulary's "
                f"levels are `no` and `yes` (found {found[1].levels}): write the others as "
                "their synonyms (`yes: [Sí, Yes, 1]`); a label mapped to neither is refused as "
                "unmapped"
            )


def _map_keys_known(cfg: StudyConfig, key: str, column: str, keys: list[str]) -> None:
    """Each key of a ``from_column`` map is a value ``column`` can hold, where its values are
    known (a vocabulary's levels; yes and no): a key that is not ("maybe") matched nobody, with
    no message. A text or number column is mapped by its values as written."""
    values = _levels_of(cfg, column)
    if values is None and _is_boolean(cfg, column):
        values = ["no", "yes"]
    if values is None:
        return
    for k in keys:
        if k not in values:
            raise ValueError(
                f"{key}: {k!r} is not a value of `{column}`{_hint(k, values)}; its values are "
                f"{values}"
            )


def _check_sex_specific(cfg: StudyConfig) -> None:
    """Each ``sex_specific`` level names a level of the ``sex`` vocabulary."""
    for name, vocab in cfg.vocabularies.items():
        if not vocab.sex_specific:
            continue
        sexes = cfg.vocabularies.get("sex")
        if sexes is None:
            raise ValueError(
                f"vocabularies.{name}.sex_specific: the study has no `sex` vocabulary to count "
                "those levels among; add `vocabularies.sex` (levels and synonyms)"
            )
        for level, sex in vocab.sex_specific.items():
            if sex not in sexes.levels:
                raise ValueError(
                    f"vocabularies.{name}.sex_specific.{level}: {sex!r} is not a level of "
                    f"vocabulary 'sex'{_hint(sex, sexes.levels)}; its levels are {sexes.levels}"
                )


def _check_levels(cfg: StudyConfig) -> None:
    _check_sex_specific(cfg)
    d = cfg.derive
    grades = cfg.vocabularies.get("response_grade")
    if grades is not None:
        bad = [lv for lv in d.improvement_levels if lv not in grades.levels]
        if bad:
            raise ValueError(
                f"derive.improvement_levels: {bad[0]!r} is not a level of vocabulary "
                f"'response_grade'{_hint(bad[0], grades.levels)}; its levels are {grades.levels}"
            )
        if d.marked_level is not None and d.marked_level not in grades.levels:
            raise ValueError(
                f"derive.marked_level: {d.marked_level!r} is not a level of vocabulary "
                f"'response_grade'{_hint(d.marked_level, grades.levels)}; its levels are "
                f"{grades.levels}"
            )
    base = cfg.vocabularies.get("baseline_grade")
    for grade, sev in d.grade_severity.items():
        if base is not None and grade not in base.levels:
            raise ValueError(
                f"derive.grade_severity: {grade!r} is not a level of vocabulary "
                f"'baseline_grade'{_hint(grade, base.levels)}"
            )
        if sev not in SEVERITY_GRADES:
            raise ValueError(
                f"derive.grade_severity.{grade}: {sev!r} must be one of {list(SEVERITY_GRADES)}"
            )
