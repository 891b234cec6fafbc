"""The analysis plan in the study file: statistical options, labels, tables, figures, sections.

Over 400 lines as one job: the schema of the plan, one model per kind of table or figure.

``StudyConfig.analysis`` is an :class:`AnalysisPlan`. Every model forbids unknown keys, so a typo
in a study file is an error naming the key and its line. Tables and figures are tagged unions
on ``kind``; their names, words and choices come from the study file, never from this package.
When the plan lists no tables, :func:`effective_plan` builds a generic one from what the study
has (see :mod:`analysis.studyfile.plan_defaults`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from analysis.stats.ci_level import ci_label, ci_level
from analysis.studyfile.design import Condition
from analysis.studyfile.model import StudyModel
from analysis.studyfile.names import Names


class _Model(StudyModel):
    pass


class SubjectFloor(_Model):
    """Enough subjects to show a number on its own: at least ``minimum`` subjects and at least
    ``fraction`` of the starting number (the group's size, the subjects of the first exposure),
    whichever is larger (``analysis.stats.at_risk.subject_floor``)."""

    fraction: float = Field(default=0.10, ge=0, le=1, description="share of the starting number")
    minimum: int = Field(default=10, ge=0, description="subjects, at least")


class Options(_Model):
    """Statistical choices shared by every table and figure (each recorded in the ARD)."""

    alpha: float = Field(default=0.05, gt=0, lt=1)
    ci_method: Literal["wilson", "wilson_cc", "clopper_pearson", "agresti_coull", "wald"] = "wilson"
    categorical_test: Literal["chi2", "fisher", "none"] = "chi2"
    continuous_test: Literal["welch", "anova", "kruskal", "none"] = "welch"
    ae_test: Literal["fisher", "chi2", "none"] = "fisher"
    response_trend_test: Literal["cochran_armitage", "mann_whitney", "none"] = "cochran_armitage"
    km_conf_type: Literal["log", "log-log", "plain"] = "log"
    km_times_months: list[float] = Field(default_factory=lambda: [12.0, 24.0])
    km_min_at_risk: SubjectFloor = Field(
        default_factory=SubjectFloor,
        description="Kaplan–Meier curves stop where fewer remain at risk (default: 10% of the "
        "group or 10 patients, whichever is larger)",
    )

    @property
    def ci_level(self) -> str:
        """The confidence level in percent as text ("95" for alpha 0.05, "97.5" for 0.025)."""
        return ci_level(self.alpha)

    @property
    def ci_label(self) -> str:
        """ "95% CI" for alpha 0.05: how every heading, label and footnote names the interval."""
        return ci_label(self.alpha)


class Labels(_Model):
    """Words for variables and levels, used by titles, row labels, captions and footnotes."""

    variables: dict[str, str] = Field(default_factory=dict)
    units: dict[str, str] = Field(
        default_factory=dict, description="numeric covariate -> its unit word ('per <unit>')"
    )
    levels: dict[str, dict[str, str]] = Field(default_factory=dict)
    descriptions: dict[str, str] = Field(
        default_factory=dict,
        description="column -> its definition in the data dictionary, in the study's words",
    )


class _Table(_Model):
    title: str | None = None
    population: str | None = Field(
        default=None, description="a name under `subgroups`: only its patients are analysed"
    )


def _as_list(v: object) -> object:
    return [v] if isinstance(v, str) else ([] if v is None else v)


class BaselineTable(_Table):
    kind: Literal["baseline"]
    by: str | None = None
    variables: Names = Field(min_length=1)
    categorical: Names = Field(
        default_factory=list, description="numeric variables summarised as categories"
    )
    not_tested: dict[str, str] = Field(
        default_factory=dict,
        description="variable -> why it gets no p-value (summarised, footnoted, not tested)",
    )


class Pairwise(_Model):
    """Each level of the table's first ``by`` column against ``reference`` (Fisher exact)."""

    reference: str
    adjust: Literal["none", "holm", "bonferroni"] = Field(
        default="none", description="multiplicity adjustment over the comparisons of one row"
    )


class AeIncidenceTable(_Table):
    kind: Literal["ae_incidence"]
    by: Names = Field(default_factory=list)
    term: str = "ae_term"
    unit: Literal["patients", "exposures"] = "patients"
    where: list[Condition] = Field(
        default_factory=list, description="conditions on the adverse-event rows"
    )
    pairwise: Pairwise | None = Field(
        default=None,
        description="p-values of each level of by[0] against a reference level, beside the "
        "global test (the risk differences then use the same reference)",
    )
    test: Literal["fisher", "chi2", "none"] | None = Field(
        default=None, description="this table's test between groups (default: options.ae_test)"
    )

    _by = field_validator("by", mode="before")(_as_list)


class AeSeverityTable(_Table):
    kind: Literal["ae_severity"]
    by: Names = Field(default_factory=list)
    test: Literal["fisher", "chi2", "none"] | None = Field(
        default=None, description="this table's test between groups (default: options.ae_test)"
    )

    _by = field_validator("by", mode="before")(_as_list)


class AeByExposureTable(_Table):
    kind: Literal["ae_by_exposure"]
    term: str = "ae_term"
    max_exposure: int | None = Field(
        default=None, ge=1, description="pool every exposure from this number on, whatever N"
    )
    pool_below: SubjectFloor = Field(
        default_factory=lambda: SubjectFloor(fraction=0.10, minimum=20),
        description="show each exposure number while at least this many subjects received it "
        "(default: 10% of the first exposure's subjects or 20, whichever is larger); pool the "
        "rest as one '>= k' column",
    )


class AeDurationTable(_Table):
    kind: Literal["ae_duration"]
    term: str = "ae_term"


class ResponseTable(_Table):
    kind: Literal["response"]
    by: str
    within: str | None = None
    trend_test: Literal["cochran_armitage", "mann_whitney", "none"] | None = Field(
        default=None,
        description="this table's trend test (default: options.response_trend_test); `none` "
        "for a `by` of three levels or more",
    )


class TermOutcome(_Model):
    """The outcome "subjects with at least one treatment-emergent event of this term"."""

    ae_term: str


class ProportionalOddsTable(_Table):
    kind: Literal["proportional_odds"]
    outcome: str
    covariates: Names = Field(min_length=1)
    reference: dict[str, str] = Field(default_factory=dict)


class LogisticTable(_Table):
    kind: Literal["logistic"]
    outcome: str | TermOutcome
    covariates: Names = Field(min_length=1)
    reference: dict[str, str] = Field(default_factory=dict)


class TimeToEventTable(_Table):
    kind: Literal["time_to_event"]
    time: str
    event: str
    by: str
    covariates: dict[str, str | None] = Field(
        default_factory=dict, description="Cox covariate -> reference level (null: numeric)"
    )
    cox_title: str | None = Field(
        default=None, description="title of the Cox model's own table (<name>_cox)"
    )
    censor_at_months: float | None = Field(
        default=None,
        gt=0,
        description="administrative censoring: a time beyond it is censored at it (the event "
        "after it not counted)",
    )


class CoxTable(_Table):
    """A Cox proportional-hazards model in a table of its own (a ``time_to_event`` table with
    ``covariates`` adds one named ``<name>_cox`` after itself)."""

    kind: Literal["cox"]
    time: str
    event: str
    covariates: dict[str, str | None] = Field(
        min_length=1, description="covariate -> reference level (null: numeric)"
    )
    by: str | None = Field(
        default=None, description="groups whose sizes and events protect it under suppression"
    )
    censor_at_months: float | None = Field(
        default=None,
        gt=0,
        description="administrative censoring: a time beyond it is censored at it (the event "
        "after it not counted)",
    )


class FrequenciesTable(_Table):
    kind: Literal["frequencies"]
    variables: Names = Field(min_length=1)
    by: str | None = None
    not_tested: dict[str, str] = Field(
        default_factory=dict,
        description="variable -> why it gets no SMD (summarised, footnoted); the variables the "
        "grouping is derived from, or of one sex by sex, get none without it",
    )


TableSpec = Annotated[
    BaselineTable
    | AeIncidenceTable
    | AeSeverityTable
    | AeByExposureTable
    | AeDurationTable
    | ResponseTable
    | ProportionalOddsTable
    | LogisticTable
    | TimeToEventTable
    | CoxTable
    | FrequenciesTable,
    Field(discriminator="kind"),
]


class _Figure(_Model):
    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$", description="file stem")
    caption: str | None = Field(
        default=None, description="{ci} in it becomes the CI level of alpha, e.g. '95% CI'"
    )


class _PatientFigure(_Figure):
    """A figure drawn from the patient table itself (not from a table of the plan)."""

    population: str | None = Field(
        default=None, description="a name under `subgroups`: only its patients are drawn"
    )


class FlowFigure(_Figure):
    kind: Literal["flow_diagram"]


class ResponseBarsFigure(_PatientFigure):
    kind: Literal["response_bars"]
    by: str
    within: str | None = None


class AeIncidenceFigure(_Figure):
    kind: Literal["ae_incidence"]
    table: str
    by: str


class AeByExposureFigure(_Figure):
    kind: Literal["ae_by_exposure"]
    table: str


class ScheduleFigure(_PatientFigure):
    kind: Literal["schedule"]


class KmFigure(_PatientFigure):
    kind: Literal["km"]
    time: str
    event: str
    by: str
    xlabel: str | None = None
    ylabel: str | None = Field(
        default=None,
        description="the y axis; by default what the curve shows of its time: 'Proportion "
        "still on treatment' (discontinuation), 'Proportion without a treatment-emergent "
        "adverse event', 'Proportion not yet improved', else 'Proportion event-free (event: …)'",
    )
    risk_events: bool = Field(
        default=False, description="the risk table shows 'at risk (cumulative events)'"
    )
    censor_at_months: float | None = Field(
        default=None,
        gt=0,
        description="administrative censoring: a time beyond it is censored at it (the event "
        "after it not counted)",
    )


class ForestFigure(_Figure):
    kind: Literal["forest"]
    table: str
    xlabel: str | None = Field(
        default=None, description="{ci} in it becomes the CI level of alpha, e.g. '95% CI'"
    )


FigureSpec = Annotated[
    FlowFigure
    | ResponseBarsFigure
    | AeIncidenceFigure
    | AeByExposureFigure
    | ScheduleFigure
    | KmFigure
    | ForestFigure,
    Field(discriminator="kind"),
]

#: Figure kinds whose numbers come from a table of the plan (drawn after the tables).
FIGURE_KINDS_FROM_TABLES = ("ae_incidence", "ae_by_exposure", "forest")


class Section(_Model):
    """One report section: its heading, intro text, figures (by name), then tables (by name)."""

    heading: str
    intro: str = ""
    tables: Names = Field(default_factory=list)
    figures: Names = Field(default_factory=list)


class Report(_Model):
    """The report's sections and how its Word tables look (``tables.docx``)."""

    sections: list[Section] = Field(default_factory=list)
    page_size: Literal["A4", "Letter"] = Field(
        default="A4", description="paper of tables.docx: A4 or Letter"
    )
    journal_style: Literal["default", "jama", "nejm", "lancet"] = Field(
        default="default",
        description="number style and font of the tables (analysis.tables.journal presets)",
    )


class AnalysisPlan(_Model):
    """The ``analysis`` section of a study file."""

    options: Options = Field(default_factory=Options)
    labels: Labels = Field(default_factory=Labels)
    tables: dict[str, TableSpec] = Field(
        default_factory=dict, description="table name (in the ARD) -> its spec, in report order"
    )
    figures: list[FigureSpec] = Field(default_factory=list)
    report: Report = Field(default_factory=Report)


def figure_name(fig: FigureSpec) -> str:
    """The file stem of a figure: its ``name``, else one made from its kind and options."""
    if fig.name:
        return fig.name
    if isinstance(fig, FlowFigure):
        return "flow_diagram"
    if isinstance(fig, ScheduleFigure):
        return "schedule_year1"
    if isinstance(fig, ResponseBarsFigure):
        return f"response_by_{fig.by}" + (f"_{fig.within}" if fig.within else "")
    if isinstance(fig, KmFigure):
        return f"km_{fig.time}"
    if isinstance(fig, ForestFigure):
        return f"forest_{fig.table}"
    return fig.table  # ae_incidence, ae_by_exposure


def kinds_of_plan() -> frozenset[str]:
    """Every ``kind`` of a table or a figure of a plan."""
    from typing import get_args

    kinds: set[str] = set()
    for union in (TableSpec, FigureSpec):
        for model in get_args(get_args(union)[0]):
            kinds.update(get_args(model.model_fields["kind"].annotation))
    return frozenset(kinds)


__all__ = [
    "FIGURE_KINDS_FROM_TABLES",
    "AnalysisPlan",
    "FigureSpec",
    "Labels",
    "Options",
    "Report",
    "Section",
    "TableSpec",
    "TermOutcome",
    "figure_name",
]
