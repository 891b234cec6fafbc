"""A list of names in the study file (levels, columns, variables, tables) in which each name
appears once: ``levels: [mild, moderate, severe, mild]`` stopped the clean stage with pandas'
"Categorical categories must be unique", an unexpected error naming no key or line. Each such
list is now refused where it is written, naming the repeated entries."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from analysis.words import and_list


def _each_once(names: list[str]) -> list[str]:
    at: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        at.setdefault(name, []).append(i)
    repeated = [
        f"{name!r} is listed {'twice' if len(where) == 2 else f'{len(where)} times'} "
        f"({and_list([f'[{i}]' for i in where])})"
        for name, where in at.items()
        if len(where) > 1
    ]
    if repeated:
        raise ValueError("; ".join(repeated) + ": list each once")
    return names


#: a list of names, each once
Names = Annotated[list[str], AfterValidator(_each_once)]

__all__ = ["Names"]
