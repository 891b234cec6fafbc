"""Run every benchmark (``make bench``): the tables layer (1M patients / 10M events, against
tableone and pandas), then the whole pipeline on the reference study (``retro run`` and the
notebooks from cold processes).

    python benchmarks/run_all.py [options of bench_tables.py]

Options are passed to the tables benchmark; the exit status is non-zero if it found that its
numbers differ from its peers'.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import bench_pipeline
import bench_tables


def main(argv: Sequence[str] | None = None) -> int:
    status = bench_tables.main(argv)
    sys.argv = sys.argv[:1]
    bench_pipeline.main()
    return status


if __name__ == "__main__":
    sys.exit(main())
