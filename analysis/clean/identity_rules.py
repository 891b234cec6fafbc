"""How one patient id is normalised (as the study declares) and folded (to find near-duplicates).

``IdRules`` is ``cleaning.ids`` of the study file. ``normalise_id`` applies only what is
declared; ``fold_id`` applies every fold (white space, look-alike characters, case, leading
zeros) and is used only to *report* ids that differ by those alone, never to change an id.
The rules are documented for users in ``docs/config.md`` (``cleaning.ids``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Letters of other scripts drawn like Latin ones, and dashes, as the ASCII character they are
# mistaken for. Kept to look-alikes that are unambiguous in every common font.
CONFUSABLES: dict[str, str] = {
    # Cyrillic capitals
    "\u0410": "A", "\u0412": "B", "\u0415": "E", "\u041a": "K", "\u041c": "M", "\u041d": "H",
    "\u041e": "O", "\u0420": "P", "\u0421": "C", "\u0422": "T", "\u0423": "Y", "\u0425": "X",
    "\u0405": "S", "\u0406": "I", "\u0408": "J", "\u04ae": "Y", "\u04c0": "I", "\u051a": "Q",
    "\u051c": "W",
    # Cyrillic small letters
    "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y",
    "\u0445": "x", "\u0455": "s", "\u0456": "i", "\u0458": "j", "\u04bb": "h", "\u04cf": "l",
    "\u0501": "d", "\u051b": "q", "\u051d": "w",
    # Greek capitals and small letters
    "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H", "\u0399": "I",
    "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O", "\u03a1": "P", "\u03a4": "T",
    "\u03a5": "Y", "\u03a7": "X", "\u03f9": "C", "\u037f": "J",
    "\u03bf": "o", "\u03bd": "v", "\u03c1": "p", "\u03f2": "c", "\u03f3": "j",
    # hyphens, dashes and minus signs
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2043": "-", "\u2212": "-", "\u02d7": "-", "\u058a": "-", "\u30fc": "-",
}  # fmt: skip
_TRANSLATE = str.maketrans(CONFUSABLES)
_DIGITS = re.compile(r"\d+")
_LAST_DIGITS = re.compile(r"(\d+)(?!.*\d)")
_FLOAT = re.compile(r"(\d+)\.0+")

Fold = Literal["space", "unicode", "case", "zeros"]
FOLDS: tuple[Fold, ...] = ("space", "unicode", "case", "zeros")
FOLD_WORDS: dict[Fold, str] = {
    "space": "removing white space and invisible characters",
    "unicode": "replacing look-alike letters, full-width characters and dashes",
    "case": "ignoring case",
    "zeros": "ignoring leading zeros",
}


class IdRules(BaseModel):
    """``cleaning.ids``: how patient ids are made comparable across the exports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case: Literal["upper", "lower", "keep"] = Field(
        default="keep", description="upper- or lower-case every id; `keep` leaves case as written"
    )
    strip_whitespace: bool = Field(
        default=True,
        description="remove white space anywhere in an id (spaces, tabs, no-break spaces) and "
        "invisible characters (zero-width space, soft hyphen, byte-order mark)",
    )
    unicode: Literal["nfkc", "keep"] = Field(
        default="keep",
        description="`nfkc`: Unicode NFKC (full-width characters), look-alike Cyrillic and "
        "Greek letters as Latin ones, any decimal digit as 0-9, every dash as '-'",
    )
    leading_zeros: Literal["keep", "strip", "pad"] = Field(
        default="keep",
        description="the last run of digits of an id: `strip` its leading zeros, or `pad` it "
        "with zeros to `digits` digits; either also reads '123.0' (a spreadsheet float) as 123",
    )
    digits: int | None = Field(default=None, ge=1, le=30, description="with leading_zeros: pad")
    pattern: str | None = Field(
        default=None, description="a regular expression the whole (normalised) id must match"
    )
    near_duplicates: Literal["error", "warn"] = Field(
        default="error",
        description="patient-table ids equal after folding: stop the run (`error`) or count "
        "them as different patients with a warning (`warn`)",
    )

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(
                    f"is not a valid regular expression ({exc}); write e.g. '[A-Z]{{2}}-[0-9]{{4}}'"
                ) from None
        return v

    @model_validator(mode="after")
    def _digits_with_pad(self) -> IdRules:
        if self.leading_zeros == "pad" and self.digits is None:
            raise ValueError(
                "cleaning.ids: `leading_zeros: pad` needs `digits` (the width to pad the number "
                "of an id to, e.g. `digits: 4` for HB-0001)"
            )
        if self.leading_zeros != "pad" and self.digits is not None:
            raise ValueError(
                f"cleaning.ids: `digits` is set but `leading_zeros` is {self.leading_zeros!r}; "
                "set `leading_zeros: pad` or remove `digits`"
            )
        return self

    @property
    def declared(self) -> str:
        """The rules as the study file would write them (for messages)."""
        parts = [f"case: {self.case}", f"strip_whitespace: {str(self.strip_whitespace).lower()}"]
        parts += [f"unicode: {self.unicode}", f"leading_zeros: {self.leading_zeros}"]
        if self.digits is not None:
            parts.append(f"digits: {self.digits}")
        return "{" + ", ".join(parts) + "}"


def _is_blank_char(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def remove_space(text: str) -> str:
    """Without white space (any, inner included) and invisible format characters."""
    if text.isascii():  # no format (Cf) character is ASCII; split() drops exactly isspace()
        return "".join(text.split())
    return "".join(ch for ch in text if not _is_blank_char(ch))


def fold_unicode(text: str) -> str:
    """NFKC, look-alike letters and dashes as ASCII, every decimal digit as 0-9."""
    if text.isascii():  # NFKC keeps ASCII, and every look-alike and digit folded is not ASCII
        return text
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return "".join(
        str(unicodedata.digit(ch)) if not ch.isascii() and unicodedata.category(ch) == "Nd" else ch
        for ch in text
    )


def _unfloat(text: str) -> str:
    m = _FLOAT.fullmatch(text)
    return m.group(1) if m else text


def _zeros(text: str, digits: int | None) -> str:
    """The last run of digits stripped of leading zeros (``digits`` None) or padded to width."""

    def fix(m: re.Match[str]) -> str:
        number = m.group(1).lstrip("0") or "0"
        return number if digits is None else number.zfill(digits)

    return _LAST_DIGITS.sub(fix, _unfloat(text), count=1)


def normalise_id(value: str, rules: IdRules) -> tuple[str, list[str]]:
    """``value`` under the declared ``rules``, and the reason of each change made."""
    steps: list[tuple[str, Callable[[str], str]]] = []
    if rules.strip_whitespace:
        steps.append(("white space / invisible characters removed", remove_space))
    if rules.unicode == "nfkc":
        steps.append(("look-alike characters made ASCII (unicode: nfkc)", fold_unicode))
    if rules.case != "keep":
        steps.append((f"case: {rules.case}", str.upper if rules.case == "upper" else str.lower))
    if rules.leading_zeros == "strip":
        steps.append(("leading zeros stripped", lambda t: _zeros(t, None)))
    elif rules.leading_zeros == "pad":
        steps.append((f"number padded to {rules.digits} digits", lambda t: _zeros(t, rules.digits)))
    reasons: list[str] = []
    text = value
    for reason, step in steps:
        new = step(text)
        if new != text:
            reasons.append(reason)
            text = new
    return text, reasons


@cache
def may_change(rules: IdRules) -> re.Pattern[str]:
    """A pattern matching, in any id :func:`normalise_id` would change under ``rules``, at least
    one character (ASCII white space, a letter of the other case, a digit, or any character
    outside ASCII: every invisible one, every other white space or digit): an id it does not
    match is left as it is. One character class, which the scan tests fastest."""
    ascii_chars = []
    if rules.strip_whitespace:
        ascii_chars.append(r"\t-\r\x1c-\x20")  # str.isspace() of ASCII: 9-13 and 28-32
    if rules.case != "keep":
        ascii_chars.append("a-z" if rules.case == "upper" else "A-Z")
    if rules.leading_zeros != "keep":
        ascii_chars.append("0-9")
    if not ascii_chars and rules.unicode == "keep":
        return re.compile("(?!)")
    return re.compile("[" + "".join(ascii_chars) + "\x80-\U0010ffff]")


def fold_id(value: str, skip: frozenset[Fold] = frozenset()) -> str:
    """The near-duplicate key of an id: every fold but those in ``skip``."""
    text = value
    if "space" not in skip:
        text = remove_space(text)
    if "unicode" not in skip:
        text = fold_unicode(text)
    if "case" not in skip:
        text = text.casefold()
    if "zeros" not in skip:
        text = _DIGITS.sub(lambda m: m.group().lstrip("0") or "0", _unfloat(text))
    return text


# the folds of :func:`fold_id` over ASCII ids joined by "!": a number written as a float (the
# whole id), and the leading zeros of every run of digits
_JOINED_FLOAT = re.compile(r"(?<![^!])(\d+)\.0+(?![^!])")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def fold_ids(values: list[str]) -> list[str]:
    """:func:`fold_id` of each id (every fold), in one pass over the ids joined by ``!`` when
    they are all ASCII without ``!`` (no fold then crosses from one id to the next)."""
    joined = "!".join(values)
    if not values or not joined.isascii() or joined.count("!") != len(values) - 1:
        return [fold_id(v) for v in values]
    text = "".join(joined.split()).lower()  # ASCII: white space removed, case folded
    return _LEADING_ZEROS.sub("", _JOINED_FLOAT.sub(r"\1", text)).split("!")


def folds_needed(a: str, b: str) -> list[Fold]:
    """The folds without which ids ``a`` and ``b`` (equal when fully folded) would differ."""
    return [f for f in FOLDS if fold_id(a, frozenset({f})) != fold_id(b, frozenset({f}))]


@dataclass(frozen=True)
class IdStyle:
    """How the patient table writes its ids: mostly upper case; the width of zero-padded numbers
    (None: numbers are not zero-padded)."""

    upper: bool
    width: int | None


def id_style(patient_ids: list[str]) -> IdStyle:
    upper = sum(p == p.upper() for p in patient_ids) >= sum(p == p.lower() for p in patient_ids)
    runs = [m.group(1) for p in patient_ids if (m := _LAST_DIGITS.search(p))]
    widths = [len(r) for r in runs if len(r) > 1 and r.startswith("0")]
    return IdStyle(upper, max(sorted(set(widths)), key=widths.count) if widths else None)


def suggest_rules(folds: set[Fold], style: IdStyle) -> str:
    """The ``cleaning.ids`` that would make ids differing by ``folds`` equal, written as YAML,
    following how the patient table writes its ids (``style``)."""
    parts = []
    if "space" in folds:
        parts.append("strip_whitespace: true")
    if "unicode" in folds:
        parts.append("unicode: nfkc")
    if "case" in folds:
        parts.append(f"case: {'upper' if style.upper else 'lower'}")
    if "zeros" in folds:
        pad = f"leading_zeros: pad, digits: {style.width}"
        parts.append(pad if style.width else "leading_zeros: strip")
    return "{" + ", ".join(parts) + "}"
