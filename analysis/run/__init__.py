"""Running a study: the ``Study`` object, the ``retro`` command and what it writes.

Takes a study file path; wires the stages (study file -> clean -> tables and figures -> report)
in ``study.Study``, caching each stage; ``outputs.run_study`` is the run, top to bottom (clean,
tables, figures, report with figure and table files, manifest; staged), whose last independent
writers alone run side by side (``parallel``); ``notebooks`` reruns and checks the notebooks,
and ``cli`` is the ``retro`` command, which prints summaries (``cli_summary``) and located
errors (``cli_errors``).
"""
