"""A CSV cell written ``="…"`` (Excel's idiom to keep a text as typed) is read as its text, with
an audit row: a probe's session ids ``="HB-0006"`` matched no patient, 19 sessions were excluded
as orphans and the cohort fell from 541 to 538, exit 0, no warning."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from analysis.clean.excel_text import unwrap_excel_text
from analysis.run.cli import app
from analysis.studyfile.config import StudyConfig


def test_only_a_whole_cell_written_as_the_formula_is_unwrapped():
    ids = np.array(['="P1"', "P2", '="P3', 'x="P4"', ' ="a""b" ', None], dtype=object)
    same = ids  # another column read from the same header keeps its own cells
    cells = {"patient_id": ids, "other": same.copy()}
    marks = unwrap_excel_text(cells, np.arange(2, 8))
    assert cells["patient_id"].tolist() == ["P1", "P2", '="P3', 'x="P4"', 'a"b', None]
    assert ids[0] == '="P1"'  # the caller's array is not changed
    assert marks is not None
    assert marks[0] == [("patient_id", '="P1"', 2), ("other", '="P1"', 2)]
    assert marks[4] == [("patient_id", ' ="a""b" ', 6), ("other", ' ="a""b" ', 6)]
    assert [m is None for m in marks] == [False, True, True, True, False, True]
    assert unwrap_excel_text({"x": np.array(["1", "2"], dtype=object)}, np.arange(2)) is None


def test_excel_text_ids_link_to_their_patients_with_an_audit_row_each(mini_study):
    sessions = 'id,date,dose\n="P1",2020-01-10,0.1\nP1,2020-04-10,="0.1"\nP1,2020-07-10,0.1\n'
    sessions += "P2,2020-01-15,0.1\nP2,2020-04-15,0.1\nP3,2020-03-01,0.1\n"
    sessions += '="P4",2020-02-01,0.1\nP4,2020-05-01,0.1\nP4,2020-08-01,0.1\n'
    plain = mini_study(files={"sessions.csv": sessions.replace('="', "").replace('"', "")})
    assert CliRunner().invoke(app, ["clean", str(plain)]).exit_code == 0
    processed = StudyConfig.load(plain).processed_dir
    expected = pd.read_parquet(processed / "exposures.parquet")
    path = mini_study(files={"sessions.csv": sessions})
    res = CliRunner().invoke(app, ["clean", str(path)])
    assert res.exit_code == 0, res.output
    assert "warning: 3 CSV cell(s) were written as Excel text formulas" in " ".join(
        res.output.split()
    )
    exposures = pd.read_parquet(processed / "exposures.parquet")
    assert len(exposures) == len(expected) == 8  # as with the ids written plainly
    pd.testing.assert_frame_equal(exposures, expected)
    audit = pd.read_parquet(processed / "audit.parquet")
    rows = audit.loc[audit["check"] == "excel_text"]
    assert rows[["row", "patient_id", "column", "value", "action"]].values.tolist() == [
        [2, "P1", "patient_id", '="P1"', "corrected"],
        [8, "P4", "patient_id", '="P4"', "corrected"],
        [3, "P1", "dose_mg", '="0.1"', "corrected"],
    ]
