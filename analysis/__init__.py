"""Retrospective-study statistics toolkit.

Importing the package does no work: the public names below are loaded on first use (inside
IPython, the toolkit's own errors are set to show as their message: ``notebook_errors``).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "StudyConfig": "analysis.studyfile.config",
    "read_source": "analysis.clean.read",
    "read_table": "analysis.clean.read",
    "read_raw": "analysis.clean.read",
    "clean_study": "analysis.clean.stage",
    "write_clean_outputs": "analysis.clean.outputs",
    "CleanResult": "analysis.clean.stage",
    "data_dictionary": "analysis.clean.dictionary",
    "Study": "analysis.run.study",
    "ae_incidence": "analysis.tables",
    "ae_severity": "analysis.tables",
    "ae_by_exposure": "analysis.tables",
    "ae_duration": "analysis.tables",
    "baseline_table": "analysis.tables",
    "response_table": "analysis.tables",
    "proportional_odds": "analysis.tables",
    "logistic_model": "analysis.tables",
    "time_to_event_table": "analysis.tables",
    "cox_table": "analysis.tables",
    "TableResult": "analysis.tables",
    "build_twin": "analysis.datasets",
    "write_twin": "analysis.datasets",
    "RetroError": "analysis.errors",
    "ConfigError": "analysis.errors",
    "SourceError": "analysis.errors",
    "UnmappedValuesError": "analysis.errors",
    "PipelineError": "analysis.errors",
}

__all__ = sorted(_EXPORTS)


def _in_ipython() -> None:
    from analysis.notebook_errors import short_errors_in_ipython

    short_errors_in_ipython()


_in_ipython()


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
