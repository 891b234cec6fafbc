"""The study file: one ``studies/<name>.yaml`` read, checked and completed.

Takes the YAML file; gives a :class:`~analysis.studyfile.config.StudyConfig` (sources,
vocabularies, cleaning rules, design, analysis plan), every key checked against the others, with
the line of each key kept for messages. Every other stage reads the study through it.
"""
