"""SAS, SPSS and Parquet exports as real systems write them: stored dates past the years the
analysis can hold (9999-12-31 "no end", 1582-10-15 SPSS's day 0) were called "not a date
(expected ISO YYYY-MM-DD or the source's date_order)"; ``encoding: latin-1``, the spelling the
docs give, was refused by the SAS/SPSS reader; Parquet text written as BINARY (Impala, Hive)
was read as Python bytes and no id matched; a Parquet folder was "not found"; a .xls with no
``format`` got "unknown format ''"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

from analysis.clean.read import read_raw
from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, SourceError
from analysis.studyfile.config import StudyConfig

STUDY = """\
study: {{name: probe, title: probe, seed: 1, export_date: 2024-12-31, synthetic: true}}
paths: {{raw: raw, processed: processed, reports: reports}}
exposure: {{kind: discrete}}
sources:
  - name: patients
    table: patients
    file: {file}{extra}
    columns: {{patient_id: pid, sex: sexo, last_visit_date: ultima}}
  - name: doses
    table: exposures
    file: ex.parquet
    columns: {{patient_id: pid, start_date: fecha}}
vocabularies:
  sex: {{levels: [female, male], synonyms: {{female: [F, mujer], male: [M, hombre]}}}}
"""
IDS = ["P01", "P02", "P03", "P04"]


def _study(root: Path, file: str, extra: str = "") -> StudyConfig:
    (root / "raw").mkdir(exist_ok=True)
    doses = pa.table({"pid": IDS, "fecha": [dt.date(2023, 1, 10)] * 4})
    pq.write_table(doses, root / "raw" / "ex.parquet")
    (root / "studies").mkdir(exist_ok=True)
    path = root / "studies" / "probe.yaml"
    path.write_text(STUDY.format(file=file, extra=extra), encoding="utf-8")
    return StudyConfig.load(path)


DATES = [dt.date(2023, 5, 1), dt.date(9999, 12, 31), dt.date(1582, 10, 15), dt.date(2023, 6, 1)]


@pytest.mark.parametrize("kind", ["spss", "parquet"])
def test_a_stored_date_past_the_years_held_is_said_as_such(tmp_path, kind):
    frame = pd.DataFrame({"pid": IDS, "sexo": ["M", "F", "F", "M"], "ultima": DATES})
    (tmp_path / "raw").mkdir()
    file = "p.sav" if kind == "spss" else "p.parquet"
    if kind == "spss":
        pyreadstat.write_sav(frame, str(tmp_path / "raw" / file))
    else:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "raw" / file)
    result = clean_study(_study(tmp_path, file))
    reasons = list(result.exclusions.loc[result.exclusions["step"] == "parse", "reason"])
    assert len(reasons) == 2
    assert reasons[0].startswith("`last_visit_date` value 9999-12-31 is a date outside the years")
    assert reasons[1].startswith("`last_visit_date` value 1582-10-15 is a date outside the years")
    assert not any("expected ISO" in r for r in reasons)
    assert sorted(result.patients["patient_id"]) == ["P01", "P04"]


def _latin1_xpt(path: Path) -> None:
    frame = pd.DataFrame({"pid": IDS, "sexo": ["hombre", "mujXr", "mujer", "hombre"],
                          "ultima": [dt.date(2023, 5, 1)] * 4})  # fmt: skip
    pyreadstat.write_xport(frame, str(path))
    path.write_bytes(path.read_bytes().replace(b"mujXr", b"muj\xe9r"))


@pytest.mark.parametrize("encoding", ["latin-1", "ISO-8859-1", "windows-1252", "cp1252"])
def test_sas_text_is_read_in_any_spelling_of_its_encoding(tmp_path, encoding):
    _latin1_xpt(tmp_path / "l.xpt")
    got = read_raw(tmp_path / "l.xpt", fmt="sas", encoding=encoding)["sexo"].tolist()
    assert got == ["hombre", "mujér", "mujer", "hombre"]


def test_sas_text_in_another_encoding_says_to_set_it(tmp_path):
    _latin1_xpt(tmp_path / "l.xpt")
    with pytest.raises(
        SourceError, match=r"Its text is not in the encoding its header states: set `encoding:`"
    ):
        read_raw(tmp_path / "l.xpt", fmt="sas")


def test_parquet_text_written_as_binary_is_read_as_text(tmp_path):
    table = pa.table(
        {
            "pid": pa.array([b"P01", b"P02 ", None], pa.binary()),
            "sexo": pa.array([b"M", b"F", b"F"], pa.large_binary()),
        }
    )
    pq.write_table(table, tmp_path / "b.parquet")
    got = read_raw(tmp_path / "b.parquet", fmt="parquet")
    assert got.to_dict("list") == {"pid": ["P01", "P02", None], "sexo": ["M", "F", "F"]}
    pq.write_table(pa.table({"blob": pa.array([b"\xff\xfe"], pa.binary())}), tmp_path / "x.parquet")
    with pytest.raises(SourceError, match=r"column 'blob' holds bytes that are not UTF-8 text"):
        read_raw(tmp_path / "x.parquet", fmt="parquet")


def test_a_parquet_folder_and_a_workbook_without_format_are_said_as_such(tmp_path):
    folder = tmp_path / "parts.parquet"
    pq.write_to_dataset(pa.table({"pid": IDS}), folder)
    with pytest.raises(SourceError, match=r"is a folder, not a file \(a Parquet dataset written"):
        read_raw(folder, fmt="parquet")
    (tmp_path / "raw").mkdir()
    with pytest.raises(
        ConfigError, match=r"its extension \(\.xls\) does not say it; set `format:`.*reads \.xls"
    ):
        _study(tmp_path, "old.xls")


def test_a_date_cell_outside_the_window_is_shown_as_a_date_not_a_python_repr(tmp_path):
    dates = [dt.date(2023, 5, 1), dt.date(1900, 1, 1), dt.date(2023, 6, 1), dt.date(2023, 6, 2)]
    frame = pd.DataFrame({"pid": IDS, "sexo": ["M", "F", "F", "M"], "ultima": dates})
    (tmp_path / "raw").mkdir()
    pyreadstat.write_sav(frame, str(tmp_path / "raw" / "p.sav"))
    result = clean_study(_study(tmp_path, "p.sav"))
    reasons = list(result.exclusions["reason"])
    said = [r for r in reasons if r.startswith("`last_visit_date`")]
    assert len(said) == 1
    assert said[0].startswith("`last_visit_date` value '1900-01-01' (1900-01-01) is outside")
    assert not any("Timestamp(" in r for r in reasons)


def test_shown_value_gives_a_cell_as_the_user_writes_it():
    from analysis.clean.shown_value import shown_value

    assert shown_value(pd.Timestamp("2026-05-01")) == "'2026-05-01'"
    assert shown_value(pd.Timestamp("2026-05-01 08:30")) == "'2026-05-01 08:30:00'"
    assert shown_value(dt.time(8, 30)) == "'08:30:00'"
    assert shown_value(np.float64(9.0)) == "9.0"
    assert shown_value("1,5") == "'1,5'"


@pytest.mark.parametrize(
    ("write", "what", "fmt", "name"),
    [
        ("sav", "an SPSS data file (it starts with $FL2)", "spss", "p.sav"),
        ("xpt", "a SAS transport file (it starts with HEADER RECORD)", "sas", "p.xpt"),
    ],
)
def test_an_spss_or_sas_file_with_a_csv_name_is_said_as_such(tmp_path, write, what, fmt, name):
    frame = pd.DataFrame({"pid": IDS, "sexo": ["M", "F", "F", "M"]})
    (tmp_path / "raw").mkdir()
    writer = pyreadstat.write_sav if write == "sav" else pyreadstat.write_xport
    writer(frame, str(tmp_path / "raw" / "p.csv"))
    with pytest.raises(SourceError) as err:
        read_raw(tmp_path / "raw" / "p.csv", fmt="csv")
    assert f"p.csv: is {what}, with a .csv name; set `format: {fmt}` for this source" in str(
        err.value
    )
    assert f"or rename the file {name}" in str(err.value)
    assert "UTF-16" not in str(err.value)


def test_a_sas_read_error_names_the_source_and_its_study_file_line(tmp_path):
    (tmp_path / "raw").mkdir()
    _latin1_xpt(tmp_path / "raw" / "p.xpt")
    config = _study(tmp_path, "p.xpt")
    from analysis.clean.read import read_source

    with pytest.raises(SourceError) as err:
        read_source(config, config.sources[0])
    said = str(err.value)
    assert "set `encoding:` for source 'patients' (`sources[0]`, line 5)" in said


def test_a_sas_file_cut_short_names_the_source_and_its_study_file_line(tmp_path):
    (tmp_path / "raw").mkdir()
    frame = pd.DataFrame(
        {"pid": IDS, "sexo": ["M", "F", "F", "M"], "ultima": [dt.date(2023, 5, 1)] * 4}
    )
    pyreadstat.write_xport(frame, str(tmp_path / "raw" / "p.xpt"))
    whole = (tmp_path / "raw" / "p.xpt").read_bytes()
    (tmp_path / "raw" / "p.xpt").write_bytes(whole[:-7])
    config = _study(tmp_path, "p.xpt")
    from analysis.clean.read import read_source

    with pytest.raises(SourceError) as err:
        read_source(config, config.sources[0])
    said = str(err.value)
    assert "p.xpt (source 'patients', `sources[0].file`, line 7 of the study file): the SAS" in said
