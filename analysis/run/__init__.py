"""Running a study: the ``Study`` object, the ``retro`` command and what it writes.

Takes a study file path; wires the stages (study file -> clean -> tables and figures -> report)
in ``study.Study``, caching each stage; ``outputs`` writes every output (in parallel jobs,
``parallel``), ``notebooks`` reruns and checks the notebooks, and ``cli`` is the ``retro``
command, which prints summaries (``cli_summary``) and located errors (``cli_errors``).
"""
