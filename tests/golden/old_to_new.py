"""One-off proof that the explicit-groups ARD (issue 13) holds every number of the old one.

``python -m tests.golden.old_to_new <commit>`` reads each shipped study's snapshot as it was at
``<commit>`` (columns ``table, variable, level, group, stat, value, method``, the group packed as
``sex=female;therapy_group=combined``, ``sex=*``, ``sex=male vs female``; a model contrast in
``level`` as ``combined vs monotherapy``), spells every old row in the new columns and finds
exactly one row of the current ARD with the same key, value (10 significant digits) and method.
Rows the new ARD leaves out on purpose are listed by ``REMOVED``. Exit status 1 on any miss.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd

from tests.golden.snapshot import ROOT, key_of, shipped_studies, study_ard

MODEL_TABLE_CONTEXTS = ("logistic_regression", "proportional_odds")


def spell(group: str) -> tuple[dict[str, str], str]:
    """The old group string as ``({group: level}, reference)``."""
    if group == "overall":
        return {}, ""
    items, reference = {}, ""
    for part in group.split(";"):
        name, _, level = part.partition("=")
        if level == "*":
            level = ""
        elif " vs " in level:
            level, _, reference = level.partition(" vs ")
        items[name] = level
    return items, reference


def check(old: pd.DataFrame, new: pd.DataFrame) -> tuple[int, list[str]]:
    """(rows mapped, problems) for one study."""
    cols = [c for c in new.columns if c.startswith("group")]
    index: dict[tuple, list[int]] = {}
    for i, r in enumerate(new.itertuples(index=False)):
        d = r._asdict()
        groups = tuple((d[cols[j]], d[cols[j + 1]]) for j in range(0, len(cols), 2) if d[cols[j]])
        key = (d["table"], d["variable"], d["level"], frozenset(groups), d["reference"], d["stat"])
        index.setdefault(key, []).append(i)
    model_tables = set(new.loc[new["context"].isin(MODEL_TABLE_CONTEXTS), "table"])
    used: set[int] = set()
    problems = []
    for r in old.itertuples(index=False):
        items, reference = spell(r.group)
        level = r.level
        if r.table in model_tables and " vs " in level:
            level, _, reference = level.partition(" vs ")
        key = (r.table, r.variable, level, frozenset(items.items()), reference, r.stat)
        hits = index.get(key, [])
        if len(hits) != 1:
            problems.append(f"{len(hits)} new rows for old {tuple(r)}")
            continue
        row = new.iloc[hits[0]]
        if (row["value"], row["method"]) != (r.value, r.method):
            problems.append(f"old {tuple(r)} is now {row['value']!r} / {row['method']!r}")
        used.add(hits[0])
    extra = len(new) - len(used)
    if extra:
        problems.append(f"{extra} new rows map to no old row")
    return len(used), problems


def main(commit: str) -> int:
    failed = False
    for study in shipped_studies():
        path = f"tests/golden/{study.stem}.ard.csv"
        text = subprocess.run(
            ["git", "show", f"{commit}:{path}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        old = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        new = study_ard(study)
        assert not new.duplicated(key_of(new)).any()
        mapped, problems = check(old, new)
        print(f"{study.stem}: {len(old)} old rows, {len(new)} new rows, {mapped} mapped one to one")
        for p in problems[:20]:
            print("  ", p)
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "main"))
