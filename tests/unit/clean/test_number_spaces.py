"""A space inside a number is read only as a thousands separator (groups of three digits, as
French and other locales write "1 234,5"); other spaces between digits ("0 5", "4 5") make the
cell unreadable, cleared and audited, never joined into another number (an age "4 5" was read
45 and a dose "0 5" 5 mg, with no audit row)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.clean.columns import Column
from analysis.clean.numbers import number_problem, parse_numbers, read_number


@pytest.mark.parametrize("mark", [None, ".", ","])
@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("1 234", 1234.0),
        ("12 345 678", 12345678.0),
        ("1\u00a0234", 1234.0),  # no-break space
        ("1\u202f234", 1234.0),  # narrow no-break space (French locales)
        ("- 5", -5.0),
        (" 45 ", 45.0),
    ],
)
def test_spaces_between_groups_of_three_are_thousands(cell, number, mark):
    assert read_number(cell, mark) == (number, "")


@pytest.mark.parametrize("mark", [None, ".", ","])
@pytest.mark.parametrize("cell", ["0 5", "4 5", "1 2 3", "1 23", "123 4567", "0 ,5"])
def test_other_spaces_between_digits_are_not_read(cell, mark):
    assert read_number(cell, mark) == (None, "spaced")
    assert "space between its digits" in number_problem(cell, "spaced", "a number", "s", mark)


def test_decimals_after_spaced_thousands():
    assert read_number("1 234,5", ",") == (1234.5, "")
    assert read_number("1 234.5", ".") == (1234.5, "")
    assert read_number("1 234,5", ".")[0] is None  # the declared mark is '.'


def test_a_spaced_cell_is_cleared_with_an_audit_row():
    df = pd.DataFrame(
        {
            "patient_id": ["P1", "P2"],
            "age_years": pd.Series(["4 5", "53"], dtype=object),
            "source_file": "pacientes.csv",
            "source_sheet": "",
            "source_row": [2, 3],
        }
    )
    step = parse_numbers(df, "patients", {"age_years": Column(kind="number")})
    assert np.isnan(step.data["age_years"].iloc[0]) and step.data["age_years"].iloc[1] == 53
    assert len(step.audit) == 1
    row = step.audit.iloc[0]
    assert row["column"] == "age_years" and row["row"] == 2
    assert "'4 5' has a space between its digits" in row["message"]


def test_a_number_with_thousands_separators_names_the_mark_to_declare():
    """A probe's "1.234,5" was cleared as "is not a number", no hint to declare `decimal`."""
    from analysis.clean.numbers import number_problem

    assert read_number("1.234,5", None) == (None, "undeclared")
    assert read_number("1.234.567", None) == (None, "undeclared")
    assert read_number("1,234.5", None) == (None, "undeclared")
    assert read_number("1,2,3", None) == (None, "text")
    assert number_problem("1.234.567", "undeclared", "a number", "s", None) == (
        "'1.234.567' is a number written with '.' between thousands and ',' as the decimal "
        "mark (1234567 so read), but no decimal mark is declared for source 's'; declare "
        "`sources[].decimal: ','` for it (the cell is then read as that number)"
    )
