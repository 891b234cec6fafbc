"""Every table of a study's plan on a large cohort: the time of each builder, one after another.

    python benchmarks/bench_plan_tables.py [--copies 1850] [--study studies/dutasteride_mesotherapy.yaml]
        [--only ae_by_exposure,po_model] [--profile 25]

The cohort is the study's cleaned analysis tables (its synthetic twin) with every subject-level
table replicated ``--copies`` times under new patient ids (1,850 copies of the reference twin:
1,000,850 patients, 7.4M exposures, 1.0M adverse events), so every table of the plan runs on
the shapes and mess-free values the cleaning gives. Cleaning is not timed here (see
``bench_scale.py``). Prints each table's seconds and the total, and the peak resident memory of
the process; a table that fails is reported and counts as failed (exit status 1). CPU seconds
(all threads of the process) are printed beside the wall clock, as the machine may be shared.
``--only`` builds just the named tables; ``--profile N`` prints the N costliest functions of
each table (cProfile, cumulative time; the profiler slows pure-Python code more than the engine).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import resource
import sys
import time

import pandas as pd

from analysis.run.study import Study
from analysis.tables.study_tables import table_builders


def replicate(frame: pd.DataFrame, copies: int) -> pd.DataFrame:
    """``frame`` ``copies`` times, the patient ids of copy i suffixed ``-i``; categorical
    columns keep their declared levels."""
    parts = []
    for i in range(copies):
        part = frame.copy()
        part["patient_id"] = part["patient_id"].astype(str) + f"-{i}"
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(frame[col].dtype)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1850)
    parser.add_argument("--study", default="studies/dutasteride_mesotherapy.yaml")
    parser.add_argument("--only", default="", help="comma-separated table names (default: all)")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args(argv)
    study = Study.load(args.study)
    clean = study.clean
    tables = {
        name: replicate(t, args.copies) if "patient_id" in t.columns else t
        for name, t in clean.tables.items()
    }
    print(", ".join(f"{name} {len(t):,}" for name, t in tables.items()))
    big = dataclasses.replace(clean, tables=tables)
    only = {n for n in args.only.split(",") if n}
    total, total_cpu, failed = 0.0, 0.0, 0
    for name, build in table_builders(study.config, big).items():
        if only and name not in only:
            continue
        profiler = cProfile.Profile() if args.profile else None
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            if profiler is not None:
                profiler.runcall(build)
            else:
                build()
        except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
            failed += 1
            print(f"{name:32s} FAILED: {exc}")
            continue
        seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        total, total_cpu = total + seconds, total_cpu + cpu
        print(f"{name:32s} {seconds:7.2f} s  (CPU {cpu:6.2f} s)")
        if profiler is not None:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"{'total':32s} {total:7.2f} s  (CPU {total_cpu:6.2f} s); peak memory {peak_gb:.1f} GB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
