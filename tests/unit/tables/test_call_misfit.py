"""A call that does not fit a table function's parameters (a misspelt keyword, a table left
out, a value given twice or too many by position) is an ``ArgumentError`` in one sentence naming
the function, the argument and the closest parameter. It was Python's "got an unexpected keyword
argument 'subjet_id'", naming no function, at the end of a 29-line traceback through
``inspect``: the wrappers bound the arguments unguarded."""

from __future__ import annotations

import inspect

import pytest

import analysis.tables as tables
from analysis.errors import ArgumentError

WRAPPED = [n for n in tables.__all__ if hasattr(getattr(tables, n), "__wrapped__")]


def test_every_wrapped_function_is_checked():
    assert {"ae_incidence", "baseline_table", "response_table", "cox_table"} <= set(WRAPPED)


@pytest.mark.parametrize("name", WRAPPED)
def test_a_misspelt_keyword_names_the_function_and_the_closest_parameter(name):
    function = getattr(tables, name)
    first = next(iter(inspect.signature(function).parameters))
    with pytest.raises(ArgumentError) as exc:
        function(**{first + "x": None})
    said = str(exc.value)
    assert said.startswith(f"{name}: no parameter {first}x= (did you mean {first}=?).")
    assert f"{name} takes: {first}, " in said


def test_a_table_left_out_or_given_twice():
    with pytest.raises(ArgumentError, match=r"^ae_incidence: subjects, events not given; "):
        tables.ae_incidence()
    with pytest.raises(ArgumentError, match=r"^ae_incidence: subjects given twice, by position"):
        tables.ae_incidence(None, None, subjects=None)
    with pytest.raises(ArgumentError, match=r"^ae_incidence: 3 values given by position, but it"):
        tables.ae_incidence(None, None, "sex")
