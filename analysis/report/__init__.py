"""Report assembly: HTML and PDF, methods text, claims check, provenance manifest.

Takes a study's tables, figures and ARD (and its claims file); gives ``report.html`` (one
self-contained file), ``report.pdf``, the claims check of every number the manuscript states,
and ``manifest.json`` (hashes of inputs and outputs, versions, git commit).
"""
