"""A frequencies table by a group runs no test: it showed a "p-value" column with every cell
blank and no note why; it now has none (the SMD stays, a description of the groups)."""

from __future__ import annotations

from analysis.studyfile.plan import AnalysisPlan, FrequenciesTable
from analysis.tables.study_tables import build_tables


def test_a_frequencies_table_by_a_group_has_no_p_value_column(reference_config, reference_clean):
    spec = FrequenciesTable(kind="frequencies", variables=["centre", "baseline_severity"], by="sex")
    config = reference_config.model_copy(
        update={"analysis": AnalysisPlan(tables={"f": spec}, figures=[])}
    )
    table = build_tables(config, reference_clean)["f"]
    columns = list(table.display().columns)
    assert "p-value" not in columns and "SMD" in columns
    assert columns[1].startswith("Female (N=")


def test_a_variable_that_defines_the_groups_has_no_smd(reference_config, reference_clean):
    """The baseline table shows a variable the grouping is derived from without a test or SMD
    ("defines the groups"); the frequencies table by the same grouping gave it an SMD, and had
    no `not_tested` of its own."""
    spec = FrequenciesTable(
        kind="frequencies",
        variables=["has_oral_minoxidil", "centre", "sex"],
        by="therapy_group",
        not_tested={"sex": "shown for description only"},
    )
    config = reference_config.model_copy(
        update={"analysis": AnalysisPlan(tables={"f": spec}, figures=[])}
    )
    table = build_tables(config, reference_clean)["f"]
    smd = table.frame.loc[table.frame["stat"] == "smd"]
    assert set(smd["variable"]) == {"centre"}
    note = next(n for n in table.footnotes if n.startswith("— = not tested"))
    assert "defines the groups" in note and "shown for description only" in note
