"""Counts and lists in the words of a sentence a reader meets (reports, table notes): "1
subject", "3 subjects", "a, b and c", never "subject(s)"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun`` agreeing: ``counted(1, "file")`` "1 file", ``counted(6, "file")``
    "6 files" (``plural``: a noun not plural by an "s", "analyses")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def and_list(items: list[str]) -> str:
    """``["a", "b", "c"]`` as "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def quoted(value: object, limit: int = 80) -> str:
    """``repr(value)`` for a message, a long text cut to its first ``limit`` characters and its
    length: a 32,000-character cell quoted whole made an error message of 32 KB."""
    text = str(value)
    if not isinstance(value, str) or len(text) <= limit:
        return repr(value)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def in_sentence(text: str) -> str:
    """A label as a word inside a sentence: its first letter small when it is a capital before a
    small letter ("Treated for 3 months" -> "treated for 3 months"); an acronym or a code keeps
    its capitals ("HIV positive", "HN grade")."""
    if text[:1].isupper() and text[1:2].islower():
        return text[:1].lower() + text[1:]
    return text


#: The unit words that end a column name ("age_years") or a label ("Time to stopping, months").
UNIT_WORDS = ("years", "months", "days", "weeks", "mg", "ml", "pct")


def without_unit(label: str) -> str:
    """A label without the unit that ends it after a comma: "Time to stopping, months" ->
    "Time to stopping" (a title that names the variable, not its scale); others as they are."""
    head, sep, tail = label.rpartition(", ")
    return head if sep and head and tail.strip().lower() in UNIT_WORDS else label


def term_label(covariate: str, contrast: str, *, numeric: bool) -> str:
    """A model term as its row reads: "Sex: Male vs Female"; a numeric covariate with its unit
    in brackets, "Age, years (per year)" (not "Age, years: per year")."""
    if not contrast:
        return covariate
    return f"{covariate} ({contrast})" if numeric else f"{covariate}: {contrast}"


__all__ = ["UNIT_WORDS", "and_list", "counted", "in_sentence", "term_label", "without_unit"]
