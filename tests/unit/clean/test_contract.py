"""The contract of the analysis tables: ``in_order(strict=True)`` (which spares pandas'
hashing of sorted tables) never calls rows unique that ``DataFrame.duplicated`` finds
repeated, and equals it on sorted tables; a repeated exposure still fails the contract, sorted
or not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.contract import _nulls_checked, analysis_schemas, validate_analysis_tables
from analysis.clean.ordering import in_order
from analysis.errors import PipelineError
from analysis.write.object_runs import RUNS_FROM

ROWS = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", "P10", None]),
        st.sampled_from([pd.Timestamp("2020-01-02"), pd.Timestamp("2021-05-06"), pd.NaT]),
        st.sampled_from(["pain", "rash", "edema"]),
    ),
    max_size=12,
)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["patient_id", "onset_date", "ae_term"])
    df["onset_date"] = pd.to_datetime(df["onset_date"])
    df["ae_term"] = pd.Categorical(df["ae_term"], categories=["rash", "pain", "edema"])
    df["patient_id"] = df["patient_id"].astype(object)
    return df


@settings(max_examples=300, deadline=None)
@given(ROWS, st.booleans())
def test_strictly_in_order_agrees_with_duplicated(rows, sort):
    df = _frame(rows)
    columns = ["patient_id", "onset_date", "ae_term"]
    if sort:
        df = df.sort_values(columns, kind="stable").reset_index(drop=True)
    repeated = bool(df.duplicated(subset=columns).any())
    if in_order(df, columns, strict=True):
        assert not repeated
    elif sort and df[columns].notna().all().all():
        assert repeated  # sorted without missing keys: it decides, and rightly


@pytest.mark.parametrize("where", ["next to it", "far from it"])
def test_a_repeated_exposure_breaks_the_contract(reference_clean, reference_config, where):
    tables = {k: v.copy() for k, v in reference_clean.tables.items()}
    exposures = tables["exposures"]
    assert in_order(exposures, ["patient_id", "start_date"], strict=True)  # as the stage makes it
    at = 1 if where == "next to it" else len(exposures) - 1
    exposures.loc[at, ["patient_id", "start_date"]] = exposures.loc[0, ["patient_id", "start_date"]]
    with pytest.raises(
        PipelineError, match=r"exposures\.patient_id: rule multiple_fields_uniqueness"
    ) as err:
        validate_analysis_tables(tables, reference_config)
    assert "in 4 place(s)" in str(err.value)  # both records, both columns


def _runs_frame(rng: np.random.Generator, case: str) -> pd.DataFrame:
    """A sorted exposures-like table of RUNS_FROM rows or more, each id one object along its
    run (as the stage makes it), then broken as ``case`` says."""
    n = RUNS_FROM // 4 + 100
    ids = np.array([f"P{i:07d}" for i in range(n)], dtype=object)
    lengths = rng.integers(1, 8, size=n)
    lengths[lengths.sum() < RUNS_FROM] += 8
    cells = np.repeat(ids, lengths)
    days = np.concatenate([np.arange(k) * 30 for k in lengths])
    at = int(np.cumsum(lengths)[n // 2])  # the first row of a run
    if case == "equal texts, other objects":  # a run split in two: a tie across the split
        cells[at + 1 :][cells[at + 1 :] == cells[at]] = "".join(list(str(cells[at])))
    elif case == "tie across a split":
        cells[at + 1 :][cells[at + 1 :] == cells[at]] = "".join(list(str(cells[at])))
        days[at + 1] = days[at]
    elif case == "runs swapped":
        cells[at], cells[at - 1] = cells[at - 1], cells[at]
    elif case == "an id out of order, the days in order":  # only the ids tell
        cells[at : at + lengths[n // 2 + 1]] = ids[0]
        days = np.arange(len(cells))
    elif case == "missing id":
        cells[at] = pd.NA
    elif case == "mixed types":
        cells[at] = 7
    df = pd.DataFrame({"patient_id": cells, "day": days})
    if case != "mixed types":
        df["patient_id"] = df["patient_id"].astype(pd.StringDtype("python"))
    return df


def _reference_in_order(df: pd.DataFrame, columns: list[str], strict: bool) -> bool:
    """Sorted by ``columns`` (a stable sort keeps every row in place), no missing key; strict:
    no repeated key (pandas' own ``sort_values`` and ``duplicated``)."""
    if df[columns].isna().any().any():
        return False
    try:
        order = df.sort_values(columns, kind="stable").index
    except TypeError:
        return False
    return bool((order == df.index).all()) and not (strict and df.duplicated(columns).any())


CASES = [
    "sorted",
    "equal texts, other objects",
    "tie across a split",
    "runs swapped",
    "an id out of order, the days in order",
]


@pytest.mark.parametrize("case", [*CASES, "missing id", "mixed types"])
@pytest.mark.parametrize("strict", [False, True])
def test_in_order_by_runs_agrees_with_pandas(case, strict):
    """Text keys of RUNS_FROM rows or more are compared only where the object changes."""
    for seed in range(3):
        df = _runs_frame(np.random.default_rng(seed), case)
        want = _reference_in_order(df, ["patient_id", "day"], strict)
        assert in_order(df, ["patient_id", "day"], strict=strict) == want, (case, seed)


def test_a_missing_id_in_a_large_table_still_breaks_the_contract(reference_clean, reference_config):
    """The not-null check of a text column is done once per run; a missing id is reported by
    pandera as before."""
    exposures = _runs_frame(np.random.default_rng(5), "sorted")
    days = pd.to_timedelta(exposures.pop("day"), unit="D")
    exposures["start_date"] = pd.Timestamp("2020-01-01") + days
    exposures["exposure_number"] = exposures.groupby("patient_id").cumcount() + 1
    schema = analysis_schemas(reference_config)["exposures"]
    assert _nulls_checked(schema, exposures).columns["patient_id"].nullable  # checked by runs
    tables = dict(reference_clean.tables)
    tables["exposures"] = exposures
    validate_analysis_tables(tables, reference_config)
    missing = exposures.copy()
    missing.loc[len(missing) // 2, "patient_id"] = pd.NA
    assert not _nulls_checked(schema, missing).columns["patient_id"].nullable
    tables["exposures"] = missing
    with pytest.raises(PipelineError, match=r"exposures\.patient_id: rule not_nullable"):
        validate_analysis_tables(tables, reference_config)
