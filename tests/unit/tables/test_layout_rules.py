"""Clinical rules of the table layouts: a variable that defines or is determined by the grouping
is shown but not tested; a derived "not applicable" is a level, not "missing", with the same
n (%) in Table 1 and in the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.figures.schedule import schedule_counts
from analysis.tables.baseline import baseline_table
from analysis.tables.plan_tables import build_table
from tests.conftest import ard_value as v

RNG = np.random.default_rng(14)
N = 200
SEX = RNG.choice(["female", "male"], N)
DATA = pd.DataFrame(
    {
        "patient_id": [f"p{i}" for i in range(N)],
        "sex": pd.Categorical(SEX, categories=["female", "male"]),
        # a scale of one sex only: Ludwig for women, Hamilton-Norwood-like for men
        "grade": np.where(
            SEX == "female", RNG.choice(["L1", "L2"], N), RNG.choice(["H2", "H3"], N)
        ),
        "centre": RNG.choice(["A", "B"], N),
        "has_x": RNG.random(N) < 0.3,
        "interval": pd.array(np.where(RNG.random(N) < 0.1, None, RNG.choice([1, 3], N)), "Int64"),
    }
)
VARS = {"grade": "Grade", "centre": "Centre", "has_x": "X", "interval": "Interval"}


def _stats(frame: pd.DataFrame, variable: str) -> set[str]:
    return set(frame.loc[frame["variable"] == variable, "stat"])


def test_a_variable_determined_by_the_groups_is_summarised_not_tested():
    t = baseline_table(DATA, by="sex", variables=VARS, by_label="Sex")
    f = t.frame
    assert not {"p_value", "statistic", "smd"} & _stats(f, "grade")
    assert {"p_value", "smd"} <= _stats(f, "centre")  # the others keep their test
    female = (SEX == "female").sum()
    assert v(f, "grade", "L1", "sex=female", "N") == female  # still summarised
    note = next(n for n in t.footnotes if "not tested" in n)
    assert "Grade: determined by sex: each level occurs in one group only" in note
    shown = t.display().set_index("Characteristic")
    assert shown.loc["Grade, n (%)", "p-value"] == "—"
    assert shown.loc["Grade, n (%)", "SMD"] == "—"  # as the note says: no p-value or SMD
    assert shown.loc["Centre, n (%)", "p-value"] not in ("", "—")
    assert shown.loc["Centre, n (%)", "SMD"] not in ("", "—")


def test_a_declared_not_tested_variable_is_named_with_its_reason():
    t = baseline_table(DATA, by="sex", variables=VARS, not_tested={"has_x": "defines the groups"})
    assert "p_value" not in _stats(t.frame, "has_x")
    note = next(n for n in t.footnotes if "not tested" in n)
    assert "X: defines the groups" in note
    # without `by` nothing is tested and nothing is said
    alone = baseline_table(DATA, by=None, variables=VARS, not_tested={"has_x": "x"})
    assert not any("not tested" in n for n in alone.footnotes)


def test_not_separated_when_a_level_occurs_in_both_groups():
    mixed = DATA.assign(
        grade=DATA["grade"].where(DATA.index != 0, "L1").where(DATA.index != 1, "H2")
    )
    mixed.loc[0, "sex"], mixed.loc[1, "sex"] = "male", "female"
    f = baseline_table(mixed, by="sex", variables=VARS).frame
    assert "p_value" in _stats(f, "grade")


def test_not_applicable_is_a_level_in_the_denominator():
    t = baseline_table(
        DATA,
        by="sex",
        variables=VARS,
        categorical=["interval"],
        not_applicable={"interval": "fewer than two visits"},
    )
    f = t.frame
    n_na = DATA["interval"].isna().sum()
    assert v(f, "interval", "not applicable", "overall", "n") == n_na
    assert v(f, "interval", "1", "overall", "N") == N  # everyone in the denominator
    assert v(f, "interval", "", "overall", "n_missing") == 0
    assert list(dict.fromkeys(f.loc[(f.variable == "interval") & (f.stat == "n"), "level"])) == [
        "1",
        "3",
        "not applicable",
    ]
    assert any("not applicable when fewer than two visits" in n for n in t.footnotes)


@pytest.fixture(scope="module")
def reference_tables(reference_config, reference_clean):
    specs = reference_config.analysis.tables
    return {
        name: build_table(reference_config, reference_clean, name, specs[name])
        for name in ("baseline_sex", "baseline_therapy_group")
    }


def test_reference_study_tests_neither_the_grade_scale_by_sex_nor_the_therapy_inputs(
    reference_tables,
):
    by_sex = reference_tables["baseline_sex"].frame
    assert "p_value" not in _stats(by_sex, "baseline_grade")
    assert "p_value" in _stats(by_sex, "baseline_severity")
    by_therapy = reference_tables["baseline_therapy_group"].frame
    for flag in ("has_oral_minoxidil", "has_low_level_laser"):
        assert "p_value" not in _stats(by_therapy, flag)
    assert "p_value" in _stats(by_therapy, "baseline_grade")
    notes = " ".join(reference_tables["baseline_therapy_group"].footnotes)
    assert "defines the groups" in notes


def test_schedule_figure_and_table_1_give_the_same_n_and_percent(reference_clean, reference_tables):
    """One denominator and one rounding for a number wherever it appears (docs/derivations.md)."""
    from analysis.tables.render import fmt_n_pct

    bars = schedule_counts(reference_clean.patients, levels=[1, 2, 3, 4, 6])
    f = reference_tables["baseline_sex"].frame
    shown = reference_tables["baseline_sex"].display()
    overall = next(c for c in shown.columns if c.startswith("Overall"))
    # the table shows "Not applicable" as the figure does: the level in words, with a capital
    cells = dict(zip(shown["Characteristic"].str.strip().str.lower(), shown[overall], strict=True))
    for bar in bars.itertuples():
        assert v(f, "schedule_months_year1", bar.interval, "overall", "n") == bar.n
        assert v(f, "schedule_months_year1", bar.interval, "overall", "pct") == pytest.approx(
            bar.pct
        )
        assert cells[bar.interval] == fmt_n_pct(bar.n, bar.pct)
    three = bars.set_index("interval").loc["3"]
    assert (three.n, three.N, fmt_n_pct(three.n, three.pct)) == (314, 541, "314 (58.0%)")


def test_by_sex_a_variable_with_levels_of_one_sex_is_not_tested(mini_study):
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig

    vocab = '    levels: ["HN III", "HN IV", "Ludwig I", "Ludwig II"]\n'
    plan = (
        "analysis:\n  tables:\n    base: {kind: baseline, by: sex, "
        "variables: [age_years, baseline_grade]}\n"
    )
    path = mini_study(
        yaml_edit=lambda y: (
            y.replace(vocab, vocab + '    sex_specific: {"Ludwig I": female, "HN IV": male}\n')
            + plan
        )
    )
    cfg = StudyConfig.load(path)
    t = build_table(cfg, clean_study(cfg), "base", cfg.analysis.tables["base"])
    assert "p_value" not in _stats(t.frame, "baseline_grade")
    note = next(n for n in t.footnotes if "not tested" in n)
    assert "partly determined by sex: levels of one sex, Ludwig I (female), HN IV (male)" in note


def test_a_percentage_of_some_never_reads_as_none_nor_of_fewer_than_all_as_all():
    """1 case of 2,469 is "1 (<0.1%)", not "1 (0.0%)" (seen in the minoxidil dose table); 2,468
    of 2,469 is ">99.9%"; 0 and 100 stay "0.0%" and "100.0%"; with other decimals the bound is
    the smallest step shown."""
    from analysis.tables.journal import JournalStyle, use_style
    from analysis.tables.render import fmt_n_pct, fmt_pct

    assert fmt_n_pct(1, 100 / 2469) == "1 (<0.1%)"
    assert fmt_n_pct(2468, 100 * 2468 / 2469) == "2468 (>99.9%)"
    assert [fmt_pct(x) for x in (0, 0.05, 0.0499, 50, 99.9499, 99.95, 100)] == [
        "0.0%", "0.1%", "<0.1%", "50.0%", "99.9%", ">99.9%", "100.0%",
    ]  # fmt: skip
    assert [fmt_pct(x, 0) for x in (0, 0.4, 0.6, 99.4, 99.6, 100)] == [
        "0%", "<1%", "1%", "99%", ">99%", "100%",
    ]  # fmt: skip
    with use_style(JournalStyle("two_small", pct_digits=(0, 2))):
        assert fmt_pct(0.004) == "<0.01%"
        assert fmt_pct(40.0) == "40%"
