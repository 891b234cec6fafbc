"""Running a study: the ``Study`` object, the ``retro`` command and what it writes.

Takes a study file path; wires the stages (study file -> clean -> tables and figures -> report)
in ``study.Study``, caching each stage; ``outputs.run_study`` is the run, top to bottom in one
process (clean, tables, figures, report, manifest; staged; each stage named,
``parallel.run_named``);
``notebooks`` reruns and checks the notebooks (side by side), and ``cli`` is the ``retro``
command, which prints summaries (``cli_summary``) and located errors (``cli_errors``).
"""
