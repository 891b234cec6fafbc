"""``parse_dates`` when every source of a table shares one ``date_order`` reads each distinct
cell once with that order, without pairing it with its row's order: the same dates, exclusions,
audit rows and messages as pairing every row with its source's order, which it did before; on
random cells of every kind the date reader meets, from two sources, with a required and an
optional date column, each order, with and without ``study.export_date``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import dates
from analysis.clean.dates import parse_dates, table_date_order
from analysis.clean.step import Step
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig

CELLS = st.sampled_from(
    [
        "2020-01-11",
        "11/01/2020",
        "01/11/2020",
        "2020/01/11",
        "12.04.20",
        "3-4-68",
        "2020-02-30",
        "2020-01-11T10:00:00+05:00",
        "1850-01-01",
        "2031-01-01",
        "",
        " ",
        "n/a",
        None,
        np.nan,
        43831,
        43831.5,
        dt.date(2020, 1, 11),
        pd.Timestamp("2020-01-11 23:00"),
        True,
    ]
)


def _config(mini_study, order: str, export_date: bool) -> StudyConfig:
    """The mini study with a second concomitant source; both sources read dates in ``order``."""

    def edit(text: str) -> str:
        conc = "    columns: {patient_id: id, drug: drug, start_date: start, stop_date: stop}\n"
        second = (
            f"    date_order: {order}\n"
            "  - name: conc_b\n    table: concomitant\n    file: conc.csv\n"
            f"{conc}    date_order: {order}\n"
        )
        text = text.replace(conc, conc + second, 1)
        if export_date:
            text = text.replace("  seed: 7\n", "  seed: 7\n  export_date: 2026-06-30\n", 1)
        return text

    return StudyConfig.load(mini_study(yaml_edit=edit))


def _outcome(df: pd.DataFrame, cfg: StudyConfig) -> Step | str:
    """:func:`parse_dates` of the cells, or the message it stops with."""
    try:
        return parse_dates(df, "concomitant", cfg)
    except SourceError as err:
        return str(err)


@pytest.mark.parametrize("export_date", [True, False])
@pytest.mark.parametrize("order", ["DMY", "MDY", "YMD"])
def test_dates_read_with_the_tables_one_order_equal_those_paired_with_each_rows_order(
    mini_study, monkeypatch, order, export_date
):
    cfg = _config(mini_study, order, export_date)
    assert table_date_order(cfg, "concomitant") == order

    @settings(max_examples=60, deadline=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        n = data.draw(st.integers(0, 14))
        column = st.lists(CELLS, min_size=n, max_size=n)
        df = pd.DataFrame(
            {
                "patient_id": [f"P{i}" for i in range(n)],
                "start_date": pd.Series(data.draw(column), dtype=object),
                "stop_date": pd.Series(data.draw(column), dtype=object),
                "source_file": "conc.csv",
                "source_sheet": "",
                "source_row": np.arange(2, 2 + n),
                "_source": data.draw(
                    st.lists(st.sampled_from(["conc", "conc_b"]), min_size=n, max_size=n)
                ),
            },
            index=np.arange(n) * 3 + 1,
        )
        got = _outcome(df, cfg)
        with monkeypatch.context() as m:  # the way before: each row paired with its order
            m.setattr(dates, "table_date_order", lambda config, table: None)
            paired = _outcome(df, cfg)
        if isinstance(got, str) or isinstance(paired, str):  # a zoned time of day: both stop
            assert got == paired
            return
        pd.testing.assert_frame_equal(got.data, paired.data)
        pd.testing.assert_frame_equal(got.excluded, paired.excluded)
        pd.testing.assert_frame_equal(got.audit, paired.audit)

    check()


def test_sources_with_different_orders_pair_each_row_with_its_own(mini_study):
    cfg = _config(mini_study, "MDY", export_date=True)
    mixed = cfg.model_copy(
        update={
            "sources": [
                s.model_copy(update={"date_order": "DMY"}) if s.name == "conc_b" else s
                for s in cfg.sources
            ]
        }
    )
    assert table_date_order(mixed, "concomitant") is None
    df = pd.DataFrame(
        {
            "patient_id": ["P1", "P2"],
            "start_date": ["01/11/2020", "01/11/2020"],
            "stop_date": [None, None],
            "source_file": "conc.csv",
            "source_sheet": "",
            "source_row": [2, 3],
            "_source": ["conc", "conc_b"],
        }
    )
    got = parse_dates(df, "concomitant", mixed).data["start_date"]
    assert got.tolist() == [pd.Timestamp("2020-01-11"), pd.Timestamp("2020-11-01")]
