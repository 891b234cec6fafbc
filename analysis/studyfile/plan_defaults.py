"""The plan a study runs: its own, or a generic one from what it has; words from its labels.

:func:`effective_plan` fills what the study file leaves out: with no ``analysis.tables``, a
baseline table of sex, age and the study's declared patient variables, adverse-event incidence
when there is an adverse-event source, response when there are assessments and time to
discontinuation when the patients have discontinuation columns; with no ``figures`` key, a
figure for each table that has one (``figures: []`` is a plan without figures); with no
``report.sections``, one section per family of tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.studyfile.plan import (
    AeIncidenceFigure,
    AeIncidenceTable,
    AnalysisPlan,
    BaselineTable,
    CoxTable,
    FigureSpec,
    FlowFigure,
    ForestFigure,
    KmFigure,
    ProportionalOddsTable,
    Report,
    ResponseBarsFigure,
    ResponseTable,
    ScheduleFigure,
    Section,
    TableSpec,
    TimeToEventTable,
    figure_name,
)

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig

#: Report sections of a generic plan: heading -> table kinds (figures follow their table).
_FAMILIES = (
    ("Baseline characteristics", ("baseline", "frequencies")),
    ("Adverse events", ("ae_incidence", "ae_severity", "ae_by_exposure", "ae_duration")),
    ("Response", ("response",)),
    ("Models", ("proportional_odds", "logistic")),
    ("Time to event", ("time_to_event", "cox")),
)


def variable_label(config: StudyConfig, name: str) -> str:
    """A column in words: ``labels.variables``, else the declared label (of a variable or a
    group), else its name with a capital ("age_years" -> "Age years")."""
    labels = config.analysis.labels.variables
    if name in labels:
        return labels[name]
    for table_vars in config.variables.values():
        if name in table_vars and getattr(table_vars[name], "label", None):
            return str(table_vars[name].label)
    if name in config.groups and config.groups[name].label:
        return config.groups[name].label
    derived = _derived_labels(config)
    if name in derived:
        return derived[name]
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def _derived_labels(config: StudyConfig) -> dict[str, str]:
    """Words for the toolkit's own columns, in the study's terms."""
    e, d = config.exposure, config.derive
    return {
        "age_years": "Age, years",
        "sex": "Sex",
        "n_exposures": f"{e.plural_noun.capitalize()}, n",
        "exposure_months": "Time on treatment, months",
        "followup_months": "Follow-up, months",
        "is_titrated": "Dose titrated",
        "has_teae": "Any treatment-emergent adverse event",
        "is_teae": "Treatment-emergent",
        "n_teae": "Adverse events, n",
        "worst_ae_severity": "Highest adverse-event severity",
        d.response_column: f"Response at {d.response_target_month:g} months",
        "is_response_assessable": f"Response assessable at {d.response_target_month:g} months",
        "is_discontinued": "Treatment stopped",
        "time_to_discontinuation_months": "Time to treatment discontinuation, months",
        "time_to_first_teae_days": "Time to the first treatment-emergent adverse event, days",
        "baseline_severity": "Baseline severity",
        **_term_outcome_labels(config),
    }


def _term_outcome_labels(config: StudyConfig) -> dict[str, str]:
    """Words for the outcome columns of logistic tables of one adverse-event term: ``has_<term>``
    (as the model names it) -> "<Term> (at least one treatment-emergent event)"."""
    out = {}
    for spec in config.analysis.tables.values():
        term = getattr(getattr(spec, "outcome", None), "ae_term", None)
        if isinstance(term, str):
            name = "has_" + "_".join(term.lower().split())
            out[name] = f"{term[:1].upper()}{term[1:]} (at least one treatment-emergent event)"
    return out


def derived_columns(config: StudyConfig) -> list[str]:
    """The toolkit's own column names that have words here (:func:`variable_label`)."""
    return list(_derived_labels(config))


def marked_level(config: StudyConfig) -> str:
    """The response grade a response table shows again as a row of its own:
    ``derive.marked_level``, else the last (best) level of vocabulary ``response_grade``."""
    if config.derive.marked_level:
        return config.derive.marked_level
    grades = config.vocabularies.get("response_grade")
    return grades.levels[-1] if grades is not None and grades.levels else "marked improvement"


def level_label(config: StudyConfig, column: str, level: str) -> str:
    """A level of ``column`` in words: ``labels.levels.<column>.<level>`` when the study file
    gives it; else the one label the study file gives that level under another column (a
    derived column with the levels of a labelled one: the response at a timepoint has the
    grades of ``response_grade``, as the tables show them); else the level with a capital first
    letter, as a sentence starts ("female" -> "Female", "NYHA II" stays)."""
    labels = config.analysis.labels.levels
    given = labels.get(column, {})
    if level in given:
        return given[level]
    elsewhere = {words[level] for words in labels.values() if level in words}
    if len(elsewhere) == 1:
        return elsewhere.pop()
    return level[:1].upper() + level[1:]


def _default_tables(config: StudyConfig) -> dict[str, TableSpec]:
    from analysis.studyfile.config_checks import patient_columns

    known = patient_columns(config)
    # dates and free text are not summarised in a baseline table
    declared = [
        name
        for name, var in config.variables.get("patients", {}).items()  # type: ignore[call-overload]
        if name in known and var.type not in ("date", "text")
    ]
    variables = [v for v in ("sex", "age_years", *declared) if v in known]
    tables: dict[str, TableSpec] = {}
    if variables:
        tables["baseline"] = BaselineTable(kind="baseline", variables=variables)
    if config.sources_for("adverse_events"):
        tables["ae_incidence"] = AeIncidenceTable(kind="ae_incidence")
    if config.sources_for("assessments") and "sex" in known and config.derive.improvement_levels:
        tables["response"] = ResponseTable(kind="response", by="sex")
    by = next(iter(config.groups), "sex")
    if {"time_to_discontinuation_months", "is_discontinued", by} <= known:
        tables["time_to_discontinuation"] = TimeToEventTable(
            kind="time_to_event",
            time="time_to_discontinuation_months",
            event="is_discontinued",
            by=by,
            title="Time to treatment discontinuation",
        )
    return tables


def _default_figures(tables: dict[str, TableSpec]) -> list[FigureSpec]:
    figures: list[FigureSpec] = [FlowFigure(kind="flow_diagram")]
    for name, spec in tables.items():
        if isinstance(spec, AeIncidenceTable) and spec.unit == "patients" and not spec.where:
            by = spec.by[0] if spec.by else None
            if by:
                figures.append(AeIncidenceFigure(kind="ae_incidence", table=name, by=by))
        elif isinstance(spec, ResponseTable):
            figures.append(ResponseBarsFigure(kind="response_bars", by=spec.by, within=spec.within))
        elif isinstance(spec, TimeToEventTable):
            figures.append(
                KmFigure(kind="km", time=spec.time, event=spec.event, by=spec.by, name=f"km_{name}")
            )
        elif isinstance(spec, ProportionalOddsTable):
            figures.append(ForestFigure(kind="forest", table=name))
    return figures


def _default_sections(tables: dict[str, TableSpec], figures: list[FigureSpec]) -> list[Section]:
    sections = [
        Section(
            heading="Patient flow",
            figures=[figure_name(f) for f in figures if isinstance(f, FlowFigure)],
        )
    ]
    for heading, kinds in _FAMILIES:
        names = [n for n, s in tables.items() if s.kind in kinds]
        stems = [
            figure_name(f)
            for f in figures
            if getattr(f, "table", None) in names
            or (isinstance(f, ScheduleFigure) and "baseline" in kinds)
            or (isinstance(f, ResponseBarsFigure) and "response" in kinds)
            or (isinstance(f, KmFigure) and "time_to_event" in kinds)
        ]
        if names or stems:
            sections.append(Section(heading=heading, tables=names, figures=stems))
    return sections


def cox_name(name: str) -> str:
    """The name of the Cox table a ``time_to_event`` table ``name`` with covariates adds."""
    return f"{name}_cox"


def with_cox_tables(tables: dict[str, TableSpec]) -> dict[str, TableSpec]:
    """``tables`` with, right after each ``time_to_event`` table that has ``covariates``, its
    Cox model as a table of its own (``<name>_cox``, kind ``cox``), unless the plan already
    has a table of that name."""
    out: dict[str, TableSpec] = {}
    for name, spec in tables.items():
        out[name] = spec
        if isinstance(spec, TimeToEventTable) and spec.covariates and cox_name(name) not in tables:
            out[cox_name(name)] = CoxTable(
                kind="cox",
                time=spec.time,
                event=spec.event,
                covariates=spec.covariates,
                by=spec.by,
                title=spec.cox_title,
                population=spec.population,
                censor_at_months=spec.censor_at_months,
            )
    return out


def _with_cox_sections(sections: list[Section], added: set[str]) -> list[Section]:
    """Each added Cox table listed right after its ``time_to_event`` table, where the section
    does not list it already."""
    out = []
    for sec in sections:
        names: list[str] = []
        for t in sec.tables:
            names.append(t)
            if cox_name(t) in added and cox_name(t) not in sec.tables:
                names.append(cox_name(t))
        out.append(sec.model_copy(update={"tables": names}))
    return out


def effective_plan(config: StudyConfig) -> AnalysisPlan:
    """The study's plan with its omitted parts filled by the generic defaults, and the Cox
    model of each ``time_to_event`` table with covariates as a table of its own."""
    plan = config.analysis
    declared = dict(plan.tables) or _default_tables(config)
    tables = with_cox_tables(declared)
    # an empty list is a plan without figures; only a plan that does not say gets the defaults
    given = "figures" in plan.model_fields_set
    figures = list(plan.figures) if given else _default_figures(tables)
    sections = list(plan.report.sections) or _default_sections(declared, figures)
    sections = _with_cox_sections(sections, set(tables) - set(declared))
    return plan.model_copy(
        update={"tables": tables, "figures": figures, "report": Report(sections=sections)}
    )


__all__ = ["cox_name", "effective_plan", "level_label", "variable_label", "with_cox_tables"]
