"""Claims check: every number a manuscript states, checked against the study's ARD.

A reviewer keeps ``studies/<study>.claims.yaml`` next to the study YAML. Each claim quotes the
manuscript (``text``), says where in the paper it appears (``source_ref``) and which ARD number(s)
it rests on. ``verify_claims(ard, claims)`` recomputes each one and returns one row per check
with the expected and computed value and whether it passed; a claim whose source cannot be
found, or matches several different numbers, fails with a note saying so. It never passes
silently. ``retro verify`` prints that table and exits with status 1 when any check fails.

Three kinds of claim (``kind``, default ``value``); the format is documented in docs/claims.md:

``value``
    One ARD row picked by ``source: {table, variable, level, group, stat}`` equals ``expected``
    within ``tolerance`` (absolute). Several stats of the same cell in one claim:
    leave out ``source.stat`` and give ``expected: {n: 246, pct: 45.5}`` (``tolerance`` a number
    for all stats but the counts or a mapping per stat, missing stats 0). Counts
    (``analysis.ard.COUNT_STATS``) are always checked exactly; a tolerance on one is refused.
    A p-value is checked to the decimals it is written with (0.06: within 0.005), never with
    ``tolerance`` (``analysis.report.claims_scalars``).
``ratio``
    ``scale * numerator / denominator`` (two ARD rows, each selected like ``source``) equals
    ``expected`` within ``tolerance``: a percentage the paper computes with a denominator from
    another table (86 of 541 = 15.9%).
``argmax``
    Among the ARD rows of ``source: {table, variable, group, stat}`` (all levels but "not
    applicable"), the level with the largest value is ``expected_level`` (the most common
    schedule is "3"). A tie fails, and so does a leader that the levels the ARD does not list
    may outnumber (a yes/no variable lists "yes" alone: yes 165 of 541 is not "most").

Over 400 lines as one job: reading a claims file and checking each claim against the ARD, one
contract from the claim's text to its verdict.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from analysis.ard import CATEGORICAL_SUMMARY, COUNT_STATS, group_cols, groups_of, select
from analysis.clean.derive import NOT_APPLICABLE
from analysis.errors import ConfigError
from analysis.report.claims_scalars import (
    decimals_tolerance,
    refuse_odd_numbers,
    written_numbers,
)

RESULT_COLUMNS = [
    "id",
    "check",
    "text",
    "expected",
    "computed",
    "tolerance",
    "passed",
    "fully_checked",
    "note",
    "source_ref",
]
# Relative slack on top of the stated tolerance, so that 45.45 vs 45.5 +- 0.05 is not failed by
# binary floating point; far below any rounding a paper prints.
_FLOAT_SLACK = 1e-9
P_VALUE = "p_value"  # checked to the decimals it is written with, whatever the tolerance


class _Model(BaseModel):
    # coerce_numbers_to_str: `level: 3` in YAML is the ARD level "3" (levels are strings).
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _number(value: object, key: str) -> object:
    """A stated number as YAML read it, or a ``ValueError`` in words: YAML reads ``no``/``yes``
    as false/true (``expected: no`` passed as 0), ``1,404`` as a 1 and a key ``404``, an empty
    value as nothing, and ``45.5%`` as text; ``.nan`` can never be met."""
    if isinstance(value, dict):
        split = _split_number(value, key)
        if split:
            raise ValueError(split)
        return {k: _number(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, bool):
        raise ValueError(
            f"`{key}` is {'yes' if value else 'no'} (YAML reads yes/no/true/false as a truth "
            "value, not a number); write the number"
        )
    if value is None:
        raise ValueError(
            f"`{key}` has no value; write the number (a thousands separator such as `1,404` "
            "makes YAML read `1` and a key `404`: write 1404)"
        )
    if isinstance(value, str) and re.fullmatch(r"[-+]?\d+,\d+", value.strip()):
        whole, part = value.strip().split(",")
        raise ValueError(f"`{key}` is the text {value!r}: {_comma_words(whole, part)}")
    if isinstance(value, str):
        raise ValueError(
            f"`{key}` is the text {value!r}; write the number alone, without quotes, % or units "
            "(a percentage as 45.5)"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"`{key}` is {value}; write a finite number")
    return value


def _split_number(value: dict[Any, Any], key: str) -> str:
    """In a mapping written on one line, ``{n: 246, pct: 45,5}`` is read as ``pct: 45`` and a
    key ``5`` with no value: a number with a comma, said as such (or "")."""
    items = list(value.items())
    for (prev_key, prev), (k, v) in zip(items, items[1:], strict=False):
        whole = isinstance(prev, int) and not isinstance(prev, bool)
        if v is None and whole and re.fullmatch(r"\d+", str(k)):
            return (
                f"`{key}.{prev_key}` reads `{prev},{k}` as {prev} and a key `{k}` with no "
                f"value: {_comma_words(str(prev), str(k))}"
            )
    return ""


def _comma_words(whole: str, part: str) -> str:
    """How to write ``whole,part``: a decimal comma (45,5 -> 45.5), or, with three digits
    after it, perhaps a thousands separator (1,404 -> 1404)."""
    said = f"a decimal comma? write {whole}.{part} (YAML numbers take a decimal point)"
    if len(part) == 3:
        said += f"; a thousands separator? write {whole}{part}"
    return said


class _Grouped(_Model):
    """``group``: each ARD group and its level (``{therapy_group: monotherapy}``; ``{}``, the
    default, is all subjects; ``{sex: ""}`` a statistic across every level of ``sex``)."""

    group: dict[str, str] = Field(default_factory=dict)

    @field_validator("group", mode="before")
    @classmethod
    def _mapping(cls, value: object) -> object:
        if isinstance(value, str):
            raise ValueError(
                f"`group` is a mapping of each group to its level, found the text {value!r}; "
                "write e.g. `group: {therapy_group: monotherapy}` (two groups: "
                "`group: {sex: female, therapy_group: combined}`), or leave `group` out for "
                "all subjects"
            )
        return value

    def where(self) -> str:
        return ", ".join(f"{k}={v or '(all levels)'}" for k, v in self.group.items()) or "overall"


class Selector(_Grouped):
    """One ARD row: ``level`` and ``reference`` default to "" (rows such as ``N``; not a
    comparison), ``group`` to all subjects, ``context`` to any (give it where two computations
    share the cell: ``trend_test`` beside ``fisher_freeman_halton``)."""

    table: str
    variable: str
    level: str = ""
    reference: str = ""
    context: str = ""
    stat: str

    def describe(self) -> str:
        lvl = f"[{self.level}]" if self.level else ""
        ref = f" vs {self.reference}" if self.reference else ""
        ctx = f" ({self.context})" if self.context else ""
        return f"{self.table}.{self.variable}{lvl}{ref} @ {self.where()}: {self.stat}{ctx}"


class CellSelector(_Grouped):
    """An ARD cell (``table, variable, level, group, reference``) and optionally one ``stat``."""

    table: str
    variable: str
    level: str = ""
    reference: str = ""
    context: str = ""
    stat: str | None = None

    def select(self, stat: str) -> Selector:
        return Selector(
            table=self.table,
            variable=self.variable,
            level=self.level,
            group=self.group,
            reference=self.reference,
            context=self.context,
            stat=stat,
        )


class LevelsSelector(_Grouped):
    """The rows of every level of a variable in one group, for one ``stat``."""

    table: str
    variable: str
    stat: str = "n"


class _ClaimBase(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    text: str = Field(min_length=1, description="the claim as the manuscript states it")
    source_ref: str = Field(min_length=1, description="where in the paper, e.g. 'Results, p. 744'")
    unchecked: str | None = Field(
        None,
        min_length=1,
        description="a number of the text this claim does not check, and why (shown in the "
        "report's note, so a pass is not read as covering it)",
    )


class ValueClaim(_ClaimBase):
    """One or several stats of one ARD cell equal the stated numbers."""

    kind: Literal["value"] = "value"
    source: CellSelector
    expected: float | dict[str, float]
    tolerance: float | dict[str, float] = 0.0
    # stat -> its expected number as the file writes it ("0.060"), set by ``load_claims``: the
    # decimals a p-value is checked to
    _written: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("expected", "tolerance", mode="before")
    @classmethod
    def _numbers(cls, value: object, info: Any) -> object:
        return _number(value, info.field_name)

    @model_validator(mode="after")
    def _shape(self) -> ValueClaim:
        if isinstance(self.expected, dict):
            if self.source.stat is not None:
                raise ValueError(
                    f"claim {self.id!r}: `source.stat` ({self.source.stat!r}) and a mapping "
                    f"`expected` ({sorted(self.expected)}) both name stats; either give one stat "
                    f"in `source.stat` and a number in `expected`, or leave out `source.stat`"
                )
            if not self.expected:
                raise ValueError(f"claim {self.id!r}: `expected` is an empty mapping")
        elif self.source.stat is None:
            raise ValueError(
                f"claim {self.id!r}: `source.stat` is missing; name the stat (e.g. `stat: n`) or "
                f"give `expected` as a mapping such as {{n: 246, pct: 45.5}}"
            )
        if isinstance(self.tolerance, dict):
            stats = set(self.checks())
            stray = sorted(set(self.tolerance) - stats)
            if stray:
                raise ValueError(
                    f"claim {self.id!r}: `tolerance` names stat(s) {stray} that `expected` does "
                    f"not check ({sorted(stats)})"
                )
        _check_tolerances(self.id, self.tolerance)
        _check_counts_exact(self.id, self.checks(), self.tolerance)
        return self

    def checks(self) -> dict[str, float]:
        """``stat -> expected``."""
        if isinstance(self.expected, dict):
            return dict(self.expected)
        assert self.source.stat is not None  # guaranteed by the validator
        return {self.source.stat: self.expected}

    def tolerance_for(self, stat: str) -> float:
        """The tolerance of one stat: 0 for a count (``COUNT_STATS``: always exact); for a
        p-value half a unit of the last decimal it is written with (0.06: 0.005; ``tolerance``
        does not apply); else the mapping's entry (0 when not named) or the single number."""
        if stat in COUNT_STATS:
            return 0.0
        if stat == P_VALUE:
            written = self._written.get(stat) or repr(float(self.checks()[stat]))
            return decimals_tolerance(written)
        if isinstance(self.tolerance, dict):
            return self.tolerance.get(stat, 0.0)
        return self.tolerance


class RatioClaim(_ClaimBase):
    """``scale * numerator / denominator`` equals ``expected``."""

    kind: Literal["ratio"]
    numerator: Selector
    denominator: Selector
    scale: float = 100.0
    expected: float
    tolerance: float = 0.0

    @field_validator("scale", "expected", "tolerance", mode="before")
    @classmethod
    def _numbers(cls, value: object, info: Any) -> object:
        return _number(value, info.field_name)

    @model_validator(mode="after")
    def _tol(self) -> RatioClaim:
        _check_tolerances(self.id, self.tolerance)
        if not self.scale > 0:
            raise ValueError(
                f"claim {self.id!r}: `scale` is {self.scale:g}; it multiplies the ratio (100 for "
                "a percentage, 1 for a proportion) and must be above 0 (with 0 every ratio is 0)"
            )
        return self


class ArgmaxClaim(_ClaimBase):
    """The level with the largest ``stat`` among the levels of a variable is ``expected_level``."""

    kind: Literal["argmax"]
    source: LevelsSelector
    expected_level: str = Field(min_length=1)


def _claim_kind(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("kind", "value"))
    return str(getattr(value, "kind", "value"))


Claim = Annotated[
    Annotated[ValueClaim, Tag("value")]
    | Annotated[RatioClaim, Tag("ratio")]
    | Annotated[ArgmaxClaim, Tag("argmax")],
    Discriminator(_claim_kind),
]


class ClaimsFile(_Model):
    """A claims file: ``study`` (optional, the study name), ``reference``, ``claims``."""

    study: str | None = None
    reference: str = ""
    claims: list[Claim] = Field(min_length=1)

    @field_validator("claims", mode="before")
    @classmethod
    def _some(cls, value: object) -> object:
        if value is None or value == []:
            raise ValueError(
                "`claims` lists no claim; write each published number as an item of the list "
                "(`- id: ...`; docs/claims.md)"
            )
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> ClaimsFile:
        ids = [c.id for c in self.claims]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"claim ids must be unique; repeated: {dupes}")
        return self


def _check_tolerances(claim_id: str, tolerance: float | dict[str, float]) -> None:
    values = tolerance.values() if isinstance(tolerance, dict) else [tolerance]
    bad = [v for v in values if not (v >= 0 and math.isfinite(v))]
    if bad:
        raise ValueError(f"claim {claim_id!r}: tolerance must be a finite number >= 0, found {bad}")


def _check_counts_exact(
    claim_id: str, checks: dict[str, float], tolerance: float | dict[str, float]
) -> None:
    """Refuse a tolerance that could only apply to counts: counts are checked exactly (a
    single number applies to the other stats of the claim only)."""
    counts = [s for s in checks if s in COUNT_STATS]
    if isinstance(tolerance, dict):
        given = {s: tolerance[s] for s in counts if tolerance.get(s, 0) > 0}
        if given:
            raise ValueError(
                f"claim {claim_id!r}: `tolerance` gives the count(s) {sorted(given)} a tolerance "
                f"({', '.join(f'{s}: {v:g}' for s, v in given.items())}); counts are checked "
                "exactly, so 247 never passes for 246. Remove them from `tolerance` (a tolerance "
                "is for the other stats: `tolerance: {pct: 0.05}`)"
            )
    elif tolerance > 0 and counts and len(counts) == len(checks):
        raise ValueError(
            f"claim {claim_id!r}: `tolerance: {tolerance:g}` applies to no stat: the claim checks "
            f"only count(s) {sorted(counts)}, and counts are checked exactly. Remove `tolerance`"
        )
    _check_p_values_as_written(claim_id, checks, tolerance)


def _check_p_values_as_written(
    claim_id: str, checks: dict[str, float], tolerance: float | dict[str, float]
) -> None:
    """Refuse a tolerance on a p-value: a p-value is checked to the decimals it is written with
    (0.06 within 0.005), as papers print them rounded; a tolerance made for the estimate (0.05)
    would let 0.06 pass for 0.106."""
    if isinstance(tolerance, dict):
        if tolerance.get(P_VALUE, 0) > 0:
            raise ValueError(
                f"claim {claim_id!r}: `tolerance` gives `p_value` a tolerance "
                f"({tolerance[P_VALUE]:g}); a p-value is checked to the decimals it is written "
                "with (`p_value: 0.06` passes 0.055 to 0.065; write 0.060 for 0.0595 to 0.0605). "
                "Remove `p_value` from `tolerance`"
            )
    elif tolerance > 0 and P_VALUE in checks and set(checks) <= {P_VALUE, *COUNT_STATS}:
        raise ValueError(
            f"claim {claim_id!r}: `tolerance: {tolerance:g}` applies to no stat: a p-value is "
            "checked to the decimals it is written with (0.06: within 0.005) and counts exactly. "
            "Remove `tolerance`"
        )


# --------------------------------------------------------------------------------- loading
def claims_path_for(study_path: str | Path) -> Path:
    """``studies/x.yaml`` -> ``studies/x.claims.yaml``."""
    p = Path(study_path)
    return p.with_name(f"{p.stem}.claims.yaml")


def load_claims(path: str | Path) -> list[ValueClaim | RatioClaim | ArgmaxClaim]:
    """Read and validate a claims YAML file (safe YAML; unknown keys are errors naming the key).

    Raises
    ------
    ConfigError
        When the file is missing, not safe YAML, or does not match the claims format.
    """
    from analysis.studyfile.yaml_lines import (
        format_validation_errors,
        read_yaml_text,
        safe_load_with_lines,
    )

    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"claims file not found: {path}. Write the manuscript's numbers in "
            f"studies/<study>.claims.yaml (format: docs/claims.md)."
        )
    text = read_yaml_text(path, what="claims file")
    data, lines = safe_load_with_lines(
        text, path, what="claims file", start_from=START_FROM, top_keys=set(ClaimsFile.model_fields)
    )
    _refuse_repeated_ids(data, lines, path)
    written = written_numbers(text)
    refuse_odd_numbers(written, path)
    try:
        parsed = ClaimsFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            format_validation_errors(
                exc,
                path,
                lines,
                what="claims file (format: docs/claims.md)",
                clean_loc=_claim_loc,
                model=ClaimsFile,
            )
        ) from None
    for i, claim in enumerate(parsed.claims):
        if isinstance(claim, ValueClaim):
            claim._written = {
                stat: written[key][0]
                for stat, key in _expected_keys(claim, i).items()
                if key in written
            }
    return list(parsed.claims)


def _expected_keys(claim: ValueClaim, i: int) -> dict[str, tuple[Any, ...]]:
    """stat -> the key path of its expected number in the file."""
    if isinstance(claim.expected, dict):
        return {stat: ("claims", i, "expected", stat) for stat in claim.expected}
    return {stat: ("claims", i, "expected") for stat in claim.checks()}


def refuse_unknown_tables(
    claims: list[ValueClaim | RatioClaim | ArgmaxClaim], tables: list[str], path: str | Path
) -> None:
    """A claim whose source names a table the study does not make is a mistake in the claims
    file (a misspelt or renamed table), not a number the analysis got wrong: ``ConfigError``
    naming each such claim, its line, the closest table and the tables there are."""
    import difflib

    lines = claim_lines(path)
    wrong = []
    for claim in claims:
        sources = (
            (claim.numerator, claim.denominator)
            if isinstance(claim, RatioClaim)
            else (claim.source,)
        )
        for name in dict.fromkeys(s.table for s in sources if s.table not in tables):
            close = difflib.get_close_matches(name, tables, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            line = f" (line {lines[claim.id]})" if claim.id in lines else ""
            wrong.append(f"claim {claim.id!r}{line}: table {name!r}{hint}")
    if wrong:
        raise ConfigError(
            f"claims file {path}: {len(wrong)} claim(s) name a table the study does not make: "
            f"{'; '.join(wrong)}. The study's tables are {', '.join(tables)}. Correct the "
            f"`table` of each claim's source (format: docs/claims.md)."
        )


def claim_lines(path: str | Path) -> dict[str, int]:
    """Claim id -> the line of the claims file where the claim starts (the line map the load
    errors use), so that a failing check names where to fix it. A file ``load_claims`` read."""
    from analysis.studyfile.yaml_lines import read_yaml_text, safe_load_with_lines

    path = Path(path)
    data, lines = safe_load_with_lines(read_yaml_text(path, what="claims file"), path)
    claims = data.get("claims") if isinstance(data, dict) else None
    return {
        str(c["id"]): lines[("claims", i)]
        for i, c in enumerate(claims or [])
        if isinstance(c, dict) and "id" in c and ("claims", i) in lines
    }


START_FROM = "one of the claims files shipped in studies/ (*.claims.yaml; docs/claims.md)"


def _refuse_repeated_ids(data: Any, lines: Any, path: Path) -> None:
    """A claim id given twice, with the line of each (the id names the claim in every check)."""
    claims = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(claims, list):
        return
    where: dict[str, list[str]] = {}
    for i, c in enumerate(claims):
        if isinstance(c, dict) and isinstance(c.get("id"), str):
            where.setdefault(c["id"], []).append(str(lines.get(("claims", i), "?")))
    repeated = {k: v for k, v in where.items() if len(v) > 1}
    if repeated:
        said = "; ".join(f"{k!r} at lines {', '.join(v)}" for k, v in repeated.items())
        raise ConfigError(
            f"{path}: claim ids must be unique (each names its claim in the checks), and "
            f"{said} is repeated. Give each claim its own id."
        )


_KINDS = ("value", "ratio", "argmax")
# the branch pydantic names in the place of a value that matched no type of a union
_UNION_TAGS = ("float", "dict[str,float]", "str", "int", "list[...]")


def _claim_loc(loc: list[Any]) -> list[Any]:
    """Drop what pydantic inserts that is not a key of the file: the claim's kind after
    ``claims[i]`` and the type tried after a key of several types (``expected.float``)."""
    if len(loc) >= 3 and loc[0] == "claims" and loc[2] in _KINDS:
        loc = loc[:2] + loc[3:]
    return [part for part in loc if part not in _UNION_TAGS]


# --------------------------------------------------------------------------------- checking
def verify_claims(
    ard: pd.DataFrame, claims: Sequence[ValueClaim | RatioClaim | ArgmaxClaim]
) -> pd.DataFrame:
    """Check each claim against the ARD; one row per check.

    Parameters
    ----------
    ard : an ARD frame (``table, variable, level, groupK, groupK_level, reference, stat,
        value``), e.g.
        ``Study.ard``. Not modified.
    claims : from ``load_claims``.

    Returns
    -------
    DataFrame with columns ``id, check, text, expected, computed, tolerance, passed,
    fully_checked, note, source_ref``. ``check`` is the stat checked (``n``, ``pct``),
    ``ratio`` or ``argmax``.
    ``expected`` / ``computed`` are numbers, except for ``argmax`` checks where they are levels
    (strings); ``computed`` is NaN (or None) when the source was not found. ``note`` explains
    every failure ("not found in ARD: ...", "ambiguous: k rows match ...") and, for passed
    checks, anything a reviewer should know (duplicate identical rows, the ratio's terms, and
    the claim's ``unchecked``: a number of its text it does not check, "not checked: ...").
    ``fully_checked`` is False for the checks of a claim with ``unchecked``: a pass there covers
    only the numbers checked (the report shows it as "pass, in part").
    Several ARD rows with one identical value (the same overall column repeated by two tables)
    count as one value and are noted; several rows with different values fail as ambiguous.
    """
    index = _index(ard)
    rows: list[dict[str, Any]] = []
    for claim in claims:
        if isinstance(claim, ValueClaim):
            for stat, expected in claim.checks().items():
                found = _lookup(index, claim.source.select(stat))
                rows.append(_numeric_row(claim, stat, expected, found, claim.tolerance_for(stat)))
        elif isinstance(claim, RatioClaim):
            rows.append(_ratio_row(claim, index))
        else:
            rows.append(_argmax_row(claim, ard))
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    out["passed"] = out["passed"].astype(bool)
    unchecked = {c.id: c.unchecked for c in claims if c.unchecked}
    out["fully_checked"] = ~out["id"].isin(list(unchecked))
    if unchecked:
        said = out["id"].map(unchecked)
        has = said.notna()
        out.loc[has, "note"] = [
            _join(str(n) if isinstance(n, str) else "", f"not checked: {u}")
            for n, u in zip(out.loc[has, "note"], said[has], strict=True)
        ]
    return out


_Key = tuple[str, str, str, str, str, str]  # table, variable, level, groups, reference, stat


def _groups_key(group: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(group.items())) or "overall"


def _index(ard: pd.DataFrame) -> dict[_Key, list[tuple[str, float]]]:
    cols = ["table", "variable", "level", "reference", "stat"]
    missing = [c for c in [*cols, "value"] if c not in ard.columns]
    if missing:
        raise ValueError(
            f"not an ARD frame: column(s) {missing} missing; found {list(ard.columns)}"
        )
    index: dict[_Key, list[tuple[str, float]]] = {}
    groups = groups_of(ard) if group_cols(ard) else [{} for _ in range(len(ard))]
    keys = ard[cols].astype(str).itertuples(index=False, name=None)
    values = ard["value"].to_numpy(dtype=float)
    contexts = ard["context"].astype(str) if "context" in ard.columns else [""] * len(ard)
    for (t, v, lv, ref, st), g, c, value in zip(keys, groups, contexts, values, strict=True):
        index.setdefault((t, v, lv, _groups_key(g), ref, st), []).append((c, float(value)))
    return index


class _Found:
    """Result of looking one selector up: a value, or why there is none."""

    def __init__(self, value: float | None, note: str) -> None:
        self.value = value
        self.note = note


def _lookup(index: dict[_Key, list[tuple[str, float]]], sel: Selector) -> _Found:
    key = (sel.table, sel.variable, sel.level, _groups_key(sel.group), sel.reference, sel.stat)
    rows = index.get(key)
    if not rows and sel.stat == "N" and _has_level(index, sel):
        # a level's denominator is its variable's one N row unless it differs by level
        # (``analysis.ard.one_denominator``)
        rows = index.get((*key[:2], "", *key[3:]))
    contexts = sorted({c for c, _ in rows or []})
    values = [v for c, v in rows or [] if not sel.context or c == sel.context]
    if rows and not values:
        return _Found(
            None, f"not found in ARD: {sel.describe()} (contexts of this cell: {contexts})"
        )
    if not values:
        return _Found(None, f"not found in ARD: {sel.describe()}{_hint(index, sel)}")
    distinct = _distinct(values)
    if len(distinct) > 1:
        shown = ", ".join(_fmt(v) for v in distinct)
        which = f"; give `context`, one of {contexts}" if len(contexts) > 1 else ""
        return _Found(
            None,
            f"ambiguous: {len(values)} rows match {sel.describe()} (values {shown}){which}",
        )
    note = f"{len(values)} identical rows match" if len(values) > 1 else ""
    return _Found(values[0], note)


def _has_level(index: dict[_Key, list[tuple[str, float]]], sel: Selector) -> bool:
    """Whether the ARD has a row of the selector's table and variable at its (non-empty) level
    in the selector's own group and comparison: only then is the variable's one ``N`` that
    level's denominator. A level seen in another group only (a term no woman reported) has no
    denominator among the women: the claim fails as not found instead of reading their N."""
    want = (sel.table, sel.variable, sel.level, _groups_key(sel.group), sel.reference)
    return bool(sel.level) and any(k[:5] == want for k in index)


def _distinct(values: Sequence[float]) -> list[float]:
    """Distinct values, sorted, NaN (which is not equal to itself) counted once, last."""
    numbers = sorted({v for v in values if not math.isnan(v)})
    return numbers + ([math.nan] if any(math.isnan(v) for v in values) else [])


def _hint(index: dict[_Key, list[tuple[str, float]]], sel: Selector) -> str:
    """Say which part of the selector has no match, so the fix is obvious."""
    keys = list(index)
    parts = [
        ("table", sel.table, 0),
        ("variable", sel.variable, 1),
        ("level", sel.level, 2),
        ("group", _groups_key(sel.group), 3),
        ("reference", sel.reference, 4),
        ("stat", sel.stat, 5),
    ]
    before_reference = keys
    for name, wanted, pos in parts:
        options = sorted({k[pos] for k in keys})
        if wanted not in options:
            if name == "stat":  # a comparison's stat, asked without its reference
                refs = sorted({k[4] for k in before_reference if k[5] == wanted} - {sel.reference})
                if refs:
                    given = f"`reference: {sel.reference}`" if sel.reference else "no `reference`"
                    return (
                        f" (stat {wanted!r} is in this cell as a comparison against "
                        f"{', '.join(repr(r) for r in refs)}, and the claim gives {given}: add "
                        f"`reference: {refs[0]}`; without it the stats are those of the cell "
                        f"alone: {', '.join(repr(o) for o in options[:12])})"
                    )
            shown = ", ".join(repr(o) for o in options[:12])
            more = f", ... ({len(options)} in all)" if len(options) > 12 else ""
            return f" (no {name} {wanted!r} here; {name}s: {shown}{more})"
        if name == "group":
            before_reference = [k for k in keys if k[pos] == wanted]
        keys = [k for k in keys if k[pos] == wanted]
    return ""


def _within(computed: float, expected: float, tolerance: float) -> bool:
    slack = _FLOAT_SLACK * max(1.0, abs(expected))
    return abs(computed - expected) <= tolerance + slack


def _numeric_row(
    claim: ValueClaim | RatioClaim,
    check: str,
    expected: float,
    found: _Found,
    tolerance: float,
    extra: str = "",
) -> dict[str, Any]:
    base = {
        "id": claim.id,
        "check": check,
        "text": claim.text,
        "expected": float(expected),
        "tolerance": float(tolerance),
        "source_ref": claim.source_ref,
    }
    if found.value is None:
        return {**base, "computed": math.nan, "passed": False, "note": found.note}
    value = found.value
    if math.isnan(value):
        note = _join("computed value is NaN", found.note, extra)
        return {**base, "computed": value, "passed": False, "note": note}
    passed = _within(value, expected, tolerance)
    note = found.note if passed else _join(f"differs by {_fmt(value - expected)}", found.note)
    return {**base, "computed": value, "passed": passed, "note": _join(note, extra)}


def _ratio_row(claim: RatioClaim, index: dict[_Key, list[tuple[str, float]]]) -> dict[str, Any]:
    num = _lookup(index, claim.numerator)
    den = _lookup(index, claim.denominator)
    missing = [
        f"{side} {f.note}"
        for side, f in (("numerator", num), ("denominator", den))
        if f.value is None
    ]
    if missing:
        return _numeric_row(
            claim, "ratio", claim.expected, _Found(None, "; ".join(missing)), claim.tolerance
        )
    assert num.value is not None and den.value is not None
    terms = f"{_fmt(num.value)} / {_fmt(den.value)} × {_fmt(claim.scale)}"
    if den.value == 0:
        found = _Found(None, f"denominator is 0 ({claim.denominator.describe()})")
        return _numeric_row(claim, "ratio", claim.expected, found, claim.tolerance)
    value = claim.scale * num.value / den.value
    notes = _join(
        *(f"{side}: {f.note}" for side, f in (("numerator", num), ("denominator", den)) if f.note)
    )
    return _numeric_row(
        claim, "ratio", claim.expected, _Found(value, notes), claim.tolerance, extra=terms
    )


def _argmax_row(claim: ArgmaxClaim, ard: pd.DataFrame) -> dict[str, Any]:
    src = claim.source
    base = {
        "id": claim.id,
        "check": "argmax",
        "text": claim.text,
        "expected": claim.expected_level,
        "tolerance": 0.0,
        "source_ref": claim.source_ref,
    }
    rows = select(
        ard, table=src.table, variable=src.variable, stat=src.stat, group=src.group, reference=""
    )
    where = f"{src.table}.{src.variable} @ {src.where()}: {src.stat}"
    if rows.empty:
        sel = Selector(table=src.table, variable=src.variable, group=src.group, stat=src.stat)
        hint = _hint(_index(ard), sel) if len(ard) else ""
        return {
            **base,
            "computed": None,
            "passed": False,
            "note": f"not found in ARD: {where}{hint}",
        }
    per_level: dict[str, list[float]] = {}
    for level, value in zip(rows["level"].astype(str), rows["value"].astype(float), strict=True):
        per_level.setdefault(level, []).append(value)
    distinct = {lv: _distinct(vals) for lv, vals in per_level.items()}
    conflicting = sorted(lv for lv, vals in distinct.items() if len(vals) > 1)
    if conflicting:
        note = f"ambiguous: level(s) {conflicting} have several different values in {where}"
        return {**base, "computed": None, "passed": False, "note": note}
    listed = {lv: vals[0] for lv, vals in distinct.items()}
    # "the most common schedule" is among the values that apply: a derived variable's level
    # "not applicable" (docs/derivations.md) is never the answer (but its subjects are listed)
    values = {lv: v for lv, v in listed.items() if lv != NOT_APPLICABLE}
    if not values:
        note = f"no level but {NOT_APPLICABLE!r} in {where}"
        return {**base, "computed": None, "passed": False, "note": note}
    nan_levels = sorted(lv for lv, v in values.items() if math.isnan(v))
    if nan_levels:
        note = f"level(s) {nan_levels} have NaN {src.stat} in {where}; the maximum is undefined"
        return {**base, "computed": None, "passed": False, "note": note}
    ranked = sorted(values.items(), key=lambda kv: -kv[1])
    top_value = ranked[0][1]
    top = [lv for lv, v in ranked if v == top_value]
    not_a_level = _not_a_level(claim.expected_level, listed, src.variable)
    if len(top) > 1:
        note = f"tie: levels {top} share the largest {src.stat} ({_fmt(top_value)}) in {where}"
        return {**base, "computed": " = ".join(top), "passed": False, "note": note + not_a_level}
    leader = top[0]
    rest = _unlisted(ard, src, rows, listed)
    if rest.unknown:
        note = f"cannot be judged: {rest.unknown}"
        return {**base, "computed": None, "passed": False, "note": note}
    runner = f"; next {ranked[1][0]}: {src.stat} = {_fmt(ranked[1][1])}" if len(ranked) > 1 else ""
    note = f"{leader}: {src.stat} = {_fmt(top_value)}{runner}"
    if rest.value > 0:
        said = (
            f"the levels the table does not list hold {src.stat} = {_fmt(rest.value)} "
            f"({rest.total_words} − {_fmt(sum(listed.values()))} listed{rest.why})"
        )
        if rest.value >= top_value:
            note = (
                f"cannot be judged: {note}, but {said}, as many or more than {leader!r}: the "
                f"most common level may be one not listed"
            )
            return {**base, "computed": _NOT_LISTED, "passed": False, "note": note}
        note += f"; {said}, fewer than {leader!r}"
    return {
        **base,
        "computed": leader,
        "passed": leader == claim.expected_level,
        "note": note + not_a_level,
    }


#: An argmax's ``computed`` when the largest may be among the levels the ARD does not list.
_NOT_LISTED = "(levels not listed)"


class _Rest:
    """What the listed levels of an argmax leave out: ``value`` (0: every level is listed),
    with the total it is taken from in words and why it is not listed; or ``unknown``, why it
    cannot be known."""

    def __init__(self, value: float = 0.0, total_words: str = "", why: str = "", unknown: str = ""):
        self.value = value
        self.total_words = total_words
        self.why = why
        self.unknown = unknown


def _unlisted(
    ard: pd.DataFrame, src: LevelsSelector, rows: pd.DataFrame, listed: dict[str, float]
) -> _Rest:
    """How much of the variable's total its listed levels leave to levels the ARD does not
    list, for an argmax on ``n`` or ``pct``: the levels of a categorical summary are exclusive
    and add up to its ``N`` (100%) when all are listed, and a yes/no variable lists only "yes"
    (yes 165 of 541: the 376 others are its "no"); a variable with a single
    level (any adverse event) is compared with the subjects without it. Levels that may share a
    subject (adverse event terms) are all listed (a term no one reported has no subject)."""
    exclusive = "context" in rows.columns and bool(
        (rows["context"].astype(str) == CATEGORICAL_SUMMARY).all()
    )
    if not exclusive and len(listed) > 1:
        return _Rest()
    one = f"{src.table}.{src.variable} @ {src.where()} has only the level {next(iter(listed))!r}"
    if src.stat == "pct":
        total, total_words = 100.0, "100%"
    elif src.stat == "n":
        found = select(
            ard, table=src.table, variable=src.variable, level="", stat="N", group=src.group,
            reference="",
        )  # fmt: skip
        totals = _distinct(found["value"].astype(float).tolist())
        if len(totals) != 1 or math.isnan(totals[0]):
            if len(listed) > 1:
                return _Rest()  # every level a categorical summary has is in the ARD
            return _Rest(unknown=f"{one}, and no single N to compare it with")
        total, total_words = totals[0], f"N = {_fmt(totals[0])}"
    elif len(listed) > 1:
        return _Rest()
    else:
        return _Rest(unknown=f"{one}; the largest {src.stat} needs the others")
    rest = total - sum(listed.values())
    if rest <= _FLOAT_SLACK * max(1.0, total):
        return _Rest()
    why = "; a yes/no variable lists its 'yes' only" if listed.keys() == {"yes"} else ""
    return _Rest(rest, total_words, why)


def _not_a_level(expected: str, listed: dict[str, float], variable: str) -> str:
    """A note's words when the claim's level is none of the variable's (``3.0`` for ``3``)."""
    if expected in listed:
        return ""
    shown = ", ".join(repr(lv) for lv in list(listed)[:12])
    more = f", ... ({len(listed)} in all)" if len(listed) > 12 else ""
    numeric = [lv for lv in listed if _as_number(lv) == _as_number(expected) is not None]
    hint = (
        f": write the level as the table prints it, {numeric[0]!r} (in quotes)" if numeric else ""
    )
    return f"; {expected!r} is not a level of {variable} (levels: {shown}{more}){hint}"


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.3f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------- CLI
def verify_command(
    study_path: str | Path,
    *,
    claims_path: str | Path | None = None,
    console: Any = None,
    on_stage: Callable[[str], None] = lambda stage: None,
) -> int:
    """``retro verify studies/<study>.yaml``: print the claims table, return the exit status.

    Reads ``studies/<study>.claims.yaml`` (or ``claims_path``), runs the study's tables, prints
    one line per check (claim, expected, computed, pass) and a summary. Returns 1 when any check
    fails, 0 when all pass. Errors in the study or claims file are raised as ``RetroError`` for
    the CLI's error handler (exit status 2). ``on_stage`` is called with the name of each step
    as it starts (claims file, clean, tables, claims check), for the CLI's error message.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from analysis.report.claims_summary import partial_lines, result_word
    from analysis.run.study import Study

    claims_file = Path(claims_path) if claims_path is not None else claims_path_for(study_path)
    on_stage("reading the claims file")
    claims = load_claims(claims_file)
    study = Study.load(study_path)
    refuse_unknown_tables(claims, study.table_names, claims_file)
    on_stage("clean")
    study.clean  # noqa: B018 - computed here so that a failure names its stage
    on_stage("tables")
    ard = study.ard
    on_stage("claims check")
    result = verify_claims(ard, claims)
    out = console if console is not None else Console(emoji=False, markup=False)

    table = Table(title=f"Claims of {study.config.study.name} ({claims_file.name})")
    for col, justify in (
        ("claim", "left"),
        ("check", "left"),
        ("expected", "right"),
        ("computed", "right"),
        ("tol.", "right"),
        ("pass", "center"),
        ("note", "left"),
    ):
        # fold, not cut: a long claim id (or note) is what the reader must find in the file
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    previous = None
    for r in result.itertuples(index=False):
        claim = Text()
        if r.id != previous:  # the claim's id and text once, on its first check
            claim.append(str(r.id))
            claim.append(f"\n{r.text}", style="dim")
        previous = r.id
        word = result_word(bool(r.passed), bool(r.fully_checked))
        table.add_row(
            claim,
            Text(str(r.check)),
            Text(_show(r.expected)),
            Text(_show(r.computed)),
            Text(_fmt(float(r.tolerance))),
            Text(word, style=_RESULT_STYLE[word]),
            Text(str(r.note)),
        )
    out.print(table)
    failed = result.loc[~result["passed"]]
    n_claims = result["id"].nunique()
    in_part = partial_lines(result)
    if failed.empty:
        apart = f"; {len(in_part)} of them reproduced in part only" if in_part else ""
        out.print(Text(f"all {len(result)} checks of {n_claims} claims pass{apart}", style="green"))
        for line in in_part:
            out.print(Text(f"  {line}"))
        return 0
    out.print(
        Text.assemble(
            (f"{len(failed)} of {len(result)} checks fail", "bold red"),
            f" (claims: {', '.join(dict.fromkeys(failed['id']))})",
        )
    )
    for line in in_part:
        out.print(Text(f"  {line}"))
    for line in failed_lines(failed, claims_file):
        out.print(Text(f"  {line}"))
    return 1


_RESULT_STYLE = {"PASS": "green", "PASS, in part": "yellow", "FAIL": "bold red"}


def failed_lines(failed: pd.DataFrame, claims_file: str | Path) -> list[str]:
    """One line per failed check: where the claim is (file, line), its check, expected and
    computed (as the verify table shows them) and why."""
    lines = claim_lines(claims_file)
    out = []
    for r in failed.itertuples(index=False):
        at = f", line {lines[str(r.id)]}" if str(r.id) in lines else ""
        out.append(
            f"{claims_file}{at}: claim {r.id!r} ({r.check}): expected {_show(r.expected)}, "
            f"computed {_show(r.computed)}: {r.note}"
        )
    return out


def _show(x: object) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return "—" if math.isnan(x) else _fmt(x)
    return str(x)
