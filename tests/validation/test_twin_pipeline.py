"""The twin's rows are all accounted for, raw files are untouched, and runs are reproducible."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.outputs import write_clean_outputs
from analysis.clean.read import sha256_file
from analysis.clean.stage import clean_study
from analysis.datasets.dutasteride_mesotherapy import build_twin, write_twin


def test_every_raw_row_is_kept_or_logged(reference_clean):
    acc = reference_clean.accounting()
    assert len(acc) == 10  # 5 sheets of centre A + 5 CSV files of centre B
    assert acc["balanced"].all(), acc[~acc["balanced"]]
    assert acc["rows_read"].sum() == acc["kept"].sum() + acc["logged"].sum()


def test_exclusion_log_reasons(reference_clean):
    steps = reference_clean.exclusions.groupby(["table", "step"]).size().to_dict()
    assert steps[("patients", "conflict")] == 4
    assert steps[("patients", "duplicate")] == 8
    assert steps[("patients", "inclusion:treated")] == 6
    assert steps[("patients", "inclusion:followup")] == 40
    assert steps[("exposures", "duplicate")] == 25
    assert steps[("exposures", "orphan")] == 3
    assert steps[("exposures", "parse")] == 1
    assert steps[("adverse_events", "duplicate")] == 10
    assert steps[("adverse_events", "orphan")] == 2
    assert steps[("concomitant", "check")] == 2


def test_pipeline_matches_the_twin_truth(reference_config, reference_clean):
    truth = build_twin(reference_config).truth["patients"].set_index("patient_id").sort_index()
    got = reference_clean.patients.set_index("patient_id").sort_index()
    assert list(got.index) == list(truth.index)
    for col in (
        "sex",
        "therapy_group",
        "response_12m",
        "is_response_assessable",
        "schedule_months_year1",
        "n_exposures",
        "is_discontinued",
    ):
        left = got[col].astype(str).where(got[col].notna(), "<NA>")
        right = truth[col].astype(str).where(truth[col].notna(), "<NA>")
        diff = left.to_numpy() != right.to_numpy()
        assert not diff.any(), (col, left[diff].head())
    assert got["age_years"].to_numpy(float).tolist() == pytest.approx(
        truth["age_years"].to_numpy(float).tolist(), nan_ok=True
    )


def test_synth_is_byte_identical(reference_config, tmp_path):
    a = write_twin(reference_config, tmp_path / "a")
    b = write_twin(reference_config, tmp_path / "b")
    committed = reference_config.raw_dir
    for pa_, pb in zip(a, b, strict=True):
        rel = pa_.relative_to(tmp_path / "a")
        assert sha256_file(pa_) == sha256_file(pb), rel
        assert sha256_file(pa_) == sha256_file(committed / rel), f"committed {rel} is stale"


def test_clean_twice_gives_identical_parquet_content(reference_config, reference_clean, tmp_path):
    first = write_clean_outputs(reference_clean, reference_config, tmp_path / "1")
    second = write_clean_outputs(clean_study(reference_config), reference_config, tmp_path / "2")
    for p1, p2 in zip(first, second, strict=True):
        if p1.suffix == ".parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(p1), pd.read_parquet(p2))
        assert sha256_file(p1) == sha256_file(p2), p1.name


def test_raw_files_unchanged_by_a_run(reference_config, tmp_path):
    raw = sorted(p for p in reference_config.raw_dir.rglob("*") if p.is_file())
    before = {p: sha256_file(p) for p in raw}
    write_clean_outputs(clean_study(reference_config), reference_config, tmp_path)
    assert {p: sha256_file(p) for p in raw} == before
