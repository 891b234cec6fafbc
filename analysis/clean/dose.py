"""Doses written as text in clinic exports ("0,5 mg/dia", "1 mg 3x/semana", "2.5mg daily").

:func:`parse_dose` reads the amount, its unit and how often it is taken; the cleaning step
:func:`parse_dose_text` turns ``dose_text`` into ``dose_mg`` (per administration) and
``doses_per_week``. Words for "day", "week" and "month" are understood in English, Spanish,
Portuguese, French, German and Italian; the amount follows the source's decimal mark as every
number does (:func:`analysis.clean.numbers.read_number`); anything else is left unparsed and
audited, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.clean.numbers import number_problem, other_digits, read_number
from analysis.clean.step import AUDIT_COLUMNS, Step, audit_rows

_UNIT_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "ug": 0.001, "µg": 0.001}
_PER_WEEK = {
    "day": 7.0,
    "week": 1.0,
    "month": 7.0 / 30.4375,
}
_PERIOD_WORDS = {
    "day": (
        "d",
        "dia",
        "dias",
        "day",
        "days",
        "daily",
        "diario",
        "diaria",
        "diarios",
        "j",
        "jour",
        "jours",
        "quotidien",
        "quotidienne",
        "tag",
        "tage",
        "taglich",
        "giornaliero",
        "giorno",
        "giorni",
        "qd",
        "od",
    ),
    "week": (
        "sem",
        "semana",
        "semanas",
        "semanal",
        "week",
        "weeks",
        "weekly",
        "wk",
        "semaine",
        "semaines",
        "hebdomadaire",
        "woche",
        "wochen",
        "wochentlich",
        "settimana",
        "settimanale",
    ),
    "month": (
        "mes",
        "meses",
        "mensal",
        "mensual",
        "month",
        "months",
        "monthly",
        "mois",
        "mensuel",
        "mensuelle",
        "monat",
        "monatlich",
        "mese",
        "mensile",
    ),
}
_WORD_PERIOD = {w: p for p, words in _PERIOD_WORDS.items() for w in words}
#: times a day written as the usual abbreviations (twice, three and four times a day)
_TIMES_A_DAY = {"bid": 2, "tid": 3, "qid": 4}
#: words a dose may hold besides its amount, unit and frequency: connectors, "once", the route.
#: Any other word ("alternate days", "half a tablet", "Monday to Friday", "stopped") may change
#: the dose or how often it is taken: the text is then left unread and audited, not guessed.
_FILLER = frozenset(
    {
        *("a", "al", "ao", "au", "la", "le", "el", "the", "de", "del", "da", "do", "du"),
        *("der", "die", "das", "each", "every", "cada", "per", "por", "pro", "par", "en"),
        *("em", "in", "im", "one", "once", "una", "uma", "une", "un", "uno", "um", "vez"),
        *("fois", "mal", "time", "oral", "orally", "po", "vo", "via", "x"),
    }
)
# a minus sign before the amount ("-1 mg/dia"): not a dose (the amount is read without it)
_NEGATIVE = re.compile(r"(?<![\w.,])[-−]\s*\d")

_AMOUNT = re.compile(r"(\d[\d.,]*)\s*(mg|mcg|ug|µg|g)\b")
_TIMES = re.compile(
    r"(?:(\d+)\s*(?:x|vezes|veces|vez|times|time|fois|mal)\b)|(?:\bx\s*(\d+))"
    r"|(?:(\d+)/\s*(?=[a-z]))"
)
_PERIOD = "(?:" + "|".join(sorted(_WORD_PERIOD, key=len, reverse=True)) + ")"
#: "x 30 dias", "x 3 weeks": a count of periods after "x" is how long the dose was taken more
#: often than how often ("x2/dia", "x 2 al dia" are twice a day): not read as either. So is an
#: "x 4" after the frequency ("1 mg/sem x 4": four a week, or for four weeks?)
_FOR_PERIODS = re.compile(
    rf"\bx\s*\d+\s*(?:(?:de|of)\s+)?{_PERIOD}\b|\b{_PERIOD}\b(?:(?!\b{_PERIOD}\b).)*?"
    rf"\bx\s*\d+(?!(?:.*?)\b{_PERIOD}\b)"
)
_WORDS = re.compile(r"[a-zµ]+")


@dataclass(frozen=True)
class Dose:
    mg: float
    per_week: float


def _plain(text: str) -> str:
    # NFKD writes the micro sign (µ) as the Greek letter mu (μ): both are micro, as "u" is
    decomposed = unicodedata.normalize("NFKD", text.casefold()).replace("\u03bc", "µ")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "µ")


def parse_dose(
    text: object, default_frequency: str | None = None, decimal: str | None = None
) -> Dose | None:
    """Amount in mg per administration and administrations per week, or ``None``.

    ``"0,5 mg/dia"`` -> 0.5 mg, 7 per week; ``"1 mg 3x/semana"`` -> 1 mg, 3 per week. A text
    without a frequency (``"2.5mg"``) gives ``None`` unless ``default_frequency`` (``"day"``,
    ``"week"``, ``"month"``: the study's stated usual frequency) is given. ``decimal`` is the
    source's decimal mark (see :func:`read_dose`).
    """
    return read_dose(text, default_frequency, decimal)[0]


def read_dose(
    text: object, default_frequency: str | None = None, decimal: str | None = None
) -> tuple[Dose | None, str, str]:
    """``(dose, problem, amount)``: the dose, or None with why.

    ``problem`` is '' (read), 'form' (not one amount with its unit and one frequency, or a
    negative amount), 'duration' ("x 30 dias": a count of periods after "x", which may be how
    long rather than how often; ``amount`` then holds it), 'words' (a word that may change the dose or its frequency, e.g.
    "alternados", "meio", "bid" aside: ``amount`` then holds those words), 'digits' (a digit
    other than 0-9, e.g. "١ mg/dia" or full-width "１ mg": ``amount`` holds those digits) or the
    :func:`~analysis.clean.numbers.read_number` problem of the amount ('ambiguous', 'locale',
    'infinite', 'text'); ``amount`` is the amount as written. "bid", "tid" and "qid" are 2, 3
    and 4 times a day. The amount is read like any number of the source:
    ``decimal`` (``sources[].decimal``) declared, the other mark is a thousands separator in
    groups of three (``"1.250 mg"`` is 1250 mg with ``","``); undeclared, ``"0,5 mg"`` and
    ``"2.5 mg"`` are read but ``"1.250 mg"`` is ambiguous and not guessed. Digits are 0-9, as
    for every number (:func:`~analysis.clean.numbers.read_number`).
    """
    if text is None or not isinstance(text, str):
        return None, "form", ""
    others = other_digits(text)  # before NFKD, which writes full-width digits as 0-9
    if others:
        return None, "digits", others
    plain = _plain(text)
    if _NEGATIVE.search(plain):
        return None, "form", ""
    amounts = _AMOUNT.findall(plain)
    if len(amounts) != 1:
        return None, "form", ""
    value, unit = amounts[0]
    number, problem = read_number(value, decimal)
    if number is None:
        return None, problem or "text", value
    mg = number * _UNIT_MG[unit]
    rest = _AMOUNT.sub(" ", plain)
    duration = _FOR_PERIODS.search(rest)
    if duration:
        return None, "duration", duration.group(0)
    times = [int(a or b or c) for a, b, c in _TIMES.findall(rest)]
    rest = _TIMES.sub(" ", rest)
    if any(ch.isdigit() for ch in rest):
        # another number beside the amount: a range ("1,5-2 mg"), a split dose ("1-0-1"), a
        # second amount without its unit -- not one dose, so not read
        return None, "form", value
    words = _WORDS.findall(rest)
    unknown = [w for w in words if w not in _WORD_PERIOD and w not in _FILLER | _TIMES_A_DAY.keys()]
    if unknown:
        return None, "words", " ".join(dict.fromkeys(unknown))
    periods = {_WORD_PERIOD[w] for w in words if w in _WORD_PERIOD}
    for w in words:
        if w in _TIMES_A_DAY:
            times.append(_TIMES_A_DAY[w])
            periods.add("day")
    if not periods and not times and default_frequency is not None:
        periods = {default_frequency}
    if len(periods) != 1 or len(times) > 1:
        return None, "form", value
    per_week = (times[0] if times else 1) * _PER_WEEK[periods.pop()]
    return Dose(mg=mg, per_week=per_week), "", value


def parse_dose_text(
    data: pd.DataFrame,
    table: str = "exposures",
    default_frequency: str | None = None,
    *,
    decimals: dict[str, str | None] | None = None,
) -> Step:
    """``dose_text`` ("0,5 mg/dia") -> ``dose_mg`` (where not given), ``doses_per_week`` and
    ``daily_dose_mg``; text that is not a dose with one amount and one frequency is audited, its
    dose missing. A dose without a frequency takes ``default_frequency`` (the study's
    ``exposure.dose_frequency``), with an audit row saying so. A row whose dose is a number
    (``dose_mg`` of a source that maps it, no text) keeps it and is taken at
    ``default_frequency`` too: each row's daily dose comes from whichever column holds its dose.
    Without ``default_frequency`` such a row's daily dose is unknown: audited, left missing. ``decimals`` maps a source name to
    its ``sources[].decimal``: an amount that does not fit it, or an ambiguous one ("1.250 mg"
    with no mark declared), is audited and left missing, never guessed."""
    if "dose_text" not in data or data["dose_text"].isna().all():
        return Step(data)
    out = data.copy(deep=False)  # columns are replaced, never written into
    by_source = decimals or {}
    sources = out["_source"].astype(str) if "_source" in out else pd.Series("", index=out.index)
    marks = sources.map(lambda s: by_source.get(s))
    texts = out["dose_text"]
    read = [read_dose(v, None, m) for v, m in zip(texts, marks, strict=True)]
    assumed = pd.Series(False, index=out.index)
    if default_frequency is not None:
        fallback = [read_dose(v, default_frequency, m) for v, m in zip(texts, marks, strict=True)]
        assumed = pd.Series(
            [r[0] is None and f[0] is not None for r, f in zip(read, fallback, strict=True)],
            index=out.index,
        )
        read = [f if a else r for r, f, a in zip(read, fallback, assumed, strict=True)]
    doses = pd.Series([r[0] for r in read], index=out.index, dtype=object)
    given = out["dose_mg"].astype("float64") if "dose_mg" in out else None
    from_text = doses.map(lambda d: d.mg if d is not None else np.nan).astype("float64")
    out["dose_mg"] = from_text if given is None else given.fillna(from_text)
    per_week = doses.map(lambda d: d.per_week if d is not None else np.nan).astype("float64")
    # a dose given as a number (a source mapping `dose_mg`, not `dose_text`) has no frequency
    # written beside it: it is taken as often as the study says a dose without one is
    number_only = texts.isna() & out["dose_mg"].notna()
    if default_frequency is not None:
        per_week = per_week.mask(number_only, _PER_WEEK[default_frequency])
    out["doses_per_week"] = per_week
    out["daily_dose_mg"] = out["dose_mg"] * out["doses_per_week"] / 7
    audit = []
    if default_frequency is None and number_only.any():
        audit.append(_numbers_without_frequency(out.loc[number_only], table, sources))
    if assumed.any():
        rows = out.loc[assumed]
        audit.append(
            audit_rows(
                rows,
                table,
                "dose_text",
                "dose",
                rows["dose_text"],
                "assumed",
                f"no frequency written; exposure.dose_frequency '{default_frequency}' assumed",
            )
        )
    failed = texts.notna() & doses.isna()
    if failed.any():
        bad = out.loc[failed]
        msgs = [
            _dose_message(v, r[1], r[2], s, m)
            for v, r, s, m, f in zip(texts, read, sources, marks, failed, strict=True)
            if f
        ]
        audit.append(
            audit_rows(
                bad,
                table,
                "dose_text",
                "dose",
                bad["dose_text"],
                "set_missing",
                pd.Series(msgs, index=bad.index),
            )
        )
    audit = [a for a in audit if len(a)]
    if not audit:
        return Step(out)
    return Step(out, audit=pd.concat(audit, ignore_index=True)[AUDIT_COLUMNS])


def _numbers_without_frequency(rows: pd.DataFrame, table: str, sources: pd.Series) -> pd.DataFrame:
    """Audit rows of doses given as numbers while other rows write theirs as text with a
    frequency: without ``exposure.dose_frequency`` their daily dose is unknown, left missing."""
    msgs = [
        f"`dose_mg` {dose:g} (source {source!r}) is a number with no frequency beside it, while "
        "other doses of the exposures are written with theirs (`dose_text`): its daily dose "
        "(daily_dose_mg) is left missing. Declare how often such a dose is taken with "
        "`exposure.dose_frequency` (day, week or month) in the study file"
        for dose, source in zip(rows["dose_mg"], sources.loc[rows.index], strict=True)
    ]
    return audit_rows(
        rows,
        table,
        "daily_dose_mg",
        "dose",
        rows["dose_mg"],
        "set_missing",
        pd.Series(msgs, index=rows.index),
    )


def _dose_message(text: object, problem: str, amount: str, source: str, mark: str | None) -> str:
    """The audit message of a ``dose_text`` cell left unparsed."""
    if problem == "words":
        return (
            f"`dose_text` value {text!r} holds words that may change the dose or how often it "
            f"is taken ({amount}); not read: dose_mg and doses_per_week left missing (write "
            "the amount and its frequency, e.g. '1 mg 3x/week')"
        )
    if problem == "digits":
        return (
            f"`dose_text` value {text!r} has digits other than 0-9 ({amount!r}); not read: "
            "dose_mg and doses_per_week left missing (write it with the digits 0-9)"
        )
    if problem == "duration":
        return (
            f"`dose_text` value {text!r} writes {amount!r}, which may be how long the dose was "
            "taken (for that many days, weeks or months) rather than how often; not read: "
            "dose_mg and doses_per_week left missing (write how often, e.g. '2 mg/day', and "
            "the duration as the period's start and stop dates)"
        )
    if problem == "form":
        return (
            f"`dose_text` value {text!r} is not a dose with one amount and unit (mg, g, mcg) and "
            "one frequency (per day / week / month, optionally 'Nx'); dose_mg and "
            "doses_per_week left missing"
        )
    why = number_problem(amount, problem, "a number", source, mark)
    return f"`dose_text` value {text!r}: the amount {why}; dose_mg and doses_per_week left missing"


__all__ = ["Dose", "parse_dose", "parse_dose_text", "read_dose"]
