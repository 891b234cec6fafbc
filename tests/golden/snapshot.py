"""Rounded ARD snapshots of the shipped studies, to prove a change leaves every number as it was.

``python -m tests.golden.snapshot`` rewrites ``tests/golden/<study>.ard.csv`` and
``<study>.tables.txt`` (every table as shown: title, cells, footnotes) from the current code (do it only when a change of numbers is intended, and say why in the commit);
``tests/golden/test_golden.py`` compares the ARD of each shipped study with its snapshot.

A snapshot row is an ARD row (``table, context, variable, level, group1, group1_level, ...,
reference, stat, value, method``, see docs/ard.md); ``value`` is written
with 10 significant digits, enough to catch any change of method or rounding while staying
stable across platforms' last-bit floating-point differences.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent


#: the methods whose numbers come from an iterative fit (the start of the ARD's ``method``)
FITTED = (
    "Proportional-odds model",
    "Logistic regression",
    "Cox proportional-hazards regression",
    "Brant test",
    "Grambsch–Therneau",
)


def fitted_within_tolerance(rows: pd.DataFrame, before: str, after: str) -> pd.Series:
    """Rows of a ``FITTED`` method, unchanged in method, whose value moved by a relative 1e-5
    at most (columns ``value_<before>``, ``value_<after>``, ``method_<before>``,
    ``method_<after>``). An optimiser's result moves in its last digits with the versions of
    numpy, scipy and statsmodels (the proportional-odds estimates by ~1e-10 relative between
    two installs of 2026-12), so the snapshot's 10 digits are kept for everything else."""
    fitted = rows[f"method_{before}"].str.startswith(FITTED) & (
        rows[f"method_{before}"] == rows[f"method_{after}"]
    )
    old = pd.to_numeric(rows[f"value_{before}"], errors="coerce")
    new = pd.to_numeric(rows[f"value_{after}"], errors="coerce")
    close = (new - old).abs() <= 1e-5 * old.abs() + 1e-12
    return fitted & close


def key_of(frame: pd.DataFrame) -> list[str]:
    """The columns that name one number (``analysis.ard.key_columns``)."""
    from analysis.ard import key_columns

    return key_columns(frame)


def shipped_studies() -> list[Path]:
    return sorted(
        p for p in (ROOT / "studies").glob("*.yaml") if not p.name.endswith(".claims.yaml")
    )


def snapshot_path(study: Path) -> Path:
    return GOLDEN / f"{study.stem}.ard.csv"


def _round(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)  # type: ignore[arg-type]
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.10g}"


def rounded(ard: pd.DataFrame) -> pd.DataFrame:
    """The ARD as text, values to 10 significant digits, in a stable order."""
    key = key_of(ard)
    out = ard[[c for c in ard.columns if c in {"context", *key, "value", "method"}]].copy()
    for c in ["context", *key, "method"]:
        out[c] = out[c].astype("string").fillna("")
    out["value"] = [_round(v) for v in ard["value"]]
    return out.sort_values(key, kind="stable").reset_index(drop=True)


@functools.cache
def _built(study: Path) -> Any:
    """The shipped study with its tables built (once per test session)."""
    from analysis.run.study import Study

    return Study.load(study)


def study_ard(study: Path) -> pd.DataFrame:
    return rounded(_built(study).ard)


def words_path(study: Path) -> Path:
    return GOLDEN / f"{study.stem}.tables.txt"


def study_words(study: Path) -> str:
    """Every table of the study as a reader sees it: its title, its displayed cells (as CSV)
    and its footnotes, in plan order: a change of a label, a heading, a footnote or a shown
    number shows here (the ARD snapshot holds the numbers, not the words)."""
    parts = []
    for name, table in _built(study).tables.items():
        shown = table.display().to_csv(index=False, lineterminator="\n")
        notes = "".join(f"- {n}\n" for n in table.footnotes)
        parts.append(f"## {name}\n{table.title}\n{shown}{notes}")
    return "\n".join(parts)


def main() -> None:
    for study in shipped_studies():
        frame = study_ard(study)
        frame.to_csv(snapshot_path(study), index=False, lineterminator="\n")
        print(f"wrote {snapshot_path(study).relative_to(ROOT)} ({len(frame)} rows)")
        words_path(study).write_text(study_words(study), encoding="utf-8")
        print(f"wrote {words_path(study).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
