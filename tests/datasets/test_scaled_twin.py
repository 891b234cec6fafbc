"""The scaled synthetic twin (analysis/datasets/_scaled.py, `retro synth --patients N`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis.datasets import _mess as mess
from analysis.datasets import _scaled as scaled
from analysis.datasets import write_scaled_twin
from analysis.errors import ConfigError
from analysis.studyfile.config import StudyConfig


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def tables(reference_config):
    return scaled.reference_tables(reference_config, fmt="csv")


def test_patients_are_exactly_as_many_as_asked(reference_config, tables):
    ref = scaled.reference_patients(tables, reference_config)
    assert len(ref) == 589  # 541 included + planted exclusions and conflicts, both centres
    plan = scaled.plan_copies(ref, 1000)
    assert (plan.copies, len(plan.partial), plan.width) == (1, 411, 1)
    patient_sources = {(s.file, s.sheet) for s in reference_config.sources if s.table == "patients"}
    ids: set[str] = set()
    for t in tables:
        if t.origin in patient_sources:
            ids |= {str(v).strip() for v in scaled.scaled_frame(t, plan)[t.id_header]}
    assert len(ids) == 1000


def test_csv_text_equals_the_reference_writer_and_is_deterministic(reference_config, tmp_path):
    study, rows = write_scaled_twin(reference_config, tmp_path / "a", patients=1300)
    write_scaled_twin(reference_config, tmp_path / "b", patients=1300)
    assert _digest(tmp_path / "a" / "raw") == _digest(tmp_path / "b" / "raw")
    tables = scaled.reference_tables(reference_config, fmt="csv")
    plan = scaled.plan_copies(scaled.reference_patients(tables, reference_config), 1300)
    for t in tables:
        frame = scaled.scaled_frame(t, plan)
        want = mess.csv_bytes(frame, delimiter=t.delimiter, encoding=t.encoding)
        assert (tmp_path / "a" / "raw" / t.file).read_bytes() == want
        assert rows[t.file] == len(frame)
    first = pd.read_csv(tmp_path / "a" / "raw" / "centre_b" / "pacientes.csv", sep=";",
                        encoding="latin-1", dtype=str)  # fmt: skip
    assert first["NHC"].str.strip().str.fullmatch(r"HB-[0-2]\d{4}").all()
    cfg = StudyConfig.load(study)
    assert cfg.study.synthetic and "1,300 patients" in cfg.study.title
    assert cfg.raw_dir == tmp_path / "a" / "raw"
    assert {s.inferred_format for s in cfg.sources} == {"csv"}


def test_scaled_twin_cleans_with_every_row_accounted_for(reference_config, tmp_path):
    from analysis.clean.stage import clean_study

    study, rows = write_scaled_twin(reference_config, tmp_path / "s", patients=1178)
    result = clean_study(StudyConfig.load(study))
    acc = result.accounting()
    assert int(acc["rows_read"].sum()) == sum(rows.values())
    assert len(result.tables["patients"]) == 2 * 541  # two whole copies of the reference


def test_xlsx_keeps_workbooks_and_refuses_more_rows_than_excel(reference_config, tmp_path):
    study, rows = write_scaled_twin(reference_config, tmp_path / "x", patients=600, fmt="xlsx")
    assert (tmp_path / "x" / "raw" / "centre_a" / "clinic_export.xlsx").is_file()
    assert "centre_a/clinic_export.xlsx:Sessions" in rows
    tables = scaled.reference_tables(reference_config, fmt="xlsx")
    sessions = next(t for t in tables if t.sheet == "Sessions")
    plan = scaled.Plan(copies=(scaled.EXCEL_MAX_ROWS // len(sessions.frame)) + 1,
                       partial=frozenset(), width=4, reference_patients=589)  # fmt: skip
    with pytest.raises(ConfigError, match=r"Excel caps a sheet at 1,048,576 rows"):
        scaled.write_xlsx([sessions], plan, tmp_path / "big.xlsx")


def test_refuses_the_shipped_data_folder_and_bad_options(reference_config, tmp_path):
    with pytest.raises(ConfigError, match="a scaled twin is written only to a folder of its own"):
        write_scaled_twin(reference_config, reference_config.root / "data" / "x", patients=10)
    with pytest.raises(ConfigError, match="--format must be csv or xlsx"):
        write_scaled_twin(reference_config, tmp_path / "f", patients=10, fmt="parquet")
    with pytest.raises(ConfigError, match="--patients must be at least 1"):
        write_scaled_twin(reference_config, tmp_path / "g", patients=0)


def test_cli_writes_the_scaled_twin_and_names_what_it_needs(tmp_path):
    from typer.testing import CliRunner

    from analysis.run.cli import app

    study = "studies/dutasteride_mesotherapy.yaml"
    result = CliRunner().invoke(app, ["synth", study, "--patients", "50", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "50 patients" in result.output
    assert (tmp_path / "studies" / "dutasteride_mesotherapy.yaml").is_file()
    missing = CliRunner().invoke(app, ["synth", study, "--patients", "50"])
    assert missing.exit_code == 2 and "needs --out FOLDER" in missing.output
