"""Adverse events of one sex (declared ``sex_specific`` in the term vocabulary): which rows of
an incidence table are counted among one sex only, and the footnote that says so.

A term of one sex has that sex's subjects as its denominator, overall and in every group; the
other sex's cells are not applicable ("—"), never 0 (0%). A category (system organ class) whose
every shown term is of the same sex is counted the same way.

An event of such a term recorded for a subject not of that sex (the other sex, or the sex
unknown) is a coding error to check: it is left out of every row of the table (the term, its
category, any adverse event, any serious one, the highest severity), so that no row counts an
event that another row cannot, and a footnote counts those subjects and events
(:func:`other_sex_events`, :func:`left_out_notes`). Every adverse-event table applies this one
rule.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.types as ir
import pandas as pd

from analysis.engine import counts as engine
from analysis.errors import ArgumentError
from analysis.words import counted

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
    frame: pd.DataFrame,
    one_sex: Mapping[str, list[tuple[str, str]]],
    unit: str,
    where: tuple[str, str] = ("overall", "overall"),
    dash: str | None = "not applicable to the other sex",
) -> list[str]:
    """One footnote per sex: which rows are counted among that sex and its N in the group
    ``where`` (the group key, and its words after the N: "overall", "at session 1"); ``dash``:
    what "—" in those rows means (``None``: no "—" is shown)."""
    notes = []
    for level, rows in one_sex.items():
        names = [lv for _, lv in rows]
        first = rows[0]
        n = frame.loc[
            (frame["variable"] == first[0])
            & (frame["level"] == first[1])
            & (frame["group"] == where[0])
            & (frame["stat"] == "N"),
            "value",
        ]
        big = f" (N = {int(n.iloc[0])} {where[1]})" if len(n) else ""
        notes.append(
            # the levels in backticks: a study's plan shows them in its words
            f"{', '.join(f'`{n}`' for n in names)}: events of one sex, counted among `{level}` "
            f"{unit} only{big}" + (f"; {NOT_APPLICABLE_CELL} = {dash}." if dash else ".")
        )
    return notes


def check_sex_column(subjects: ir.Table, sex_specific: Mapping[str, str], sex: str) -> None:
    """A term of one sex needs the subjects' sex: a ``ValueError`` saying so when absent, or
    when the column holds numbers (codes) and a term's level is not one."""
    if sex_specific and sex not in engine.columns(subjects):
        raise ArgumentError(
            f"terms {sorted(sex_specific)} are counted among one sex, but the subjects have no "
            f"`{sex}` column; add it to the subject table"
        )
    if sex_specific and subjects[sex].type().is_string():
        seen = set(engine.distinct_values(subjects, sex))
        folded = {v.casefold(): v for v in seen}
        wrong = {
            lv: folded[str(lv).casefold()]
            for lv in set(sex_specific.values())
            if str(lv) not in seen and str(lv).casefold() in folded
        }
        if wrong:  # "Male" for "male" was a term of N = 0 and its events in no row
            said = ", ".join(f"{lv!r} (the data write {v!r})" for lv, v in sorted(wrong.items()))
            raise ArgumentError(
                f"the terms of one sex name the level(s) {said} of `{sex}`; write each as the "
                "data write it"
            )
    if sex_specific and subjects[sex].type().is_numeric():
        wrong = {t: lv for t, lv in sex_specific.items() if not _is_number(str(lv))}
        if wrong:
            raise ArgumentError(
                f"`{sex}` holds numbers (codes), but the terms of one sex name the levels "
                f"{sorted(set(wrong.values()))} ({', '.join(sorted(wrong))}); give each as the "
                f"code its sex has in `{sex}` (e.g. '1'), or map the codes to words first"
            )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def sex_text(column: ir.Value) -> ir.StringValue:
    """The subjects' sex as text, to compare with a declared level: a whole number without a
    decimal part (codes 1/2 read as floats because one value is missing are 1.0 and 2.0, and
    the level "1" found no subject, silently)."""
    kind = column.type()
    if kind.is_floating():
        whole = column == column.floor()
        return whole.ifelse(column.cast("int64").cast("string"), column.cast("string"))
    return column.cast("string")


def other_sex_events(
    events: ir.Table,
    subjects: ir.Table,
    *,
    sex_specific: Mapping[str, str],
    term: str,
    sex: str,
    subject_id: str,
) -> tuple[ir.Table, pd.DataFrame]:
    """``(kept, left_out)``: the rows of ``events`` but the events of a term of one sex whose
    subject (in ``subjects``) is not recorded as that sex (another sex, or the sex missing),
    and those left out, counted per term on the engine (``[term, n, events]``: distinct
    subjects and events, terms sorted). ``events`` without such a term are kept whole."""
    if not sex_specific:
        return events, pd.DataFrame(columns=[term, "n", "events"])
    text = events[term].cast("string")
    own = text.cases(*sex_specific.items(), else_=None)
    marked = events.mutate(_term=text, _own_sex=own)
    sexes = subjects.select(subject_id, _sex=sex_text(subjects[sex])).distinct()
    of_one = marked.filter(marked["_own_sex"].notnull()).inner_join(sexes, subject_id)
    wrong = of_one.filter(of_one["_sex"].isnull() | (of_one["_sex"] != of_one["_own_sex"]))
    left_out = engine.execute(
        wrong.group_by(_term=wrong["_term"]).aggregate(
            n=wrong[subject_id].nunique(), events=wrong.count()
        ),
        ["_term"],
    ).rename(columns={"_term": term})
    if left_out.empty:
        return events, left_out
    pairs = wrong.select(subject_id, "_term").distinct()
    kept = marked.anti_join(pairs, [subject_id, "_term"]).drop("_term", "_own_sex")
    return kept, left_out


def of_own_sex_only(
    events: ir.Table,
    subjects: pd.DataFrame | ir.Table | None,
    sex_specific: Mapping[str, str],
    *,
    term: str,
    sex: str,
    subject_id: str,
) -> tuple[ir.Table, pd.DataFrame]:
    """:func:`other_sex_events` for a table given its events and, with ``sex_specific``, the
    subject table (a ``ValueError`` saying so when it is missing, or has no ``sex``): the
    events kept and those left out, per term."""
    if not sex_specific:
        return events, pd.DataFrame(columns=[term, "n", "events"])
    if subjects is None:
        raise ArgumentError(
            f"terms {sorted(sex_specific)} are counted among one sex: pass the subject table "
            f"(`subjects`, with a `{sex}` column)"
        )
    subj_t = engine.as_table(subjects, columns=[subject_id, sex])
    check_sex_column(subj_t, sex_specific, sex)
    return other_sex_events(
        events, subj_t, sex_specific=sex_specific, term=term, sex=sex, subject_id=subject_id
    )


def left_out_notes(
    left_out: pd.DataFrame,
    sex_specific: Mapping[str, str],
    term: str,
    unit: str,
    rows: str = "this row, its category or any adverse event",
) -> list[str]:
    """A footnote per term of one sex that subjects of the other sex (or of unknown sex) also
    have (``left_out`` of :func:`other_sex_events`): a coding error to check, never dropped
    silently. ``rows``: the rows of the table that leave their events out, in words."""
    one = unit[:-1] if unit.endswith("s") else unit
    notes = []
    for name, n, events in zip(left_out[term], left_out["n"], left_out["events"], strict=True):
        level = sex_specific[str(name)]
        notes.append(  # the levels in backticks, as in one_sex_notes
            f"`{name}`: {counted(int(n), one, unit)} not recorded as `{level}` had the event "
            f"({counted(int(events), 'event')}; an event of `{level}` {unit}): not counted in "
            f"{rows}; check the records."
        )
    return notes


__all__ = [
    "NOT_APPLICABLE_CELL",
    "check_sex_column",
    "left_out_notes",
    "one_sex_notes",
    "one_sex_rows",
    "other_sex_events",
    "sex_text",
]
