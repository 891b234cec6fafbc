"""Tables built by a direct call (a notebook, not a study plan) name columns and methods as a
reader expects: the pairwise footnote said "each  c0 level" (the stand-in name of the column,
with its underscore made a space, was no longer written back), and the highest-severity and
per-exposure footnotes gave method codes ("pearson_chi2 no continuity correction",
"(clopper_pearson)") where the incidence table names them."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.tables import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure
from analysis.tables.ae_pairwise import Pairwise
from analysis.tables.ae_severity import ae_severity

ADSL = pd.DataFrame(
    {
        "USUBJID": [f"S{i:02d}" for i in range(12)],
        "TRT01A": ["Placebo"] * 4 + ["Drug A"] * 4 + ["Drug B"] * 4,
        "arm_group": ["low", "high"] * 6,
    }
)
ADAE = pd.DataFrame(
    {
        "USUBJID": ["S01", "S04", "S05", "S07", "S09", "S10"],
        "AEDECOD": ["Headache"] * 3 + ["Nausea"] * 3,
        "AESEV": pd.Categorical(
            ["MILD", "SEVERE", "MILD", "MODERATE", "MILD", "MILD"],
            categories=["MILD", "MODERATE", "SEVERE"],
            ordered=True,
        ),
        "DOSE_NO": [1, 1, 2, 1, 2, 3],
    }
)
DOSES = pd.DataFrame(
    {"USUBJID": [s for s in ADSL["USUBJID"] for _ in range(3)], "DOSE_NO": [1, 2, 3] * 12}
)

#: what a stand-in name left in a text looks like, with or without its underscore
LEFT_ALIAS = re.compile(r"(?<![\w])_?c\d+(?![\w])")
METHOD_CODES = (
    "pearson_chi2",
    "fisher-freeman-halton",
    "clopper_pearson",
    "wilson_cc",
    "agresti_coull",
)


@pytest.mark.parametrize("by", ["TRT01A", "arm_group"])
def test_pairwise_footnote_names_the_column(by):
    reference = "Placebo" if by == "TRT01A" else "low"
    t = ae_incidence(
        ADSL, ADAE, by=[by], term="AEDECOD", subject_id="USUBJID", teae_flag=None,
        serious_flag=None, reference=reference, pairwise=Pairwise(reference=reference),
    )  # fmt: skip
    note = next(n for n in t.footnotes if n.startswith("p vs"))
    assert f"each {by} level against {reference}" in note
    for text in (t.title, *t.footnotes):
        assert not LEFT_ALIAS.search(text), text


@pytest.mark.parametrize("test", ["fisher", "chi2"])
def test_severity_footnotes_name_the_test(test):
    t = ae_severity(
        ADSL, ADAE, by=["TRT01A"], severity="AESEV", subject_id="USUBJID", teae_flag=None, test=test
    )
    notes = " ".join(t.footnotes)
    assert ("Fisher–Freeman–Halton" if test == "fisher" else "Pearson's χ² test") in notes
    assert not any(code in notes for code in METHOD_CODES), notes
    assert not LEFT_ALIAS.search(notes), notes


@pytest.mark.parametrize("ci", ["clopper_pearson", "wilson_cc", "agresti_coull"])
def test_by_exposure_footnote_names_the_interval(ci):
    t = ae_by_exposure(
        ADAE, DOSES, term="AEDECOD", number="DOSE_NO", subject_id="USUBJID", teae_flag=None, ci=ci
    )
    notes = " ".join(t.footnotes)
    assert not any(code in notes for code in METHOD_CODES), notes
    assert not LEFT_ALIAS.search(notes), notes
