"""benchmarks/bench_scale.py: how the table counts what it timed.

A command that did not succeed counts in no ratio and no curve. Seen: the polars peer failed at
once (polars not installed); its 0.03 s stood in the table as the faster peer, and `retro clean`
read "912.83× the faster peer".

With --repeat, every command runs once per round, the rounds one after another; a command is
shown by its median, a ratio is the median of the ratios within each round. Seen: identical
runs of `retro clean` at 1M patients took 24.7 to 35.1 s within one hour on the 2-core machine,
for ours and the peers alike, so one round's ratio could be off by a fifth.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def bench() -> Any:
    path = REPO / "benchmarks" / "bench_scale.py"
    spec = importlib.util.spec_from_file_location("bench_scale_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cmd(seconds: float, status: str = "ok", cpu: float | None = None) -> dict[str, Any]:
    return {"seconds": seconds, "peak_mb": 2048.0, "cpu_seconds": cpu or seconds, "status": status}


def _size(**commands: dict[str, Any]) -> dict[str, Any]:
    base = {
        "floor": _cmd(1.0),
        "clean": _cmd(20.0),
        "pandas": _cmd(40.0),
        "polars": _cmd(10.0),
    }
    return {"patients": 1000, "raw_rows": 11000, **base, **commands}


def _clean_row(bench: Any, result: dict[str, Any]) -> list[str]:
    line = next(x for x in bench.markdown([result]).splitlines() if "`retro clean`" in x)
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_all_ok_gives_the_ratios(bench: Any) -> None:
    cells = _clean_row(bench, _size())
    assert cells[3:9] == ["20.0", "1.0", "20.0×", "40.0", "10.0", "2.00×"]
    assert "did not succeed" not in bench.markdown([_size()])


def test_a_failed_peer_is_no_faster_peer(bench: Any) -> None:
    failed = _size(polars=_cmd(0.03, "exit 1: ModuleNotFoundError: No module named 'polars'"))
    cells = _clean_row(bench, failed)
    assert cells[7] == "failed"  # the polars cell
    assert cells[8] == "0.50×"  # against pandas (40 s), not the failed 0.03 s
    assert cells[9].split(" / ")[3] == "failed"  # its CPU time is not shown either
    text = bench.markdown([failed])
    assert "did not succeed: 1,000 patients, polars: exit 1: ModuleNotFoundError" in text
    assert "polars peer" not in bench.curves([failed])


def test_our_failure_gives_no_ratio_and_no_memory(bench: Any) -> None:
    cells = _clean_row(bench, _size(clean=_cmd(3.0, "exit 2: error: ...")))
    assert cells[3] == "failed"
    assert cells[5] == "–" and cells[8] == "–"
    assert cells[10] == "–"


def test_a_stopped_command_says_so(bench: Any) -> None:
    stopped = {"seconds": None, "peak_mb": None, "status": "stopped after 1200 s"}
    cells = _clean_row(bench, _size(pandas=stopped))
    assert cells[6] == "stopped"
    assert cells[8] == "2.00×"  # polars is still the faster peer


def test_a_failed_run_is_no_point_of_the_curve(bench: Any) -> None:
    ok, bad = _size(run=_cmd(50.0)), _size(run=_cmd(5.0, "exit 1: boom"))
    bad["patients"] = 2000
    lines = bench.curves([ok, bad])
    assert lines["whole retro run"] == [(1000, 50.0)]
    assert [n for n, _ in lines["retro clean"]] == [1000, 2000]
    assert "whole `retro run` | failed" in bench.markdown([bad])


def test_without_polars_it_stops_before_timing(
    bench: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "polars" else real(name, *a)
    )
    monkeypatch.setattr(bench, "bench_size", lambda *a: pytest.fail("timed without polars"))
    monkeypatch.setattr(sys, "argv", ["bench_scale.py", "--sizes", "1000"])
    assert bench.main() == 2
    assert "--skip-polars" in capsys.readouterr().err


def test_failures_give_exit_status_1(bench: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    failed = _size(pandas=_cmd(1.0, "exit 1: MemoryError"))
    monkeypatch.setattr(bench, "bench_size", lambda *a: failed)
    monkeypatch.setattr(bench, "figure", lambda *a: {})
    argv = ["bench_scale.py", "--sizes", "1000", "--skip-polars", "--figure", str(Path("x.png"))]
    monkeypatch.setattr(sys, "argv", argv)
    assert bench.main() == 1
    monkeypatch.setattr(bench, "bench_size", lambda *a: _size())
    assert bench.main() == 0


def _rounds(bench: Any, *seconds: float, status: str = "ok") -> dict[str, Any]:
    """A command over rounds of these seconds (CPU: one more); the last with ``status``."""
    rounds = [_cmd(x, cpu=x + 1) for x in seconds]
    rounds[-1]["status"] = status
    return bench.combined(rounds)  # type: ignore[no-any-return]


def test_rounds_give_medians_and_the_largest_peak(bench: Any) -> None:
    rounds = [_cmd(x, cpu=2 * x) for x in (30.0, 10.0, 20.0)]
    rounds[1]["peak_mb"] = 4096.0
    for r, tables in zip(rounds, (12.0, 16.0, 14.0), strict=True):
        r["stages"] = {"clean": 1.0, "tables": tables, "figures": 3.0, "report": 4.0}
    got = bench.combined(rounds)
    assert (got["seconds"], got["cpu_seconds"], got["peak_mb"]) == (20.0, 40.0, 4096.0)
    assert got["stages"]["tables"] == 14.0 and got["rounds"] == rounds
    assert bench.combined(rounds[:1]) is rounds[0]  # one round: as before


def test_ratios_are_paired_within_each_round(bench: Any) -> None:
    # per round: 18/9, 20/8, 26/13 -> 2.0, 2.5, 2.0 (median 2.00); the medians' ratio, 20/9,
    # would say 2.22
    result = _size(
        clean=_rounds(bench, 18.0, 20.0, 26.0),
        polars=_rounds(bench, 9.0, 8.0, 13.0),
        pandas=_rounds(bench, 40.0, 41.0, 42.0),
        floor=_rounds(bench, 1.0, 2.0, 2.0),
    )
    cells = _clean_row(bench, result)
    assert cells[3] == "20.0 (18.0–26.0)"
    assert cells[5] == "13.0× (10.0–18.0)"  # 18/1, 20/2, 26/2
    assert cells[8] == "2.00× (2.00–2.50)"
    assert cells[9].split(" / ")[0] == "21.0"  # CPU seconds: the median


def test_a_failed_round_fails_the_command(bench: Any) -> None:
    result = _size(polars=_rounds(bench, 9.0, 8.0, 0.03, status="exit 1: MemoryError"))
    cells = _clean_row(bench, result)
    assert cells[7] == "failed"
    assert cells[8] == "0.50×"  # against pandas (40 s), not polars' good rounds
    assert "polars: exit 1: MemoryError" in bench.markdown([result])
    assert "polars peer" not in bench.curves([result])


def test_rounds_alternate_the_commands(
    bench: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    study = tmp_path / "studies" / "study.yaml"
    study.parent.mkdir()
    monkeypatch.setattr(bench, "scaled_twin", lambda *a: (study, None))
    monkeypatch.setattr(bench, "peer_spec", lambda *a: {"sources": []})
    ran: list[str] = []

    def measure(cmd: list[str], budget: float) -> dict[str, Any]:
        name = "clean" if cmd[1] == "clean" else cmd[2]
        ran.append(name)
        return {**_cmd(float(len(ran))), "stdout": ""}

    monkeypatch.setattr(bench, "measure", measure)
    compared: list[list[str]] = []
    monkeypatch.setattr(bench, "peer_differences", lambda s, o, peers: compared.append(peers) or {})
    args = bench.argparse.Namespace(
        data=tmp_path, repeat=2, skip_polars=False, skip_run=True, run_max=0, budget=9.0
    )
    got = bench.bench_size(1000, args)
    assert ran == ["floor", "clean", "pandas", "polars"] * 2
    assert [r["seconds"] for r in got["clean"]["rounds"]] == [2.0, 6.0]
    assert got["clean"]["seconds"] == 4.0
    assert compared == [["pandas", "polars"]]  # the outputs of the last round, checked once


def test_no_rounds_is_refused(
    bench: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench, "bench_size", lambda *a: pytest.fail("timed with no rounds"))
    monkeypatch.setattr(sys, "argv", ["bench_scale.py", "--repeat", "0", "--skip-polars"])
    assert bench.main() == 2
    assert "--repeat 0" in capsys.readouterr().err


def test_a_peer_whose_output_differs_is_named_and_fails_the_run(bench: Any) -> None:
    equal = _size(differences={"pandas": [], "polars": []})
    assert bench.disagreements([equal]) == []
    assert "the peers' outputs equal ours at 1,000 patients" in bench.markdown([equal])
    differ = _size(differences={"pandas": [], "polars": ["patients: ours 9 rows, the peer 10"]})
    assert bench.disagreements([differ]) == [
        "1,000 patients, polars peer: patients: ours 9 rows, the peer 10"
    ]
    text = bench.markdown([differ])
    assert (
        "- output differs from ours (counted in no ratio): 1,000 patients, polars peer: "
        "patients: ours 9" in text
    )
    assert "outputs equal ours" not in text
    # polars (10 s) cleans otherwise: the ratio is against pandas (40 s), and its line is gone
    assert _clean_row(bench, differ)[8] == "0.50×"
    assert _clean_row(bench, equal)[8] == "2.00×"
    assert "polars peer" not in bench.curves([differ])
    assert "polars peer" in bench.curves([equal])


def test_a_note_is_one_line_of_the_readme(bench: Any) -> None:
    """GNU time's "Command exited with non-zero status" line was cut in its middle, and the
    rest of the note broke the markdown list."""
    failed = _size(pandas=_cmd(3.0, "exit 1: Traceback\nCommand exited with non-zero status 1"))
    notes = [x for x in bench.markdown([failed]).splitlines() if x.startswith("- ")]
    assert notes == [
        "- did not succeed: 1,000 patients, pandas: exit 1: Traceback Command exited with "
        "non-zero status 1"
    ]
