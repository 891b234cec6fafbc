"""Doses written as text in clinic exports ("0,5 mg/dia", "1 mg 3x/semana", "2.5mg daily").

:func:`parse_dose` reads the amount, its unit and how often it is taken; the cleaning stage turns
``dose_text`` into ``dose_mg`` (per administration) and ``doses_per_week``. Words for "day",
"week" and "month" are understood in English, Spanish, Portuguese, French, German and Italian;
anything else is left unparsed and audited, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
        "jour",
        "jours",
        "tag",
        "tage",
        "taglich",
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
        "woche",
        "settimana",
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
        "monat",
        "mese",
    ),
}
_WORD_PERIOD = {w: p for p, words in _PERIOD_WORDS.items() for w in words}

_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(mg|mcg|ug|µg|g)\b")
_TIMES = re.compile(r"(?:(\d+)\s*(?:x|vezes|veces|times|fois|mal)\b)|(?:\bx\s*(\d+))")
_WORDS = re.compile(r"[a-zµ]+")


@dataclass(frozen=True)
class Dose:
    mg: float
    per_week: float


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "µ")


def parse_dose(text: object, default_frequency: str | None = None) -> Dose | None:
    """Amount in mg per administration and administrations per week, or ``None``.

    ``"0,5 mg/dia"`` -> 0.5 mg, 7 per week; ``"1 mg 3x/semana"`` -> 1 mg, 3 per week. A text
    without a frequency (``"2.5mg"``) gives ``None`` unless ``default_frequency`` (``"day"``,
    ``"week"``, ``"month"``: the study's stated usual frequency) is given.
    """
    if text is None or not isinstance(text, str):
        return None
    plain = _plain(text)
    amounts = _AMOUNT.findall(plain)
    if len(amounts) != 1:
        return None
    value, unit = amounts[0]
    mg = float(value.replace(",", ".")) * _UNIT_MG[unit]
    rest = _AMOUNT.sub(" ", plain)
    times = [int(a or b) for a, b in _TIMES.findall(rest)]
    rest = _TIMES.sub(" ", rest)
    periods = {_WORD_PERIOD[w] for w in _WORDS.findall(rest) if w in _WORD_PERIOD}
    if not periods and not times and default_frequency is not None:
        periods = {default_frequency}
    if len(periods) != 1 or len(times) > 1:
        return None
    per_week = (times[0] if times else 1) * _PER_WEEK[periods.pop()]
    return Dose(mg=mg, per_week=per_week)


__all__ = ["Dose", "parse_dose"]
