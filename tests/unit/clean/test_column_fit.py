"""A source column whose values mostly do not fit their declaration stops the clean stage
(``analysis.clean.column_fit``): a CSV of month-first dates declared ``date_order: DMY`` had 56%
of its sessions excluded and the rest read with day and month swapped, and the run went on; a
file of decimal points declared ``decimal: ","`` had every number cleared. A few unreadable
values are still logged and the run goes on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.clean.column_fit import MIN_UNREADABLE
from analysis.clean.columns import Column
from analysis.clean.dates import parse_dates
from analysis.clean.numbers import parse_numbers
from analysis.errors import SourceError


def _sessions(dates: list[str], source: str = "centre_b_sessions") -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(n)],
            "start_date": pd.Series(dates, dtype=object),
            "_source": source,
            "source_file": "centre_b/sesiones.csv",
            "source_sheet": "",
            "source_row": np.arange(2, 2 + n),
        }
    )


# month-first dates of 2015: 8 of every 12 have a day above 12 (unreadable day-first)
US_DATES = [f"{m}/{d}/2015" for m in range(1, 13) for d in (3, 9, 13, 17, 21, 25)]


#: one date that can only be day first: the source's dates are then mixed, not all of the
#: other order (``date_order_evidence`` stops the run before any reading when they are)
DAY_FIRST = ["25/12/2015"]


def test_month_first_dates_declared_day_first_stop_the_run(reference_config):
    with pytest.raises(SourceError) as exc:
        parse_dates(_sessions(US_DATES), "exposures", reference_config)
    text = str(exc.value)  # every date is month first: the order is named before any reading
    assert "declares `date_order: DMY`, but 48 of its text dates can only be written month " in (
        text
    )
    assert "Set `date_order: MDY` for this source" in text
    # among day-first dates too, the unreadable share of the column stops the run
    with pytest.raises(SourceError) as exc:
        parse_dates(_sessions(US_DATES + DAY_FIRST), "exposures", reference_config)
    text = str(exc.value)
    assert "centre_b/sesiones.csv (source 'centre_b_sessions'): 48 of the 73 dates" in text
    assert "column `start_date` (66%)" in text and "'1/13/2015'" in text
    assert "`cleaning.max_unreadable_fraction` (now 0.2)" in text


def test_a_few_unreadable_dates_are_logged_and_the_run_goes_on(reference_config):
    dates = [f"{d:02d}/0{m}/2015" for m in range(1, 10) for d in range(1, 28)]
    bad = [f"{d}/13/2015" for d in range(1, MIN_UNREADABLE + 5)]  # 14 of 257: 5%
    step = parse_dates(_sessions(dates + bad), "exposures", reference_config)
    assert len(step.excluded) == len(bad) and len(step.data) == len(dates)


def test_fewer_than_the_minimum_never_stop(reference_config):
    # 9 of 13 unreadable (69%) but fewer than MIN_UNREADABLE
    dates = US_DATES[:12] + DAY_FIRST
    unreadable = sum(int(d.split("/")[1]) > 12 for d in dates)
    assert unreadable < MIN_UNREADABLE
    step = parse_dates(_sessions(dates), "exposures", reference_config)
    assert len(step.excluded) == unreadable


def test_the_limit_is_the_study_setting(reference_config):
    lenient = reference_config.model_copy(
        update={
            "cleaning": reference_config.cleaning.model_copy(
                update={"max_unreadable_fraction": 0.9}
            )
        }
    )
    step = parse_dates(_sessions(US_DATES + DAY_FIRST), "exposures", lenient)
    assert len(step.excluded) == 48


def test_decimal_commas_declared_points_stop_the_run():
    cells = [f"0,{i}" for i in range(1, 30)] + ["1", "2"]
    df = _sessions(["01/01/2015"] * len(cells)).assign(dose_mg=pd.Series(cells, dtype=object))
    columns = {"dose_mg": Column(kind="number")}
    with pytest.raises(SourceError) as exc:
        parse_numbers(
            df,
            "exposures",
            columns,
            decimals={"centre_b_sessions": "."},
            max_unreadable=0.2,
        )
    text = str(exc.value)
    assert "29 of the 31 numbers in column `dose_mg` (94%)" in text
    assert "29 of them read as numbers with `decimal: ','` (declared: '.')" in text
    # without the limit (a caller that does not check) the cells are cleared and audited
    step = parse_numbers(df, "exposures", columns, decimals={"centre_b_sessions": "."})
    assert len(step.audit) == 29


def test_placeholders_without_digits_never_stop_the_run():
    """ "n/a", "ND", "pendiente": logged and cleared as before, not taken for a wrong decimal."""
    cells = ["ND"] * 20 + ["pendiente"] * 5 + ["1,5", "2,5"]
    df = _sessions(["01/01/2015"] * len(cells)).assign(dose_mg=pd.Series(cells, dtype=object))
    step = parse_numbers(
        df,
        "exposures",
        {"dose_mg": Column(kind="number")},
        decimals={"centre_b_sessions": ","},
        max_unreadable=0.2,
    )
    assert len(step.audit) == 25 and step.data["dose_mg"].notna().sum() == 2
