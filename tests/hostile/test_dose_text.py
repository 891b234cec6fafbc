"""Doses written as text that are not one dose (a range, a split dose, two amounts) are audited
and left missing, never read as one of their numbers; counts per period are read."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.hostile.test_plausibility import PERIODS, _dose_edit, run

FORM = (
    "`dose_text` value {!r} is not a dose with one amount and unit (mg, g, mcg) and one "
    "frequency (per day / week / month, optionally 'Nx'); dose_mg and doses_per_week left missing"
)


@pytest.mark.parametrize(
    ("text", "dose", "per_week"),
    [
        ("1,5-2 mg/dia", None, None),  # a range: neither bound is the dose
        ("1 mg 1-0-1", None, None),  # a split daily dose
        ("1 mg + 0,5 mg/dia", None, None),  # two amounts
        ("2 1 mg/dia", None, None),  # a stray number
        ("2,5 mg 1/dia", 2.5, 7.0),  # once a day written 1/dia
        ("2 mg 2/semana", 2.0, 2.0),
        ("1 mg x2/dia", 1.0, 14.0),
        ("0,25 mg 3 vezes/semana", 0.25, 3.0),
    ],
)
def test_dose_text_that_is_not_one_dose(mini_study, text, dose, per_week):
    sessions = PERIODS.replace('P1,"0,5 mg/dia",2020-01-10', f'P1,"{text}",2020-01-10')
    res = run(mini_study(files={"sessions.csv": sessions}, yaml_edit=_dose_edit(None)))
    row = res.tables["exposures"].set_index("source_row").loc[2]
    audit = res.audit.loc[(res.audit["check"] == "dose") & (res.audit["row"] == 2)]
    if dose is None:
        assert pd.isna(row["dose_mg"]) and pd.isna(row["doses_per_week"])
        assert audit[["value", "action", "message"]].values.tolist() == [
            [text, "set_missing", FORM.format(text)]
        ]
    else:
        assert (row["dose_mg"], row["doses_per_week"]) == (dose, per_week)
        assert audit.empty
