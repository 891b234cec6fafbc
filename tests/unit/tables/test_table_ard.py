"""``TableResult.ard``: a table's numbers as ``ard.csv`` publishes them. The README pointed
users at ``.frame`` as "the tidy ARD": the builder's working form, with its ``group`` key,
``N`` repeated under every level and the methods' codes; it could not be diffed against the
study's ``ard.csv``."""

from __future__ import annotations

import pandas as pd

from analysis.tables import ae_incidence
from analysis.tables.study_tables import study_ard

ADSL = pd.DataFrame(
    {"USUBJID": ["S01", "S02", "S03", "S04"], "TRT01A": ["Placebo"] * 2 + ["Drug A"] * 2}
)
ADAE = pd.DataFrame({"USUBJID": ["S01", "S04", "S04"], "AEDECOD": ["Headache"] * 2 + ["Nausea"]})


def test_a_tables_ard_is_its_rows_of_the_studys_ard():
    table = ae_incidence(
        ADSL, ADAE, by=["TRT01A"], term="AEDECOD", subject_id="USUBJID", teae_flag=None,
        serious_flag=None,
    )  # fmt: skip
    ard = table.ard
    assert "group" not in ard.columns and "group" in table.frame.columns
    pd.testing.assert_frame_equal(ard, study_ard({"t": table}))
    n_rows = ard.loc[(ard["stat"] == "N") & (ard["variable"] == "ae_term")]
    assert set(n_rows["level"]) == {""}  # each denominator once, not under every term
    assert not ard["method"].str.contains("fisher exact", regex=False).any()  # in words


def test_a_severity_outside_the_order_is_refused_naming_only_the_studys_levels():
    """The order shown held "(none)", the table's own level for an event without a severity."""
    import pytest

    from analysis.errors import ArgumentError
    from analysis.tables import ae_severity

    events = ADAE.assign(severity=["mild", "severe", "moderate"])
    with pytest.raises(ArgumentError) as exc:
        ae_severity(
            ADSL, events, by=["TRT01A"], subject_id="USUBJID", term="AEDECOD",
            teae_flag=None, order=["mild", "moderate"],
        )  # fmt: skip
    said = str(exc.value)
    assert "['severe']" in said and "(none)" not in said
