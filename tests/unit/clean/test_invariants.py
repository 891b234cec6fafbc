"""Property tests: cleaning never mutates its input; every row is accounted for; group n sum to N."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.clean.cells import require_values, strip_text
from analysis.clean.dates import parse_dates
from analysis.clean.duplicates import drop_duplicate_records
from analysis.clean.numbers import parse_numbers
from analysis.clean.stage import clean_study
from analysis.studyfile.config import StudyConfig

LABELS = st.sampled_from(["dolor", "pain", " PAIN ", "edema frontal", "Edema", "pian"])
DATES = st.sampled_from(["2020-01-11", "11/01/2020", "2020-02-30", "", "2020-04-11", "12.04.2020"])


def _sessions_frame(rows):
    df = pd.DataFrame(rows, columns=["patient_id", "start_date", "dose_mg"])
    df["source_file"] = "s.csv"
    df["source_sheet"] = ""
    df["source_row"] = range(2, 2 + len(df))
    df["_source"] = "sessions"
    return df


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", " P3", None]),
        DATES,
        st.sampled_from(["0,1", "0.5", "abc", None, 3]),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_cleaning_steps_never_mutate_and_account_for_rows(mini_study, rows):
    cfg = StudyConfig.load(mini_study())
    df = _sessions_frame(rows)
    snapshot = df.copy(deep=True)
    df2 = strip_text(df)
    s1 = require_values(df2, "exposures")
    s2 = parse_dates(s1.data, "exposures", cfg)
    s3 = parse_numbers(s2.data, "exposures")
    s4 = drop_duplicate_records(s3.data, "exposures", on_conflict="keep_first")
    pd.testing.assert_frame_equal(df, snapshot)
    logged = len(s1.excluded) + len(s2.excluded) + len(s3.excluded) + len(s4.excluded)
    assert len(s4.data) + logged == len(df)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(terms=st.lists(st.tuples(st.sampled_from(["P1", "P2", "P4", "P7"]), LABELS), max_size=15))
def test_pipeline_accounts_for_every_raw_row(mini_study, terms):
    body = "id,onset,term,severity,serious\n" + "".join(
        f"{pid},2020-04-11,{term},leve,no\n" for pid, term in terms
    )
    path = mini_study(
        files={"aes.csv": body if terms else None},
        yaml_edit=_exclude_unmapped if terms else _drop_ae_source,
    )
    res = clean_study(StudyConfig.load(path))
    acc = res.accounting()
    assert acc["balanced"].all(), acc
    # group sizes add up to the whole
    assert res.patients.groupby("sex", observed=False).size().sum() == len(res.patients)


def _exclude_unmapped(y: str) -> str:
    # P7 has no patient record: its events are orphans, allowed here to test the accounting
    return y + "cleaning: {on_unmapped: exclude, max_orphan_fraction: 1}\n"


def _drop_ae_source(y: str) -> str:
    start = y.index("  - name: aes")
    end = y.index("  - name: conc")
    return y[:start] + y[end:]
