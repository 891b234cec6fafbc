"""A record that repeats the header line (a second export pasted below the first) is excluded
with its line in the exclusion log: a probe's mid-file "NHC;Sexo;Edad;..." was reported as the
unmapped sex 'Sexo'. A footer line ("Total: 541") is named as such when it stops the read."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.clean.csv_records import read_csv_text
from analysis.errors import SourceError
from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig


def test_a_repeated_header_line_is_logged_not_read(mini_study):
    sessions = "id,date,dose\nP1,2020-01-10,0.1\nP1,2020-04-10,0.1\n id , date,dose\n"
    sessions += "P4,2020-02-01,0.1\n"
    path = mini_study(files={"sessions.csv": sessions})
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    processed = StudyConfig.load(path).processed_dir
    log = pd.read_parquet(processed / "exclusions.parquet")
    again = log.loc[log["step"] == "repeated_header"]
    assert again[["table", "row", "reason"]].values.tolist() == [
        [
            "exposures",
            4,
            "line 4 repeats the header line (a second export pasted below the first?): not a "
            "record",
        ]
    ]
    exposures = pd.read_parquet(processed / "exposures.parquet")
    assert exposures["source_row"].tolist() == [2, 3, 5]


def test_a_footer_line_is_named():
    text = "id;sex;age\nP1;F;55\nP2;M;40\nTotal: 2\n"
    with pytest.raises(SourceError) as exc:
        read_csv_text(text, ";", where="patients.csv")
    assert str(exc.value).endswith(
        "Line 4 looks like a footer ('Total: 2': a total or a count written below the "
        "records), not a record: delete it from the file."
    )
