"""What a number written as text is: digits 0-9 with at most one decimal mark, a sign and an
exponent. Python's ``float()`` reads more ("0_5" as 5, "inf", "Infinity", "1e400" as infinity,
"٣" as 3); each of those is cleared with an audit row, in number columns, dose texts and dates
alike. A column mixing TRUE/FALSE with 0/1/1.0 is read cell by cell as each cell reads alone."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.columns import Column
from analysis.clean.date_values import read_date
from analysis.clean.dose import _dose_message, read_dose
from analysis.clean.numbers import parse_numbers, read_number


def _table(column: str, cells: list[object]) -> pd.DataFrame:
    n = len(cells)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(n)],
            column: pd.Series(cells, dtype=object),
            "source_file": "s.csv",
            "source_sheet": "",
            "source_row": np.arange(2, 2 + n),
        }
    )


@pytest.mark.parametrize("mark", [None, ".", ","])
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0_5", "text"),
        ("4_1", "text"),
        ("1_000", "text"),
        ("inf", "text"),
        ("Infinity", "text"),
        ("-Infinity", "text"),
        ("+inf", "text"),
        ("nan", "text"),
        ("NaN", "text"),
        ("1e400", "infinite"),
        ("-1E999", "infinite"),
        ("٣", "digits"),
        ("４５", "digits"),
        ("4٥", "digits"),
    ],
)
def test_text_float_reads_but_a_clinic_does_not_write_is_not_a_number(
    text: str, problem: str, mark: str | None
) -> None:
    assert read_number(text, mark) == (None, problem)


@pytest.mark.parametrize(
    ("text", "mark", "number"),
    [
        ("5e-1", None, 0.5),
        ("5e-1", ".", 0.5),
        ("5e-1", ",", 0.5),
        ("1E1", None, 10.0),
        ("6.1e1", None, 61.0),
        ("6.1e1", ".", 61.0),
        ("0,5e0", None, 0.5),
        ("0,5e0", ",", 0.5),
        ("1e308", None, 1e308),
    ],
)
def test_scientific_notation_is_read_with_either_mark_or_none(
    text: str, mark: str | None, number: float
) -> None:
    assert read_number(text, mark) == (number, "")


@pytest.mark.parametrize("cell", [math.inf, -math.inf, np.float64("inf"), 10**400])
def test_an_infinite_number_cell_is_not_a_number(cell: object) -> None:
    assert read_number(cell, None) == (None, "infinite")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=8), st.sampled_from([None, ".", ","]))
def test_read_number_never_raises_and_reads_only_finite_numbers_of_ascii_digits(
    text: str, mark: str | None
) -> None:
    number, problem = read_number(text, mark)
    if number is not None:
        assert math.isfinite(number) and problem == ""
        assert not any(ch.isdecimal() and not ch.isascii() for ch in text)
        assert "_" not in text


def test_parse_numbers_clears_and_audits_what_float_alone_would_read() -> None:
    cells = ["0_5", "inf", "-Infinity", "1e400", "٣", "5e-1", "0,5"]
    data = _table("dose_mg", cells)
    step = parse_numbers(data, "exposures", {"dose_mg": Column(kind="number")})
    assert step.data["dose_mg"].tolist()[-2:] == [0.5, 0.5]
    assert step.data["dose_mg"].isna().sum() == 5
    assert step.audit[["value", "action", "message"]].values.tolist() == [
        ["0_5", "set_missing", "`dose_mg` value '0_5' is not a number"],
        ["inf", "set_missing", "`dose_mg` value 'inf' is not a number"],
        ["-Infinity", "set_missing", "`dose_mg` value '-Infinity' is not a number"],
        [
            "1e400",
            "set_missing",
            "`dose_mg` value '1e400' is an infinite number (beyond the largest a float holds, "
            "about 1.8e308), not a number; correct the value",
        ],
        [
            "٣",
            "set_missing",
            "`dose_mg` value '٣' has digits other than 0-9 ('٣'): not read as a number; write "
            "it with the digits 0-9",
        ],
    ]


@pytest.mark.parametrize(
    "cells",
    [
        [True, 0, 1, 1.0, False, 0.0, 2],
        [0, 1, 1.0, True, False, 0.0, 2],
        [1.0, 0.0, False, True, 1, 0, None],
        [False, True, "1", "0", 0, 1],
    ],
    ids=["bool-first", "int-first", "float-first", "text-ones"],
)
@pytest.mark.parametrize("kind", ["number", "integer"])
def test_booleans_and_ones_and_zeros_are_read_cell_by_cell(cells: list[object], kind: str) -> None:
    """Each cell gives what it gives alone, whichever of True, 1 and 1.0 comes first."""
    data = _table("n", cells)
    step = parse_numbers(data, "t", {"n": Column(kind=kind)})  # type: ignore[arg-type]
    alone = [read_number(v, None)[0] for v in cells]
    got = step.data["n"].astype("float64").tolist()
    assert [None if pd.isna(g) else g for g in got] == alone
    flagged = [str(v) for v in cells if isinstance(v, bool)]
    assert step.audit["value"].tolist() == flagged


@pytest.mark.parametrize(
    ("text", "problem", "found"),
    [
        ("١ mg/dia", "digits", "١"),
        ("１ mg/día", "digits", "１"),  # NFKD would make it 1: refused before
        ("1 mg ٣x/semana", "digits", "٣"),
        ("0_5 mg/dia", "form", "5"),
        ("1e400 mg/dia", "form", "400"),
    ],
)
def test_dose_texts_follow_the_same_rule(text: str, problem: str, found: str) -> None:
    assert read_dose(text, None, None) == (None, problem, found)


def test_a_dose_with_other_digits_says_so() -> None:
    assert _dose_message("١ mg/dia", "digits", "١", "s", None) == (
        "`dose_text` value '١ mg/dia' has digits other than 0-9 ('١'); not read: dose_mg and "
        "doses_per_week left missing (write it with the digits 0-9)"
    )


@pytest.mark.parametrize("text", ["٢٠٢٠٠١٠٢", "٠١/٠٢/٢٠٢٠", "２０２０-０１-０２", "٣ marzo ٢٠٢٠"])
def test_a_date_with_other_digits_is_not_read(text: str) -> None:
    assert read_date(text, "DMY", None) is None
    ascii_text = text.translate({ord(c): str(int(c)) for c in text if c.isdecimal()})
    assert read_date(ascii_text, "DMY", None) is not None
