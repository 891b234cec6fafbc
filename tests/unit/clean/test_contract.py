"""The contract of the analysis tables: ``in_order(strict=True)`` (which spares pandas'
hashing of sorted tables) never calls rows unique that ``DataFrame.duplicated`` finds
repeated, and equals it on sorted tables; a repeated exposure still fails the contract, sorted
or not."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.contract import validate_analysis_tables
from analysis.clean.ordering import in_order
from analysis.errors import PipelineError

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
