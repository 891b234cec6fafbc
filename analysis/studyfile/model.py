"""The base of every model of the study file: unknown keys refused, values frozen, and numbers
and yes/no values taken as YAML writes them, never converted from text.

pydantic's lax mode turned ``seed: "20220707"``, ``alpha: "0.05"`` or a check's ``min: "16"``
into numbers and ``synthetic: "yes"`` or ``ordered: "no"`` into true and false, with no message,
while a condition's ``value: "6"`` was refused ("write a number without quotes"). A quoted
number may be a label meant elsewhere, and a quoted yes/no a text: each is refused where it is
written, as conditions are.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _scalar_kind(annotation: Any) -> type | None:
    """``bool`` for a yes/no field, ``float`` for a number field (int or float, optionally
    None), else None (text, lists, unions with text, ...)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        kinds = {_scalar_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if annotation is bool:
        return bool
    if annotation in (int, float):
        return float
    return None


def _number_like(value: Any) -> bool:
    """Text pydantic would read as a number ("90", " 0.05 "); other text is refused by pydantic
    itself ("unable to parse string as a number")."""
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _yes_no_like(value: Any) -> bool:
    """A value pydantic would read as true or false: text such as "yes", "off", "1", or the
    numbers 0 and 1."""
    if isinstance(value, int | float):
        return value in (0, 1)
    words = {"yes", "no", "y", "n", "true", "false", "t", "f", "on", "off", "1", "0"}
    return isinstance(value, str) and value.strip().lower() in words


class StudyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _as_yaml_writes_it(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for key, value in data.items():
            field = cls.model_fields.get(key) if isinstance(key, str) else None
            if field is None or value is None:
                continue
            kind = _scalar_kind(field.annotation)
            quoted = ", without quotes" if isinstance(value, str) else ""
            if kind is bool and not isinstance(value, bool) and _yes_no_like(value):
                raise ValueError(
                    f"`{key}`: write yes/no as true or false{quoted} (found {value!r})"
                )
            if kind is float and (isinstance(value, bool) or _number_like(value)):
                raise ValueError(f"`{key}`: write a number{quoted} (found {value!r})")
        return data


def study_file_keys() -> set[str]:
    """Every key a model of the study file takes (for "did you mean" of an unknown key)."""
    keys: set[str] = set()
    todo = list(StudyModel.__subclasses__())
    while todo:
        model = todo.pop()
        keys.update(model.model_fields)
        todo.extend(model.__subclasses__())
    return keys


__all__ = ["StudyModel", "study_file_keys"]
