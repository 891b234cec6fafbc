"""Whole-pipeline speed on the reference study, from cold processes.

    python benchmarks/bench_pipeline.py [--repeat 3] [--skip-notebooks]

Measures, in the same run:
- `retro run studies/dutasteride_mesotherapy.yaml` in a fresh process (clean, tables, figures,
  HTML + PDF + DOCX report, claims, manifest); target <= 15 s on the 2-core machine;
- every notebook executed with papermill in a fresh process; target <= 60 s;
- the peer: a fresh process that only imports the libraries the pipeline needs (pandas, scipy,
  statsmodels, lifelines, ibis/duckdb, pandera, matplotlib, weasyprint) — the floor any Python
  tool built on them pays before doing work.
Prints seconds (median of repeats), the ratio to the target and to the import floor.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def notebooks_seconds(repeat: int) -> float:
    nbs = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if not nbs:
        raise SystemExit("no notebooks found under notebooks/")

    def once() -> float:
        out = Path(tempfile.mkdtemp())
        start = time.perf_counter()
        for nb in nbs:
            subprocess.run(
                [
                    str(BIN / "papermill"),
                    str(nb),
                    str(out / nb.name),
                    "-k",
                    "python3",
                    "--cwd",
                    str(nb.parent),
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        elapsed = time.perf_counter() - start
        shutil.rmtree(out, ignore_errors=True)
        return elapsed

    return statistics.median(once() for _ in range(repeat))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-notebooks", action="store_true")
    args = ap.parse_args()
    floor = timed([sys.executable, "-c", IMPORTS], args.repeat)
    run = timed([str(BIN / "retro"), "run", STUDY], args.repeat)
    rows = [("retro run (cold process, incl. PDF)", run, 15.0)]
    if not args.skip_notebooks:
        rows.append(("all notebooks (papermill)", notebooks_seconds(args.repeat), 60.0))
    print(f"{'task':40} {'seconds':>8} {'target':>7} {'ratio':>6} {'x import floor':>15}  met")
    print(f"{'import floor (peer)':40} {floor:8.2f} {'':>7} {'':>6} {1.0:15.2f}")
    for name, secs, target in rows:
        print(
            f"{name:40} {secs:8.2f} {target:7.0f} {secs / target:6.2f} {secs / floor:15.2f}  "
            f"{'yes' if secs <= target else 'NO'}"
        )


if __name__ == "__main__":
    main()
