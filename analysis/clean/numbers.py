"""Numbers as clinic exports write them: either decimal mark, thousands separators, text around
the number; an ambiguous or unreadable number is set missing and audited."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from analysis.clean.cells import is_blank
from analysis.clean.column_fit import (
    Fix,
    stop_if_unreadable,
    unreadable_paragraphs,
    with_digits,
)
from analysis.clean.columns import TABLE_COLUMNS
from analysis.clean.distinct import distinct_results, map_distinct
from analysis.clean.shown_value import shown_value
from analysis.clean.step import AUDIT_COLUMNS, Columns, Step, audit_rows, concat_rows

_AMBIGUOUS_NUMBER = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
# spaces (also no-break and narrow no-break ones) inside a number: thousands separators only
# between groups of three digits ("1 234,5"); spaces after a sign are dropped
_SPACES = re.compile(r"[ \u00a0\u202f]")
_SPACED_THOUSANDS = re.compile(
    r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d*)?(?:[eE][+-]?\d+)?"
)
_EXPONENT = r"(?:[eE][+-]?\d+)?"
# a number with a decimal point and no other mark: what is left to read when no mark is
# declared (Python's float() reads more: "1_0" as 10, "inf", "Infinity", "nan")
_PLAIN_NUMBER = re.compile(rf"[+-]?(?:\d+(?:\.\d*)?|\.\d+){_EXPONENT}")
# a decimal digit other than 0-9 (Unicode category Nd outside ASCII)
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _number_pattern(decimal_mark: str) -> re.Pattern[str]:
    """A number written with ``decimal_mark``: the other mark only between groups of three."""
    d = re.escape(decimal_mark)
    t = re.escape("," if decimal_mark == "." else ".")
    return re.compile(rf"[+-]?(?:(?:\d+|\d{{1,3}}(?:{t}\d{{3}})+)(?:{d}\d*)?|{d}\d+){_EXPONENT}")


_NUMBER_PATTERNS = {mark: _number_pattern(mark) for mark in (".", ",")}


def _to_number(value: object, decimal_mark: str | None = None) -> float | None:
    """One cell -> a float, or None (blank, not a number, ambiguous, or not in the locale).

    ``decimal_mark`` is the source's declared ``sources[].decimal``; see :func:`read_number`.
    """
    return read_number(value, decimal_mark)[0]


def read_number(value: object, decimal_mark: str | None) -> tuple[float | None, str]:
    """``(number, problem)``: problem is '' (read or blank), 'ambiguous', 'locale', 'spaced',
    'infinite' or 'text'.

    A number written as text is digits with at most one decimal mark, an optional sign before
    and an optional exponent after (``"5e-1"``, ``"1E1"``: read, with either mark declared or
    none). A space is a thousands separator only between groups of three digits
    (``"1 234,5"``); digits with another space (``"0 5"``, ``"4 5"``) are 'spaced', never joined
    into another number. ``decimal_mark`` is the source's ``sources[].decimal``. Declared: the
    other mark is a thousands separator only between groups of three, else the text is
    'locale'. Undeclared: a decimal comma or point is read, but one separator followed by
    exactly three digits (``1.234``, ``1,250``) is 'ambiguous', never guessed, and a number
    with thousands separators (``1.234,5``, ``1,234.5``, ``1.234.567``) is 'undeclared': it
    reads with one declared mark, named in the message.

    Digits are 0-9, as for dates and (unless ``cleaning.ids.unicode: nfkc``) ids: a text with
    a decimal digit of another script (Arabic-Indic ``"٣"``, full-width ``"４５"``, which
    Python's ``float()`` reads) is 'digits'; a superscript or a fraction (``"²"``, ``"½"``) is
    'text'. So is anything else ``float()`` would read: underscores between digits (``"0_5"``
    is not 5), ``"inf"``, ``"Infinity"``, ``"nan"``. A number beyond the largest float
    (``"1e400"``), or an infinite number cell, is 'infinite'. :func:`number_message` words
    each problem.
    """
    if is_blank(value):
        return None, ""
    if isinstance(value, bool):
        return None, "text"
    if isinstance(value, int | float | np.integer | np.floating):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond the largest float
            return None, "infinite"
        return (number, "") if math.isfinite(number) else (None, "infinite")
    text = re.sub(r"^([+-])[ \u00a0\u202f]+", r"\1", str(value).strip())  # "- 5"
    if other_digits(text):
        return None, "digits"
    if _SPACES.search(text):
        if not _SPACED_THOUSANDS.fullmatch(text) and re.fullmatch(r"[+-]?[\d.,\s]+", text):
            return None, "spaced"  # "0 5", "4 5": not a number to join into another
        text = _SPACES.sub("", text)
    if decimal_mark is None:
        if _AMBIGUOUS_NUMBER.fullmatch(text):
            return None, "ambiguous"
        if _undeclared_mark(text):
            return None, "undeclared"  # "1.234,5": a number in one locale, not guessed
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if not _PLAIN_NUMBER.fullmatch(text):
            return None, "text"
    else:
        if not _NUMBER_PATTERNS[decimal_mark].fullmatch(text):
            return None, "locale" if re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", text) else "text"
        thousands = "," if decimal_mark == "." else "."
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    number = float(text)  # the patterns hold only what float() reads
    return (number, "") if math.isfinite(number) else (None, "infinite")


def number_message(
    column: str, value: object, problem: str, what: str, source: str, mark: str | None
) -> str:
    """The audit message of a numeric cell that was cleared."""
    return f"`{column}` value {number_problem(value, problem, what, source, mark)}"


def number_problem(value: object, problem: str, what: str, source: str, mark: str | None) -> str:
    """Why ``value`` was not read as a number (``problem`` of :func:`read_number`), and the fix:
    "'1,250' is ambiguous: ...", for the messages of a cell or of a number inside a text."""
    if problem == "ambiguous":
        text = str(value).strip()
        mark = "." if "." in text else ","
        other = "," if mark == "." else "."
        as_decimal = float(text.replace(",", "."))
        as_thousands = float(text.replace(mark, ""))
        return (
            f"{shown_value(value)} is ambiguous: {mark!r} may be the decimal mark "
            f"({as_decimal:g}) or a thousands separator ({as_thousands:g}); declare "
            f"`sources[].decimal` ({mark!r} or {other!r}) for source '{source}'"
        )
    if problem == "undeclared":
        mark = _undeclared_mark(str(value).strip())
        other = "," if mark == "." else "."
        read = read_number(value, mark)[0]
        return (
            f"{value!r} is a number written with {other!r} between thousands and {mark!r} as the "
            f"decimal mark ({read:.15g} so read), but no decimal mark is declared for source "
            f"'{source}'; declare `sources[].decimal: {mark!r}` for it (the cell is then read "
            "as that number)"
        )
    if problem == "spaced":
        return (
            f"{shown_value(value)} has a space between its digits that is not a thousands separator "
            f"(groups of three digits, e.g. '1 234'): not read as one number; correct the value"
        )
    if problem == "locale":
        return (
            f"{shown_value(value)} does not fit the decimal mark {mark!r} declared for "
            f"source '{source}' (`sources[].decimal`): expected digits, {mark!r} before the "
            f"decimals and thousands in groups of three (e.g. {_LOCALE_EXAMPLE[mark or '.']!r}); "
            f"correct the value or the declaration"
        )
    if problem == "digits":
        return (
            f"{shown_value(value)} has digits other than 0-9 ({other_digits(str(value))!r}): not read as "
            f"{what}; write it with the digits 0-9"
        )
    if problem == "infinite":
        return (
            f"{shown_value(value)} is an infinite number (beyond the largest a float holds, about "
            f"1.8e308), not {what}; correct the value"
        )
    if isinstance(value, dt.date | dt.time | dt.timedelta):  # a workbook cell Excel typed
        return (
            f"{shown_value(value)} is a date or time cell, not {what} (Excel may have turned "
            "the number typed into a date: format the column as numbers or text in the export)"
        )
    return f"{shown_value(value)} is not {what}"


_LOCALE_EXAMPLE = {".": "1,234.5", ",": "1.234,5"}


def _undeclared_mark(text: str) -> str | None:
    """The decimal mark under which ``text`` (trimmed) is a number with thousands separators
    ("1.234,5": ','; "1,234.5" and "1,234,567": '.'), None for any other text."""
    if text.count(",") + text.count(".") < 2:
        return None  # one mark at most: read undeclared, or ambiguous
    for mark in (",", "."):
        if _NUMBER_PATTERNS[mark].fullmatch(text):
            return mark
    return None


def other_digits(text: str) -> str:
    """The decimal digits of ``text`` other than 0-9, each once ("" when none)."""
    if text.isascii():
        return ""
    return "".join(dict.fromkeys(_OTHER_DIGIT.findall(text)))


def _read_column(raw: pd.Series, marks: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`read_number` of each cell by its row's decimal mark: ``(numbers, problems)``
    (one call per distinct (cell, mark), joined back)."""
    numbers, problems, _ = _read_column_and_blanks(raw, marks)
    return numbers, problems


def _read_column_and_blanks(
    raw: pd.Series, marks: pd.Series | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """:func:`_read_column` and :func:`_blank` of ``raw`` in one pass over its distinct
    (cell, mark) pairs: ``(numbers, problems, blank)``. ``marks`` None: no row declares a mark
    (each cell read once, without pairing it with its row's mark)."""
    if marks is None:
        results, groups = distinct_results(lambda v: (*read_number(v, None), is_blank(v)), raw)
    else:
        results, groups = distinct_results(
            lambda v, m: (*read_number(v, m), is_blank(v)), raw, marks
        )
    numbers = np.array([np.nan if r[0] is None else r[0] for r in results], dtype="float64")
    problems = np.array([r[1] for r in results], dtype=object)
    blank = np.array([r[2] for r in results], dtype=bool)
    return (
        pd.Series(numbers[groups], index=raw.index, dtype="float64"),
        pd.Series(problems[groups], index=raw.index, dtype=object),
        pd.Series(blank[groups], index=raw.index),
    )


def _source_names(data: pd.DataFrame) -> pd.Series:
    """Each row's source name as text (empty without a ``_source`` column)."""
    if "_source" in data:
        return data["_source"].astype(str)
    return pd.Series("", index=data.index, dtype=object)


def parse_numbers(
    data: pd.DataFrame,
    table: str,
    columns: Columns | None = None,
    *,
    decimals: dict[str, str | None] | None = None,
    max_unreadable: float | None = None,
) -> Step:
    """Numeric columns to float (``integer`` columns to nullable integers); text that is not a
    number, and a fraction in an integer column, is set missing and audited. ``text`` columns
    are kept as strings.

    ``decimals`` maps a source name to its declared ``sources[].decimal``. With one, the other
    mark is a thousands separator only between groups of three, and text that does not fit is
    cleared; without one, a value with one separator followed by exactly three digits (``1.234``,
    ``1,250``) is ambiguous and cleared. Every cleared value has an audit row.

    ``max_unreadable`` (``cleaning.max_unreadable_fraction``): a source's column with more than
    this share of its values unreadable stops the run (``column_fit``; None: never).
    """
    out = data.copy(deep=False)  # columns are replaced, never written into
    audit = []
    wrong: list[str] = []  # columns of a source mostly unreadable as declared (column_fit)
    spec_of = columns if columns is not None else TABLE_COLUMNS[table]
    by_source = decimals or {}
    # each row's declared mark; None for all when no source declares one (not looked up)
    marks: pd.Series | None = None
    if any(mark is not None for mark in by_source.values()):
        sources = _source_names(out)
        marks = pd.Series(map_distinct(by_source.get, sources), index=out.index, dtype=object)
    for column, spec in spec_of.items():
        if column not in out:
            continue
        if spec.kind == "text":
            text = map_distinct(lambda v: None if pd.isna(v) else str(v), out[column])
            out[column] = pd.Series(text, index=out.index, dtype=object).astype("string")
            continue
        if spec.kind not in ("number", "integer"):
            continue
        raw = out[column]
        parsed, problems, blank = _read_column_and_blanks(raw, marks)
        failed = ~blank & parsed.isna()
        what = "a number"
        if spec.kind == "integer":
            fraction = parsed.notna() & (parsed != parsed.round())
            failed |= fraction
            parsed = parsed.mask(fraction)
            what = "a whole number"
        out[column] = parsed.astype("Int64") if spec.kind == "integer" else parsed
        if failed.any() and max_unreadable is not None:
            wrong += unreadable_paragraphs(
                data,
                column,
                with_digits(raw, failed),
                blank,
                max_unreadable,
                "numbers",
                _other_mark(marks),
            )
        if failed.any():
            bad = out.loc[failed]
            names = _source_names(bad)
            bad_marks = [None] * len(bad) if marks is None else marks[failed]
            msgs = pd.Series(
                [
                    number_message(column, v, p, what, s, m)
                    for v, p, s, m in zip(
                        raw[failed], problems[failed], names, bad_marks, strict=True
                    )
                ],
                index=bad.index,
            )
            audit.append(audit_rows(bad, table, column, "number", raw[failed], "set_missing", msgs))
    stop_if_unreadable(wrong, max_unreadable or 0.0)
    return Step(out, audit=concat_rows(audit, AUDIT_COLUMNS))


def _other_mark(marks: pd.Series | None) -> Fix:
    """The ``fix`` of :func:`column_fit.unreadable_paragraphs` for numbers: the other decimal
    mark, when it reads at least 90% of the unreadable values."""

    def fix(values: pd.Series) -> str:
        declared = {None} if marks is None else set(marks[values.index])
        for other in (".", ","):
            if other in declared:
                continue
            read = values.map(lambda v, m=other: read_number(v, m)[0] is not None)
            if read.mean() >= 0.9:
                now = ", ".join(repr(m) for m in declared if m) or "none"
                return (
                    f"{int(read.sum())} of them read as numbers with `decimal: {other!r}` "
                    f"(declared: {now}): if the file writes its numbers that way, set "
                    f"`decimal: {other!r}` for this source (`sources[].decimal`)"
                )
        return ""

    return fix
