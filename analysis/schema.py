"""Canonical tables: their columns, kinds and the pandera schemas of the analysis-ready data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "category", "number", "date", "bool"]


@dataclass(frozen=True)
class Column:
    kind: Kind
    required: bool = False
    description: str = ""


TABLE_COLUMNS: dict[str, dict[str, Column]] = {
    "patients": {
        "patient_id": Column("id", True, "Pseudonymous patient identifier from the clinic export."),
        "centre": Column("category", False, "Treating centre."),
        "sex": Column("category", True, "Sex (female / male)."),
        "age_years": Column("number", False, "Age in years at the first session."),
        "baseline_grade": Column(
            "category", False, "Hamilton-Norwood (men) or Ludwig (women) grade at baseline."
        ),
        "first_visit_date": Column("date", False, "Date of the first clinic visit."),
        "last_visit_date": Column("date", True, "Date of the last recorded clinic contact."),
        "is_discontinued": Column("bool", False, "Treatment stopped before the end of follow-up."),
        "discontinuation_date": Column("date", False, "Date the treatment was stopped."),
        "discontinuation_reason": Column("category", False, "Why the treatment was stopped."),
    },
    "sessions": {
        "patient_id": Column("id", True, "Patient identifier."),
        "session_date": Column("date", True, "Date of the mesotherapy session."),
        "dose_mg": Column("number", False, "Dutasteride dose injected in the session, mg."),
        "concentration_pct": Column(
            "number", False, "Dutasteride concentration of the solution, %."
        ),
        "volume_ml": Column("number", False, "Volume injected, mL."),
    },
    "adverse_events": {
        "patient_id": Column("id", True, "Patient identifier."),
        "onset_date": Column("date", True, "Date the adverse event began."),
        "ae_term": Column("category", True, "Adverse-event term (controlled vocabulary)."),
        "severity": Column("category", False, "Severity: mild / moderate / severe."),
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
    "sessions": ["patient_id", "session_date"],
    "adverse_events": ["patient_id", "onset_date", "ae_term"],
    "concomitant": ["patient_id", "drug", "start_date"],
    "assessments": ["patient_id", "assessment_date"],
}

#: Provenance columns carried by every record read from a raw file.
PROVENANCE = ["source_file", "source_sheet", "source_row"]

#: Order in which tables are read and cleaned (patients first: children are checked against it).
TABLES_ORDER = ["patients", "sessions", "adverse_events", "concomitant", "assessments"]

#: Columns the pipeline adds, with their definitions (the data dictionary reads this).
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "patients": {
        "first_session_date": "Date of the first mesotherapy session (day 0).",
        "last_session_date": "Date of the last mesotherapy session.",
        "n_sessions": "Number of sessions after removing same-day duplicates.",
        "last_contact_date": "Latest of last visit, last session, last assessment, discontinuation.",
        "followup_months": "Months (days / 30.4375) from first session to last contact.",
        "schedule_months_year1": "Usual interval between first-year sessions: median interval in "
        "months, snapped to derive.schedule_months; missing with < 2 first-year sessions.",
        "response_12m": "Response grade of the assessment closest to month 12 within the window "
        "derive.response_window_months; missing when not assessable.",
        "response_date_12m": "Date of that assessment.",
        "is_response_assessable": "A response assessment exists within the 12-month window.",
        "therapy_group": "combined if a hair-loss treatment (derive.hair_loss_treatments) overlaps "
        "the assessment window, else monotherapy.",
        "has_*": "Treatment overlaps the assessment window (one flag per hair-loss treatment).",
        "baseline_severity": "Baseline grade grouped as mild / moderate / severe (derive.grade_severity).",
        "grade_scale": "Scale of the baseline grade (Hamilton-Norwood or Ludwig).",
        "n_teae": "Number of treatment-emergent adverse events.",
        "has_teae": "At least one treatment-emergent adverse event.",
        "worst_ae_severity": "Highest severity among the patient's treatment-emergent events.",
        "first_teae_date": "Onset of the first treatment-emergent event.",
        "time_to_discontinuation_months": "Months from first session to discontinuation "
        "(event: is_discontinued) or to last contact (censored).",
        "time_to_first_teae_days": "Days from first session to the first TEAE (event: has_teae) "
        "or to last contact (censored).",
        "sessions_to_first_teae": "Session number after which the first TEAE began (missing "
        "without a TEAE).",
        "has_improvement": "An assessment at any visit graded as an improvement "
        "(derive.improvement_levels).",
        "time_to_first_improvement_months": "Months from first session to the first assessment "
        "graded as an improvement (event: has_improvement), censored at the last assessment or, "
        "without one, at the last contact.",
    },
    "sessions": {
        "session_number": "1 for the first session of the patient, 2 for the second, ...",
        "is_possible_double_entry": "Fewer than derive.min_session_interval_days after the "
        "previous session (kept, flagged).",
    },
    "adverse_events": {
        "session_number": "Number of sessions on or before the onset date (the session the event "
        "followed); missing if before the first session.",
        "days_from_first_session": "Onset day counted from the first session.",
        "is_teae": "Treatment-emergent: onset from the first session to "
        "derive.teae_days_after_last_session days after the last one.",
    },
    "concomitant": {},
    "assessments": {},
}

PROVENANCE_DESCRIPTIONS = {
    "source_file": "Raw file the record came from (relative to paths.raw).",
    "source_sheet": "Worksheet of that file (empty for CSV and other single-table formats).",
    "source_row": "Row number as a spreadsheet shows it (header = row 1).",
}
