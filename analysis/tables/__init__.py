"""Table builders: each returns a ``TableResult`` whose ``.frame`` is the numeric ARD.

Takes the cleaned analysis tables (``CleanResult``) and the study's plan; gives one
``TableResult`` per table of the plan (``study_tables.build_tables``, dispatched on the table's
``kind`` in ``plan_tables``), shown in the study's words (``relabel``), written as CSV, HTML, Word
and Excel files, with small cells suppressed for sharing (``suppress``) when asked.
"""

from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration
from analysis.tables.ae_severity import ae_severity
from analysis.tables.baseline import baseline_table
from analysis.tables.models import logistic_model, proportional_odds, subjects_with_term
from analysis.tables.render import TableResult
from analysis.tables.response import response_table
from analysis.tables.time_to_event import cox_table, time_to_event_table

__all__ = [
    "TableResult",
    "ae_by_exposure",
    "ae_duration",
    "ae_incidence",
    "ae_severity",
    "baseline_table",
    "cox_table",
    "logistic_model",
    "proportional_odds",
    "response_table",
    "subjects_with_term",
    "time_to_event_table",
]
