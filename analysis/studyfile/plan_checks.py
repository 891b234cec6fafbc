"""Cross-checks of the analysis plan against the rest of the study file.

Every variable, ``by``, covariate, population, table and figure a plan names must exist; each
failure is a ``ValueError`` whose text starts with the dotted key (the loader adds the line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.privacy import HOW_TO_SHOW, never_shown_why, shown_columns
from analysis.stats.ci_level import CI_TOKEN, ci_label, ci_level, stated_levels
from analysis.studyfile.column_kinds import is_number, time_unit
from analysis.studyfile.config_checks import (
    _hint,
    _levels_of,
    check_conditions,
    patient_columns,
    unknown_column,
)
from analysis.studyfile.plan import (
    AeByExposureTable,
    AeDurationTable,
    AeIncidenceTable,
    AeSeverityTable,
    BaselineTable,
    CoxTable,
    FrequenciesTable,
    KmFigure,
    LogisticTable,
    ProportionalOddsTable,
    ResponseTable,
    TableSpec,
    TimeToEventTable,
    figure_name,
)

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig


def _column(key: str, name: str | None, known: set[str], what: str = "variable") -> None:
    if name is not None and name not in known:
        raise ValueError(
            f"{key}: unknown {what} {name!r}{unknown_column(name, known)}; it must be a column "
            f"of the patient table: {sorted(known)}"
        )


def _shown(cfg: StudyConfig, key: str, spec: object, known: set[str], what: str) -> None:
    """No identifier, date or free text among the columns ``spec`` shows by their values."""
    for sub, column, where in shown_columns(spec):
        table = where or ("patients" if column in known else "exposures")
        why = never_shown_why(cfg, column, table)
        if why is not None:
            raise ValueError(f"{key}.{sub}: {why}; it is never shown in a {what}. {HOW_TO_SHOW}")


def _plan_words(cfg: StudyConfig) -> list[tuple[str, str, bool]]:
    """``(key, text, fills_ci)`` of the plan's own words: table titles, figure captions and
    axis labels (where ``{ci}`` is filled from alpha), report section headings and intros."""
    plan = cfg.analysis
    out = [(f"analysis.tables.{n}.title", t.title or "", False) for n, t in plan.tables.items()]
    for i, fig in enumerate(plan.figures):
        for attr in ("caption", "xlabel", "ylabel"):
            out.append((f"analysis.figures[{i}].{attr}", getattr(fig, attr, None) or "", True))
    for i, sec in enumerate(plan.report.sections):
        out += [
            (f"analysis.report.sections[{i}].{a}", getattr(sec, a), False)
            for a in ("heading", "intro")
        ]
    return out


def check_ci_levels(cfg: StudyConfig) -> None:
    """Raise ``ValueError`` where the plan's words name a confidence level other than the one
    of ``analysis.options.alpha`` (a "95% CI" caption over 90% intervals)."""
    alpha = cfg.analysis.options.alpha
    level = ci_level(alpha)
    for key, text, fills in _plan_words(cfg):
        wrong = [lv for lv in stated_levels(text) if lv != level]
        if wrong:
            how = (
                f"write {CI_TOKEN} (filled from alpha) or '{ci_label(alpha)}'"
                if fills
                else (f"write '{ci_label(alpha)}' or leave the level out")
            )
            raise ValueError(
                f"{key}: says '{wrong[0]}% CI' but analysis.options.alpha {alpha:g} gives "
                f"{ci_label(alpha)}; {how}"
            )


def _check_pairwise(cfg: StudyConfig, key: str, spec: AeIncidenceTable) -> None:
    """``pairwise`` needs a ``by`` column, and its reference is a level of the first one."""
    if spec.pairwise is None:
        return
    if not spec.by:
        raise ValueError(
            f"{key}.pairwise: compares the levels of the table's first `by` column, but the "
            "table has no `by`; add one (e.g. by: [therapy_group]) or remove pairwise"
        )
    levels = _levels_of(cfg, spec.by[0])
    ref = spec.pairwise.reference
    if levels is not None and ref not in levels:
        raise ValueError(
            f"{key}.pairwise.reference: {ref!r} is not a level of {spec.by[0]!r}"
            f"{_hint(ref, levels)}; its levels are {levels}"
        )


def _yes_no_event(cfg: StudyConfig, key: str, event: str) -> None:
    """A time-to-event ``event`` is a yes/no column (the event happened, or the time is
    censored); a column the study reads as another kind is refused here, not by pandas."""
    read = cfg.columns_for("patients").get(event)
    kind = read.kind if read is not None else ("number" if is_number(cfg, event) else None)
    if kind is not None and kind != "bool":
        raise ValueError(
            f"{key}: {event!r} is a {kind} column; the event of a time-to-event analysis is "
            "a yes/no column (yes: the event happened at `time`; no: censored then), e.g. "
            "is_discontinued"
        )
    group = cfg.groups.get(event)
    if group is not None and not _yes_no_levels(group.levels):
        raise ValueError(
            f"{key}: {event!r} is a group of levels {list(group.levels)}; the event of a "
            "time-to-event analysis is yes/no (yes: the event happened at `time`; no: censored "
            f"then). Give the group the levels [yes, no] (`groups.{event}.levels`)"
        )


def _yes_no_levels(levels: object) -> bool:
    from analysis.stats.event_flag import NO, YES

    words = {str(v).strip().lower() for v in levels}  # type: ignore[attr-defined]
    return len(words) == 2 and words <= YES | NO and bool(words & YES) and bool(words & NO)


def _known_unit(cfg: StudyConfig, key: str, time: str) -> None:
    """A Kaplan–Meier time whose unit is known: the tables and figures show months (and
    ``options.km_times_months``), so a time in days is converted, and one of no known unit
    refused (a time in days was shown as months: "S(6 months)" was S at day 6)."""
    if time_unit(cfg, time) is None:
        raise ValueError(
            f"{key}: the unit of {time!r} is not known; Kaplan–Meier tables and figures show "
            f"months. Declare it under `variables.patients.{time}` (unit: days, weeks, months "
            "or years), or name a time whose name ends with its unit (e.g. "
            "time_to_first_teae_days)"
        )


#: the kinds of table a figure that names a ``table`` draws from
FIGURE_TABLE_KINDS: dict[str, tuple[str, ...]] = {
    "ae_incidence": ("ae_incidence",),
    "ae_by_exposure": ("ae_by_exposure",),
    "forest": ("proportional_odds", "logistic", "cox"),
}


def _population(cfg: StudyConfig, key: str, population: str | None) -> None:
    """A table's or figure's ``population`` names a subgroup."""
    if population is not None and population not in cfg.subgroups:
        raise ValueError(
            f"{key}.population: no subgroup {population!r}"
            f"{_hint(population, cfg.subgroups)}; subgroups are {sorted(cfg.subgroups)}"
        )


def _by_of_its_table(fig: object, planned: dict[str, TableSpec]) -> bool:
    """Whether ``fig`` draws the first ``by`` column of an adverse-event table (which may be a
    column of the exposures when the table counts patient-exposures)."""
    spec = planned.get(getattr(fig, "table", None) or "")
    return (
        isinstance(spec, AeIncidenceTable)
        and bool(spec.by)
        and getattr(fig, "by", None) == spec.by[0]
    )


def _check_figure_table(key: str, fig: object, planned: dict[str, TableSpec]) -> None:
    """The table a figure names exists, is of a kind the figure draws, and (adverse events) is
    split first by the figure's ``by``: the figure draws one bar per level of that column, and
    the table has groups of its first ``by`` column alone (of the others only within it)."""
    table = getattr(fig, "table", None)
    if table is None:
        return
    spec = planned.get(table)
    if spec is None:
        raise ValueError(
            f"{key}.table: no table {table!r}{_hint(table, planned)} under analysis.tables; "
            f"tables are {list(planned)}"
        )
    kind = str(getattr(fig, "kind", ""))
    kinds = FIGURE_TABLE_KINDS[kind]
    if spec.kind not in kinds:
        fitting = [n for n, s in planned.items() if s.kind in kinds]
        raise ValueError(
            f"{key}.table: {table!r} is a table of kind {spec.kind}; a figure of kind {kind} "
            f"draws a table of kind {' or '.join(kinds)} "
            + (f"({', '.join(map(repr, fitting))} in this plan)" if fitting else "(none here)")
        )
    by = getattr(fig, "by", None)
    if isinstance(spec, AeIncidenceTable) and spec.by and by != spec.by[0]:
        raise ValueError(
            f"{key}.by: {by!r}, but table {table!r} is split first by {spec.by[0]!r} (its "
            f"by: {spec.by}), and the figure draws the levels of that first column. Set the "
            f"figure's by to {spec.by[0]!r}, or put {by!r} first in analysis.tables.{table}.by"
        )


def _labelled_levels(cfg: StudyConfig) -> None:
    """Each level ``analysis.labels.levels`` labels is a level of its column where the study
    declares them (a vocabulary's or a group's): a misspelt one (``combned``) labelled nothing,
    and the tables showed the default label with no message. A column without declared levels
    (a number shown as categories, such as a daily dose) is labelled by its values as written."""
    for col, given in cfg.analysis.labels.levels.items():
        levels = _levels_of(cfg, col)
        if levels is None:
            continue
        for level in given:
            if level not in levels:
                raise ValueError(
                    f"analysis.labels.levels.{col}: {level!r} is not a level of `{col}`"
                    f"{_hint(level, levels)}; its levels are {levels}"
                )


def check_plan(cfg: StudyConfig) -> None:
    """Raise ``ValueError`` at the first name of the plan that the study does not have."""
    plan = cfg.analysis
    known = patient_columns(cfg)
    from analysis.clean.columns import derived_columns, unread_columns
    from analysis.studyfile.config import TABLES

    check_ci_levels(cfg)
    derived = derived_columns(cfg)
    every = {c for t in TABLES for c in [*cfg.columns_for(t), *derived[t]]} | known
    for col in plan.labels.descriptions:
        if col not in every:
            raise ValueError(
                f"analysis.labels.descriptions: unknown column {col!r}{unknown_column(col, every)}"
            )
    for name, spec in plan.tables.items():
        key = f"analysis.tables.{name}"
        _population(cfg, key, spec.population)
        by = getattr(spec, "by", None)
        by_known: set[str] = known
        if isinstance(spec, AeIncidenceTable) and spec.unit == "exposures":
            # per patient-exposure, a column of the exposure (its dose) groups too
            by_known = known | set(cfg.columns_for("exposures")) | set(derived["exposures"])
        for i, b in enumerate(by if isinstance(by, list) else [by]):
            where = f"{key}.by[{i}]" if isinstance(by, list) else f"{key}.by"
            _column(where, b, by_known, "`by` column")
        if isinstance(spec, AeDurationTable) and "duration_days" in unread_columns(
            cfg, "adverse_events"
        ):
            raise ValueError(
                f"{key}: a table of kind ae_duration summarises `duration_days` of the adverse "
                "events, which no source of this study reads: map it under `columns` of an "
                "adverse-event source, or remove the table"
            )
        if isinstance(spec, ResponseTable):
            _column(f"{key}.within", spec.within, known, "`within` column")
            if not cfg.derive.improvement_levels:
                grades = cfg.vocabularies.get("response_grade")
                top = grades.levels[-2:] if grades is not None else []
                raise ValueError(
                    f"{key}: a response table needs `derive.improvement_levels`, the response "
                    f"grades that count as improvement (e.g. {top}); the table's 'any "
                    "improvement' row counts them"
                )
        if isinstance(spec, BaselineTable | FrequenciesTable):
            for i, v in enumerate(spec.variables):
                _column(f"{key}.variables[{i}]", v, known)
        if isinstance(spec, BaselineTable):
            for i, v in enumerate(spec.categorical):
                if v not in spec.variables:
                    raise ValueError(
                        f"{key}.categorical[{i}]: {v!r} is not one of this table's variables "
                        f"{spec.variables}"
                    )
        if isinstance(spec, BaselineTable | FrequenciesTable):
            for v, why in spec.not_tested.items():
                if v not in spec.variables:
                    raise ValueError(
                        f"{key}.not_tested.{v}: {v!r} is not one of this table's variables"
                        f"{_hint(v, spec.variables)}; they are {spec.variables}"
                    )
                if not why.strip():
                    raise ValueError(
                        f"{key}.not_tested.{v}: give the reason in words (it is the footnote), "
                        "e.g. 'defines the groups'"
                    )
        if isinstance(spec, ProportionalOddsTable | LogisticTable):
            for i, v in enumerate(spec.covariates):
                _column(f"{key}.covariates[{i}]", v, known, "covariate")
            if isinstance(spec.outcome, str):
                _column(f"{key}.outcome", spec.outcome, known, "outcome")
            else:
                terms = cfg.vocabularies.get("ae_term")
                if terms is not None and spec.outcome.ae_term not in terms.levels:
                    raise ValueError(
                        f"{key}.outcome.ae_term: {spec.outcome.ae_term!r} is not a level of "
                        f"vocabulary 'ae_term'{_hint(spec.outcome.ae_term, terms.levels)}"
                    )
        if isinstance(spec, TimeToEventTable | CoxTable):
            _column(f"{key}.time", spec.time, known)
            _column(f"{key}.event", spec.event, known)
            _yes_no_event(cfg, f"{key}.event", spec.event)
            if isinstance(spec, TimeToEventTable):  # its times are shown in months
                _known_unit(cfg, f"{key}.time", spec.time)
            for v in spec.covariates:
                _column(f"{key}.covariates.{v}", v, known, "covariate")
        if isinstance(spec, AeByExposureTable) and cfg.exposure.kind == "periods":
            raise ValueError(
                f"{key}: kind ae_by_exposure counts events after each numbered administration; "
                "it needs exposure.kind: discrete (this study has periods). Remove the table, "
                "or use kind: ae_incidence with unit: exposures"
            )
        if isinstance(spec, AeIncidenceTable):
            ae_cols = set(cfg.columns_for("adverse_events")) | {"is_teae", "exposure_number"}
            check_conditions(cfg, spec.where, key, ae_cols, "adverse_events")
            _check_pairwise(cfg, key, spec)
        if isinstance(spec, AeIncidenceTable | AeSeverityTable) and not cfg.sources_for(
            "adverse_events"
        ):
            raise ValueError(f"{key}: kind {spec.kind} needs a source with table: adverse_events")
        _shown(cfg, key, spec, known, "table")
    from analysis.studyfile.plan_defaults import effective_plan, with_cox_tables

    planned = with_cox_tables(dict(plan.tables))  # a time_to_event table's <name>_cox too
    stems: list[str] = []
    for i, fig in enumerate(effective_plan(cfg).figures):
        key = f"analysis.figures[{i}]"
        _check_figure_table(key, fig, planned)
        _population(cfg, key, getattr(fig, "population", None))
        for attr in ("by", "within", "time", "event"):
            if attr == "by" and _by_of_its_table(fig, planned):
                continue  # the first `by` of its table, checked with it (an exposure's column)
            _column(f"{key}.{attr}", getattr(fig, attr, None), known, f"`{attr}` column")
        if isinstance(fig, KmFigure):
            _yes_no_event(cfg, f"{key}.event", fig.event)
            _known_unit(cfg, f"{key}.time", fig.time)
        _shown(cfg, key, fig, known, "figure")
        stem = figure_name(fig)
        if stem in stems:
            raise ValueError(f"{key}: a second figure named {stem!r}; give it another `name`")
        stems.append(stem)
    for part in ("variables", "levels"):  # a misspelt column labelled nothing, in silence
        for col in getattr(plan.labels, part):
            if col not in every:
                raise ValueError(
                    f"analysis.labels.{part}: unknown column {col!r}{unknown_column(col, every)}"
                )
    _labelled_levels(cfg)
    for i, sec in enumerate(plan.report.sections):
        key = f"analysis.report.sections[{i}]"
        for j, t in enumerate(sec.tables):
            if t not in planned:
                raise ValueError(
                    f"{key}.tables[{j}]: no table {t!r}{_hint(t, plan.tables)}; tables are "
                    f"{list(plan.tables)}"
                )
        for j, f in enumerate(sec.figures):
            if f not in stems:
                raise ValueError(
                    f"{key}.figures[{j}]: no figure {f!r}{_hint(f, stems)}; figures are {stems}"
                )
