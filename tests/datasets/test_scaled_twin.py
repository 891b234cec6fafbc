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


def test_a_twin_of_fewer_patients_than_one_centre_keeps_every_centre(reference_config, tmp_path):
    # the partial copy kept the first ids in sorted order: below 383 patients every one was of
    # centre A, centre B's patient file was empty and `retro clean` refused it
    from analysis.clean.stage import clean_study

    study, rows = write_scaled_twin(reference_config, tmp_path / "s", patients=300)
    assert rows["centre_b/pacientes.csv"] > 0
    result = clean_study(StudyConfig.load(study))
    centres = result.tables["patients"]["patient_id"].astype(str).str[:2].value_counts()
    assert set(centres.index) == {"HA", "HB"}


def test_refuses_an_out_folder_whose_raw_links_to_the_shipped_data(reference_config, tmp_path):
    # FOLDER itself was checked, FOLDER/raw was not: the scaled files replaced the shipped twin
    import shutil

    shipped = tmp_path / "shipped_raw"  # a copy: a regression must not write the repo's data
    shutil.copytree(reference_config.raw_dir, shipped)
    paths = reference_config.paths.model_copy(update={"raw": str(shipped)})
    config = reference_config.model_copy(update={"paths": paths})
    assert config.raw_dir.resolve() == shipped.resolve()
    out = tmp_path / "linked"
    out.mkdir()
    (out / "raw").symlink_to(shipped)
    before = _digest(shipped)
    with pytest.raises(ConfigError, match="not links elsewhere"):
        write_scaled_twin(config, out, patients=50)
    assert _digest(shipped) == before
    with pytest.raises(ConfigError, match="a scaled twin is written only to a folder of its own"):
        write_scaled_twin(reference_config, reference_config.path.parent, patients=50)


def test_a_patient_count_beyond_the_disk_is_refused_before_writing(reference_config, tmp_path):
    with pytest.raises(ConfigError, match=r"would take about .* free\. Ask for fewer patients"):
        write_scaled_twin(reference_config, tmp_path / "huge", patients=10**15)
    assert not (tmp_path / "huge").exists()


def test_rewriting_a_folder_in_another_format_leaves_no_files_of_the_last(
    reference_config, tmp_path
):
    # the xlsx of the first run stayed, out of the new manifest, and the third run refused it
    # as "not written by synth"
    out = tmp_path / "f"
    write_scaled_twin(reference_config, out, patients=600, fmt="xlsx")
    assert (out / "raw" / "centre_a" / "clinic_export.xlsx").is_file()
    write_scaled_twin(reference_config, out, patients=600, fmt="csv")
    assert not (out / "raw" / "centre_a" / "clinic_export.xlsx").exists()
    write_scaled_twin(reference_config, out, patients=700, fmt="xlsx")
    assert (out / "raw" / "centre_a" / "clinic_export.xlsx").is_file()
    assert not list((out / "raw" / "centre_a").glob("*.csv"))


def test_synth_of_a_scaled_study_file_is_refused_not_written_beside_it(tmp_path):
    # the minoxidil twin wrote exportacao_ldom.xlsx beside the CSVs the scaled study reads
    from analysis.datasets import write_twin

    ldom = StudyConfig.load("studies/low_dose_oral_minoxidil.yaml")
    study, _ = write_scaled_twin(ldom, tmp_path / "l", patients=60)
    before = _digest(tmp_path / "l" / "raw")
    with pytest.raises(ConfigError, match="reads .* which it would leave as they are"):
        write_twin(StudyConfig.load(study))
    assert _digest(tmp_path / "l" / "raw") == before


def test_a_study_file_synth_did_not_write_is_kept_and_said(reference_config, tmp_path):
    # it was overwritten without a word, while a raw file synth did not write is refused
    mine = tmp_path / "e" / "studies" / "dutasteride_mesotherapy.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("my: own\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is a study file synth did not write"):
        write_scaled_twin(reference_config, tmp_path / "e", patients=50)
    assert mine.read_text(encoding="utf-8") == "my: own\n"
    assert not (tmp_path / "e" / "raw").exists()
    # (the minoxidil twin: one patient has a record in each of its files; the dutasteride
    # twin's layout needs more, refused below)
    ldom = StudyConfig.load("studies/low_dose_oral_minoxidil.yaml")
    study, _ = write_scaled_twin(ldom, tmp_path / "one", patients=1)
    assert "scaled synthetic twin, 1 patient)" in StudyConfig.load(study).study.title
    write_scaled_twin(ldom, tmp_path / "one", patients=2)  # its own file: rewritten


def test_too_few_patients_for_the_layout_are_refused_naming_the_fewest(reference_config, tmp_path):
    """`retro synth --patients 1` wrote a twin with empty files that `retro clean` refused
    ("centre_b/pacientes.csv: has a header but no records")."""
    import re

    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig

    with pytest.raises(ConfigError) as exc:
        write_scaled_twin(reference_config, tmp_path / "one", patients=1)
    said = str(exc.value)
    assert "too few for the twin's layout: centre_b/pacientes.csv would hold no record" in said
    assert not (tmp_path / "one" / "raw").exists()  # nothing written
    fewest = int(re.search(r"Ask for (\d+) patients or more", said)[1])
    study, _ = write_scaled_twin(reference_config, tmp_path / "few", patients=fewest)
    assert len(clean_study(StudyConfig.load(study)).patients) > 0  # it cleans
