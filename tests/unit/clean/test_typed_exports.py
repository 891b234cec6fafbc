"""SAS, SPSS and Parquet exports as real systems write them: stored dates past the years the
analysis can hold (9999-12-31 "no end", 1582-10-15 SPSS's day 0) were called "not a date
(expected ISO YYYY-MM-DD or the source's date_order)"; ``encoding: latin-1``, the spelling the
docs give, was refused by the SAS/SPSS reader; Parquet text written as BINARY (Impala, Hive)
was read as Python bytes and no id matched; a Parquet folder was "not found"; a .xls with no
``format`` got "unknown format ''"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
