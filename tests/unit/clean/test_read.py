"""Readers: every supported format gives the same canonical table, with provenance."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from analysis.clean.read import read_raw, read_table, sha256_file
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig

SESSIONS = pd.DataFrame(
    {
        "id": ["P1", "P1", "P1", "P2", "P2", "P3", "P4", "P4", "P4"],
        "date": pd.to_datetime(
            [
                "2020-01-10",
                "2020-04-10",
                "2020-07-10",
                "2020-01-15",
                "2020-04-15",
                "2020-03-01",
                "2020-02-01",
                "2020-05-01",
                "2020-08-01",
            ]
        ),
        "dose": [0.1] * 9,
    }
)


def _point_sessions_at(name: str):
    return lambda y: y.replace("file: sessions.csv", f"file: {name}")


@pytest.mark.parametrize("name", ["exposures.parquet", "sessions.sav", "sessions.xpt"])
def test_binary_formats_match_csv(mini_study, tmp_path, name):
    reference = clean_study(StudyConfig.load(mini_study())).tables["exposures"]
    path = mini_study(yaml_edit=_point_sessions_at(name))
    target = path.parent.parent / "raw" / name
    if name.endswith(".parquet"):
        SESSIONS.to_parquet(target)
    elif name.endswith(".sav"):
        pyreadstat.write_sav(SESSIONS, str(target))
    else:
        pyreadstat.write_xport(SESSIONS, str(target))
    got = clean_study(StudyConfig.load(path)).tables["exposures"]
    cols = ["patient_id", "start_date", "dose_mg", "exposure_number"]
    pd.testing.assert_frame_equal(got[cols], reference[cols])
    assert got["source_file"].unique().tolist() == [name]
    assert got["source_row"].tolist() == [2, 3, 4, 5, 6, 8, 9, 10]  # row 7: P3, excluded


def test_semicolon_latin1_detected(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes("NHC;Sexo;Última visita\nB1;Mujer;01/02/2020\n".encode("latin-1"))
    df = read_raw(f, fmt="csv")
    assert df.columns.tolist() == ["NHC", "Sexo", "Última visita"]
    assert df.iloc[0].tolist() == ["B1", "Mujer", "01/02/2020"]


def test_blank_lines_keep_row_numbers(mini_study):
    path = mini_study(
        files={"sessions.csv": "id,date,dose\nP1,2020-01-10,0.1\n\nP1,2020-07-10,0.1\n"}
    )
    t = read_table(StudyConfig.load(path), "exposures")
    assert t["source_row"].tolist() == [2, 4]


def test_raw_files_are_never_written(mini_study):
    path = mini_study()
    raw = sorted((path.parent.parent / "raw").iterdir())
    before = {p.name: sha256_file(p) for p in raw}
    clean_study(StudyConfig.load(path))
    assert {p.name: sha256_file(p) for p in raw} == before


@pytest.mark.parametrize("index", [["id"], ["id", "date"]])
def test_parquet_index_named_by_its_writer_is_read_as_columns(mini_study, index):
    """``df.set_index("id").to_parquet()``: the ids stored as the frame's index are the id
    column (it was reported absent); the records are those of the CSV."""
    reference = clean_study(StudyConfig.load(mini_study())).tables["exposures"]
    path = mini_study(yaml_edit=_point_sessions_at("sessions.parquet"))
    SESSIONS.set_index(index).to_parquet(path.parent.parent / "raw" / "sessions.parquet")
    got = clean_study(StudyConfig.load(path)).tables["exposures"]
    cols = ["patient_id", "start_date", "dose_mg", "exposure_number"]
    pd.testing.assert_frame_equal(got[cols], reference[cols])
    assert got["source_row"].tolist() == [2, 3, 4, 5, 6, 8, 9, 10]


def test_parquet_unnamed_index_is_not_a_column(tmp_path):
    target = tmp_path / "s.parquet"
    SESSIONS.iloc[2:].to_parquet(target)  # a filtered frame: its index 2..8 stored, unnamed
    df = read_raw(target, fmt="parquet")
    assert df.columns.tolist() == ["id", "date", "dose"]
    assert len(df) == df.attrs["file_records"] == 7
