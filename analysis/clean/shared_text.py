"""The warnings of the cleaning as the terminal says them and as a shared output may show them.

The terminal is the analyst's: a warning there may quote the export (a patient id, the rows it
is on, a folder of the machine) so that it can be found and fixed. The report is shared, and
shows a warning only in a form that holds counts, levels and names from the study file:
``Shareable`` text as it is, ``Quoting`` text by its ``shared`` form, and any other text not at
all (a line saying a warning was withheld), so that a new warning is withheld until it says it
is safe to share. Until 2026-12-07 the report printed every warning as written: a probe found
the near-duplicate patient ids, and the rows they were on, in report.html and report.pdf.
"""

from __future__ import annotations

#: what the report shows for a warning that says nothing of its shared form
WITHHELD = (
    "a warning of the cleaning quotes values of the export (patient ids, cells or paths) and is "
    "not shown in shared outputs; `retro clean` prints it in full."
)


class Shareable(str):
    """A warning that holds only counts, levels and names from the study file."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (Shareable, (str(self),))


class Quoting(str):
    """A warning that quotes the export; ``shared`` is what a shared output shows instead."""

    shared: str

    def __new__(cls, text: str, shared: str) -> Quoting:
        made = super().__new__(cls, text)
        made.shared = shared
        return made

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (Quoting, (str(self), self.shared))


def shared_form(warning: str) -> str:
    """What a shared output shows for ``warning``."""
    if isinstance(warning, Quoting):
        return warning.shared
    if isinstance(warning, Shareable):
        return str(warning)
    return WITHHELD


def shared_forms(warnings: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The shared forms of ``warnings``, each once, in order."""
    return tuple(dict.fromkeys(shared_form(w) for w in warnings))


__all__ = ["WITHHELD", "Quoting", "Shareable", "shared_form", "shared_forms"]
