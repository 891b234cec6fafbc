"""``ParquetAhead``: the largest table's Parquet file encoded on a thread while the clean stage
checks the tables. The writer gets the bytes only for the very frame encoded (else it encodes
the table itself), the files are the bytes written without it, and a failure while encoding
ahead is raised by the writer where it always was."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.clean import both_cores, outputs, two_process
from analysis.clean.outputs import write_clean_outputs
from analysis.clean.stage import clean_study
from analysis.run.study import Study
from analysis.studyfile.config import StudyConfig
from analysis.write.parquet import RUNS_FROM, parquet_bytes, write_parquet
from analysis.write.parquet_ahead import ParquetAhead
from tests.conftest import MINI_YAML
from tests.unit.clean.test_two_process import EXCLUDE, MESSY


def _tables() -> dict[str, pd.DataFrame]:
    n = RUNS_FROM + 99
    ids = np.repeat(np.array([f"P{i:06d}" for i in range(n // 3 + 1)], dtype=object), 3)[:n]
    big = pd.DataFrame(
        {
            "patient_id": pd.array(ids, dtype=pd.StringDtype("python")),
            "dose_mg": np.arange(n, dtype=float) / 7,
            "source_file": np.array(["a.csv"] * n, dtype=object),
        }
    )
    big.attrs["table"] = "exposures"
    small = pd.DataFrame({"patient_id": ["P1", "P2"], "age": [40, 51]})
    return {"patients": small, "exposures": big}


def test_the_bytes_are_those_written_to_a_file(tmp_path) -> None:
    for df in _tables().values():
        assert parquet_bytes(df) == write_parquet(df, tmp_path / "t.parquet").read_bytes()


def test_the_largest_table_is_encoded_and_given_once_for_that_very_frame() -> None:
    tables = _tables()
    ahead = ParquetAhead()
    ahead.start(tables)
    assert ahead.take("patients", tables["patients"]) is None  # not the one encoded
    assert ahead.take("exposures", tables["exposures"].copy()) is None  # an equal frame: no
    assert ahead.take("exposures", tables["exposures"]) == parquet_bytes(tables["exposures"])
    assert ahead.take("exposures", tables["exposures"]) is None  # given once
    assert ParquetAhead().take("exposures", tables["exposures"]) is None  # never started


def test_the_thread_reads_its_own_frame_while_the_caller_reads_the_original() -> None:
    tables = _tables()
    seen: list[pd.DataFrame] = []

    def own(frame: pd.DataFrame) -> pd.DataFrame:
        mine = both_cores.own(frame)
        seen.append(mine)
        return mine

    ahead = ParquetAhead()
    ahead.start(tables, own=own)
    assert seen and seen[0] is not tables["exposures"]
    assert ahead.take("exposures", tables["exposures"]) == parquet_bytes(tables["exposures"])


def test_a_failure_ahead_is_raised_by_the_writer_as_without_it(tmp_path) -> None:
    tables = _tables()
    n = len(tables["exposures"])
    mixed = tables["exposures"].assign(source_file=np.array(["a.csv", 3] * n, dtype=object)[:n])
    tables["exposures"] = mixed
    with pytest.raises(Exception) as without:
        write_parquet(mixed, tmp_path / "x.parquet")
    ahead = ParquetAhead()
    ahead.start(tables)
    assert ahead.take("exposures", mixed) is None  # the failure is not raised there
    ahead = ParquetAhead()
    ahead.start(tables)
    with pytest.raises(type(without.value)):
        outputs._write_table(tmp_path / "exposures.parquet", mixed, ahead)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no file, no temporary left


def _cleaned(monkeypatch: pytest.MonkeyPatch, config: StudyConfig, ahead: ParquetAhead | None):
    """``clean_study`` in one process, its last steps on two threads as for a large study on
    two cores (the row threshold lowered to 0)."""
    monkeypatch.delenv(two_process.ENV, raising=False)
    monkeypatch.setattr(two_process, "MIN_BYTES", 10**12)
    monkeypatch.setattr(two_process, "cores", lambda: 2)
    monkeypatch.setattr(both_cores, "MIN_ROWS", 0)
    return clean_study(config, ahead=ahead)


def test_retro_clean_with_the_file_encoded_ahead_writes_the_same_bytes(
    mini_study, monkeypatch, tmp_path
) -> None:
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML + EXCLUDE))
    ahead = ParquetAhead()
    started: list[str] = []
    start = ahead.start

    def watched(tables, own=lambda f: f):
        started.append(max(tables, key=lambda t: len(tables[t])))
        start(tables, own)

    monkeypatch.setattr(ahead, "start", watched)
    result = _cleaned(monkeypatch, config, ahead)
    assert started  # two cores: the largest table was encoded ahead
    taken: list[str] = []
    take = ahead.take

    def counted(name: str, frame: pd.DataFrame) -> bytes | None:
        data = take(name, frame)
        if data is not None:
            taken.append(name)
        return data

    monkeypatch.setattr(ahead, "take", counted)
    with_ahead = write_clean_outputs(result, config, tmp_path / "ahead", ahead=ahead)
    without = write_clean_outputs(result, config, tmp_path / "plain")
    assert taken == started  # the writer used the bytes encoded ahead
    assert [p.name for p in with_ahead] == [p.name for p in without]
    for a, b in zip(with_ahead, without, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_one_core_or_a_small_study_encodes_nothing_ahead(mini_study, monkeypatch) -> None:
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML + EXCLUDE))
    ahead = ParquetAhead()
    monkeypatch.delenv(two_process.ENV, raising=False)
    monkeypatch.setattr(two_process, "cores", lambda: 1)
    monkeypatch.setattr(both_cores, "MIN_ROWS", 0)
    clean_study(config, ahead=ahead)
    assert ahead._thread is None  # nothing started
    monkeypatch.setattr(two_process, "cores", lambda: 2)
    monkeypatch.setattr(both_cores, "MIN_ROWS", 10**9)  # two cores, a small study
    clean_study(config, ahead=ahead)
    assert ahead._thread is None


def _taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables whose bytes a ``ParquetAhead`` gave (recorded as they are given)."""
    given: list[str] = []
    take = ParquetAhead.take

    def recorded(self: ParquetAhead, name: str, frame: pd.DataFrame) -> bytes | None:
        data = take(self, name, frame)
        if data is not None:
            given.append(name)
        return data

    monkeypatch.setattr(ParquetAhead, "take", recorded)
    return given


def test_a_study_not_cleaned_yet_is_cleaned_and_written_with_its_file_encoded_ahead(
    mini_study, monkeypatch, tmp_path
) -> None:
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML + EXCLUDE))
    plain = write_clean_outputs(_cleaned(monkeypatch, config, None), config, tmp_path / "plain")
    given = _taken(monkeypatch)
    study = Study(config)
    written = study.write_clean()  # as `retro run` writes the cleaned data
    assert given == ["exposures"] and "clean" in study.__dict__  # cleaned once, and cached
    assert [p.name for p in written] == [p.name for p in plain]
    for a, b in zip(written, plain, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_study_cleaned_before_is_written_as_its_tables_are_now(mini_study, monkeypatch) -> None:
    config = StudyConfig.load(mini_study(files=MESSY, yaml=MINI_YAML + EXCLUDE))
    _cleaned(monkeypatch, config, None)  # the same two-thread setting as above
    given = _taken(monkeypatch)
    study = Study(config)
    exposures = study.clean.tables["exposures"]
    exposures.loc[exposures.index[0], "dose_mg"] = 123.25  # a user's change in a notebook
    written = {p.name: p for p in study.write_clean()}
    assert given == []
    back = pd.read_parquet(written["exposures.parquet"])
    assert back["dose_mg"].iloc[0] == 123.25
