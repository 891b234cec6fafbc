"""A CSV record with fewer fields than its header is not read silently: a probe's session
``HB-0006;02/09/2015;0,05;1`` (its dose left out) had its concentration read as its dose, exit
0, no audit. It stops the read, naming its line, unless the source declares ``short_rows:
blank`` (then it is read with its last cells empty, flagged and counted); a file whose every
line is wrapped in quotes is named as such."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.clean.csv_records import read_csv_text
from analysis.errors import SourceError
from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig

SESSIONS = "NHC;Fecha;Dosis;Conc;Vol\nHB-1;02/09/2015;0,5;0,05;1\nHB-6;02/09/2015;0,05;1\n"


@pytest.mark.parametrize("tail", ["", "HB-2;03/09/2015;0,5;0,05;1;\n"])
def test_a_record_short_of_fields_is_named(tail):
    """The fast reader (every other line as wide as the header) and the csv tokenizer (a line
    with an empty extra field sends the file to it) both say it."""
    with pytest.raises(SourceError) as exc:
        read_csv_text(SESSIONS + tail, ";", where="sesiones.csv")
    text = str(exc.value)
    assert text.startswith(
        "sesiones.csv: 1 record(s) have fewer fields than the header (line 1 has 5: 'NHC', "
        "'Fecha', 'Dosis', 'Conc', 'Vol'): line 3 has 4 fields ('HB-6;02/09/2015;0,05;1')."
    )
    assert "set `short_rows: blank` for this source" in text


def test_short_rows_blank_reads_them_with_their_last_cells_empty():
    df = read_csv_text(SESSIONS, ";", where="sesiones.csv", short_rows="blank")
    assert df.attrs["short_rows"] == {3: 4}
    assert df.loc[3].tolist() == ["HB-6", "02/09/2015", "0,05", "1", ""]
    assert "short_rows" not in read_csv_text(SESSIONS.rsplit("HB-6", 1)[0], ";", where="x").attrs


@pytest.mark.parametrize("short_rows", ["refuse", "blank"])
def test_lines_wrapped_in_quotes_are_named(short_rows):
    text = 'NHC;Sexo;Edad\n"HB-1;H;45"\n"HB-2;M;50"\n"HB-3;M;61"\n'
    with pytest.raises(SourceError) as exc:
        read_csv_text(text, ";", where="pacientes.csv", short_rows=short_rows)
    assert str(exc.value).startswith(
        "pacientes.csv: 3 line(s) are each read as one field under a header of 3 (line 1): the "
        'whole line is in quotes (line 2 reads "HB-1;H;45")'
    )


def test_short_rows_blank_flags_each_record_and_warns(mini_study):
    sessions = "id,date,dose,site\nP1,2020-01-10,0.1,scalp\nP1,2020-04-10,0.1\nP2,2020-01-15\n"
    sessions += "P3,2020-03-01,0.1,scalp\nP4,2020-02-01,0.1,scalp\n"
    path = mini_study(files={"sessions.csv": sessions})
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code != 0
    assert "2 record(s) have fewer fields than the header" in " ".join(res.output.split())
    path.write_text(
        path.read_text().replace("file: sessions.csv", "file: sessions.csv\n    short_rows: blank")
    )
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    assert "warning: 2 CSV record(s) have fewer fields than their header" in " ".join(
        res.output.split()
    )
    audit = pd.read_parquet(StudyConfig.load(path).processed_dir / "audit.parquet")
    flagged = audit.loc[audit["check"] == "short_row"]
    assert flagged[["table", "row", "patient_id", "column", "action"]].values.tolist() == [
        ["exposures", 3, "P1", "patient_id", "flagged"],
        ["exposures", 4, "P2", "dose_mg", "flagged"],
    ]
