"""Small-cell suppression: primary, complementary, derived statistics, markers for the renderer."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.ard import ard_frame
from analysis.tables import suppress as sup
from analysis.tables.suppress import (
    Suppressed,
    format_suppressed,
    suppress_small_cells,
    suppressed_markers,
    suppression_footnote,
)
from tests.conftest import ard_rows


def _cell(variable, level, group, n, big_n, table="t", **extra):
    pct = 100 * n / big_n
    stats = {"n": n, "N": big_n, "pct": pct, "ci_low": pct / 2, "ci_high": min(pct * 2, 100)}
    stats.update(extra)
    return ard_rows(table, variable, level, group, **stats)


def _hidden(frame: pd.DataFrame, stat: str = "n") -> dict[tuple[str, str, str], str]:
    rows = frame.loc[frame["suppressed"] & (frame["stat"] == stat)]
    return {(r.variable, r.level, r.group): r.suppression for r in rows.itertuples(index=False)}


def _value(frame, variable, level, group, stat="n"):
    rows = frame.loc[
        (frame["variable"] == variable)
        & (frame["level"] == level)
        & (frame["group"] == group)
        & (frame["stat"] == stat),
        "value",
    ]
    assert len(rows) == 1
    return rows.item()


@pytest.fixture
def grades() -> pd.DataFrame:
    """A categorical variable by sex with an overall column (levels sum to N in each group)."""
    rows = []
    for group, counts in {
        "sex=female": {"a": 3, "b": 10, "c": 20},
        "sex=male": {"a": 0, "b": 12, "c": 30},
        "overall": {"a": 3, "b": 22, "c": 50},
    }.items():
        big_n = sum(counts.values())
        for level, n in counts.items():
            rows += _cell("grade", level, group, n, big_n)
        rows.append(
            {
                "table": "t",
                "variable": "grade",
                "level": "",
                "group": group,
                "stat": "n_missing",
                "value": 1,
            }
        )
    rows.append(
        {
            "table": "t",
            "variable": "grade",
            "level": "",
            "group": "sex=*",
            "stat": "p_value",
            "value": 0.5,
            "method": "fisher",
        }
    )
    return ard_frame(rows)


def test_counts_1_to_k_minus_1_are_hidden_and_zero_and_k_kept():
    rows = []
    for n in range(0, 8):
        rows += _cell("any_ae", "any", "overall", n, 100, table=f"t{n}")
    out = suppress_small_cells(ard_frame(rows), k=5)
    n_rows = out.loc[out["stat"] == "n"]
    assert n_rows["suppressed"].tolist() == [False, True, True, True, True, False, False, False]
    assert n_rows["value"].tolist()[:1] + n_rows["value"].tolist()[5:] == [0, 5, 6, 7]
    assert n_rows["value"].iloc[1:5].isna().all()
    assert set(n_rows.loc[n_rows["suppressed"], "suppression"]) == {"primary"}


def test_primary_and_complementary_suppression_in_levels_and_groups(grades):
    out = suppress_small_cells(grades, k=5)
    assert _hidden(out) == {
        ("grade", "a", "sex=female"): "primary",
        ("grade", "a", "overall"): "primary",
        # the only hidden level of its group: the next smallest level goes too
        ("grade", "b", "sex=female"): "complementary",
        ("grade", "b", "overall"): "complementary",
    }
    # the zero is kept: it discloses nothing
    assert _value(out, "grade", "a", "sex=male") == 0
    assert not out.loc[(out["level"] == "a") & (out["group"] == "sex=male"), "suppressed"].any()


def test_the_hidden_count_cannot_be_recovered_from_the_totals(grades):
    out = suppress_small_cells(grades, k=5)
    # within the group: N minus the shown levels leaves the sum of two hidden cells
    big_n = _value(out, "grade", "a", "sex=female", "N")
    shown = out.loc[
        (out["group"] == "sex=female")
        & (out["stat"] == "n")
        & ~out["suppressed"]
        & (out["level"] != ""),
        "value",
    ].sum()
    assert big_n - shown == 3 + 10
    # across groups: overall minus male leaves a hidden cell, not a shown one
    assert math.isnan(_value(out, "grade", "a", "overall"))
    # every set of the table has 0 or at least 2 hidden members
    for level in ("a", "b", "c"):
        hidden = out.loc[(out["level"] == level) & (out["stat"] == "n"), "suppressed"].sum()
        assert hidden != 1
    for group in ("sex=female", "sex=male", "overall"):
        hidden = out.loc[(out["group"] == group) & (out["stat"] == "n"), "suppressed"].sum()
        assert hidden != 1


def test_derived_statistics_of_a_hidden_cell_are_nan_and_the_rest_is_kept(grades):
    out = suppress_small_cells(grades, k=5)
    cell = out.loc[(out["level"] == "a") & (out["group"] == "sex=female")].set_index("stat")
    assert cell.loc[["n", "pct", "ci_low", "ci_high"], "value"].isna().all()
    assert cell.loc[["n", "pct", "ci_low", "ci_high"], "suppressed"].all()
    assert cell.loc["N", "value"] == 33 and not cell.loc["N", "suppressed"]
    kept = out.loc[~out["suppressed"]]
    pd.testing.assert_series_equal(
        kept["value"], grades.loc[kept.index, "value"], check_names=False
    )
    # the test of the grade-by-sex table reads the hidden cells: withheld, with its reason
    assert math.isnan(_value(out, "grade", "", "sex=*", "p_value"))
    p_row = out.loc[out["stat"] == "p_value"].iloc[0]
    assert p_row["suppression"] == "withheld"
    assert p_row["suppression_reason"].startswith("test of a table with a hidden cell")
    assert _value(out, "grade", "", "sex=female", "n_missing") == 1


def test_output_shape_and_input_not_mutated(grades):
    before = grades.copy()
    out = suppress_small_cells(grades, k=5)
    pd.testing.assert_frame_equal(grades, before)
    assert list(out.columns) == [
        *grades.columns,
        "suppressed",
        "suppression",
        "suppress_k",
        "suppression_reason",
    ]
    assert out.index.equals(grades.index)
    assert out[["table", "variable", "level", "group", "stat", "method"]].equals(
        grades[["table", "variable", "level", "group", "stat", "method"]]
    )
    assert (out["suppress_k"] == 5).all()
    assert out["suppressed"].dtype == bool


def test_one_hidden_group_hides_a_second_group_of_the_row():
    rows = [
        *_cell("any_ae", "any", "sex=female", 2, 30),
        *_cell("any_ae", "any", "sex=male", 40, 50),
        *_cell("any_ae", "any", "overall", 42, 80),
    ]
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert _hidden(out) == {
        ("any_ae", "any", "sex=female"): "primary",
        ("any_ae", "any", "sex=male"): "complementary",
    }
    assert _value(out, "any_ae", "any", "overall") == 42


def test_groups_with_two_keys_in_any_order_add_up_to_their_margin():
    rows = [
        *_cell("v", "x", "sex=female;therapy=mono", 3, 40),
        *_cell("v", "x", "therapy=combined;sex=female", 30, 60),
        *_cell("v", "x", "sex=female", 33, 100),
    ]
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert _hidden(out) == {
        ("v", "x", "sex=female;therapy=mono"): "primary",
        ("v", "x", "therapy=combined;sex=female"): "complementary",
    }


def test_levels_that_do_not_add_up_to_n_are_not_a_set():
    # adverse-event terms overlap: pain + edema != N, so hiding edema does not hide pain
    rows = [
        *_cell("ae_term", "pain", "overall", 40, 100),
        *_cell("ae_term", "edema", "overall", 3, 100),
    ]
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert _hidden(out) == {("ae_term", "edema", "overall"): "primary"}


def test_complement_prefers_the_smallest_non_zero_cell():
    rows = [
        *_cell("g", "a", "overall", 2, 50),
        *_cell("g", "b", "overall", 0, 50),
        *_cell("g", "c", "overall", 18, 50),
        *_cell("g", "d", "overall", 30, 50),
    ]
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert _hidden(out) == {
        ("g", "a", "overall"): "primary",
        ("g", "c", "overall"): "complementary",
    }


def test_derived_one_level_variable_is_linked_to_its_grades():
    """any improvement = mild + marked: hiding mild alone would give it back."""
    rows = [
        *_cell("grade", "worsening", "overall", 2, 58),
        *_cell("grade", "stabilization", "overall", 30, 58),
        *_cell("grade", "mild", "overall", 6, 58),
        *_cell("grade", "marked", "overall", 20, 58),
        *_cell("any_improvement", "any improvement", "overall", 26, 58),
    ]
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert _hidden(out) == {
        ("grade", "worsening", "overall"): "primary",
        ("grade", "mild", "overall"): "complementary",
        # any - marked would give mild back
        ("grade", "marked", "overall"): "complementary",
        # N - stabilization - any would give worsening back
        ("any_improvement", "any improvement", "overall"): "complementary",
    }


def test_coincidental_sum_in_one_group_does_not_link_variables():
    rows = []
    for group, (w, s, mild, marked) in {
        "sex=female": (2, 13, 37, 39),  # 2 + 37 == 39 by chance
        "sex=male": (10, 18, 53, 66),
    }.items():
        big_n = w + s + mild + marked
        rows += _cell("grade", "worsening", group, w, big_n)
        rows += _cell("grade", "stabilization", group, s, big_n)
        rows += _cell("grade", "mild", group, mild, big_n)
        rows += _cell("grade", "marked", group, marked, big_n)
        rows += _cell("marked_improvement", "marked", group, marked, big_n)
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert _hidden(out) == {
        ("grade", "worsening", "sex=female"): "primary",
        ("grade", "stabilization", "sex=female"): "complementary",
    }


def test_events_are_counts_and_a_hidden_cell_hides_its_events():
    rows = [
        *_cell("ae_term", "pain", "overall", 6, 100, events=3),
        *_cell("ae_term", "edema", "overall", 2, 100, events=9),
        *_cell("ae_term", "burning", "overall", 20, 100, events=25),
    ]
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert _hidden(out) == {
        ("ae_term", "pain", "overall"): "primary",
        ("ae_term", "edema", "overall"): "primary",
    }
    assert _hidden(out, "events") == _hidden(out)
    assert _value(out, "ae_term", "burning", "overall", "events") == 25


def test_summary_statistics_of_a_hidden_cell_are_hidden():
    rows = [
        {"table": "t", "variable": "age", "level": "", "group": "sex=female", "stat": s, "value": v}
        for s, v in {
            "n": 2,
            "n_missing": 217,
            "mean": 51.5,
            "sd": 3.5,
            "min": 49,
            "max": 54,
        }.items()
    ]
    out = suppress_small_cells(ard_frame(rows), k=5)
    assert out["value"].isna().all()
    assert out["suppressed"].all()


def test_k_of_1_hides_nothing_and_bad_k_is_an_error(grades):
    out = suppress_small_cells(grades, k=1)
    assert not out["suppressed"].any()
    pd.testing.assert_series_equal(out["value"], grades["value"])
    for bad in (0, -5, 2.5, True, "5"):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            suppress_small_cells(grades, k=bad)  # type: ignore[arg-type]


def test_empty_frame():
    out = suppress_small_cells(ard_frame([]), k=5)
    assert out.empty and "suppressed" in out.columns


# ----------------------------------------------------------------------------- renderer hooks
def test_markers_print_as_less_than_k_and_count_as_missing(grades):
    out = suppress_small_cells(grades, k=5)
    markers = suppressed_markers(out)
    assert set(markers) == {
        ("grade", "a", "sex=female", "n"),
        ("grade", "b", "sex=female", "n"),
        ("grade", "a", "overall", "n"),
        ("grade", "b", "overall", "n"),
        ("grade", "", "sex=*", "p_value"),  # withheld: prints as a dagger
    }
    assert format_suppressed(markers[("grade", "", "sex=*", "p_value")]) == "†"
    marker = markers[("grade", "a", "sex=female", "n")]
    assert isinstance(marker, Suppressed)
    assert math.isnan(marker)
    assert format_suppressed(marker) == "<5"
    # a complementary cell (10) is not below 5: it prints as "*"
    assert format_suppressed(markers[("grade", "b", "sex=female", "n")]) == "*"
    assert format_suppressed(3.0) is None
    assert format_suppressed(np.nan) is None
    assert suppressed_markers(grades) == {}


def test_footnote_names_the_threshold():
    note = suppression_footnote(5)
    assert note.startswith("Counts of 1–4 are shown as <5, without percentage")
    assert "cells shown as * are hidden so that such a count cannot be recovered" in note


def test_a_table_showing_few_missing_values_says_they_are_not_suppressed(
    reference_clean, reference_config
):
    """The baseline table under --suppress-below 5 printed "missing 4" beneath a footnote
    saying every count of 1-4 is shown as <5: counts of missing values are not suppressed
    (see the module's Limits), and the footnotes now say so where the table shows one."""
    from analysis.tables.study_tables import build_tables

    tables = build_tables(reference_config, reference_clean)
    frame = suppress_small_cells(tables["baseline_sex"].frame, k=5)
    missing = frame.loc[frame["stat"] == "n_missing", "value"]
    assert ((missing >= 1) & (missing < 5)).any()  # the case: age missing in 4 women
    notes = sup.suppression_footnotes(frame, 5)
    assert (
        "Counts of missing values are not suppressed: those below 5 are shown as they are." in notes
    )
    # a table without such a count does not carry the sentence
    ae = suppress_small_cells(tables["ae_incidence"].frame, k=5)
    assert not any("missing values" in n for n in sup.suppression_footnotes(ae, 5))


# ----------------------------------------------------------------------------- reference study
def test_reference_tables_leave_no_small_count_and_no_lone_hidden_cell(
    reference_clean, reference_config
):
    from analysis.tables.study_tables import build_tables

    for name, table in build_tables(reference_config, reference_clean).items():
        frame = table.frame
        before = frame.copy()
        out = suppress_small_cells(frame, k=5)
        pd.testing.assert_frame_equal(frame, before)
        counts = out.loc[out["stat"].isin(["n", "events"]), "value"]
        assert not ((counts > 0) & (counts < 5)).any(), name
        # every set the rule recognises has 0 or >= 2 unknown members
        cells = sup.cell_keys(frame)
        values: dict[str, dict] = {s: {} for s in ("n", "events", "N")}
        for cell, stat, value in zip(cells, frame["stat"], frame["value"], strict=True):
            if stat in values and not math.isnan(value):
                values[stat].setdefault(cell, value)
        hidden = {
            c
            for c, s, h in zip(cells, out["stat"], out["suppressed"], strict=True)
            if h and s in ("n", "events")
        }
        partitions = sup._level_sets(values["n"], values["N"])
        sets = [(m, None) for m in partitions]
        sets += [(m, t) for m, t, _ in sup._derived_sets(values["n"], values["N"], partitions)]
        sets += [(m, t) for m, t, _ in sup._total_sets(values["n"], values["N"])]
        for stat in ("n", "events"):
            sets += [(m, t) for m, t, _ in sup._group_sets(values[stat], stat)]
        for members, total in sets:
            unknown = sum(m in hidden for m in members) + (total in hidden)
            assert unknown != 1, (name, members, total)


@pytest.mark.parametrize("k", [5, 10])
def test_no_hidden_event_count_comes_back_from_the_events_that_add_up(
    reference_clean, reference_config, k
):
    """Every adverse event has one term and one category, so in each column the categories'
    events add up to those of "any adverse event", and a category's terms' to the category's.
    A probe took the reference table at k = 5: 245 - 233 - 11 = 1 event of "Skin and
    appendages" among women, so n = 1 too, both shown "<5". The hierarchy here is the study's
    vocabulary, not the rows' order the rule reads."""
    from analysis.tables.study_tables import build_tables

    tables = build_tables(reference_config, reference_clean)
    category_of = reference_config.vocabularies["ae_term"].categories
    for name in ("ae_incidence", "ae_by_exposure"):
        frame = tables[name].frame
        out = suppress_small_cells(frame, k=k)
        events = out.loc[out["stat"] == "events"]
        truth = frame.loc[frame["stat"] == "events"].set_index(["group", "variable", "level"])
        for group, rows in events.groupby("group"):
            keys = zip(rows["variable"], rows["level"], strict=True)
            hidden = dict(zip(keys, rows["suppressed"], strict=True))
            value = truth.loc[group]["value"]
            any_ae = [key for key in hidden if key[0] == "any_ae"]
            families = [
                ([key for key in hidden if key[0] == "ae_category"], any_ae),
                ([key for key in hidden if key[0] == "ae_term"], any_ae),
                *(
                    (
                        [
                            key
                            for key in hidden
                            if key[0] == "ae_term" and category_of.get(key[1]) == c
                        ],
                        [("ae_category", c)],
                    )
                    for c in set(category_of.values())
                    if ("ae_category", c) in hidden
                ),
            ]
            for members, total in families:
                if not members or not total:
                    continue
                if sum(value[m] for m in members) != sum(value[t] for t in total):
                    continue  # not a set in this column
                unknown = sum(hidden[m] for m in [*members, *total])
                assert unknown != 1, (name, k, group, members, total)
