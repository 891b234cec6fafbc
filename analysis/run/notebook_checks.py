"""What ``retro notebooks`` checks in each notebook's numbers: that a notebook shows what its
part of the plan makes, and that those numbers equal the package's.

A shipped notebook has a part (:data:`NOTEBOOK_PARTS`, by its name): the kinds of the plan's
tables it shows (``02-baseline``: ``baseline`` and ``frequencies``), every table (the report,
``06-report``, which also shows the claims check: a claim not reproduced fails it, as it fails
``retro run``) or the counts of the clean stage (``01-cleaning``: the patient flow and the rows
accounted for, ``analysis.clean.counts_ard``). It must write (to ``ard_out``) the rows of every
table of its part, and only those; a table missing is named. A notebook whose part has no table
in this study's plan passes saying so. A notebook of no known part (another ``--folder``) is
checked on the tables it wrote; one that wrote none is "not checked", a failure: a notebook
whose numbers nobody compares must not read as reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from analysis.run.notebooks import ard_differences, expected_rows, plan_tables

if TYPE_CHECKING:
    from analysis.run.study import Study


@dataclass(frozen=True)
class Part:
    """What a notebook must show: tables of ``kinds``, ``every_table`` of the plan, or the
    ``cleaning`` counts."""

    kinds: tuple[str, ...] = ()
    every_table: bool = False
    cleaning: bool = False
    claims: bool = False  # shows the claims check of ``studies/<study>.claims.yaml``


#: The part of the plan of each notebook of ``notebooks/`` (its README's table), by name.
NOTEBOOK_PARTS: dict[str, Part] = {
    "01-cleaning": Part(cleaning=True),
    "02-baseline": Part(kinds=("baseline", "frequencies")),
    "03-adverse-events": Part(
        kinds=("ae_incidence", "ae_severity", "ae_by_exposure", "ae_duration")
    ),
    "04-response": Part(kinds=("response", "proportional_odds", "logistic")),
    "05-time-to-event": Part(kinds=("time_to_event", "cox")),
    "06-report": Part(every_table=True, claims=True),
}


@dataclass(frozen=True)
class Checked:
    """The verdict on one notebook's numbers: ``problems`` (none: it passes) and what was
    checked, in words (``said``)."""

    problems: tuple[str, ...]
    said: str

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def verdict(self) -> str:
        return f"yes: {self.said}" if self.ok else "NO: " + "; ".join(self.problems)


def check_notebook(name: str, ard: pd.DataFrame | None, study: Study) -> Checked:
    """Check the rows notebook ``name`` wrote to ``ard_out`` (``None``: it wrote none)
    against its part of ``study``'s plan and the package's numbers."""
    part = NOTEBOOK_PARTS.get(name)
    if part is None:
        return _check_written(ard, study)
    if ard is None:
        return Checked(
            ("wrote no numbers: `ard_out` was set and no file written (its last cell, "
             "'Numbers shown, for checking', did not run or was removed)",),
            "",
        )  # fmt: skip
    if part.cleaning:
        problems = ard_differences(ard, _cleaning(study))
        return Checked(tuple(problems), "patient flow and rows accounted for")
    if part.every_table:
        expected = study.ard
        wanted = list(dict.fromkeys(expected["table"]))
    else:  # a table of no rows is not written either
        wanted = [t for t in plan_tables(study.config, *part.kinds) if len(study.tables[t].frame)]
        expected = None
    written = list(dict.fromkeys(ard["table"]))
    missing = [t for t in wanted if t not in written]
    other = [t for t in written if t not in wanted]
    problems = []
    if missing:
        problems.append(
            f"shows no {', '.join(missing)}: {_part_words(part)} (plan) makes "
            f"{len(wanted)} tables, it wrote {len(wanted) - len(missing)}"
        )
    if other:
        problems.append(f"wrote {', '.join(other)}, not of {_part_words(part)}")
    if problems:
        return Checked(tuple(problems), "")
    if not wanted:
        return Checked((), f"nothing to compare, no table of {_part_words(part)} in the plan")
    if expected is None:
        expected = expected_rows(study.tables, ard)
    problems = ard_differences(ard, expected)
    said = _tables(len(wanted))
    if part.claims and not problems:
        problems, claims = _claims(ard, study)
        said += f"; {claims}" if claims else ""
    return Checked(tuple(problems), said)


def _claims(ard: pd.DataFrame, study: Study) -> tuple[list[str], str]:
    """The claims check of ``ard`` (the notebook's numbers), as the report notebook shows it
    and ``retro run`` checks it: ``(problems, what was checked)``; nothing without a claims
    file."""
    from analysis.report.claims import claims_path_for, failed_lines, load_claims, verify_claims

    if study.config.path is None or not claims_path_for(study.config.path).is_file():
        return [], ""
    path = claims_path_for(study.config.path)
    checked = verify_claims(ard, load_claims(path))
    passed = int(checked["passed"].sum())
    said = f"claims check: {passed}/{len(checked)} reproduced"
    if passed == len(checked):
        return [], said
    failed = checked.loc[~checked["passed"]]
    return [said + ", not " + "; ".join(failed_lines(failed, path))], said


def _check_written(ard: pd.DataFrame | None, study: Study) -> Checked:
    if ard is None or ard.empty:
        return Checked(
            ("not checked: it wrote no numbers to `ard_out`, and it is not a notebook whose "
             "part of the plan is known (analysis.run.notebook_checks.NOTEBOOK_PARTS)",),
            "",
        )  # fmt: skip
    try:
        expected = expected_rows(study.tables, ard)
    except KeyError as exc:
        return Checked((str(exc).strip("\"'"),), "")
    said = f"{_tables(ard['table'].nunique())} it wrote"
    return Checked(tuple(ard_differences(ard, expected)), said)


def _tables(n: int) -> str:
    return f"{n} table" if n == 1 else f"{n} tables"


def _cleaning(study: Study) -> pd.DataFrame:
    from analysis.clean.counts_ard import cleaning_ard

    return cleaning_ard(study.clean)


def _part_words(part: Part) -> str:
    if part.every_table:
        return "every table"
    return "the kinds " + ", ".join(part.kinds)


__all__ = ["NOTEBOOK_PARTS", "Checked", "Part", "check_notebook"]
