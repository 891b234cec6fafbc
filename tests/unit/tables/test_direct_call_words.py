"""A table called directly, as in a notebook, reads as the study's tables do: its title and
notes show no backticks (a study's plan gives its words; a direct call named the codes with
them: "Baseline characteristics by `sex`")."""

from __future__ import annotations

import pandas as pd

from analysis.tables.baseline import baseline_table
from analysis.tables.render import unticked


def _table():
    data = pd.DataFrame(
        {
            "patient_id": list("abcdef"),
            "sex": pd.Categorical(["female", "male"] * 3),
            "age_years": [30.0, 41.0, 52.0, 63.0, 44.0, 35.0],
        }
    )
    return baseline_table(data, variables=["age_years"], by="sex")


def test_title_and_notes_as_read_have_no_backticks():
    t = _table()
    assert "`" in t.title  # the code, kept in the result
    assert t.heading == unticked(t.title) and "`" not in t.heading
    assert "sex" in t.heading
    shown = [t.to_text(), t.to_html(), t.to_report_html(), *t.notes()]
    assert not any("`" in text for text in shown)


def test_unticked_keeps_the_words():
    assert unticked("Counted among `male` patients only (`sex`).") == (
        "Counted among male patients only (sex)."
    )
