"""An undeclared delimiter is the one under which the source's mapped headers are found, not
the sniffer's guess from the header line alone: a probe's ';' file with headers "Dosis (mg,
total)" was read as ','-separated and stopped with "too many fields"."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from analysis.clean.csv_delimiter import detect_delimiter
from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig

LINES = ["NHC;Fecha;Dosis (mg, total);Volumen (ml, total)", "HB-1;02/09/2015;0,5;1,5"]


def test_the_delimiter_finds_the_mapped_headers():
    assert detect_delimiter(LINES, {"NHC", "Dosis (mg, total)"}) == ";"
    assert detect_delimiter(LINES, {"NHC", "Dosis (mg"}) == ","  # what those headers need


def test_without_mapped_headers_the_records_fit_the_header():
    lines = ["NHC;Dosis (mg, total)", "HB-1;0.5", "HB-2;0.75"]
    assert detect_delimiter(lines) == ";"
    assert detect_delimiter(["id,dose", "P1,0.1"]) == ","
    assert detect_delimiter(["id"]) == ","  # one column, no records: the sniffer's default


def test_a_source_with_commas_in_its_headers_reads_undeclared(mini_study):
    sessions = "id;date;dose (mg, total)\nP1;2020-01-10;0.1\nP1;2020-04-10;0.1\n"
    path = mini_study(
        files={"sessions.csv": sessions},
        yaml_edit=lambda y: y.replace("dose_mg: dose}", 'dose_mg: "dose (mg, total)"}'),
    )
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    exposures = pd.read_parquet(StudyConfig.load(path).processed_dir / "exposures.parquet")
    assert exposures["dose_mg"].tolist() == [0.1, 0.1]
