"""benchmarks/scale_peers.py and scale_check.py: the peers clean the scaled twin as we do.

A timing compares like with like only when the outputs agree. Seen (2026-12-06): the peers kept
57,533 patients of the 62,400-patient twin where `retro clean` kept 57,321 (no conflicting
duplicates detected), 4,660 adverse-event terms unmapped (labels only lower-cased: accents and
doubled spaces left), out-of-range ages kept, exposures with an impossible date kept, and
concomitant treatments stopped before they started kept. Now the benchmark compares the outputs
(`scale_check.differences`) and fails when they differ.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.datasets import write_scaled_twin
from tests.conftest import REPO


def _module(name: str) -> Any:
    path = REPO / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # bench_scale imports scale_check beside it
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


@pytest.fixture(scope="module")
def twin(reference_config, tmp_path_factory) -> dict[str, Path]:
    """Two copies of the reference twin, cleaned by `retro clean` and by the pandas peer."""
    root = tmp_path_factory.mktemp("scale_peers")
    study, _ = write_scaled_twin(reference_config, root / "twin", patients=1178)
    _cleaned(study)
    spec = root / "peer_spec.json"
    spec.write_text(json.dumps(_module("bench_scale").peer_spec(study)), encoding="utf-8")
    peers = _module("scale_peers")
    peers.pandas_clean(json.loads(spec.read_text(encoding="utf-8")), root / "pandas")
    return {
        "ours": root / "twin" / "processed",
        "pandas": root / "pandas",
        "spec": spec,
        "study": study,
    }


def _cleaned(study: Path) -> None:
    retro = Path(sys.executable).parent / "retro"
    done = subprocess.run([str(retro), "clean", str(study)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_pandas_peer_keeps_exactly_our_cohort(twin: dict[str, Path]) -> None:
    check = _module("scale_check")
    assert check.differences(twin["ours"], twin["pandas"]) == []
    patients = pd.read_parquet(twin["pandas"] / "patients.parquet")
    assert len(patients) == 2 * 541  # two whole copies of the reference cohort
    compared = check.compared_columns(twin["ours"], twin["pandas"])
    assert {"sex", "age_years", "n_exposures", "followup_months", "has_teae"} <= set(
        compared["patients"]
    )
    assert {"ae_term", "severity", "is_serious", "is_teae"} <= set(compared["adverse_events"])


def test_the_benchmark_finds_the_study_outputs_and_compares(twin: dict[str, Path]) -> None:
    bench = _module("bench_scale")
    assert bench.peer_differences(twin["study"], twin["pandas"].parent, ["pandas"]) == {
        "pandas": []
    }


def test_the_polars_peer_keeps_exactly_our_cohort(twin: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("polars", reason="the polars peer needs the bench extra")
    peers = _module("scale_peers")
    peers.polars_clean(json.loads(twin["spec"].read_text(encoding="utf-8")), tmp_path)
    assert _module("scale_check").differences(twin["ours"], tmp_path) == []


def test_a_changed_value_or_a_missing_row_is_found(twin: dict[str, Path], tmp_path: Path) -> None:
    check = _module("scale_check")
    for p in twin["pandas"].glob("*.parquet"):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    patients = pd.read_parquet(tmp_path / "patients.parquet")
    patients.loc[patients.index[0], "age_years"] = 101.0
    patients.iloc[::-1].to_parquet(tmp_path / "patients.parquet")  # order is not compared
    aes = pd.read_parquet(tmp_path / "adverse_events.parquet")
    aes.iloc[1:].to_parquet(tmp_path / "adverse_events.parquet")
    found = check.differences(twin["ours"], tmp_path)
    assert len(found) == 2
    assert found[0].startswith("adverse_events: ours ") and "the peer" in found[0]
    assert found[1].startswith("patients: 1 of 1,082 rows differ once both are sorted (the values ")
    assert "['age_years'] differ" in found[1]


def _copy(twin: dict[str, Path], into: Path) -> Path:
    into.mkdir(exist_ok=True)
    for p in twin["pandas"].glob("*.parquet"):
        (into / p.name).write_bytes(p.read_bytes())
    return into


def test_values_in_the_wrong_rows_are_found(twin: dict[str, Path], tmp_path: Path) -> None:
    """Each column holds the same values, in other rows (the classic mistake of assigning a
    per-patient result to a frame in another order): the check compared each column's values
    apart and passed it."""
    check = _module("scale_check")
    peer = _copy(twin, tmp_path / "peer")
    patients = pd.read_parquet(peer / "patients.parquet")
    patients["day0_date"] = patients["day0_date"].sample(frac=1, random_state=1).to_numpy()
    patients.to_parquet(peer / "patients.parquet")
    aes = pd.read_parquet(peer / "adverse_events.parquet")
    aes["is_teae"] = aes["is_teae"].to_numpy()[::-1]
    aes.to_parquet(peer / "adverse_events.parquet")
    found = check.differences(twin["ours"], peer)
    assert [f.split(":")[0] for f in found] == ["adverse_events", "patients"]
    assert all("every column holds the same values, in other rows" in f for f in found)


def test_a_table_or_column_the_peer_did_not_write_is_a_difference(
    twin: dict[str, Path], tmp_path: Path
) -> None:
    check = _module("scale_check")
    peer = _copy(twin, tmp_path / "peer")
    (peer / "assessments.parquet").unlink()
    patients = pd.read_parquet(peer / "patients.parquet")
    patients.drop(columns=["has_teae", "day0_date"]).to_parquet(peer / "patients.parquet")
    exposures = pd.read_parquet(peer / "exposures.parquet")
    exposures.rename(columns=lambda c: c.upper()).to_parquet(peer / "exposures.parquet")
    assert check.differences(twin["ours"], peer) == [
        "assessments: not written by the peer",
        "exposures: the peer lacks ['patient_id', 'start_date', 'dose_mg', "
        "'concentration_pct', 'volume_ml']",
        "patients: the peer lacks ['day0_date', 'has_teae']",
    ]
    assert check.differences(twin["ours"], tmp_path / "nothing") == [
        f"{table}: not written by the peer" for table in check.EXPECTED
    ]


def test_dates_and_flags_compare_by_value_whatever_their_type() -> None:
    check = _module("scale_check")
    days = pd.Series(pd.to_datetime(["2020-01-02", None, "2021-03-04"]))
    same = check.comparable(days)
    assert same.equals(check.comparable(days.dt.date.astype(object)))
    assert same.isna().tolist() == [False, True, False]
    flags = pd.Series([True, None, False], dtype="boolean")
    assert check.comparable(flags).equals(check.comparable(pd.Series([True, None, False])))
    levels = pd.Series(pd.Categorical(["mild", "severe", None]))
    assert check.comparable(levels).equals(check.comparable(pd.Series(["mild", "severe", None])))


def test_a_check_that_excludes_records_is_applied_as_ours(
    twin: dict[str, Path], tmp_path: Path
) -> None:
    """The study's first range check (age 16-100) set to exclude its records, not clear them."""
    text = twin["study"].read_text(encoding="utf-8")
    first = text.index("  action: set_missing")
    assert "column: age_years" in text[first - 80 : first]
    study = twin["study"].with_name("exclude.yaml")
    study.write_text(
        text.replace("  action: set_missing", "  action: exclude", 1).replace(
            "processed: processed", "processed: processed_exclude"
        ),
        encoding="utf-8",
    )
    _cleaned(study)
    ours = twin["study"].parent.parent / "processed_exclude"
    spec, peers = _module("bench_scale").peer_spec(study), _module("scale_peers")
    peers.pandas_clean(spec, tmp_path / "pandas")
    assert _module("scale_check").differences(ours, tmp_path / "pandas") == []
    assert len(pd.read_parquet(tmp_path / "pandas" / "patients.parquet")) < 2 * 541  # excluded
    if importlib.util.find_spec("polars") is not None:  # the bench extra
        peers.polars_clean(spec, tmp_path / "polars")
        assert _module("scale_check").differences(ours, tmp_path / "polars") == []


def test_the_peers_treatment_emergent_window_is_ours(twin: dict[str, Path], tmp_path: Path) -> None:
    """The twin has no adverse event more than 3 days after a patient's last session, so the
    comparison said nothing of the peers' 90-day window (a peer with a 4-day one passed).
    Four events moved to 30, 90, 91 and 120 days after their patient's last session (patients
    seen long after it): ours flags the first two treatment-emergent, and both peers agree."""
    import csv
    import shutil

    folder = tmp_path / "twin"
    shutil.copytree(twin["study"].parent.parent / "raw", folder / "raw")
    shutil.copytree(twin["study"].parent, folder / "studies")
    study = folder / "studies" / twin["study"].name
    ours = twin["ours"]
    patients = pd.read_parquet(ours / "patients.parquet").set_index("patient_id")
    last = pd.read_parquet(ours / "exposures.parquet").groupby("patient_id")["start_date"].max()
    seen_after = (patients["last_visit_date"] - last).dt.days
    events = pd.read_parquet(ours / "adverse_events.parquet")
    events = events.loc[
        events["source_file"].eq("centre_a/Adverse events.csv")
        & events["patient_id"].map(seen_after).gt(130)
    ].drop_duplicates("patient_id")
    moved = events.head(4).assign(days=[30, 90, 91, 120])
    assert len(moved) == 4
    path = folder / "raw" / "centre_a" / "Adverse events.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    for r in moved.itertuples():
        row = rows[r.source_row - 1]
        assert row[0] == r.patient_id
        row[1] = (last[r.patient_id] + pd.Timedelta(days=r.days)).strftime("%Y-%m-%d")
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    _cleaned(study)
    mine = study.parent.parent / "processed"
    flags = pd.read_parquet(mine / "adverse_events.parquet").set_index("source_row")
    flags = flags.loc[flags["source_file"] == "centre_a/Adverse events.csv", "is_teae"]
    assert flags[moved["source_row"]].tolist() == [True, True, False, False]
    spec, peers = _module("bench_scale").peer_spec(study), _module("scale_peers")
    peers.pandas_clean(spec, tmp_path / "pandas")
    assert _module("scale_check").differences(mine, tmp_path / "pandas") == []
    if importlib.util.find_spec("polars") is not None:  # the bench extra
        peers.polars_clean(spec, tmp_path / "polars")
        assert _module("scale_check").differences(mine, tmp_path / "polars") == []
