"""Date cells Excel may have read with day and month swapped: a column typed day first,
opened under a month-first locale, holds date cells for the texts whose first number is 12 or
less (swapped) and text for the others. A probe's 439 such cells changed 67 patients' day 0
with exit status 0; each is now flagged in the audit and the run warns, counting them."""

from __future__ import annotations

import pandas as pd

from analysis.clean.date_cells import CHECK, swapped_cells_warning, swapped_date_cells


def _column(
    cell_days: list[int], text_days: list[int]
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    cells = [pd.Timestamp(2021, 3, d) for d in cell_days]
    texts = [f"{d:02d}/04/2021" for d in text_days]
    raw = pd.Series(cells + texts, dtype=object)
    dates = pd.Series(cells + [pd.Timestamp(2021, 4, d) for d in text_days])
    out = pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(len(raw))],
            "_source": "book",
            "source_file": "b.xlsx",
            "source_sheet": "S",
            "source_row": range(2, 2 + len(raw)),
        }
    )
    return out, raw, dates


def test_date_cells_all_12_or_less_beside_text_dates_past_12_are_flagged_and_warned():
    out, raw, dates = _column(list(range(1, 13)), list(range(13, 29)))
    audit = swapped_date_cells(out, "exposures", "start_date", raw, dates, {"book"})
    assert audit["patient_id"].tolist() == [f"P{i}" for i in range(12)]
    assert set(audit["check"]) == {CHECK} and set(audit["action"]) == {"flagged"}
    assert audit["value"].iloc[0] == "2021-03-01"
    assert (
        "12 date cells all have a day of 12 or less, while its 16 text dates go to day 28"
        in (audit["message"].iloc[0])
    )
    (said,) = swapped_cells_warning(audit)
    assert said.startswith("table 'exposures', `start_date`: 12 date cell(s) of a workbook")


def test_date_cells_of_any_day_or_a_csv_source_are_not_flagged():
    out, raw, dates = _column([1, 5, 9, 12, 15, 20, 22, 25, 28, 3, 7], list(range(13, 29)))
    assert swapped_date_cells(out, "exposures", "start_date", raw, dates, {"book"}).empty
    out, raw, dates = _column(list(range(1, 13)), list(range(13, 29)))
    assert swapped_date_cells(out, "exposures", "start_date", raw, dates, set()).empty
    few = _column(list(range(1, 10)), list(range(13, 29)))  # 9 cells: too few to tell
    assert swapped_date_cells(*few[:1], "exposures", "start_date", *few[1:], {"book"}).empty
