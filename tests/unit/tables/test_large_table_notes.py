"""Above the exact test's size limit (``stats.ffh.EXACT_MAX_N``) each stratum's p-value is a
seeded Monte Carlo one whose method text holds that table's n: the note names the method once
and lists the n of each stratum, in the columns' order (at 1M patients the highest-severity note
used to repeat the whole method three times)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report.method_prose import per_table_merged
from analysis.stats.ffh import EXACT_MAX_N
from analysis.tables.ae_severity import ae_severity
from analysis.tables.response import response_table

GRADES = ["no change", "mild improvement", "marked improvement"]


def _cohort(n_mono: int, n_combined: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = n_mono + n_combined
    return pd.DataFrame(
        {
            "patient_id": np.arange(1, n + 1),
            "sex": pd.Categorical(rng.choice(["female", "male"], n), ["female", "male"]),
            "therapy_group": pd.Categorical(
                ["monotherapy"] * n_mono + ["combined"] * n_combined, ["monotherapy", "combined"]
            ),
            "response_12m": pd.Categorical(rng.choice(GRADES, n), GRADES, ordered=True),
        }
    )


def _ns(note: str) -> str:
    return note.split("n = ", 1)[1].split(" > ", 1)[0]


def test_the_severity_note_names_the_monte_carlo_test_once_with_each_stratum_n():
    subjects = _cohort(EXACT_MAX_N + 1, EXACT_MAX_N + 500)
    rng = np.random.default_rng(3)
    events = pd.DataFrame(
        {
            "patient_id": rng.choice(subjects["patient_id"], 30_000),
            "severity": rng.choice(["mild", "moderate", "severe"], 30_000),
            "is_teae": True,
        }
    )
    tab = ae_severity(
        subjects, events, by=["sex", "therapy_group"], order=["mild", "moderate", "severe"],
        seed=11,
    )  # fmt: skip
    (note,) = [n for n in tab.footnotes if n.startswith("p-values compare")]
    assert note.startswith("p-values compare the `sex` levels: ")  # a label where the study has one
    assert note.count("seed=") == 1
    assert _ns(note) == f"{EXACT_MAX_N + 1}, {EXACT_MAX_N + 500} and {2 * EXACT_MAX_N + 501}"
    p = tab.frame.loc[tab.frame["stat"] == "p_value", "method"]
    assert p.nunique() == 3  # the ARD keeps each table's own method text


def test_the_response_note_names_the_monte_carlo_test_once_with_each_stratum_n():
    data = _cohort(EXACT_MAX_N + 2, 40)
    tab = response_table(data, seed=5)
    (note,) = [n for n in tab.footnotes if n.startswith("p-values compare")]
    assert note.count("seed=") == 1
    assert (
        "Fisher–Freeman–Halton exact test" in note or "fisher-freeman-halton exact" in note
    )  # the small stratum: exact
    assert _ns(note) == f"{EXACT_MAX_N + 2} and {EXACT_MAX_N + 42}"


def test_texts_that_differ_in_more_than_their_tables_numbers_stay_apart():
    mc = "ffh monte carlo (B=100, seed=1; n = {} > 10, the exact test's size limit; SE of p {})"
    texts = [mc.format(20, "1.0e-02"), "fisher exact", mc.format(30, "1.0e-02"),
             mc.format(20, "1.0e-02"), mc.replace("B=100", "B=200").format(40, "2.0e-02")]  # fmt: skip
    assert per_table_merged(texts) == [
        mc.format("20 and 30", "1.0e-02"),
        "fisher exact",
        mc.replace("B=100", "B=200").format(40, "2.0e-02"),
    ]
    assert per_table_merged(["a {x}", "a {x}"]) == ["a {x}"]
