"""Small-cell suppression holds on both shipped twins: no hidden count can be recovered from the
shared ARD (``reports/<study>/ard.csv`` as written by ``--suppress-below K``).

For K = 5 and 10 the attacker of ``tests/hostile/_recover.py`` tries every candidate 1..K-1 of
every cell hidden as ``<K`` against every statistic still shown (percentages, CIs, p-values with
their named test, risk differences and CIs, totals, other groups, survival rows) recomputed with
``analysis.stats``; more than one candidate must stay consistent. The same attack on the same
file with the withheld statistics put back recovers cells: it is what the withholding prevents.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.ard import published_positions
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig
from analysis.tables.study_tables import build_tables, write_tables
from tests.conftest import REPO
from tests.hostile._recover import recover

STUDIES = ("dutasteride_mesotherapy", "low_dose_oral_minoxidil")
KEYS = ["table", "variable", "level", "group", "stat", "method", "suppression"]


@pytest.fixture(scope="module")
def twin_tables() -> dict[str, dict]:
    out = {}
    for name in STUDIES:
        config = StudyConfig.load(REPO / "studies" / f"{name}.yaml")
        out[name] = build_tables(config, clean_study(config))
    return out


def _read_shared(path: Path) -> pd.DataFrame:
    """``ard.csv`` as a reader of the shared folder gets it (blank = hidden)."""
    frame = pd.read_csv(path, dtype={c: str for c in KEYS}, keep_default_na=False)
    frame["value"] = pd.to_numeric(frame["value"].replace("", math.nan))
    frame["suppressed"] = frame["suppressed"].map({"True": True, "False": False})
    return frame


@pytest.fixture(scope="module")
def shared(twin_tables, tmp_path_factory) -> dict[tuple[str, int], pd.DataFrame]:
    out = {}
    for name, tables in twin_tables.items():
        for k in (5, 10):
            root = tmp_path_factory.mktemp(f"{name}_{k}")
            written = write_tables(
                tables, root / "reports", suppress_below=k, unsuppressed_dir=root / "processed"
            )
            reports = {p for p in written if (root / "reports") in p.parents}
            # the full ARD is kept by the study team, not written to the folder meant for sharing
            assert not any("unsuppressed" in p.name for p in reports)
            assert sorted(p.name for p in (root / "processed").iterdir()) == [
                "ard_unsuppressed.csv",
                "ard_unsuppressed.parquet",
            ]
            out[(name, k)] = _read_shared(root / "reports" / "ard.csv")
    return out


@pytest.mark.parametrize("k", [5, 10])
@pytest.mark.parametrize("study", STUDIES)
def test_no_hidden_count_can_be_recovered_from_the_shared_ard(twin_tables, shared, study, k):
    ard = shared[(study, k)]
    assert (ard["suppress_k"] == k).all()
    attacked = 0
    for name, table in twin_tables[study].items():
        full = table.frame
        seen = _per_row(ard.loc[ard["table"] == name], table.shown(suppress_below=k))
        assert len(seen) == len(full), name
        for cell, candidates in recover(full, seen, k).items():
            attacked += 1
            true = _true_count(full, cell)
            assert true in candidates, (cell, candidates)  # the attacker is right about the truth
            assert len(candidates) > 1, f"{cell} recovered as {candidates} (k={k})"
    assert attacked >= 10  # the twins do have small cells to protect


@pytest.mark.parametrize("k", [5, 10])
@pytest.mark.parametrize("study", STUDIES)
def test_the_same_attack_recovers_cells_when_the_withheld_statistics_are_shown(
    twin_tables, shared, study, k
):
    ard = shared[(study, k)]
    recovered = []
    for name, table in twin_tables[study].items():
        full = table.frame
        seen = _per_row(ard.loc[ard["table"] == name], table.shown(suppress_below=k))
        withheld = seen["suppression"] == "withheld"
        seen.loc[withheld, "value"] = full.loc[withheld.to_numpy(), "value"].to_numpy()
        recovered += [c for c, v in recover(full, seen, k).items() if len(v) == 1]
    assert len(recovered) >= 5, recovered


def _per_row(seen: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """The shared rows of one table, one per row of the builder's frame: a denominator shared
    once (``level`` "") stands again beside each level it serves, as the layouts read it."""
    at = published_positions(shown)
    assert len(seen) == max(at, default=-1) + 1
    out = seen.iloc[at].reset_index(drop=True)
    out["level"] = shown["level"].to_numpy()
    return out


def _true_count(full: pd.DataFrame, cell: tuple[str, str, str, str]) -> int:
    group, _, stat = cell[3].partition("|")
    # a survival count's cell names its listed time by its context (kaplan_meier_at_12)
    where = full["context"] == cell[2] if stat else full["level"] == cell[2]
    rows = full.loc[
        (full["variable"] == cell[1])
        & where
        & (full["group"] == group)
        & (full["stat"] == (stat or "n"))
    ]
    return int(rows["value"].iloc[0])


@pytest.mark.parametrize("k", [5, 10])
@pytest.mark.parametrize("study", STUDIES)
def test_no_table_shows_what_another_table_hides(twin_tables, study, k):
    """A probe set tables of the shared dutasteride twin (k = 5) against each other: the
    duration table showed a term's events (5 + 0 missing) that the incidence table hid as `*`,
    which gave the term beside it back (7 - 5 = 2), and the model showed its 8 subjects at
    "worsening" that the response table hid so that 4 + 4 stayed hidden. No count of a cell
    hidden in one table is shown with the same value in another, and no cell grouped by a level
    that another table hides (within the same groups) is shown."""
    parts = []
    for name, table in twin_tables[study].items():
        shown = table.shown(suppress_below=k)
        parts.append(shown.assign(table=name, true=table.frame["value"].to_numpy()))
    counts = pd.concat(parts, ignore_index=True)
    counts = counts.loc[counts["stat"].isin(["n", "events"]) & counts["true"].notna()]
    counts["group"] = counts["group"].astype(str)
    hidden = counts.loc[counts["suppressed"].astype(bool)]
    shown = counts.loc[~counts["suppressed"].astype(bool)]
    same = hidden.merge(shown, on=["variable", "level", "group", "stat", "true"])
    same = same.loc[same["table_x"] != same["table_y"]]
    assert same.empty, same[["table_x", "table_y", "variable", "level", "group", "stat"]]

    def pairs(group: str) -> set[str]:
        return {p for p in group.split(";") if p and p != "overall"}

    hidden_levels = {
        (t, f"{v}={lv}", frozenset(pairs(g)))
        for t, v, lv, g in hidden[["table", "variable", "level", "group"]].itertuples(index=False)
    }
    leaks = [
        (t, v, lv, g)
        for t, v, lv, g in shown[["table", "variable", "level", "group"]].itertuples(index=False)
        for other, level, within in hidden_levels
        if other != t and level in pairs(g) and within <= pairs(g) - {level}
    ]
    assert not leaks, leaks[:5]


def test_a_footnote_withholds_the_expected_counts_its_table_withholds(twin_tables):
    """The shared ARD withheld the χ² test of the first-year interval by sex (a cell below 5),
    its expected counts with it, but the footnote under the table still printed them ("1 of 12
    cells; smallest 4.5") and judged Cochran's rule on them."""
    table = twin_tables["dutasteride_mesotherapy"]["baseline_sex"]
    shown = table.shown(suppress_below=5)
    gone = shown.loc[(shown["stat"] == "min_expected") & shown["value"].isna()]
    assert len(gone)  # the premise: a test whose expected counts are withheld
    plain = " ".join(table.notes())
    suppressed = " ".join(table.notes(suppress_below=5))
    assert "First-year interval, months (1 of 12 cells; smallest 4.5)" in plain
    assert "smallest 4.5" not in suppressed
    assert "First-year interval, months (withheld †)" in suppressed
    assert "is not judged for a withheld test" in suppressed
    assert len(table.notes(suppress_below=5)) > len(table.notes())  # the suppression notes follow
