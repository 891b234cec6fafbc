"""Adverse-event incidence: terms of one sex counted among that sex; pairwise Fisher tests
against a reference group beside the global test, with the multiplicity stated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis.ard import published
from analysis.stats.multiplicity import adjust_pvalues
from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_pairwise import Pairwise
from tests.conftest import ard_value as value

RNG = np.random.default_rng(11)
N = 120
SUBJECTS = pd.DataFrame(
    {
        "patient_id": [f"s{i}" for i in range(N)],
        "sex": pd.Categorical(RNG.choice(["female", "male"], N), categories=["female", "male"]),
        "arm": pd.Categorical(
            RNG.choice(["placebo", "low", "high"], N), ["placebo", "low", "high"]
        ),
    }
)
MEN = SUBJECTS.loc[SUBJECTS["sex"] == "male", "patient_id"]
EVENTS = pd.DataFrame(
    {
        "patient_id": [*SUBJECTS["patient_id"].iloc[:40], *MEN.iloc[:9]],
        "ae_term": pd.Categorical(
            ["pain"] * 40 + ["impotence"] * 9, categories=["pain", "rash", "impotence"]
        ),
        "is_teae": True,
    }
)
CATEGORIES = {"pain": "Site", "rash": "Skin", "impotence": "Sexual"}


def _table(**kw):
    return ae_incidence(
        SUBJECTS,
        EVENTS,
        by=kw.pop("by", ["sex", "arm"]),
        categories=CATEGORIES,
        sex_specific={"impotence": "male"},
        **kw,
    )


def test_a_term_of_one_sex_has_that_sex_as_its_denominator():
    t = _table()
    f = t.frame
    men = int((SUBJECTS["sex"] == "male").sum())
    assert value(f, "ae_term", "impotence", "overall", "N") == men
    assert value(f, "ae_term", "impotence", "overall", "pct") == pytest.approx(100 * 9 / men)
    assert value(f, "ae_term", "pain", "overall", "N") == N  # the others: every subject
    assert value(f, "ae_category", "Sexual", "overall", "N") == men  # its only term is male
    male_high = ((SUBJECTS["sex"] == "male") & (SUBJECTS["arm"] == "high")).sum()
    assert value(f, "ae_term", "impotence", "sex=male;arm=high", "N") == male_high
    # the women's cells are not applicable: no rows, "—" shown, no test across sexes
    rows = f.loc[(f["level"] == "impotence")]
    assert not rows["group"].str.contains("female").any()
    assert "p_value" not in set(rows["stat"])
    shown = t.display()
    shown = shown.set_index(shown["Adverse event"].str.strip())
    female_col = next(c for c in shown.columns if c.startswith("Female ("))
    assert shown.loc["impotence", female_col] == "—"
    assert shown.loc["pain", female_col] != "—"
    assert len([c for c in shown.columns if c.startswith("Overall")]) == 1  # one N per column
    note = next(n for n in t.footnotes if "of one sex" in n)
    # a direct call: the levels in backticks (a study's plan shows them in its words)
    assert f"counted among `male` subjects only (N = {men} overall)" in note


def test_the_published_ard_keeps_the_one_sex_n_beside_the_variables_one_n():
    ard = published(_table().frame.assign(table="ae_incidence"))
    n = ard.loc[(ard["stat"] == "N") & (ard["variable"] == "ae_term") & (ard["group1_level"] == "")]
    n = n.loc[n["group2_level"] == ""]
    assert sorted(zip(n["level"], n["value"], strict=True)) == [
        ("", N),
        ("impotence", int((SUBJECTS["sex"] == "male").sum())),
    ]


def test_publishing_is_idempotent_and_the_variables_n_is_everyone_even_with_many_one_sex_terms():
    events = EVENTS.assign(
        ae_term=pd.Categorical(EVENTS["ae_term"].astype(str), ["pain", "rash", "impotence", "x"])
    )
    t = ae_incidence(
        SUBJECTS,
        events,
        by=["arm"],
        sex_specific={"impotence": "male", "x": "male", "rash": "male"},
    )
    once = published(t.frame.assign(table="ae_incidence"))
    assert published(once).equals(once)
    overall = once.loc[
        (once["stat"] == "N") & (once["variable"] == "ae_term") & (once["group1_level"] == "")
    ]
    assert overall.loc[overall["level"] == "", "value"].tolist() == [N]  # not the men's N


def test_one_sex_terms_compared_across_arms_among_that_sex():
    f = _table(by=["arm"]).frame
    p = value(f, "ae_term", "impotence", "arm=*", "p_value")
    men = SUBJECTS.loc[SUBJECTS["sex"] == "male"]
    with_event = men["patient_id"].isin(EVENTS.loc[EVENTS.ae_term == "impotence", "patient_id"])
    table = pd.crosstab(men["arm"], with_event)
    assert 0 <= p <= 1 and table.to_numpy().sum() == len(men)


def _fisher(arm: str, term: str = "pain") -> float:
    hit = SUBJECTS["patient_id"].isin(EVENTS.loc[EVENTS.ae_term == term, "patient_id"])
    a = SUBJECTS["arm"] == arm
    r = SUBJECTS["arm"] == "placebo"
    table = [[(hit & a).sum(), (~hit & a).sum()], [(hit & r).sum(), (~hit & r).sum()]]
    return float(sps.fisher_exact(table)[1])


@pytest.mark.parametrize("adjust", ["none", "holm", "bonferroni"])
def test_pairwise_fisher_against_the_reference(adjust):
    t = ae_incidence(SUBJECTS, EVENTS, by=["arm"], pairwise=Pairwise("placebo", adjust))
    f = t.frame
    raw = [_fisher("low"), _fisher("high")]
    expected = adjust_pvalues(raw, adjust)
    got = [value(f, "ae_term", "pain", f"arm={lv} vs placebo", "p_value") for lv in ("low", "high")]
    assert got == pytest.approx(list(expected))
    assert "arm=*" in set(f.loc[f["stat"] == "p_value", "group"])  # the global test stays
    method = f.loc[(f["group"] == "arm=low vs placebo") & (f["stat"] == "p_value"), "method"]
    words = {"none": "not adjusted", "holm": "Holm-adjusted", "bonferroni": "Bonferroni-adjusted"}
    assert words[adjust] in method.iloc[0] and "fisher exact vs placebo" in method.iloc[0]
    note = next(n for n in t.footnotes if n.startswith("p vs placebo"))
    assert words[adjust] in note
    shown = t.display()
    assert {"p-value, Low vs placebo", "p-value, High vs placebo"} <= set(shown.columns)
    ard = published(f.assign(table="ae_incidence"))
    row = ard.loc[(ard["context"] == "fisher_exact") & (ard["reference"] == "placebo")]
    assert set(row["group1_level"]) == {"low", "high"}


def _fisher_men(arm: str, term: str = "impotence") -> float:
    men = SUBJECTS.loc[SUBJECTS["sex"] == "male"]
    hit = men["patient_id"].isin(EVENTS.loc[EVENTS.ae_term == term, "patient_id"])
    a, r = men["arm"] == arm, men["arm"] == "placebo"
    table = [[(hit & a).sum(), (~hit & a).sum()], [(hit & r).sum(), (~hit & r).sum()]]
    return float(sps.fisher_exact(table)[1])


def test_pairwise_p_of_a_term_of_one_sex_compares_that_sex_only():
    # the pairwise p of a term of one sex was blank: its rows are counted among the men, and
    # the pairwise tests were asked of the other rows only
    f = _table(by=["arm"], pairwise=Pairwise("placebo", "holm")).frame
    raw = [_fisher_men("low"), _fisher_men("high")]
    got = [
        value(f, "ae_term", "impotence", f"arm={lv} vs placebo", "p_value")
        for lv in ("low", "high")
    ]
    assert got == pytest.approx(list(adjust_pvalues(raw, "holm")))
    # the category whose every term is of one sex is compared the same way
    cat = value(f, "ae_category", "Sexual", "arm=low vs placebo", "p_value")
    assert cat == pytest.approx(got[0])


def test_pairwise_reference_must_be_a_level():
    with pytest.raises(ValueError, match="pairwise reference 'sham' is not a level of `arm`"):
        ae_incidence(SUBJECTS, EVENTS, by=["arm"], pairwise=Pairwise("sham"))
    with pytest.raises(ValueError, match="adjust 'sidak' is not one of"):
        Pairwise("placebo", "sidak")


def test_an_event_of_one_sex_recorded_for_the_other_is_in_no_row_and_said():
    # a woman with no other event: her impotence event would make her count in "any adverse
    # event" and in the category while the term leaves her out
    without = set(EVENTS["patient_id"])
    woman = SUBJECTS.loc[
        (SUBJECTS["sex"] == "female") & ~SUBJECTS["patient_id"].isin(without), "patient_id"
    ].iloc[0]
    extra = pd.DataFrame({"patient_id": [woman] * 2, "ae_term": ["impotence"] * 2})
    events = pd.concat([EVENTS, extra.assign(is_teae=True).astype(EVENTS.dtypes.to_dict())])
    mixed = {**CATEGORIES, "pain": "Sexual"}  # a category of both sexes: counted among all
    t = ae_incidence(
        SUBJECTS, events, by=["sex"], categories=mixed, sex_specific={"impotence": "male"}
    )
    f = t.frame
    assert value(f, "ae_term", "impotence", "overall", "n") == 9  # the men only
    women = set(SUBJECTS.loc[SUBJECTS["sex"] == "female", "patient_id"])
    for row in (("any_ae", "any adverse event"), ("ae_category", "Sexual")):
        assert value(f, *row, "overall", "n") == len(without)  # as without her events
        assert value(f, *row, "overall", "events") == len(EVENTS)
        assert value(f, *row, "sex=female", "n") == len(without & women)
    assert (
        "`impotence`: 1 subject not recorded as `male` had the event (2 events; an event of "
        "`male` subjects): not counted in this row, its category or any adverse event; check "
        "the records." in t.footnotes
    )
    assert not any("not counted" in n for n in _table().footnotes)


def test_without_the_sex_column_a_one_sex_term_is_an_error():
    with pytest.raises(ValueError, match="the subjects have no `sex` column"):
        ae_incidence(
            SUBJECTS.drop(columns="sex"), EVENTS, by=["arm"], sex_specific={"impotence": "male"}
        )


@pytest.mark.parametrize("unit", ["patients", "exposures"])
def test_the_plan_passes_pairwise_and_one_sex_terms(mini_study, unit):
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig
    from analysis.tables.plan_tables import build_table

    synonyms = "    synonyms: {pain: [dolor], edema: [edema frontal]}\n"
    plan = (
        "analysis:\n  tables:\n    ae: {kind: ae_incidence, by: [therapy_group], "
        f"unit: {unit}, pairwise: {{reference: combined, adjust: holm}}}}\n"
    )
    path = mini_study(
        yaml_edit=lambda y: (
            y.replace(synonyms, synonyms + "    sex_specific: {edema: female}\n") + plan
        )
    )
    cfg = StudyConfig.load(path)
    clean = clean_study(cfg)
    t = build_table(cfg, clean, "ae", cfg.analysis.tables["ae"])
    f = t.frame
    pairwise = f.loc[f["group"] == "therapy_group=monotherapy vs combined"]
    assert {"p_value", "estimate"} <= set(pairwise["stat"])  # pairwise p and the risk difference
    assert "Holm-adjusted" in pairwise.loc[pairwise["stat"] == "p_value", "method"].iloc[0]
    subjects = clean.patients
    if unit == "exposures":
        subjects = clean.tables["exposures"].merge(subjects[["patient_id", "sex"]])
    women = int((subjects["sex"] == "female").sum())
    assert value(f, "ae_term", "edema", "overall", "N") == women
    assert any("counted among female" in n for n in t.footnotes)


def test_p_value_columns_follow_the_columns_they_compare_within():
    """The highest-severity table once ran "p, Combined therapy" before "p, Monotherapy"
    while its count columns ran monotherapy first: the p-values follow the columns' order."""
    from analysis.tables._common import p_value_groups

    columns = [
        "sex=female;therapy_group=monotherapy", "sex=female;therapy_group=combined",
        "sex=male;therapy_group=monotherapy", "sex=male;therapy_group=combined",
        "sex=female", "sex=male", "overall",
    ]  # fmt: skip
    tests = ["sex=*", "therapy_group=combined;sex=*", "therapy_group=monotherapy;sex=*"]
    frame = pd.DataFrame(
        [{"group": g, "stat": "N"} for g in columns]
        + [{"group": g, "stat": "p_value"} for g in tests]
    )
    assert p_value_groups(frame) == [
        "therapy_group=monotherapy;sex=*", "therapy_group=combined;sex=*", "sex=*",
    ]  # fmt: skip


def test_a_note_of_two_tests_says_which_rows_each_is():
    """Above its enumeration limit the exact test is Monte Carlo: the note names the rows of
    the less used method (with the column when there are several), the rest are "the others"."""
    from analysis.tables.adverse_events import _test_note

    mc = "fisher-freeman-halton monte carlo (B=1000, seed=1; exact enumeration over 10 tables)"
    exact = "fisher-freeman-halton exact"
    one_column = pd.DataFrame(
        {
            "level": ["any adverse event", "pain", "edema", "Cutaneous", "burning"],
            "group": ["dose=*"] * 5,
            "method": [mc, exact, exact, mc, exact],
        }
    )
    (note,) = _test_note("dose", one_column)
    assert note.startswith("p-values compare the `dose` levels: Fisher–Freeman–Halton test, ")
    assert note.endswith(
        "for any adverse event and Cutaneous; Fisher–Freeman–Halton exact test for the others."
    )
    columns = pd.DataFrame(
        {
            "level": ["pain", "pain", "edema", "edema"],
            "group": ["therapy_group=mono;sex=*", "sex=*"] * 2,
            "method": [exact, mc, exact, exact],
        }
    )
    (note,) = _test_note("sex", columns)
    assert "for pain (overall (sex)); Fisher–Freeman–Halton exact test for the others." in note
    (same,) = _test_note("sex", columns.assign(method=exact))
    assert same == "p-values compare the `sex` levels: Fisher–Freeman–Halton exact test."
    assert _test_note("sex", columns.iloc[:0]) == []


def test_a_note_names_one_test_on_tables_of_different_sizes_once():
    """The same Monte Carlo test in two columns differs only in each table's n and SE: the note
    names it once with both, rather than as two methods."""
    from analysis.tables.adverse_events import _test_note

    mc = "fisher-freeman-halton monte carlo (B=100, seed=1; n = {} > 10, the exact test's size limit; Monte Carlo SE of p 1.0e-02)"  # noqa: E501
    frame = pd.DataFrame(
        {
            "level": ["pain", "pain", "edema", "edema"],
            "group": ["therapy_group=mono;sex=*", "sex=*"] * 2,
            "method": [mc.format(12), mc.format(30), mc.format(12), "fisher-freeman-halton exact"],
        }
    )
    (note,) = _test_note("sex", frame)
    assert note.count("seed=1") == 1
    assert "n = 12 and 30 > 10" in note
    assert note.startswith(
        "p-values compare the `sex` levels: Fisher–Freeman–Halton exact test for edema "
        "(overall (sex)); Fisher–Freeman–Halton test, Monte Carlo p-value (B=100, seed=1; "
    )
    assert note.endswith(") for the others.")


def test_the_severity_tests_sit_on_a_row_of_their_own_above_the_levels():
    """The Fisher–Freeman–Halton test compares the whole distribution of highest severity: its
    p-value was on the first level's row ("Mild"), where it read as a test of that level."""
    import numpy as np

    from analysis.tables.ae_severity import ae_severity
    from analysis.tables.render import SUB_ROW

    rng = np.random.default_rng(1)
    subjects = pd.DataFrame(
        {"patient_id": np.arange(60), "sex": pd.Categorical(rng.choice(["female", "male"], 60))}
    )
    events = pd.DataFrame(
        {"patient_id": rng.choice(60, 40), "severity": rng.choice(["mild", "severe"], 40),
         "is_teae": True}
    )  # fmt: skip
    shown = ae_severity(subjects, events, by=["sex"], order=["mild", "severe"]).display()
    first, *levels = shown.to_dict("records")
    assert first["Highest severity"] == "Subjects, n (%)"
    assert first["p-value, overall (sex)"] not in ("", None)
    assert all(first[c] == "" for c in shown.columns if "(N=" in c)
    assert [r["Highest severity"] for r in levels] == [
        f"{SUB_ROW}mild", f"{SUB_ROW}severe", f"{SUB_ROW}no event",
    ]  # fmt: skip
    assert all(r["p-value, overall (sex)"] == "" for r in levels)
    # without a comparison the levels are the rows
    alone = ae_severity(subjects, events, order=["mild", "severe"]).display()
    assert list(alone["Highest severity"]) == ["mild", "severe", "no event"]


def test_the_pairwise_footnote_names_the_reference_in_the_studys_words():
    """The footnote said "p vs 1: ... each daily dose mg level against 1" for the reference dose
    whose label is "1 mg/day"."""
    from analysis.clean.stage import clean_study
    from analysis.studyfile.config import StudyConfig
    from analysis.studyfile.plan import AeIncidenceTable
    from analysis.tables.study_tables import build_tables
    from tests.golden.snapshot import shipped_studies

    (path,) = [p for p in shipped_studies() if p.stem == "low_dose_oral_minoxidil"]
    config = StudyConfig.load(path)
    spec = AeIncidenceTable.model_validate(
        {
            "kind": "ae_incidence",
            "unit": "exposures",
            "by": ["daily_dose_mg"],
            "pairwise": {"reference": "1"},
        }
    )
    plan = config.analysis.model_copy(update={"tables": {"by_dose": spec}, "figures": []})
    config = config.model_copy(update={"analysis": plan})
    table = build_tables(config, clean_study(config))["by_dose"]
    note = next(n for n in table.footnotes if n.startswith("p vs "))
    assert note.startswith("p vs 1 mg/day: Fisher's exact test of each dose level against 1 mg/day")


def test_rows_of_one_sex_keep_the_tables_reference():
    # arm "placebo" has no men: the rows of a male term took the men's first arm as their
    # reference ("high vs low") while the table compared against placebo, without a word
    subjects = SUBJECTS.assign(
        sex=lambda d: d["sex"].where(d["arm"] != "placebo", "female").astype("category")
    )
    men = subjects.loc[subjects["sex"] == "male", "patient_id"]
    events = EVENTS.loc[EVENTS["ae_term"] != "impotence"]
    extra = pd.DataFrame({"patient_id": men.iloc[:9], "ae_term": "impotence", "is_teae": True})
    events = pd.concat([events, extra.astype(EVENTS.dtypes.to_dict())], ignore_index=True)
    t = ae_incidence(
        subjects, events, by=["arm"], sex_specific={"impotence": "male"},
        pairwise=Pairwise("placebo"),
    )  # fmt: skip
    f = t.frame
    rd_groups = set(
        f.loc[(f["level"] == "impotence") & (f["stat"] == "estimate"), "group"].astype(str)
    )
    assert rd_groups == set()  # no risk difference against another arm than placebo
    pain_rd = set(f.loc[(f["level"] == "pain") & (f["stat"] == "estimate"), "group"].astype(str))
    assert pain_rd == {"arm=low vs placebo", "arm=high vs placebo"}
    # the test across the arms with men stays, against scipy
    p = value(f, "ae_term", "impotence", "arm=*", "p_value")
    m = subjects.loc[subjects["sex"] == "male"]
    hit = m["patient_id"].isin(extra["patient_id"])
    table = pd.crosstab(m["arm"].astype(str), hit).to_numpy()
    assert p == pytest.approx(float(sps.fisher_exact(table)[1]), rel=1e-9)
    assert (
        "impotence (counted among male subjects): the reference placebo has no male subjects, "
        "so no risk difference or pairwise test against it is given." in t.footnotes
    )


def test_a_row_with_fewer_comparisons_says_its_own_number():
    # arm "high" has no men: within the men, each row compares low with placebo only, and Holm
    # adjusted over that one comparison, but the method said "over the 2 comparisons of the
    # row" and the footnote "2 ... of each row"
    subjects = SUBJECTS.assign(
        sex=lambda d: d["sex"].where(d["arm"] != "high", "female").astype("category")
    )
    t = ae_incidence(subjects, EVENTS, by=["arm", "sex"], pairwise=Pairwise("placebo", "holm"))
    f = t.frame
    men = f.loc[(f["stat"] == "p_value") & (f["group"] == "sex=male;arm=low vs placebo")]
    women = f.loc[(f["stat"] == "p_value") & (f["group"] == "sex=female;arm=low vs placebo")]
    assert not men.empty and not women.empty
    assert men["method"].str.endswith("Holm-adjusted over the 1 comparison of the row").all()
    assert women["method"].str.endswith("Holm-adjusted over the 2 comparisons of the row").all()
    # the adjusted p of a row with one comparison is its raw p, against scipy
    m = subjects.loc[subjects["sex"] == "male"]
    hit = m["patient_id"].isin(EVENTS.loc[EVENTS.ae_term == "pain", "patient_id"])
    a, r = m["arm"] == "low", m["arm"] == "placebo"
    table = [[(hit & a).sum(), (~hit & a).sum()], [(hit & r).sum(), (~hit & r).sum()]]
    p = value(f, "ae_term", "pain", "sex=male;arm=low vs placebo", "p_value")
    assert p == pytest.approx(float(sps.fisher_exact(table)[1]), rel=1e-9)
    note = next(n for n in t.footnotes if n.startswith("p vs placebo"))
    assert "over the comparisons of each row (2, fewer where a level has no subjects" in note


@pytest.mark.parametrize("adjust", ["none", "holm"])
def test_the_pairwise_footnote_of_rows_alike_gives_one_number(adjust):
    t = ae_incidence(SUBJECTS, EVENTS, by=["arm"], pairwise=Pairwise("placebo", adjust))
    note = next(n for n in t.footnotes if n.startswith("p vs placebo"))
    assert "2 comparisons" in note and "fewer" not in note


def test_the_comparisons_of_the_sexes_are_not_applicable_to_a_term_of_one_sex():
    # its risk difference and p-value cells between the sexes were blank, beside the "—" of its
    # other sex's counts (footnote: — = not applicable to the other sex)
    t = ae_incidence(
        SUBJECTS, EVENTS, by=["sex"], sex_specific={"impotence": "male"}, reference="female"
    )
    shown = t.display().set_index("Adverse event")
    compared = [c for c in shown.columns if c.startswith(("RD ", "p-value"))]
    assert compared  # the table compares the sexes
    assert (shown.loc["impotence", compared] == "—").all()
    assert (shown.loc["pain", compared] != "—").all()


def test_the_global_test_note_leaves_the_pairwise_p_values_to_their_own_note():
    # the pairwise p-values, more rows than the global ones, were counted as "the most used
    # test": the note named the global test "for any adverse event (overall (arm)) and ..." and
    # the pairwise Fisher "for the others", rows that do not exist
    t = ae_incidence(SUBJECTS, EVENTS, by=["arm"], pairwise=Pairwise("placebo", "holm"))
    (note,) = [n for n in t.footnotes if n.startswith("p-values compare")]
    assert note == "p-values compare the `arm` levels: Fisher–Freeman–Halton exact test."
    assert any(n.startswith("p vs placebo: Fisher's exact test") for n in t.footnotes)


def test_a_chi_square_row_where_everyone_had_the_event_says_so():
    # it said "not computable: no events" of a row where every subject had the event
    subjects = pd.DataFrame({"patient_id": [f"p{i}" for i in range(6)], "arm": list("AAABBB")})
    events = pd.DataFrame(
        {"patient_id": subjects["patient_id"], "ae_term": "rash", "is_teae": True}
    )
    f = ae_incidence(subjects, events, by=["arm"], test="chi2").frame
    methods = set(f.loc[f["stat"] == "p_value", "method"])
    assert methods == {
        "pearson_chi2 no continuity correction (not computable: every subject had the event)"
    }
    none = events.iloc[:0]
    f = ae_incidence(subjects, none, by=["arm"], test="chi2").frame
    assert set(f.loc[f["stat"] == "p_value", "method"]) == {
        "pearson_chi2 no continuity correction (not computable: no events)"
    }


def test_test_none_drops_the_global_test_only():
    """``test="none"`` dropped the risk differences too, and the pairwise footnote still said
    "beside the global test" of a test not computed."""
    t = ae_incidence(
        SUBJECTS, EVENTS, by=["arm"], test="none", pairwise=Pairwise("placebo", "holm")
    )
    f = t.frame
    assert "arm=*" not in set(f.loc[f["stat"] == "p_value", "group"])  # no global test
    with_test = ae_incidence(SUBJECTS, EVENTS, by=["arm"]).frame
    for stat in ("estimate", "ci_low", "ci_high"):  # the risk differences as with a test
        assert value(f, "ae_term", "pain", "arm=low vs placebo", stat) == value(
            with_test, "ae_term", "pain", "arm=low vs placebo", stat
        )
    assert any(n.startswith("Risk difference in percentage points") for n in t.footnotes)
    note = next(n for n in t.footnotes if n.startswith("p vs placebo"))
    assert "without a global test" in note and "beside" not in note
    assert not any("compare the `arm` levels" in n for n in t.footnotes)
