"""The one-pass readers of the clean read path give what the per-value readers give (those stay
the reference): trimming, unreadable cells, ids to normalise, id folding, blank lines, required
values; on random cells (text with every kind of white space, blanks, numbers, dates, booleans)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import cells, csv_records, identity
from analysis.clean.columns import Column
from analysis.clean.identity_rules import IdRules, fold_id, fold_ids, may_change, normalise_id
from analysis.clean.text_cells import (
    MAYBE_UNREADABLE,
    cells_matching,
    may_hold_unreadable,
    str_positions,
    text_positions,
)
from tests.unit.clean._same_cells import same_cell

SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2003",
          "\u3000", "\u200b", "\ufeff", "\u00ad"]  # fmt: skip
PIECES = st.sampled_from(
    [*SPACES, "HB-0001", "hb", "0", "007", "12.0", "1.50", "#N/A", "#DIV/0!", "#", "!", ",",
     "a\x00b", "\x07", "\x7f", "\x9f", "Ä", "ＨＢ", "Ｏ", "٣", "ß", "x", "Dolor", ""]
)  # fmt: skip
TEXTS = st.one_of(st.lists(PIECES, max_size=4).map("".join), st.text(max_size=8))
BLANKS = st.sampled_from([None, np.nan, pd.NA, pd.NaT, float("nan")])
OTHERS = st.one_of(
    st.booleans(),
    st.integers(-5, 99999),
    st.floats(allow_nan=False),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 1, 1)).map(pd.Timestamp),
    TEXTS.map(np.str_),  # text of a subclass of str (NumPy's)
)
TEXT_COLUMN = st.lists(st.one_of(TEXTS, BLANKS), max_size=40)
MIXED_COLUMN = st.lists(st.one_of(TEXTS, BLANKS, OTHERS), max_size=40)
COLUMNS = st.one_of(TEXT_COLUMN, MIXED_COLUMN)
RULES = st.builds(
    IdRules,
    case=st.sampled_from(["upper", "lower", "keep"]),
    strip_whitespace=st.booleans(),
    unicode=st.sampled_from(["nfkc", "keep"]),
    leading_zeros=st.sampled_from(["keep", "strip"]),
)


def _column(values: list[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@settings(max_examples=200, deadline=None)
@given(COLUMNS)
def test_trimmed_cells_equal_the_per_value_trim(values):
    got = cells._stripped(_column(values))
    want = [cells._strip_cell(v) for v in values]
    assert all(same_cell(g, w) for g, w in zip(got, want, strict=True))


@settings(max_examples=200, deadline=None)
@given(COLUMNS)
def test_id_texts_equal_the_per_value_id_text(values):
    got = cells._id_texts(pd.Series(_column(values), dtype=object))
    want = [cells._id_text(v) for v in values]
    assert all(same_cell(g, w) for g, w in zip(got, want, strict=True))


@settings(max_examples=200, deadline=None)
@given(COLUMNS)
def test_unreadable_cells_equal_the_per_value_check(values):
    got = cells._unreadable_cells(_column(values))
    want = [cells._unreadable(v) for v in values]
    if all(w is None for w in want):
        assert got is None
    else:
        assert got is not None and list(got) == want


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, max_size=30), st.sampled_from([r"\s", r"[#\x00-\x1f]", r"[^\x00-\x7f]"]))
def test_cells_matching_are_the_cells_the_pattern_searches(texts, pattern):
    rx = re.compile(pattern)
    got = cells_matching(_column(texts), rx)
    assert list(got) == [i for i, t in enumerate(texts) if rx.search(t)]


@settings(max_examples=200, deadline=None)
@given(COLUMNS)
def test_text_positions_are_the_text_cells_when_the_rest_are_blank(values):
    """Found (always when every cell is text): the text cells, every other cell blank; not
    found: the column goes to the per-value readers."""
    found = text_positions(_column(values))
    if all(isinstance(v, str) for v in values):
        assert found is not None
    if found is not None:
        assert list(found[0]) == [i for i, v in enumerate(values) if isinstance(v, str)]
        assert all(pd.isna(v) for v in values if not isinstance(v, str))


@settings(max_examples=200, deadline=None)
@given(COLUMNS)
def test_str_positions_are_the_text_cells_whatever_the_others(values):
    positions, texts = str_positions(_column(values))
    assert list(positions) == [i for i, v in enumerate(values) if isinstance(v, str)]
    assert all(t is values[i] for i, t in zip(positions, texts, strict=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, max_size=30), RULES)
def test_every_id_a_rule_changes_is_a_candidate(ids, rules):
    changed = {v for v in ids if normalise_id(v, rules)[0] != v}
    candidates = set(identity._ids_to_normalise(pd.Series(_column(ids), dtype=object), rules)[0])
    assert changed <= candidates
    assert not [v for v in ids if not may_change(rules).search(v) and v in changed]


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, max_size=30))
def test_folded_ids_equal_the_per_id_fold(ids):
    assert fold_ids(ids) == [fold_id(v) for v in ids]


def test_folded_ascii_ids_in_one_pass():
    ids = ["HA-0001", "ha 0001", "12.0", "0", "00", "0100", "a0b00c001", "", "  ", "007.000"]
    assert fold_ids(ids) == [fold_id(v) for v in ids]
    assert fold_ids(["x!y", "1"]) == ["x!y", "1"]


LINES = st.lists(
    st.lists(
        st.sampled_from([" ", "\t", ",", ";", "a", "Ä", "\xa0", '"', "\u2003"]), max_size=5
    ).map("".join),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(LINES, st.sampled_from([",", ";", "\t", "|", "§"]))
def test_blank_lines_equal_the_per_line_strip(lines, delimiter):
    body = "\n".join(lines)
    got = csv_records.blank_lines(body, delimiter)
    assert list(got) == [not line.strip(f" \t{delimiter}") for line in lines]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(TEXTS, BLANKS, OTHERS), st.one_of(TEXTS, BLANKS)), max_size=20))
def test_required_values_exclude_the_records_missing_one(rows):
    data = pd.DataFrame(
        {
            "patient_id": _column([f"P{i}" for i in range(len(rows))]),
            "a": _column([a for a, _ in rows]),
            "b": _column([b for _, b in rows]),
            "source_file": "f.csv",
            "source_sheet": "",
            "source_row": np.arange(2, 2 + len(rows)),
        },
        index=pd.Index(np.arange(len(rows))[::-1] * 3),
    )
    spec = {
        "a": Column(kind="text", required=True, description="a"),
        "b": Column(kind="text", required=True, description="b"),
    }
    step = cells.require_values(data, "patients", spec)
    missing = data[["a", "b"]].isna()
    bad = missing.any(axis=1)
    pd.testing.assert_frame_equal(step.data, data.loc[~bad])
    assert list(step.excluded["row"]) == list(data.loc[bad].sort_index()["source_row"])
    assert list(step.excluded["reason"]) == [
        "required value missing: " + ", ".join(f"`{c}`" for c in ("a", "b") if missing.at[i, c])
        for i in data.loc[bad].sort_index().index
    ]


def test_a_csv_without_hash_or_control_characters_is_plain_text(tmp_path):
    from analysis.clean.read import read_raw

    clean, messy = tmp_path / "clean.csv", tmp_path / "messy.csv"
    clean.write_text("id,x\nA, 1 \nB,\n", encoding="utf-8")
    messy.write_text("id,x\nA,#N/A\nB,\x01\n", encoding="utf-8")
    assert read_raw(clean, fmt="csv").attrs["plain_text"] is True
    assert read_raw(messy, fmt="csv").attrs["plain_text"] is False


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30) | st.lists(PIECES, max_size=6).map("".join))
def test_the_byte_scan_finds_what_the_pattern_finds(text):
    assert may_hold_unreadable(text) == (MAYBE_UNREADABLE.search(text) is not None)


@settings(max_examples=300, deadline=None)
@given(LINES, st.sampled_from([",", ";", "\t", "|"]), st.randoms(use_true_random=False))
def test_blank_lines_among_many_filled_ones_equal_the_per_line_strip(lines, delimiter, rnd):
    """Few lines start like a blank one: those are looked at one by one (the other branch)."""
    lines = [*lines, *["a;b"] * (9 * len(lines) + 9)]
    rnd.shuffle(lines)
    got = csv_records.blank_lines("\n".join(lines), delimiter)
    assert list(got) == [not line.strip(f" \t{delimiter}") for line in lines]
