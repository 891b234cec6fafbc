"""The modules of ``retro run``'s stages after cleaning, imported ahead of their stage.

A cold ``retro run`` imported them as each stage began: about 1.7 s in the tables stage, 2.2 s
in the figures and 1.6 s in the report (statsmodels, lifelines, matplotlib, seaborn,
WeasyPrint...), one core busy and the other idle. On a study large enough for the clean stage
to use a second process, this process waits for the other's validations (about 5 s at a
million patients) with nothing to do: the run offers these imports for that time
(``analysis.clean.while_waiting``). Every module of the packages below is imported, so that a
module added to them is covered without a list to keep. On a small study nothing waits and the
stages import as before.
"""

from __future__ import annotations

import importlib
import pkgutil

#: the packages of the stages after cleaning (none of their modules reads data on import)
LATER_STAGES = ("analysis.stats", "analysis.tables", "analysis.figures", "analysis.report")


def import_later_stages() -> list[str]:
    """Import every module of :data:`LATER_STAGES`; returns their names."""
    names = []
    for package in LATER_STAGES:
        path = importlib.import_module(package).__path__
        for info in pkgutil.iter_modules(path, package + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    return names


__all__ = ["LATER_STAGES", "import_later_stages"]
