"""The same tables on Spark (``local[2]``) and on DuckDB, in one run, with the numbers checked equal.

    python benchmarks/bench_spark.py [--patients N --events M --repeat R --master local[2]]
    python benchmarks/bench_spark.py --patients 100000 --events 1000000 --small 0   # smoke

Tasks (``benchmarks/README.md``, "Spark"): the AE incidence table by sex x therapy group from
the Parquet files (``ae_incidence(paths...)``: DuckDB reads them itself, Spark reads them
itself) and a 10-variable Table 1 by sex with p-values (``baseline_table(frame)``: the frame is
shipped to the engine, Arrow for both). Each task runs once cold, then ``--repeat`` rounds,
DuckDB and Spark interleaved; medians are reported. The ARDs of both engines must be equal
(counts exactly, other numbers to ``RTOL``) or the script exits with status 1.

Per-row cost: the tasks also run at ``--small`` patients (a tenth by default) so that the fixed
cost (planning, scheduling, start of each Spark job) and the per-row cost of each engine are
read off the two sizes (a line through two points); from them, the number of rows at which a
cluster of C cores would beat DuckDB on this machine, assuming Spark's per-row work divides over
the cores and its fixed cost does not. Memory: peak resident set of this process (Python, with
DuckDB in it) and of Spark's JVM (``VmHWM``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from cohort import TABLE1_VARIABLES, write_cohort_parquet

from analysis.engine import backends
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.baseline import baseline_table

DATA_DIR = Path(__file__).resolve().parent / ".data"
BY_AE = ["sex", "therapy_group"]


def table1(data: pd.DataFrame) -> pd.DataFrame:
    return baseline_table(
        data, by="sex", variables=TABLE1_VARIABLES, categorical_test="chi2", continuous_test="welch"
    ).frame


#: Other numbers than counts agree to this relative difference (the unit test asserts 1e-12 on
#: the studies' few hundred rows; a million rows summed in another order drift further).
RTOL = 1e-9


def same_ard(a: pd.DataFrame, b: pd.DataFrame) -> str:
    """'' or 'equal (...)' when equal (text columns equal, counts exact, other values to a
    relative ``RTOL``), else why not."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return f"shape differs: {a.shape} vs {b.shape}"
    text = [c for c in a.columns if c != "value"]
    if not a[text].equals(b[text]):
        return "text columns differ"
    x = pd.to_numeric(a["value"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(b["value"], errors="coerce").to_numpy(dtype=float)
    counts = a["stat"].isin(["n", "N", "events", "n_missing"]).to_numpy()
    if not np.array_equal(x[counts], y[counts], equal_nan=True):
        return "counts differ"
    both = np.isfinite(x) & np.isfinite(y)
    rel = np.abs(x[both] - y[both]) / np.maximum(np.abs(x[both]), 1e-300)
    worst = float(rel.max()) if rel.size else 0.0
    # sums of a million floats in another order: ~1e-13 relative, more after a p-value's tail
    if not np.array_equal(np.isfinite(x), np.isfinite(y)) or worst > RTOL:
        return f"values differ (largest relative difference {worst:.3g})"
    return f"equal (largest relative difference {worst:.1g})" if worst else ""


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def jvm_peak_mb(session: Any) -> float:
    """Peak resident memory of the Spark driver JVM (MB), from /proc; NaN if unknown."""
    try:
        pid = int(session._jvm.java.lang.ProcessHandle.current().pid())
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except Exception:
        pass
    return float("nan")


def run_size(
    n_patients: int, n_events: int, seed: int, repeat: int, spark: backends.Engine
) -> dict[str, Any]:
    """Both tasks on both engines at one size: cold and median seconds, and the check."""
    paths = write_cohort_parquet(DATA_DIR, n_patients, n_events, seed)
    patients = pd.read_parquet(paths["patients"])
    p_path, e_path = str(paths["patients"]), str(paths["events"])
    tasks: dict[str, Callable[[], pd.DataFrame]] = {
        "ae_incidence": lambda: ae_incidence(p_path, e_path, by=BY_AE).frame,
        "table1": lambda: table1(patients),
    }
    out: dict[str, Any] = {"patients": n_patients, "events": n_events}
    for name, task in tasks.items():
        times: dict[str, list[float]] = {"duckdb": [], "spark": []}
        results: dict[str, pd.DataFrame] = {}
        for _ in range(1 + repeat):  # the first round is the cold one
            secs, results["duckdb"] = timed(task)
            times["duckdb"].append(secs)
            with backends.using(spark):
                secs, results["spark"] = timed(task)
            times["spark"].append(secs)
        check = same_ard(results["duckdb"], results["spark"])
        row: dict[str, Any] = {
            "check": check or "equal",
            "same": check == "" or check.startswith("equal"),
            **{f"{k}_cold": v[0] for k, v in times.items()},
            **{f"{k}_median": statistics.median(v[1:] or v) for k, v in times.items()},
        }
        row["ratio"] = row["spark_median"] / row["duckdb_median"]
        out[name] = row
        print(
            f"{n_patients:>9,} patients {n_events:>10,} events  {name:<12} duckdb "
            f"{row['duckdb_median']:7.2f} s  spark {row['spark_median']:7.2f} s  "
            f"({row['ratio']:.1f}x; cold {row['duckdb_cold']:.2f} / {row['spark_cold']:.2f} s)"
            f"  numbers {row['check']}",
            flush=True,
        )
    return out


def per_row_model(small: dict[str, Any], large: dict[str, Any], task: str) -> dict[str, float]:
    """Fixed seconds and nanoseconds per input row of each engine, through the two sizes
    (rows: patients + events for the AE table, patients for Table 1)."""

    def rows(r: dict[str, Any]) -> int:
        return r["patients"] + (r["events"] if task == "ae_incidence" else 0)

    n1, n2 = rows(small), rows(large)
    model = {}
    for eng in ("duckdb", "spark"):
        t1, t2 = small[task][f"{eng}_median"], large[task][f"{eng}_median"]
        per_row = (t2 - t1) / (n2 - n1)
        model[f"{eng}_ns_per_row"] = per_row * 1e9
        model[f"{eng}_fixed_s"] = t2 - per_row * n2
    return model


def break_even_rows(model: dict[str, float], cores_here: int, cores: int) -> float:
    """Rows at which Spark on ``cores`` cores (per-row work divided over them) takes as long as
    DuckDB here: fixed_s + b * n * here / cores = d_fixed + d * n; inf if never."""
    b = model["spark_ns_per_row"] * 1e-9 * cores_here / cores
    d = model["duckdb_ns_per_row"] * 1e-9
    if d <= b:
        return float("inf")
    return max(0.0, (model["spark_fixed_s"] - model["duckdb_fixed_s"]) / (d - b))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument(
        "--small",
        type=int,
        default=None,
        help="patients of the small size (events scale alike; default a tenth; 0 skips it)",
    )
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="6g")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    session = backends._build_session(
        master=args.master,
        conf={"spark.driver.memory": args.driver_memory, "spark.sql.shuffle.partitions": "4"},
    )
    spark = backends.Engine(con=backends.spark_connect(spark_session=session), backend="spark")
    start_s = time.perf_counter() - t0
    print(
        f"# Spark {session.version} on {args.master}, started in {start_s:.1f} s; "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        flush=True,
    )
    small_n = args.patients // 10 if args.small is None else args.small
    sizes = []
    if small_n:
        sizes.append(
            run_size(small_n, args.events * small_n // args.patients, args.seed, args.repeat, spark)
        )
    sizes.append(run_size(args.patients, args.events, args.seed, args.repeat, spark))
    report: dict[str, Any] = {
        "spark_start_s": start_s,
        "master": args.master,
        "sizes": sizes,
        "python_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "jvm_peak_rss_mb": jvm_peak_mb(session),
    }
    print(
        f"peak memory: this process (Python + DuckDB) {report['python_peak_rss_mb']:.0f} MB, "
        f"Spark driver JVM {report['jvm_peak_rss_mb']:.0f} MB"
    )
    if len(sizes) == 2:
        m = re.fullmatch(r"local\[(\d+)\]", args.master)
        cores_here = int(m.group(1)) if m else (os.cpu_count() or 1)
        for task in ("ae_incidence", "table1"):
            model = per_row_model(sizes[0], sizes[1], task)
            report[f"{task}_model"] = model
            evens = {c: break_even_rows(model, cores_here, c) for c in (8, 32, 128)}
            report[f"{task}_break_even_rows"] = evens
            print(
                f"{task}: duckdb {model['duckdb_ns_per_row']:.0f} ns/row + "
                f"{model['duckdb_fixed_s']:.2f} s, spark {model['spark_ns_per_row']:.0f} ns/row "
                f"+ {model['spark_fixed_s']:.2f} s on {cores_here} cores; a cluster beats DuckDB "
                "here from " + ", ".join(f"{n:,.0f} rows on {c} cores" for c, n in evens.items())
            )
    session.stop()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    bad = [s for s in sizes for t in ("ae_incidence", "table1") if not s[t]["same"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
