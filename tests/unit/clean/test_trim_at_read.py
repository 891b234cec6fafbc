"""Text cells trimmed by the CSV reader (``trim_at_read``) are what ``strip_text`` makes of them:
cell by cell on random files (every character ``str.strip`` treats as white space, at either
end), and the whole clean stage the same with and without it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis.clean.csv_records as records
from analysis.clean import cells, trim_at_read
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, MINI_YAML
from tests.unit.clean.test_two_process import _assert_same

# every white space of str.strip (the ASCII ones, U+0085, U+00A0, U+1680, U+2000-U+200A,
# U+2028, U+2029, U+202F, U+205F, U+3000), characters outside ASCII that are not, and text
SPACES = " \t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
ALPHABET = SPACES + "aZ09.-_éß€\u200b\ufeff𝔘"
FIELD = st.text(alphabet=ALPHABET, max_size=5)
# a cell in quotes as the C parser reads it: the text, a doubled quote inside, the delimiter
QUOTED = st.tuples(FIELD, st.sampled_from(["", '""', ",", ";", "|"]), FIELD).map(
    lambda parts: '"' + "".join(parts) + '"'
)


@st.composite
def _files(draw: st.DrawFn) -> tuple[str, str]:
    delimiter = draw(st.sampled_from([",", ";", "|"]))
    width = draw(st.integers(2, 4))
    cell = st.one_of(FIELD, QUOTED) if draw(st.booleans()) else FIELD
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8))
    if draw(st.booleans()) and rows:  # a column blank in every record
        rows = [[" ", *r[1:]] for r in rows]
    lines = [[f"c{i}" for i in range(width)], *rows]
    return "\n".join(delimiter.join(line) for line in lines) + "\n", delimiter


def _stripped(value: object) -> object:
    return value.strip() or None if isinstance(value, str) else value


@settings(max_examples=400, deadline=None)
@given(_files())
def test_the_reader_trims_each_cell_as_strip_text_does(file):
    text, delimiter = file
    raw = records._arrow_records(text, delimiter)
    got = records._arrow_records(text, delimiter, True)
    if raw is None:
        assert got is None
        return
    trimmed = got.attrs["trimmed_columns"]
    for column in raw.columns:
        values = raw[column].tolist()
        if column in trimmed:
            assert got[column].tolist() == [_stripped(v) for v in values]
        else:  # left as read only when every cell is blank
            assert got[column].tolist() == values
            assert len(values) and not any(v.strip() for v in values)
    # what strip_text then leaves as it is, it would have made so
    once = cells.strip_text(raw)
    pd.testing.assert_frame_equal(cells.strip_text(got, trimmed=trimmed), once)


def test_only_the_cells_that_may_change_are_looked_at():
    import pyarrow as pa

    column = pa.chunked_array(
        [pa.array(["a", " a", "a\t", "", "é", "xé", "a b", "\u3000"]), pa.array(["ok", "x "])]
    )
    empty, edged = trim_at_read.cells_to_trim(column)
    assert empty.tolist() == [3]
    assert edged.tolist() == [1, 2, 4, 5, 7, 9]
    # a missing cell (Parquet) is neither empty nor to trim; of a column of numbers nothing is said
    empty, edged = trim_at_read.cells_to_trim(pa.chunked_array([pa.array([" a", None, ""])]))
    assert empty.tolist() == [2] and edged.tolist() == [0]
    assert trim_at_read.cells_to_trim(pa.chunked_array([pa.array([1, None])])) is None


def _without_trimming(monkeypatch: pytest.MonkeyPatch) -> None:
    original = records._arrow_records
    monkeypatch.setattr(
        records, "_arrow_records", lambda text, delimiter, trim=False: original(text, delimiter)
    )


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    said: list[list[str]] = []
    original = records.trim_columns

    def spy(frame: pd.DataFrame, table: object) -> list[str]:
        said.append(original(frame, table))
        return said[-1]

    monkeypatch.setattr(records, "trim_columns", spy)
    return said


# white space of every kind around ids, labels, dates and numbers; blank and white-space-only
# cells; a column blank in every record of one file
MESSY = {
    "patients.csv": MINI_FILES["patients.csv"].rstrip()
    + "\n\u3000P5\xa0,F ,40,\tHN III,2021-02-01 ,no,,\n P6,\u2029F,41,HN III,2021-02-01,no, ,\n",
    "sessions.csv": MINI_FILES["sessions.csv"].rstrip()
    + "\n P5 ,\xa02021-02-01, 0.1\n\u2028P6, 2021-02-03,0.1\u3000\n",
    "assess.csv": MINI_FILES["assess.csv"].rstrip() + "\n P5,2021-05-01 , stable\u202f\n",
}


def test_the_clean_stage_is_the_same_with_and_without_the_readers_trimming(mini_study, monkeypatch):
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML))
    said = _spy(monkeypatch)
    trimmed = clean_study(config)
    assert said and all(said), said  # the reader trimmed every file of this study
    assert any(len(columns) > 3 for columns in said)
    with monkeypatch.context() as m:
        _without_trimming(m)
        _assert_same(clean_study(config), trimmed)
    # the ids written with white space around them are those patients (kept or excluded later)
    seen = {*trimmed.tables["patients"]["patient_id"], *trimmed.exclusions["patient_id"]}
    assert {"P5", "P6"} <= seen, sorted(map(str, seen))


def test_the_reference_twin_cleans_the_same_with_and_without_it(
    reference_config, reference_clean, monkeypatch
):
    _without_trimming(monkeypatch)
    _assert_same(clean_study(reference_config), reference_clean)


def test_a_file_with_a_hash_or_a_control_character_is_not_trimmed_by_the_reader(tmp_path):
    from analysis.clean.read import read_raw

    plain, hashed = tmp_path / "plain.csv", tmp_path / "hashed.csv"
    plain.write_text("id,x\n P1 ,a\n", encoding="utf-8")
    hashed.write_text("id,x\n P1 ,#N/A\n", encoding="utf-8")
    assert read_raw(plain, fmt="csv").attrs["trimmed_columns"] == ["id", "x"]
    assert read_raw(plain, fmt="csv")["id"].tolist() == ["P1"]
    assert "trimmed_columns" not in read_raw(hashed, fmt="csv").attrs
    assert read_raw(hashed, fmt="csv")["id"].tolist() == [" P1 "]
    assert np.array_equal(read_raw(hashed, fmt="csv")["x"].to_numpy(), np.array(["#N/A"], object))


def test_a_column_is_left_to_strip_text_when_one_of_its_files_was_not_trimmed(
    mini_study, monkeypatch
):
    """Two files feed the exposures; one holds a '#' (an Excel error cell), so the reader trims
    the other only, and strip_text trims the column's cells of that one."""
    second = "  - name: sessions_b\n    table: exposures\n    file: sessions_b.csv\n"
    second += "    columns: {patient_id: id, start_date: date, dose_mg: dose}\n"
    yaml = MINI_YAML.replace("  - name: aes\n", second + "  - name: aes\n")
    files = {
        **MESSY,
        "sessions_b.csv": "id,date,dose\n P1 , 2021-02-05,#N/A\nP2\xa0,2021-02-06 ,0.1\n",
    }
    config = StudyConfig.load(mini_study(files=files, yaml=yaml))
    said = _spy(monkeypatch)
    trimmed = clean_study(config)
    assert len(said) == 5, said  # every file but sessions_b.csv
    with monkeypatch.context() as m:
        _without_trimming(m)
        _assert_same(clean_study(config), trimmed)
    rows = trimmed.tables["exposures"]
    assert {"sessions_b.csv"} <= set(rows["source_file"]), set(rows["source_file"])
    assert "unreadable" in set(trimmed.audit["check"])
