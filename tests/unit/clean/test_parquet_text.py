"""Parquet text read as the CSV reader reads it (``trim_at_read``): a text column whose bytes hold
no ``#`` and no control character is known to hold no unreadable cell and is trimmed at read
(Arrow finds the few cells that can change). The frame is ``pd.read_parquet``'s, with those
columns' cells as ``strip_text`` makes them, on generated files (missing cells, white space of
every kind, several row groups, numbers, dates, a named index of its own, read as a column);
and the whole clean stage is the same with and without it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis.clean.read as read
from analysis.clean import cells, parquet_file, trim_at_read
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent
from tests.unit.clean._same_cells import same_cell
from tests.unit.clean.test_trim_at_read import MESSY, SPACES
from tests.unit.clean.test_two_process import _assert_same

ALPHABET = SPACES + "aZ09.-_éß€\u200b\ufeff𝔘#\x00\x07\x85\x9f"
TEXT = st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=5))


@st.composite
def _frames(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    n = draw(st.integers(1, 12))
    texts = st.lists(TEXT, min_size=n, max_size=n)
    frame = pd.DataFrame({f"t{i}": draw(texts) for i in range(draw(st.integers(1, 3)))})
    if draw(st.booleans()):  # a column blank in every record
        frame["blank"] = draw(st.sampled_from([None, "", " ", "\u3000"]))
    frame["dose"] = draw(st.lists(st.floats(allow_nan=True), min_size=n, max_size=n))
    frame["n"] = np.arange(n)
    frame["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(n), "D")
    if draw(st.booleans()):
        frame.index = pd.Index([f"r{i}" for i in range(n)], name="row")
    return frame, draw(st.integers(1, 5))


def _stripped(value: object) -> object:
    return value.strip() or None if isinstance(value, str) else value


@settings(max_examples=200, deadline=None)
@given(_frames())
def test_parquet_is_read_as_pandas_reads_it_with_plain_text_trimmed(tmp_path_factory, case):
    frame, group = case
    path = tmp_path_factory.mktemp("pq") / "t.parquet"
    frame.to_parquet(path, row_group_size=group)
    expected = pd.read_parquet(path)
    if expected.index.name is not None:  # a named index: a column of the file's, first
        expected = expected.reset_index().set_axis(pd.RangeIndex(len(expected)))
    got = read.read_raw(path, fmt="parquet")
    plain, trimmed = got.attrs["plain_headers"], got.attrs["trimmed_columns"]
    assert set(trimmed) <= set(plain)
    assert got.index.equals(expected.index) and list(got.columns) == list(expected.columns)
    assert list(got.dtypes) == list(expected.dtypes)
    for column in expected.columns:
        want = expected[column].tolist()
        if column in plain:  # said to hold no unreadable cell: none does
            assert all(cells._unreadable(v) is None for v in want)
        if column in trimmed:
            want = [_stripped(v) for v in want]
        elif column in plain and expected[column].dtype == object:
            # left as read only when every cell is blank
            assert not any(isinstance(v, str) and v.strip() for v in want)
        assert all(same_cell(a, b) for a, b in zip(got[column].tolist(), want, strict=True))
    # what strip_text then leaves as it is, it would have made so
    once = cells.strip_text(expected)
    pd.testing.assert_frame_equal(cells.strip_text(got, trimmed=trimmed), once)


def test_a_column_with_a_hash_or_a_control_character_is_neither_plain_nor_trimmed():
    table = pa.table(
        {
            "ok": [" a", None, "b "],
            "hash": [" a", "#N/A", None],
            "ctrl": ["a\x07", " b", None],
            "n": [1, 2, 3],
        }
    )
    assert trim_at_read.plain_text_columns(table) == ["ok"]
    frame = table.to_pandas()
    assert trim_at_read.trim_columns(frame, table, only=["ok"]) == ["ok"]
    assert frame["ok"].tolist() == ["a", None, "b"]
    assert frame["hash"].tolist() == [" a", "#N/A", None]  # left to the per-value readers
    # missing cells are neither empty nor edged; large strings are read too
    empty, edged = trim_at_read.cells_to_trim(
        pa.chunked_array([pa.array(["", None, " x", "y"], type=pa.large_string())])
    )
    assert empty.tolist() == [0] and edged.tolist() == [2]


def _as_parquet(text: str) -> bytes:
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _parquet_study(mini_study) -> Path:
    files: dict[str, str | bytes | None] = {}
    for name, text in {**MINI_FILES, **MESSY}.items():
        files[name] = None
        files[name.replace(".csv", ".parquet")] = _as_parquet(_dedent(text))

    def edit(body: str) -> str:
        for name in MINI_FILES:
            body = body.replace(f"file: {name}", f"file: {name.replace('.csv', '.parquet')}")
        return body

    return mini_study(files=files, yaml_edit=edit)


def test_the_clean_stage_is_the_same_with_and_without_it(mini_study, monkeypatch):
    config = StudyConfig.load(_parquet_study(mini_study))
    said: list[list[str]] = []
    original = parquet_file.trim_columns

    def spy(frame: pd.DataFrame, table: object, only: object = None) -> list[str]:
        said.append(original(frame, table, only=only))  # type: ignore[arg-type]
        return said[-1]

    monkeypatch.setattr(parquet_file, "trim_columns", spy)
    fast = clean_study(config)
    assert len(said) == len(config.sources) and all(said), said
    with monkeypatch.context() as m:
        m.setattr(parquet_file, "plain_text_columns", lambda table: [])
        _assert_same(clean_study(config), fast)
    seen = {*fast.tables["patients"]["patient_id"], *fast.exclusions["patient_id"]}
    assert {"P5", "P6"} <= seen, sorted(map(str, seen))


@pytest.mark.parametrize("text", ["id,x\n P1 ,a\n"])
def test_a_parquet_source_keeps_its_records_count(tmp_path, text):
    path = tmp_path / "t.parquet"
    path.write_bytes(_as_parquet(text))
    got = read.read_raw(path, fmt="parquet")
    assert got.attrs["file_records"] == 1 and got["id"].tolist() == ["P1"]
