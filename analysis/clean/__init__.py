"""The clean stage: raw clinic exports -> validated, derived analysis tables.

Takes a ``StudyConfig`` and its raw files (CSV, Excel, Parquet, SAS, SPSS); gives a
``CleanResult`` (``stage.clean_study``): the analysis tables, the exclusion log (one row per raw
record not carried forward, with its reason), the audit of every changed value, the patient
flow and the row accounting. ``stage`` runs the named steps; the other modules are the steps.
"""
