"""The study design in the study file: exposure, day 0, extra variables and derived groups.

These pydantic models are parts of :class:`analysis.studyfile.config.StudyConfig`; they forbid
unknown keys so a typo is an error naming the key and its line. Nothing here names a study: the
words a report uses for the treatment and its exposures ("session", "dose period") come from the
study file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from analysis.studyfile.model import StudyModel
from analysis.studyfile.names import Names
from analysis.words import in_sentence


class _Model(StudyModel):
    pass


class Condition(_Model):
    """``column op value`` on the patient table (``op`` as in Python, plus set and missing tests)."""

    column: str
    op: Literal["==", "!=", ">=", ">", "<=", "<", "in", "not_in", "is_missing", "not_missing"]
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        """A comparison without a value compared every patient with nothing: an inclusion
        criterion ``{column: followup_months, op: ">="}`` excluded the whole cohort with exit 0;
        a value given to a missing-value test was ignored in silence."""
        if self.op in ("is_missing", "not_missing"):
            if self.value is not None:
                raise ValueError(
                    f"`op: {self.op}` on `{self.column}` takes no `value` (found {self.value!r}); "
                    f'remove `value`, or use a comparison such as `op: ">="` with it'
                )
        elif self.value is None:
            said = "no `value`" if "value" not in self.model_fields_set else "`value: null`"
            example = "[a, b]" if self.op in ("in", "not_in") else "6"
            raise ValueError(
                f'`op: "{self.op}"` on `{self.column}` compares with a value, and the condition '
                f"has {said}; give the value (e.g. `value: {example}`), or use `op: is_missing` / "
                f"`op: not_missing` to test for a missing value"
            )
        return self


class Exposure(_Model):
    """How the study treatment was given, and the words the report uses for it.

    ``discrete``: one dated row per administration (injection session, infusion, dispensation);
    ``periods``: one row per treatment period with ``start_date`` and ``stop_date`` (missing while
    ongoing), so a dose titration is several periods.
    """

    kind: Literal["discrete", "periods"] = "discrete"
    treatment: str = Field(
        default="the study treatment", description="name of the treatment in text"
    )
    noun: str = Field(default="", description="one exposure row in words; default by kind")
    plural: str = Field(default="", description="default: noun + 's'")
    day0: str = Field(
        default="first_exposure",
        description="index date: first_exposure, or a date column of the patient table",
    )
    teae_days_after_last: int = Field(
        default=0,
        ge=0,
        description="events are treatment-emergent from the first exposure to the last "
        "exposure (discrete) or the end of the last period (periods) plus this many days",
    )
    dose_frequency: Literal["day", "week", "month"] | None = Field(
        default=None,
        description="how often a dose written without a frequency ('1 mg') is taken; without "
        "it such a dose is audited and left missing",
    )
    min_interval_days: int | None = Field(
        default=None,
        ge=1,
        description="discrete only: rows closer than this to the previous one are flagged as "
        "possible double entries",
    )

    @property
    def singular(self) -> str:
        return self.noun or ("administration" if self.kind == "discrete" else "treatment period")

    @property
    def plural_noun(self) -> str:
        return self.plural or f"{self.singular}s"

    @property
    def day0_words(self) -> str:
        """Day 0 in words: "the first session", "the date of first visit"."""
        if self.day0 == "first_exposure":
            return self.first_exposure_words
        return f"the {self.day0.removesuffix('_date').replace('_', ' ')} date"

    @property
    def first_exposure_words(self) -> str:
        """The first exposure in words ("the first session", "the start of the first dose
        period"): where treatment-emergence starts, whatever day 0 is."""
        start = "the start of " if self.kind == "periods" else ""
        return f"{start}the first {self.singular}"

    @property
    def teae_start_words(self) -> str:
        """Where the treatment-emergent window starts, in words: "day 0" when day 0 is the
        first exposure, else the first exposure (a day 0 such as the first visit may come
        before it)."""
        return "day 0" if self.day0 == "first_exposure" else self.first_exposure_words

    @model_validator(mode="after")
    def _discrete_only(self) -> Exposure:
        if self.kind == "periods" and self.min_interval_days is not None:
            raise ValueError("min_interval_days applies to discrete exposures only; remove it")
        return self


VariableType = Literal["number", "integer", "date", "yes/no", "text", "category"]


class Variable(_Model):
    """An extra column of a canonical table, declared by the study."""

    type: VariableType
    label: str = ""
    unit: str = ""
    description: str = ""
    vocabulary: str | None = Field(
        None, description="category and yes/no: the vocabulary mapping its labels"
    )
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _range_only_for_numbers(self) -> Variable:
        if (self.min is not None or self.max is not None) and self.type not in (
            "number",
            "integer",
        ):
            raise ValueError(f"min/max apply to number and integer variables, not {self.type}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class FromColumn(_Model):
    """Group level from the value of one patient column (yes/no, category or text)."""

    column: str
    map: dict[str, str] = Field(description="column value -> group level")


class ConcomitantOverlap(_Model):
    """``if_any`` when a listed concomitant treatment overlaps the window, else ``otherwise``.

    The window runs from day 0 to the response assessment at the target month or, for patients
    without one, to day 0 plus the target month (``window: response``); or from day 0 to the
    end of exposure (``window: exposure``). ``has_<treatment>`` flags are added per treatment.
    """

    treatments: Names = Field(min_length=1, description="levels of the `drug` vocabulary")
    window: Literal["response", "exposure"] = "response"
    if_any: str
    otherwise: str


class LevelWhen(_Model):
    level: str
    where: list[Condition] = Field(min_length=1)


class Group(_Model):
    """A derived grouping of the patients (therapy group, dose group, age band, ...).

    Exactly one rule: ``from_column``, ``concomitant_overlap`` or ``conditions`` (the first
    matching entry gives the level; ``otherwise`` the rest).
    """

    label: str = ""
    levels: Names = Field(min_length=1)
    from_column: FromColumn | None = None
    concomitant_overlap: ConcomitantOverlap | None = None
    conditions: list[LevelWhen] | None = None
    otherwise: str | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Group:
        rules = [r for r in (self.from_column, self.concomitant_overlap, self.conditions) if r]
        if len(rules) != 1:
            raise ValueError(
                "give exactly one rule: from_column, concomitant_overlap or conditions "
                f"(found {len(rules)})"
            )
        named: list[str] = []
        if self.from_column:
            named += list(self.from_column.map.values())
        if self.concomitant_overlap:
            named += [self.concomitant_overlap.if_any, self.concomitant_overlap.otherwise]
        if self.conditions:
            named += [c.level for c in self.conditions]
        if self.otherwise is not None:
            if not self.conditions:
                raise ValueError("`otherwise` goes with `conditions` only")
            named.append(self.otherwise)
        unknown = sorted({n for n in named if n not in self.levels})
        if unknown:
            raise ValueError(f"rule names level(s) {unknown} not in levels {self.levels}")
        never = [lv for lv in self.levels if lv not in named]
        if never:  # an empty column of every table, and a model without the level, in silence
            raise ValueError(
                f"no rule gives level(s) {never} of levels {self.levels}: no patient could be "
                "in them; give each a rule or remove it from `levels`"
            )
        return self


def describe_group(
    name: str,
    group: Group,
    words: Callable[[str], str] | None = None,
    levels: Callable[[str], str] | None = None,
) -> str:
    """How a derived group is assigned, as a sentence; ``words`` gives a column's label and
    ``levels`` a level's words as the tables show it (else the level's code)."""
    # the group's name as the tables show it (``labels.variables`` first), when words are given
    label = words(name) if words else group.label or name.replace("_", " ")
    level = levels or (lambda code: code)
    if group.concomitant_overlap is not None:
        r = group.concomitant_overlap
        window = (
            "day 0 to the response assessment"
            if r.window == "response"
            else "day 0 to the end of exposure"
        )
        return (
            f"{label}: {level(r.if_any)} when a listed treatment ({', '.join(r.treatments)}) "
            f"overlapped {window}, otherwise {level(r.otherwise)}."
        )
    if group.from_column is not None:
        pairs = ", ".join(f"{k} → {level(v)}" for k, v in group.from_column.map.items())
        column = group.from_column.column
        said = words(column) if words else column.replace("_", " ")
        return f"{label}: from {in_sentence(said)} ({pairs})."
    rules = "; ".join(
        f"{level(c.level)} when " + " and ".join(f"{w.column} {w.op} {w.value}" for w in c.where)
        for c in group.conditions or []
    )
    tail = f"; otherwise {level(group.otherwise)}" if group.otherwise else ""
    return f"{label}: {rules}{tail}."


def rule_columns(groups: Mapping[str, Group], name: str) -> list[str]:
    """The patient columns the rule of ``groups[name]`` reads: the ``from_column`` column, the
    treatment flags of ``concomitant_overlap`` (:func:`overlap_flags`; the group is "any of
    them") or the ``conditions`` columns. A baseline table by this group shows them but does not
    test them: they define the groups."""
    group = groups[name]
    if group.from_column is not None:
        return [group.from_column.column]
    if group.concomitant_overlap is not None:
        return list(overlap_flags(groups)[name].values())
    return list(dict.fromkeys(w.column for c in group.conditions or [] for w in c.where))


def overlap_flags(groups: Mapping[str, Group]) -> dict[str, dict[str, str]]:
    """Per ``concomitant_overlap`` group, each treatment's flag column: ``has_<treatment>`` for
    the first group (in the study's order) that lists the treatment, ``has_<treatment>_<group>``
    for a later one. Two groups may list a treatment with different windows (at the response
    assessment; during exposure): their flags differ, and one column would keep only the last."""
    out: dict[str, dict[str, str]] = {}
    taken: set[str] = set()
    for name, group in groups.items():
        if group.concomitant_overlap is None:
            continue
        flags = {}
        for t in group.concomitant_overlap.treatments:
            column = f"has_{slug(t)}"
            flags[t] = column if column not in taken else f"{column}_{name}"
            taken.add(column)
        out[name] = flags
    return out


def slug(label: str) -> str:
    """``"Topical drug (5%)"`` -> ``"topical_drug_5"``."""
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")


__all__ = [
    "ConcomitantOverlap",
    "describe_group",
    "Condition",
    "Exposure",
    "FromColumn",
    "Group",
    "LevelWhen",
    "rule_columns",
    "Variable",
    "slug",
]
