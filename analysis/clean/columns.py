"""Canonical tables: their columns, kinds and the pandera schemas of the analysis-ready data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from analysis.studyfile.design import describe_group, overlap_flags

if TYPE_CHECKING:
    from analysis.studyfile.config import StudyConfig

Kind = Literal["id", "category", "number", "integer", "date", "bool", "text"]


@dataclass(frozen=True)
class Column:
    kind: Kind
    required: bool = False
    description: str = ""
    label: str = ""
    unit: str = ""
    vocabulary: str | None = None
    min: float | None = None
    max: float | None = None


TABLE_COLUMNS: dict[str, dict[str, Column]] = {
    "patients": {
        "patient_id": Column("id", True, "Pseudonymous patient identifier from the clinic export."),
        "centre": Column("category", False, "Treating centre."),
        "sex": Column("category", True, "Sex (female / male)."),
        "age_years": Column("number", False, "Age in years at day 0.", unit="years"),
        "birth_date": Column(
            "date", False, "Date of birth (checks the age and that no record predates birth)."
        ),
        "birth_year": Column(
            "integer", False, "Year of birth, where the export gives no full birth date."
        ),
        "baseline_grade": Column(
            "category",
            False,
            "Grade or stage of the disease at baseline (its vocabulary may group "
            "the grades into scales).",
        ),
        "first_visit_date": Column("date", False, "Date of the first clinic visit."),
        "last_visit_date": Column("date", True, "Date of the last recorded clinic contact."),
        "is_discontinued": Column("bool", False, "Treatment stopped before the end of follow-up."),
        "discontinuation_date": Column("date", False, "Date the treatment was stopped."),
        "discontinuation_reason": Column("category", False, "Why the treatment was stopped."),
    },
    "exposures": {
        "patient_id": Column("id", True, "Patient identifier."),
        "start_date": Column(
            "date", True, "Date of the administration (discrete) or start of the period."
        ),
        "stop_date": Column(
            "date", False, "End of the treatment period (periods only); missing while ongoing."
        ),
        "dose_mg": Column("number", False, "Dose per administration, mg.", unit="mg"),
        "dose_text": Column(
            "text",
            False,
            "Dose as written in the export (e.g. '0,5 mg/day'); parsed into dose_mg "
            "and doses_per_week.",
        ),
    },
    "adverse_events": {
        "patient_id": Column("id", True, "Patient identifier."),
        "onset_date": Column("date", True, "Date the adverse event began."),
        "ae_term": Column("category", True, "Adverse-event term (controlled vocabulary)."),
        "severity": Column("category", False, "Severity: mild / moderate / severe."),
        "resolution_date": Column(
            "date", False, "Date the adverse event resolved; missing while ongoing or unknown."
        ),
        "duration_days": Column("number", False, "Duration of the event, days."),
        "is_serious": Column("bool", False, "Serious adverse event (ICH E2A)."),
        "action_taken": Column("category", False, "Action taken with the treatment."),
    },
    "concomitant": {
        "patient_id": Column("id", True, "Patient identifier."),
        "drug": Column("category", True, "Concomitant treatment (controlled vocabulary)."),
        "start_date": Column("date", True, "Start date of the concomitant treatment."),
        "stop_date": Column("date", False, "Stop date; missing while ongoing."),
    },
    "assessments": {
        "patient_id": Column("id", True, "Patient identifier."),
        "assessment_date": Column("date", True, "Date of the global-photograph assessment."),
        "response_grade": Column("category", True, "Response grade on the ordered scale."),
    },
}

#: Keys that identify a duplicate record in each child table (same patient, same thing, same day).
DUPLICATE_KEYS: dict[str, list[str]] = {
    "patients": ["patient_id"],
    "exposures": ["patient_id", "start_date"],
    "adverse_events": ["patient_id", "onset_date", "ae_term"],
    "concomitant": ["patient_id", "drug", "start_date"],
    "assessments": ["patient_id", "assessment_date"],
}

#: Provenance columns carried by every record read from a raw file.
PROVENANCE = ["source_file", "source_sheet", "source_row"]

#: Order in which tables are read and cleaned (patients first: children are checked against it).
TABLES_ORDER = ["patients", "exposures", "adverse_events", "concomitant", "assessments"]

#: Columns the pipeline adds, with their definitions (the data dictionary reads these through
#: ``derived_columns``, which puts the study's own words in the ``{placeholders}``).
_DERIVED_TEMPLATES: dict[str, dict[str, str]] = {
    "patients": {
        "day0_date": "Day 0 (index date): {day0}.",
        "first_exposure_date": "Date of the first {noun}.",
        "last_exposure_date": "Date of the last {noun} ({last_exposure}).",
        "exposure_end_date": "End of exposure: {exposure_end}.",
        "is_exposure_ongoing": "A {noun} was still ongoing at the last contact (periods only).",
        "n_exposures": "Number of {plural} after removing duplicates.",
        "n_doses": "Number of distinct doses among the patient's {plural}.",
        "is_titrated": "More than one distinct dose among the patient's {plural}.",
        "initial_dose_mg": "Dose of the patient's first {noun} with a dose, mg (the daily dose when "
        "the dose was written with its frequency, else the dose per administration; periods only).",
        "max_dose_mg": "Highest such dose among the patient's {plural}, mg (periods only).",
        "exposure_months": "Months from day 0 to the end of exposure.",
        "last_contact_date": "Latest of last visit, last {noun}, last assessment, "
        "discontinuation, adverse-event onset.",
        "followup_months": "Months (days / {days_per_month}) from day 0 to last contact.",
        "schedule_months_year1": "Usual interval between first-year {plural}: median interval in "
        "months, snapped to derive.schedule_months; missing with < 2 first-year {plural}.",
        "{response}": "Response grade of the assessment closest to month {target} within the "
        "window derive.response_window_months; missing when not assessable.",
        "{response_date}": "Date of that assessment.",
        "is_response_assessable": "A response assessment exists within the window around month "
        "{target}.",
        "baseline_severity": "Baseline grade grouped as mild / moderate / severe "
        "(derive.grade_severity).",
        "grade_scale": "Scale of the baseline grade (category of the baseline_grade vocabulary).",
        "n_teae": "Number of treatment-emergent adverse events.",
        "has_teae": "At least one treatment-emergent adverse event.",
        "worst_ae_severity": "Highest severity among the patient's treatment-emergent events "
        "(missing without such an event, or when none of them has a severity: see has_teae).",
        "first_teae_date": "Onset of the first treatment-emergent event.",
        "time_to_discontinuation_months": "Months from day 0 to discontinuation (event: "
        "is_discontinued; a missing discontinuation date is taken as the end of exposure, with an "
        "audit row) or to last contact (censored).",
        "time_to_first_teae_days": "Days from {first_exposure} to the first TEAE (event: "
        "has_teae), else to the earlier of the last contact and the end of the "
        "treatment-emergent window, end of exposure + {teae_days} days (censored); 0, censored, "
        "without a {noun}.",
        "exposures_to_first_teae": "Number of the {noun} after which the first TEAE began "
        "(missing without a TEAE).",
        "has_improvement": "An assessment at any visit graded as an improvement "
        "(derive.improvement_levels).",
        "time_to_first_improvement_months": "Months from day 0 to the first assessment graded as "
        "an improvement (event: has_improvement), censored at the last assessment; 0 (censored) "
        "for a patient never assessed on or after day 0.",
    },
    "exposures": {
        "exposure_number": "1 for the patient's first {noun}, 2 for the second, ...",
        "doses_per_week": "Administrations per week, parsed from dose_text (a dose without "
        "a frequency, text or number: exposure.dose_frequency).",
        "daily_dose_mg": "Average dose per day, mg: dose_mg x doses_per_week / 7.",
        "is_possible_double_entry": "Fewer than exposure.min_interval_days after the previous "
        "{noun} (kept, flagged).",
    },
    "adverse_events": {
        "exposure_number": "Number of the {noun} the event followed (the last one starting on or "
        "before onset); missing if before the first.",
        "days_from_day0": "Onset day counted from day 0.",
        "is_teae": "Treatment-emergent: onset from {teae_start} to {teae_days} days after the "
        "end of exposure.",
    },
    "concomitant": {},
    "assessments": {},
}


RESPONSE_DERIVED = (
    "is_response_assessable",
    "has_improvement",
    "time_to_first_improvement_months",
)


#: derived columns made from an optional column: without that column read, they are not made
MADE_FROM = {"time_to_discontinuation_months": "is_discontinued"}


def unread_columns(config: StudyConfig, table: str) -> set[str]:
    """The optional columns of ``table`` that no source of it reads (the analysis table leaves
    them out; ``dose_mg`` is read from ``dose_text`` too, ``age_years`` from ``birth_date``)."""
    read = {c for s in config.sources_for(table) for c in [*s.columns, *s.constants]}
    if "dose_text" in read:
        read.add("dose_mg")  # parsed from the text
    if "birth_date" in read:
        read.add("age_years")  # derived from it where missing (``age_from_birth``)
    return {c for c, spec in config.columns_for(table).items() if not spec.required} - read


def unavailable_columns(config: StudyConfig, table: str) -> set[str]:
    """:func:`unread_columns` and the derived columns made from them."""
    unread = unread_columns(config, table)
    return unread | {made for made, source in MADE_FROM.items() if source in unread}


def derived_columns(config: StudyConfig, *, groups: bool = True) -> dict[str, dict[str, str]]:
    """Definitions of the derived columns in the study's own words (noun, day 0, target);
    ``groups=False`` leaves out the columns of the study's ``groups``."""
    e, d = config.exposure, config.derive
    words = {
        "noun": e.singular,
        "plural": e.plural_noun,
        "day0": e.day0_words,
        "last_exposure": "latest start" if e.kind == "periods" else "latest date",
        "exposure_end": (
            f"the latest stop date of the {e.plural_noun}; one without a stop date ends at the "
            "discontinuation date when the treatment was stopped at a known date, else at the "
            "last contact"
            if e.kind == "periods"
            else f"the date of the last {e.singular}"
        ),
        "teae_days": str(e.teae_days_after_last),
        "teae_start": e.teae_start_words,
        "first_exposure": e.first_exposure_words,
        "days_per_month": f"{d.days_per_month:g}",
        "target": f"{d.response_target_month:g}",
        "response": d.response_column,
        "response_date": d.response_date_column,
    }
    out: dict[str, dict[str, str]] = {}
    for table, cols in _DERIVED_TEMPLATES.items():
        out[table] = {name.format(**words): text.format(**words) for name, text in cols.items()}
    if not config.sources_for("assessments"):  # no response without assessments
        for name in (d.response_column, d.response_date_column, *RESPONSE_DERIVED):
            out["patients"].pop(name, None)
    for name in _not_derived(config):  # what the study declares nothing to derive from
        out["patients"].pop(name, None)
    from analysis.studyfile.plan_defaults import variable_label

    for name, group in config.groups.items() if groups else ():
        out["patients"][name] = describe_group(
            name, group, lambda column: variable_label(config, column)
        )
        if group.concomitant_overlap:
            for t, flag in overlap_flags(config.groups)[name].items():
                out["patients"][flag] = (
                    f"{t} overlaps the window of groups.{name} (day 0 to "
                    f"{group.concomitant_overlap.window})."
                )
    return out


#: derived patient columns made only with a rule of the study file, and that rule in words
DERIVED_WITH = {
    "schedule_months_year1": "`derive.schedule_months`",
    "baseline_severity": "`derive.grade_severity`",
    "grade_scale": "`categories` in the `baseline_grade` vocabulary",
}


def _not_derived(config: StudyConfig) -> list[str]:
    """The derived patient columns the study gives no rule for (``derive.add_schedule``,
    ``derive.add_baseline_severity`` add them only with one): a table naming one is refused
    when the study file is read, not when it is built."""
    vocab = config.vocabularies.get("baseline_grade")
    return [
        name
        for name, given in (
            ("schedule_months_year1", config.derive.schedule_months),
            ("baseline_severity", config.derive.grade_severity),
            ("grade_scale", vocab is not None and vocab.categories),
        )
        if not given
    ]


def table_columns(config: StudyConfig, table: str) -> dict[str, Column]:
    """The canonical columns of ``table`` plus the study's own (``variables.<table>``)."""
    base = dict(TABLE_COLUMNS[table])
    if table == "exposures" and config.exposure.kind == "discrete":
        base.pop("stop_date")
    kinds = {"yes/no": "bool"}
    for name, var in config.variables.get(table, {}).items():  # type: ignore[call-overload]
        base[name] = Column(
            kinds.get(var.type, var.type),  # type: ignore[arg-type]
            False,
            var.description or var.label,
            label=var.label,
            unit=var.unit,
            vocabulary=var.vocabulary,
            min=var.min,
            max=var.max,
        )
    return base


PROVENANCE_DESCRIPTIONS = {
    "source_file": "Raw file the record came from (relative to paths.raw).",
    "source_sheet": "Worksheet of that file (empty for CSV and other single-table formats).",
    "source_row": "Where the record is in its file: the row a spreadsheet shows, or the line a "
    "text editor shows where it starts (the header is row 1, or the source's `header_row`); in "
    "a Parquet, SAS or SPSS file, its record number plus 1 (as if its column names were row 1).",
}
