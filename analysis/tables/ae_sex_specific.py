"""Adverse events of one sex (declared ``sex_specific`` in the term vocabulary): which rows of
an incidence table are counted among one sex only, and the footnote that says so.

A term of one sex has that sex's subjects as its denominator, overall and in every group; the
other sex's cells are not applicable ("—"), never 0 (0%). A category (system organ class) whose
every shown term is of the same sex is counted the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

NOT_APPLICABLE_CELL = "—"


def one_sex_rows(
    rows_index: list[tuple[str, str]],
    categories: Mapping[str, str] | None,
    sex_specific: Mapping[str, str],
) -> dict[str, list[tuple[str, str]]]:
    """``{sex level: [(variable, level), ...]}``: the term rows of ``rows_index`` declared of one
    sex, and the category rows whose every shown term is of that sex (empty when none is)."""
    terms = [lv for var, lv in rows_index if var == "ae_term"]
    out: dict[str, list[tuple[str, str]]] = {}
    for var, level in rows_index:
        if var == "ae_term" and level in sex_specific:
            out.setdefault(sex_specific[level], []).append((var, level))
        elif var == "ae_category" and categories:
            members = [t for t in terms if categories.get(t) == level]
            sexes = {sex_specific.get(t) for t in members}
            if members and len(sexes) == 1 and None not in sexes:
                out.setdefault(sexes.pop() or "", []).append((var, level))
    return out


def one_sex_notes(
    frame: pd.DataFrame, one_sex: Mapping[str, list[tuple[str, str]]], unit: str
) -> list[str]:
    """One footnote per sex: which rows are counted among that sex and its N overall."""
    notes = []
    for level, rows in one_sex.items():
        names = [lv for _, lv in rows]
        first = rows[0]
        n = frame.loc[
            (frame["variable"] == first[0])
            & (frame["level"] == first[1])
            & (frame["group"] == "overall")
            & (frame["stat"] == "N"),
            "value",
        ]
        big = f" (N = {int(n.iloc[0])} overall)" if len(n) else ""
        notes.append(
            # the levels in backticks: a study's plan shows them in its words
            f"{', '.join(f'`{n}`' for n in names)}: events of one sex, counted among `{level}` "
            f"{unit} only{big}; "
            f"{NOT_APPLICABLE_CELL} = not applicable to the other sex."
        )
    return notes


def left_out_notes(
    counts: pd.DataFrame,
    own_counts: pd.DataFrame,
    rows: list[tuple[str, str]],
    level: str,
    unit: str,
) -> list[str]:
    """A footnote per row of one sex that subjects of the other sex (or of unknown sex) also
    have: they are not counted, and said so (a coding error to check, never dropped silently).
    ``counts`` are over every subject, ``own_counts`` over that sex (engine counts per group)."""

    def total(frame: pd.DataFrame, variable: str, name: str) -> int:
        hit = (frame["variable"] == variable) & (frame["level"].astype(str) == name)
        return int(frame.loc[hit, "n"].sum())

    notes = []
    for variable, name in rows:
        extra = total(counts, variable, name) - total(own_counts, variable, name)
        if extra > 0:
            notes.append(
                f"{name}: {extra} {unit} not recorded as {level} had the event and are not "
                f"counted (an event of {level} {unit}); check their records."
            )
    return notes


__all__ = ["NOT_APPLICABLE_CELL", "left_out_notes", "one_sex_notes", "one_sex_rows"]
