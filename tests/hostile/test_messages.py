"""Schema failures after derivation are located in the raw files, never by internal index."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.clean.contract import validate_analysis_tables
from analysis.errors import PipelineError


def _broken(reference_clean, table: str, column: str, value: object, position: int = 3):
    tables = {k: v.copy() for k, v in reference_clean.tables.items()}
    df = tables[table]
    if column == "patient_id":
        df.loc[position, column] = df.loc[0, column]
    else:
        df[column] = df[column].astype(object)
        df.loc[position, column] = value
    return tables, df.loc[position]


@pytest.mark.parametrize(
    ("table", "column", "value", "rule"),
    [
        ("patients", "age_years", 130.0, "in_range"),
        ("patients", "patient_id", None, "unique"),
        ("adverse_events", "ae_term", "not a level", "isin"),
        ("exposures", "exposure_number", 0, "greater_than_or_equal_to"),
    ],
)
def test_schema_failure_names_file_row_and_id(
    reference_clean, reference_config, table, column, value, rule
):
    tables, rec = _broken(reference_clean, table, column, value)
    with pytest.raises(PipelineError) as err:
        validate_analysis_tables(tables, reference_config)
    msg = str(err.value)
    assert f"{table}.{column}" in msg
    assert rule in msg
    assert f"{rec['source_file']}" in msg
    assert f"row {int(rec['source_row'])}" in msg
    assert "patient_id" in msg
    assert "index" not in msg.lower().split("rule")[0]
    assert "study file contradicts itself" in msg


def test_schema_failure_lists_at_most_twenty(reference_clean, reference_config):
    tables = {k: v.copy() for k, v in reference_clean.tables.items()}
    tables["patients"]["age_years"] = 500.0
    with pytest.raises(PipelineError) as err:
        validate_analysis_tables(tables, reference_config)
    n = len(tables["patients"])
    assert f"in {n} place(s)" in str(err.value)
    assert f"and {n - 20} more" in str(err.value)
    assert pd.notna(n)


@pytest.mark.parametrize("declared", ["latin-1", "cp1252", "ISO-8859-1", "iso-8859-15"])
def test_utf8_file_declared_single_byte_is_named(tmp_path, declared):
    from analysis.clean.read import read_raw
    from analysis.errors import SourceError

    path = tmp_path / "export.csv"
    path.write_bytes("id;sexo\nP1;masculino\nP2;Fémina\n".encode())
    with pytest.raises(SourceError) as err:
        read_raw(path, fmt="csv", encoding=declared)
    msg = str(err.value)
    assert f"declared `encoding: {declared}` but the file is UTF-8" in msg
    assert "line 3" in msg and "'P2;Fémina'" in msg and "FÃ©mina" in msg
    assert "Set `encoding: utf-8`" in msg


def test_latin1_file_declared_latin1_reads(tmp_path):
    from analysis.clean.read import read_raw

    path = tmp_path / "export.csv"
    path.write_bytes("id;sexo\nP1;Fémina\n".encode("latin-1"))
    df = read_raw(path, fmt="csv", encoding="latin-1")
    assert df.iloc[0, 1] == "Fémina"


def test_ascii_file_declared_latin1_reads(tmp_path):
    from analysis.clean.read import read_raw

    path = tmp_path / "export.csv"
    path.write_bytes(b"id;sexo\nP1;F\n")
    assert read_raw(path, fmt="csv", encoding="latin-1").iloc[0, 1] == "F"


def test_formula_saved_without_result_is_audited(mini_study):
    """A workbook written by a script keeps formulas without results; calamine reads them as
    empty. Each is audited (required: the record is excluded) instead of silently missing."""
    from tests.hostile.test_files import SESSIONS, TO_XLSX, _workbook, run

    rows = [*SESSIONS, ["P1", "=DATE(2020,4,10)", 0.1]]
    xlsx = _workbook({"Sessions": rows})  # openpyxl saves "=..." as a formula, no result
    path = mini_study(files={"export.xlsx": xlsx}, yaml_edit=lambda y: y.replace(*TO_XLSX))
    res = run(path)
    audit = res.audit.loc[res.audit["check"] == "unreadable"].reset_index(drop=True)
    assert audit[["row", "column", "value", "action"]].values.tolist() == [
        [4, "start_date", "#FORMULA-WITHOUT-VALUE =DATE(2020,4,10)", "set_missing"]
    ]
    assert "Excel formula =DATE(2020,4,10) saved without its result" in audit.loc[0, "message"]
    ex = res.exclusions.loc[res.exclusions["step"] == "unreadable"]
    assert ex["row"].tolist() == [4]
    assert len(res.tables["exposures"]) == 2


@pytest.mark.parametrize(
    "label",
    [
        "6 months :x: of follow-up",  # rich would print an emoji
        "6 months [bold]of[/bold] follow-up",  # rich markup would be applied and vanish
        "6 months [/] of follow-up",  # a closing tag with nothing open: rich raises
    ],
)
def test_user_text_reaches_the_terminal_literally(mini_study, label):
    from typer.testing import CliRunner

    from analysis.run.cli import app

    quoted = json.dumps(label)  # a YAML double-quoted scalar
    path = mini_study(yaml_edit=lambda y: y.replace("At least 6 months of follow-up", quoted))
    res = CliRunner().invoke(app, ["clean", str(path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert label in res.output
    assert "\u274c" not in res.output
