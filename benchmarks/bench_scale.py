"""Registry scale on one machine: the whole pipeline on scaled synthetic twins.

    python benchmarks/bench_scale.py [--sizes 62400,250000,1000000] [--skip-run] [--budget 1200]
                                     [--repeat 3]

For each size (patients), in the same run and from cold processes:
- the scaled twin of the reference study (`retro synth --patients N --out ...`, cached under
  benchmarks/.data/scale/, ~11 raw rows a patient, CSV);
- the floor: a process that only imports pandas, pyarrow and duckdb and reads the same CSV files
  as text (`scale_peers.py floor`);
- ours: `retro clean` (every row logged or kept, outputs written);
- the peers: the same cleaning as a user would write it in plain pandas and in polars
  (`scale_peers.py`; what they leave out is listed there);
- ours: `retro run` (clean, tables, figures, report), the time of each stage from its own
  report (`time: clean ... s, tables ... s`); skipped with --skip-run or above --run-max
  patients, stopped after --budget s.
Each command runs under /usr/bin/time -v; its peak resident memory is the larger of GNU time's
(one process) and the sum over its process tree sampled every 0.2 s. Writes the table
(markdown, printed), all numbers as JSON (--json) and the scaling figure (time against patients
per stage, log-log, with the fitted slope of each line: 1 = linear) to --figure.

--repeat N runs that sequence N times at each size, one round after another (floor, ours,
peers, run; then again), so that the machine's drift reaches every command alike. Each command
is then shown by its median over the rounds (CPU seconds too; memory: the largest peak), with
the range of ours; a ratio is the median of the ratios within each round (commands of one round
ran minutes apart), with their range.

A command that fails, or runs past --budget, in any round is shown as "failed" or "stopped": its
time counts in no ratio and no line of the figure, the lines under the table say why, and the
exit status is 1. Without polars (the bench extra: `make bench` installs it) it stops before
timing anything (exit status 2), unless --skip-polars.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STUDY = ROOT / "studies" / "dutasteride_mesotherapy.yaml"
PEERS = Path(__file__).resolve().parent / "scale_peers.py"
TIME = Path("/usr/bin/time")
STAGES = ("clean", "tables", "figures", "report")


def _tree_rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` and all its descendants, summed (MB; Linux /proc).
    GNU time's peak is the largest single process; a clean that runs a worker process beside
    the main one needs the sum."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        rss[child] = int(fields[21])  # resident pages
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        kids = [c for c, p in parents.items() if p == parent and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _sample_peak(proc: subprocess.Popen[str], peak: list[float]) -> None:
    """Keep ``peak[0]`` at the largest summed resident memory of ``proc``'s tree, every 0.2 s."""
    while proc.poll() is None:
        peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
        time.sleep(0.2)


def measure(cmd: list[str], budget: float) -> dict[str, Any]:
    """Run ``cmd`` (under /usr/bin/time -v when present): seconds, CPU seconds, peak MB (the
    larger of GNU time's single-process peak and the sampled sum over the process tree), status
    and output."""
    wrapped = [str(TIME), "-v", *cmd] if TIME.exists() else cmd
    env = {**os.environ, "COLUMNS": "400", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        wrapped, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    tree_peak = [0.0]
    sampler = threading.Thread(target=_sample_peak, args=(proc, tree_peak), daemon=True)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"seconds": None, "peak_mb": None, "status": f"stopped after {budget:.0f} s"}
    seconds = time.perf_counter() - start
    sampler.join()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", stderr)
    said = stderr.split("\tCommand being timed:")[0].strip()
    status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {said[-300:]}"
    single = int(peak.group(1)) / 1024 if peak else 0.0
    return {
        "seconds": seconds,
        "peak_mb": max(single, tree_peak[0]) or None,
        "cpu_seconds": sum(float(c) for c in cpu) if cpu else None,
        "status": status,
        "stdout": stdout,
    }


def scaled_twin(patients: int, data: Path) -> tuple[Path, float | None]:
    """The study file of the scaled twin (written unless already there) and the seconds taken."""
    folder = data / f"p{patients}"
    study = folder / "studies" / STUDY.name
    if study.exists() and (folder / "raw" / ".synthetic-manifest.json").exists():
        return study, None
    cmd = [str(BIN / "retro"), "synth", str(STUDY), "--patients", str(patients)]
    run = measure([*cmd, "--out", str(folder)], 3600)
    if run["status"] != "ok":
        raise SystemExit(f"synth failed: {run['status']}")
    return study, run["seconds"]


def peer_spec(study: Path) -> dict[str, Any]:
    """What the peers need of the scaled study: files, headers, kinds, label dictionaries."""
    sys.path.insert(0, str(ROOT))
    from analysis.clean.vocabularies import vocabulary_lookup
    from analysis.studyfile.config import StudyConfig

    cfg = StudyConfig.load(study)
    sources = []
    checks = [c.model_dump() for c in cfg.checks]
    for table in dict.fromkeys(s.table for s in cfg.sources):
        checks += [
            {"table": table, "column": name, "min": c.min, "max": c.max, "action": "set_missing"}
            for name, c in cfg.columns_for(table).items()
            if c.min is not None or c.max is not None
        ]
    for s in cfg.sources:
        kinds, labels = {}, {}
        spec = cfg.columns_for(s.table)
        for column in s.columns:
            kind = spec[column].kind if column in spec else "text"
            found = cfg.vocabulary_for(column) if kind in ("category", "bool") else None
            if found is not None:
                lookup = vocabulary_lookup(cfg, found[0], s.name)
                labels[column] = dict(lookup)  # keys folded as `normalize_label` folds
                kinds[column] = "flag" if kind == "bool" else "label"  # flag: yes -> True
            else:
                kinds[column] = {"date": "date", "number": "number"}.get(kind, "text")
        sources.append(
            {
                "name": s.name,
                "table": s.table,
                "path": str(cfg.resolve(str(Path(cfg.paths.raw) / s.file))),
                "delimiter": s.delimiter or ",",
                "encoding": s.encoding or "utf-8",
                "constants": dict(s.constants),
                "columns": {header: column for column, header in s.columns.items()},
                "kinds": kinds,
                "labels": labels,
                "required": [c for c in s.columns if c in spec and spec[c].required],
            }
        )
    return {"sources": sources, "checks": checks}


def stage_times(stdout: str) -> dict[str, float]:
    """The stage seconds of `retro run`'s `time:` line."""
    text = " ".join(stdout.split())
    line = text[text.rfind("time: ") :]
    return {k: float(v) for k, v in re.findall(r"(clean|tables|figures|report) ([\d.]+) s", line)}


def _data_lines(path: Path) -> int:
    """Lines of a CSV file after its header (the twin writes no line break inside a cell)."""
    with open(path, "rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b"")) - 1


def bench_size(patients: int, args: argparse.Namespace) -> dict[str, Any]:
    study, synth_s = scaled_twin(patients, args.data)
    spec_path = study.parent.parent / "peer_spec.json"
    spec_path.write_text(json.dumps(peer_spec(study)), encoding="utf-8")
    sources = json.loads(spec_path.read_text())["sources"]
    raw_rows = sum(_data_lines(Path(s["path"])) for s in sources)
    out = study.parent.parent / "peer_out"
    py = sys.executable
    res: dict[str, Any] = {"patients": patients, "raw_rows": raw_rows, "synth_seconds": synth_s}
    print(f"== {patients:,} patients, {raw_rows:,} raw rows", flush=True)
    runs = [
        ("floor", [py, str(PEERS), "floor", str(spec_path), str(out)]),
        ("clean", [str(BIN / "retro"), "clean", str(study)]),
        ("pandas", [py, str(PEERS), "pandas", str(spec_path), str(out / "pandas")]),
    ]
    if not args.skip_polars:
        runs.append(("polars", [py, str(PEERS), "polars", str(spec_path), str(out / "polars")]))
    if not args.skip_run and patients <= args.run_max:
        runs.append(("run", [str(BIN / "retro"), "run", str(study)]))
    for name in ("pandas", "polars"):  # a table left by an earlier run is never compared
        shutil.rmtree(out / name, ignore_errors=True)
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in runs}
    for round_ in range(args.repeat):
        if args.repeat > 1:
            print(f"  round {round_ + 1} of {args.repeat}", flush=True)
        for name, cmd in runs:
            r = measure(cmd, args.budget)
            if name == "run" and r["status"] == "ok":
                r["stages"] = stage_times(r["stdout"])
            r.pop("stdout", None)
            rounds[name].append(r)
            shown = "-" if r["seconds"] is None else f"{r['seconds']:.1f} s"
            peak = "-" if r["peak_mb"] is None else f"{r['peak_mb']:.0f} MB"
            cpu = "-" if r.get("cpu_seconds") is None else f"{r['cpu_seconds']:.1f} s"
            print(
                f"  {name:<7} {shown:>9}  cpu {cpu:>9}  peak {peak:>9}  {r['status'][:200]}",
                flush=True,
            )
    res.update({name: combined(done) for name, done in rounds.items()})
    last_ok = [name for name, done in rounds.items() if done[-1]["status"] == "ok"]
    compared = [str(n) for n in ("pandas", "polars") if n in last_ok and "clean" in last_ok]
    res["differences"] = peer_differences(study, out, compared)
    for name, found in res["differences"].items():
        said = "; ".join(found)[:300] if found else "every shared column equal to ours"
        print(f"  {name} peer's output: {said}", flush=True)
    return res


def peer_differences(study: Path, out: Path, peers: list[str]) -> dict[str, list[str]]:
    """Per peer that succeeded in the last round with ours: where its tables differ from ours
    (`scale_check.differences`: every table and column a peer writes, row by row); [] when
    equal."""
    for folder in (str(ROOT), str(Path(__file__).resolve().parent)):  # the package; this folder
        if folder not in sys.path:
            sys.path.insert(0, folder)
    from scale_check import differences

    from analysis.studyfile.config import StudyConfig

    cfg = StudyConfig.load(study)
    processed = cfg.resolve(cfg.paths.processed)
    return {name: differences(processed, out / name) for name in peers}


def combined(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One command over its rounds: the round itself when there is one; else the first round
    that did not succeed (with all the rounds), or the median seconds, CPU seconds and stage
    seconds, the largest peak memory and every round under ``rounds``."""
    if len(rounds) == 1:
        return rounds[0]
    failed = [r for r in rounds if r.get("status") != "ok"]
    if failed:
        return {**failed[0], "rounds": rounds}
    out: dict[str, Any] = {
        "seconds": statistics.median(r["seconds"] for r in rounds),
        "peak_mb": max((r["peak_mb"] for r in rounds if r.get("peak_mb")), default=None),
        "cpu_seconds": _median_known(r.get("cpu_seconds") for r in rounds),
        "status": "ok",
        "rounds": rounds,
    }
    if any("stages" in r for r in rounds):
        out["stages"] = {
            stage: statistics.median(r["stages"][stage] for r in rounds)
            for stage in STAGES
            if all(stage in r.get("stages", {}) for r in rounds)
        }
    return out


def _median_known(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def seconds_ok(r: dict[str, Any] | None) -> float | None:
    """The seconds of a command that succeeded; None when it failed, was stopped or did not run
    (the time of a failed command measures nothing: a ratio to it would be meaningless)."""
    if not r or r.get("status") != "ok":
        return None
    return r.get("seconds")


def failures(results: list[dict[str, Any]]) -> list[str]:
    """One line per command that did not succeed (size, command, why), in the order run."""
    return [
        f"{r['patients']:,} patients, {name}: {cmd['status']}"
        for r in results
        for name, cmd in r.items()
        if isinstance(cmd, dict) and "status" in cmd and cmd["status"] != "ok"
    ]


def disagreements(results: list[dict[str, Any]]) -> list[str]:
    """One line per peer whose output differs from ours (size, peer, what differs)."""
    return [
        f"{r['patients']:,} patients, {name} peer: {'; '.join(found)}"
        for r in results
        for name, found in r.get("differences", {}).items()
        if found
    ]


def markdown(results: list[dict[str, Any]]) -> str:
    """One row per size and stage: ours, floor, peers, ratios, peak memory. A command that did
    not succeed shows "failed" (or "stopped", past --budget) and counts in no ratio; the lines
    under the table say why."""
    head = (
        "| patients | raw rows | stage | ours (s) | floor (s) | ours / floor | pandas peer (s) "
        "| polars peer (s) | ours / faster peer | CPU s: ours / floor / pandas / polars "
        "| peak memory, ours (GiB) |\n"
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|\n"
    )
    rows = []

    def s(x: float | None) -> str:
        return "–" if x is None else f"{x:.1f}"

    def t(cmd: dict[str, Any] | None) -> str:
        """A command's seconds: – when not run, "failed" or "stopped" when it did not succeed;
        over several rounds the median and the range."""
        if not cmd:
            return "–"
        if seconds_ok(cmd) is None:
            return "stopped" if str(cmd.get("status", "")).startswith("stopped") else "failed"
        each = [x["seconds"] for x in cmd.get("rounds", [])]
        spread = f" ({min(each):.1f}–{max(each):.1f})" if len(each) > 1 else ""
        return s(seconds_ok(cmd)) + spread

    def cpu(cmd: dict[str, Any] | None) -> str:
        return s(cmd.get("cpu_seconds")) if cmd and seconds_ok(cmd) is not None else t(cmd)

    for r in results:
        clean = seconds_ok(r["clean"])
        ratio = _ratio_cell(ratios(r, "clean", ["floor"]), 1)
        vs = _ratio_cell(ratios(r, "clean", agreeing(r)), 2)
        mem = r["clean"]["peak_mb"] if clean else None
        cpus = " / ".join(cpu(r.get(k)) for k in ("clean", "floor", "pandas", "polars"))
        rows.append(
            f"| {r['patients']:,} | {r['raw_rows']:,} | `retro clean` | {t(r['clean'])} "
            f"| {t(r['floor'])} | {ratio} | {t(r['pandas'])} | {t(r.get('polars'))} | {vs} "
            f"| {cpus} | {'–' if mem is None else f'{mem / 1024:.2f}'} |"
        )
        run = r.get("run")
        if run:
            stages = run.get("stages", {})
            for stage in ("tables", "figures", "report"):
                rows.append(
                    f"| {r['patients']:,} | | {stage} (in `retro run`) | {s(stages.get(stage))} "
                    "| | | | | | | |"
                )
            mem = run["peak_mb"] if seconds_ok(run) else None
            rows.append(
                f"| {r['patients']:,} | | whole `retro run` | {t(run)} | | | | | "
                f"| {cpu(run)} | {'–' if mem is None else f'{mem / 1024:.2f}'} |"
            )
    failed, differ = failures(results), disagreements(results)
    notes = "".join(f"\n- did not succeed: {_one_line(line)}" for line in failed)
    notes += "".join(
        f"\n- output differs from ours (counted in no ratio): {_one_line(line)}" for line in differ
    )
    checked = [r for r in results if r.get("differences")]
    if checked and not differ:
        sizes = ", ".join(f"{r['patients']:,}" for r in checked)
        notes += (
            f"\n- the peers' outputs equal ours at {sizes} patients: every row of every table "
            "they write, over every column they write (`scale_check.py`)"
        )
    return head + "\n".join(rows) + "\n" + (notes[1:] + "\n" if notes else "")


def agreeing(result: dict[str, Any]) -> list[str]:
    """The peers whose output equals ours at this size (not compared: taken as equal): a
    peer that cleans otherwise does other work, and its time is no measure for ours."""
    found = result.get("differences", {})
    return [p for p in ("pandas", "polars") if not found.get(p)]


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (a list item of the README), cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def ratios(result: dict[str, Any], ours: str, against: list[str]) -> list[float]:
    """``ours``' seconds over the fastest of ``against`` that succeeded: one ratio per round when
    every command involved ran the same rounds (the commands of a round ran minutes apart),
    else the one ratio of their seconds; none when ours or all of ``against`` did not succeed."""
    mine = result.get(ours)
    others = [result[p] for p in against if seconds_ok(result.get(p)) is not None]
    if seconds_ok(mine) is None or not others:
        return []
    assert mine is not None
    each = [c.get("rounds", [c]) for c in (mine, *others)]
    if len({len(rounds) for rounds in each}) != 1:
        each = [[c] for c in (mine, *others)]
    return [
        own["seconds"] / min(peer[i]["seconds"] for peer in each[1:])
        for i, own in enumerate(each[0])
    ]


def _ratio_cell(values: list[float], digits: int) -> str:
    """A ratio cell: –, the ratio, or the median ratio over the rounds and their range."""
    if not values:
        return "–"
    mid = f"{statistics.median(values):.{digits}f}×"
    if len(values) == 1:
        return mid
    return f"{mid} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def curves(results: list[dict[str, Any]]) -> dict[str, list[tuple[int, float]]]:
    """Seconds against patients for each line of the figure."""
    lines: dict[str, list[tuple[int, float]]] = {}

    def add(name: str, value: float | None, n: int) -> None:
        if value:
            lines.setdefault(name, []).append((n, value))

    for r in results:
        n = r["patients"]
        add("retro clean", seconds_ok(r["clean"]), n)
        add("floor (import + read CSV)", seconds_ok(r["floor"]), n)
        agree = agreeing(r)
        add("pandas peer", seconds_ok(r["pandas"]) if "pandas" in agree else None, n)
        add("polars peer", seconds_ok(r.get("polars")) if "polars" in agree else None, n)
        run = r.get("run") or {}
        for stage in ("tables", "figures", "report"):
            add(f"{stage} (in retro run)", run.get("stages", {}).get(stage), n)
        add("whole retro run", seconds_ok(run), n)
    return lines


def slope(points: list[tuple[int, float]]) -> float | None:
    """The least-squares slope of log(seconds) on log(patients) (1 = linear)."""
    import numpy as np

    if len(points) < 2:
        return None
    x, y = np.log([p for p, _ in points]), np.log([t for _, t in points])
    return round(float(np.polyfit(x, y, 1)[0]), 2) + 0.0  # + 0.0: no "-0.00"


def figure(results: list[dict[str, Any]], path: Path, note: str) -> dict[str, float | None]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = curves(results)
    slopes = {name: slope(points) for name, points in lines.items()}
    fig, ax = plt.subplots(figsize=(10, 5))
    for name, points in lines.items():
        b = slopes[name]
        label = f"{name} (slope {b:.2f})" if b is not None else name
        style = "--" if "peer" in name or "floor" in name else "-"
        ax.plot([p for p, _ in points], [t for _, t in points], style, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("patients (scaled synthetic twin, ~11 raw rows each)")
    ax.set_ylabel("seconds (wall clock)")
    ax.set_title("Time against registry size, each stage (log-log)")
    ax.grid(True, which="both", alpha=0.3)
    # beside the axes: inside, it hid the points of whichever line ran under it
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    fig.text(0.01, 0.01, note, fontsize=6, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return slopes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="62400,250000,1000000")
    ap.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data" / "scale")
    ap.add_argument("--budget", type=float, default=1200, help="seconds per command")
    ap.add_argument("--skip-run", action="store_true", help="time `retro clean` and peers only")
    ap.add_argument("--skip-polars", action="store_true")
    ap.add_argument(
        "--run-max", type=int, default=10**9, help="time `retro run` only up to this many patients"
    )
    ap.add_argument(
        "--repeat", type=int, default=1, help="rounds of every command at each size (medians)"
    )
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--figure", type=Path, default=ROOT / "benchmarks" / "scale_curve.png")
    ap.add_argument("--replot", type=Path, default=None, help="draw --figure from a --json file")
    args = ap.parse_args()
    if args.repeat < 1:
        print(f"bench_scale: --repeat {args.repeat}: give 1 or more rounds.", file=sys.stderr)
        return 2
    if args.replot:
        saved = json.loads(args.replot.read_text(encoding="utf-8"))
        figure(saved["results"], args.figure, saved["note"])
        return 0
    if not args.skip_polars and importlib.util.find_spec("polars") is None:
        print(
            "bench_scale: the polars peer needs polars, which this environment lacks. "
            "`make bench` installs the bench extra (polars, tableone); or pass --skip-polars.",
            file=sys.stderr,
        )
        return 2
    load = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = [bench_size(int(n), args) for n in args.sizes.split(",")]
    table = markdown(results)
    rounds = f", {args.repeat} rounds (medians)" if args.repeat > 1 else ""
    note = f"{started}, {os.cpu_count()} CPUs, load average at start {load[0]:.1f}{rounds}"
    slopes = figure(results, args.figure, note)
    print(f"\n{note}\n\n{table}")
    for name, b in slopes.items():
        print(f"slope of {name}: {'–' if b is None else f'{b:.2f}'}")
    if args.json:
        args.json.write_text(
            json.dumps({"note": note, "results": results, "slopes": slopes}, indent=2),
            encoding="utf-8",
        )
    failed = failures(results) + disagreements(results)
    for line in failed:
        print(f"FAILED: {line[:300]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
