"""The numbers of a claims file as they are written, before YAML reads them.

YAML 1.1 (PyYAML's safe loader) reads some plain scalars as numbers a reader never meant:
``4:06`` is the base-60 number 246, ``017`` the octal 15, ``0x1F`` 31, ``1_000`` 1000. Each would be checked as that number (``expected: 4:06`` passed against 246), so a
number written other than in decimal is refused with its key and line (``refuse_odd_numbers``).
The text as written also gives the decimals a p-value is printed with
(``written_numbers``; ``decimals_tolerance``): 0.06 is checked as 0.055 to 0.065.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ConfigError

#: A number as a paper prints it: digits, an optional decimal point, an optional exponent.
_DECIMAL = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")

Written = dict[tuple[Any, ...], tuple[str, int]]  # key path -> (text as written, line)


def written_numbers(text: str) -> Written:
    """Every plain scalar YAML reads as a number, by key path (``("claims", 0, "expected",
    "p_value")``): its text as written and its line. ``text`` is a file
    ``safe_load_with_lines`` has read (so it parses)."""
    out: Written = {}
    _walk(yaml.compose(text, Loader=yaml.SafeLoader), (), out)
    return out


def _walk(node: Any, path: tuple[Any, ...], out: Written) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _walk(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), out)
    elif isinstance(node, yaml.ScalarNode) and node.style is None and node.tag in _NUMBER_TAGS:
        out[path] = (str(node.value), node.start_mark.line + 1)


def refuse_odd_numbers(written: Written, path: Path) -> None:
    """A ``ConfigError`` naming every number not written in decimal, with its key and line."""
    odd = []
    for key, (text, line) in written.items():
        read = yaml.safe_load(text)
        if _DECIMAL.fullmatch(text) and not re.match(r"[-+]?0\d", text):
            continue
        if _NOT_FINITE.fullmatch(text):
            continue  # refused by the claim's own check, in words ("write a finite number")
        dotted = ".".join(f"[{k}]" if isinstance(k, int) else str(k) for k in key)
        odd.append(
            f"`{dotted.replace('.[', '[')}` (line {line}) is written `{text}`, which YAML reads "
            f"as the number {read!r}{_why(text)}"
        )
    if odd:
        raise ConfigError(
            f"{path}: {len(odd)} number(s) of the claims file are not written in decimal: "
            f"{'; '.join(odd)}. Write each number as the paper prints it, in decimal (246, "
            f'45.5); a level or other text in quotes ("4:06").'
        )


def _why(text: str) -> str:
    if ":" in text:
        return " (YAML 1.1 reads `a:b` as base 60)"
    if re.match(r"[-+]?0[0-7]+$", text):
        return " (YAML 1.1 reads a leading 0 as octal)"
    if "_" in text:
        return " (YAML drops the `_`)"
    if re.match(r"[-+]?0[xXbBoO]", text):
        return " (a hexadecimal, binary or octal number)"
    return ""


def decimals_tolerance(written: str) -> float:
    """Half a unit of the last decimal ``written`` (``"0.06"`` -> 0.005, ``"0.060"`` ->
    0.0005, ``"1.2e-4"`` -> 0.5e-5): the range of values that print as it."""
    try:
        exponent = Decimal(written.strip()).as_tuple().exponent
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {written!r}") from None
    assert isinstance(exponent, int)  # a finite number
    return 0.5 * 10.0**exponent


__all__ = ["Written", "decimals_tolerance", "refuse_odd_numbers", "written_numbers"]
