"""Whole-pipeline speed on the reference study, from cold processes.

    python benchmarks/bench_pipeline.py [--repeat 3] [--skip-notebooks]

Measures, in the same run:
- `retro run studies/dutasteride_mesotherapy.yaml` in a fresh process (clean, tables, figures,
  HTML + PDF + DOCX report, claims, manifest); target <= 15 s on the 2-core machine;
- every notebook executed: `retro notebooks studies/<study>.yaml` (papermill, one kernel per
  notebook, side by side one per core, numbers checked against the package, report PDF
  included); target <= 60 s. Also timed one after another (`--jobs 1`), for comparison;
- the peer: a fresh process that only imports the libraries the pipeline needs (pandas, scipy,
  statsmodels, lifelines, ibis/duckdb, pandera, matplotlib, weasyprint) — the floor any Python
  tool built on them pays before doing work.
Prints seconds (median of repeats), the ratio to the target and to the import floor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STUDY = "studies/dutasteride_mesotherapy.yaml"
IMPORTS = (
    "import pandas, scipy.stats, statsmodels.api, lifelines, ibis, duckdb, "
    "pandera.pandas, matplotlib, weasyprint"
)


def timed(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def notebooks_seconds(repeat: int, jobs: int | None) -> float:
    """`retro notebooks` from a cold process (executes and checks every notebook)."""
    if not sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        raise SystemExit("no notebooks found under notebooks/")
    cmd = [str(BIN / "retro"), "notebooks", STUDY]
    return timed([*cmd, "--jobs", str(jobs)] if jobs else cmd, repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-notebooks", action="store_true")
    args = ap.parse_args()
    floor = timed([sys.executable, "-c", IMPORTS], args.repeat)
    run = timed([str(BIN / "retro"), "run", STUDY], args.repeat)
    rows = [("retro run (cold process, incl. PDF)", run, 15.0)]
    if not args.skip_notebooks:
        rows.append(("all notebooks (retro notebooks)", notebooks_seconds(args.repeat, None), 60.0))
        rows.append(
            ("all notebooks, one at a time (--jobs 1)", notebooks_seconds(args.repeat, 1), 60.0)
        )
    print(f"{'task':40} {'seconds':>8} {'target':>7} {'ratio':>6} {'x import floor':>15}  met")
    print(f"{'import floor (peer)':40} {floor:8.2f} {'':>7} {'':>6} {1.0:15.2f}")
    for name, secs, target in rows:
        print(
            f"{name:40} {secs:8.2f} {target:7.0f} {secs / target:6.2f} {secs / floor:15.2f}  "
            f"{'yes' if secs <= target else 'NO'}"
        )


if __name__ == "__main__":
    main()
