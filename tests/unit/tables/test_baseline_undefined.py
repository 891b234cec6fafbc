"""A summary the group's values do not define reads NA, with a footnote: a group of one patient
printed its mean (SD) as "39.0 ()", and a group without values " ()" and " [, ]"."""

from __future__ import annotations

import pandas as pd

from analysis.tables.baseline import baseline_table


def _rows(data: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    t = baseline_table(data, variables=["age_years"], by="sex")
    return t.layout(t.frame), t.footnotes


def test_the_sd_of_one_patient_is_na_with_a_footnote():
    data = pd.DataFrame(
        {
            "patient_id": ["a", "b", "c"],
            "sex": pd.Categorical(["female", "male", "male"], categories=["female", "male"]),
            "age_years": [39.0, 50.0, 61.0],
        }
    )
    rows, notes = _rows(data)
    female = next(c for c in rows.columns if c.startswith("female"))
    assert rows[female].tolist() == ["39.0 (NA)", "39.0 [39.0, 39.0]"]
    assert any(n.startswith("NA: not defined (the SD of a group of one patient") for n in notes)


def test_a_group_without_values_reads_na_and_full_groups_have_no_footnote():
    data = pd.DataFrame(
        {
            "patient_id": ["a", "b", "c", "d"],
            "sex": pd.Categorical(["female", "female", "male", "male"]),
            "age_years": [None, None, 50.0, 61.0],
        }
    )
    rows, _ = _rows(data)
    female = next(c for c in rows.columns if c.startswith("female"))
    assert rows[female].tolist()[:2] == ["NA", "NA"]
    full = data.assign(age_years=[30.0, 40.0, 50.0, 61.0])
    rows, notes = _rows(full)
    assert not any(n.startswith("NA:") for n in notes)
    assert "()" not in " ".join(rows.astype(str).to_numpy().ravel())
