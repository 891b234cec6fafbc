"""Adverse-event tables: clinical counting conventions and explicit statistics."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from analysis.tables.adverse_events import ae_incidence
from analysis.tables.ae_detail import ae_by_exposure, ae_duration
from analysis.tables.ae_severity import ae_severity
from tests.conftest import ard_value as value

SUBJECTS = pd.DataFrame(
    {
        "patient_id": ["a", "b", "c", "d", "e", "f"],
        "sex": pd.Categorical(
            ["female", "female", "female", "male", "male", "male"], categories=["female", "male"]
        ),
        "arm": ["x", "y", "x", "y", "x", "y"],
    }
)
EVENTS = pd.DataFrame(
    {
        "patient_id": ["a", "a", "a", "b", "d", "d", "z"],
        "ae_term": pd.Categorical(
            ["pain", "pain", "pain", "edema", "pain", "edema", "pain"],
            categories=["pain", "edema", "headache"],
        ),
        "severity": pd.Categorical(
            ["mild", "severe", "moderate", "mild", "mild", "moderate", "mild"],
            categories=["mild", "moderate", "severe"],
            ordered=True,
        ),
        "exposure_number": [1, 2, 3, 1, 1, 2, 1],
        "is_teae": [True, True, True, True, True, False, True],
        "is_serious": [False, False, False, False, False, False, False],
    }
)


def test_subject_counted_once_events_counted_every_time():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex"]).frame
    assert value(f, "ae_term", "pain", "overall", "n") == 2  # a (3 events) and d
    assert value(f, "ae_term", "pain", "overall", "events") == 4
    assert value(f, "ae_term", "pain", "sex=female", "n") == 1
    assert value(f, "ae_term", "pain", "sex=female", "events") == 3


def test_denominators_come_from_the_subject_table():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex"]).frame
    # 6 subjects, 4 of them without any event; subject z (not in SUBJECTS) is not counted
    assert value(f, "ae_term", "pain", "overall", "N") == 6
    assert value(f, "ae_term", "pain", "overall", "pct") == pytest.approx(100 * 2 / 6)
    assert value(f, "any_ae", "any adverse event", "overall", "n") == 3


def test_treatment_emergent_filter_and_zero_rows_kept():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex"]).frame
    assert value(f, "ae_term", "edema", "overall", "n") == 1  # d's edema is not emergent
    assert value(f, "ae_term", "headache", "overall", "n") == 0
    pruned = ae_incidence(SUBJECTS, EVENTS, by=["sex"], prune_zero=True).frame
    assert "headache" not in set(pruned.level)


def test_rows_sorted_by_descending_overall_frequency():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex"]).frame
    terms = list(dict.fromkeys(f.loc[f.variable == "ae_term", "level"]))
    assert terms == ["pain", "edema", "headache"]


def test_group_n_add_up_to_overall():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex", "arm"]).frame
    n = f[(f.stat == "n") & (f.variable == "ae_term") & (f.level == "pain")]
    cells = n[n.group.str.count("=") == 2]["value"].sum()
    margins = n[n.group.isin(["sex=female", "sex=male"])]["value"].sum()
    assert cells == margins == value(f, "ae_term", "pain", "overall", "n")


def test_wilson_ci_equals_statsmodels():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex"]).frame
    lo, hi = proportion_confint(2, 6, alpha=0.05, method="wilson")
    assert value(f, "ae_term", "pain", "overall", "ci_low") == pytest.approx(100 * lo, abs=1e-10)
    assert value(f, "ae_term", "pain", "overall", "ci_high") == pytest.approx(100 * hi, abs=1e-10)
    cp = ae_incidence(SUBJECTS, EVENTS, by=["sex"], ci="clopper_pearson").frame
    lo, hi = proportion_confint(2, 6, alpha=0.05, method="beta")
    assert value(cp, "ae_term", "pain", "overall", "ci_low") == pytest.approx(100 * lo, abs=1e-10)
    assert value(cp, "ae_term", "pain", "overall", "ci_high") == pytest.approx(100 * hi, abs=1e-10)


def test_fisher_and_chi2_equal_scipy():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex"]).frame
    # pain: female 1/3, male 1/3
    expected = sps.fisher_exact([[1, 2], [1, 2]]).pvalue
    assert value(f, "ae_term", "pain", "sex=*", "p_value") == pytest.approx(expected, abs=1e-10)
    sel = f[(f.stat == "p_value") & (f.group == "sex=*")]
    assert set(sel.method) == {"fisher exact"}
    c = ae_incidence(SUBJECTS, EVENTS, by=["sex"], test="chi2").frame
    # any AE: female 2/3 (a, b), male 1/3 (d)
    chi = sps.chi2_contingency([[2, 1], [1, 2]], correction=False).pvalue
    assert value(c, "any_ae", "any adverse event", "sex=*", "p_value") == pytest.approx(
        chi, abs=1e-10
    )


def test_risk_difference_against_reference_level():
    f = ae_incidence(SUBJECTS, EVENTS, by=["sex"], reference="female").frame
    est = value(f, "any_ae", "any adverse event", "sex=male vs female", "estimate")
    assert est == pytest.approx(100 * (1 / 3 - 2 / 3))


def test_works_on_adam_adsl_adae_with_y_flags_and_reference_arm():
    adsl = pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(9)],
            "TRT01A": ["Placebo"] * 3 + ["Drug A"] * 3 + ["Drug B"] * 3,
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["S0", "S3", "S3", "S4", "S6", "S7", "S8", "S8"],
            "AEDECOD": [
                "Headache",
                "Headache",
                "Nausea",
                "Nausea",
                "Headache",
                "Headache",
                "Nausea",
                "Nausea",
            ],
            "AEBODSYS": [
                "Nervous",
                "Nervous",
                "Gastro",
                "Gastro",
                "Nervous",
                "Nervous",
                "Gastro",
                "Gastro",
            ],
            "TRTEMFL": ["Y", "Y", "Y", "N", "Y", "Y", "Y", "Y"],
        }
    )
    res = ae_incidence(
        adsl,
        adae,
        by=["TRT01A"],
        term="AEDECOD",
        category="AEBODSYS",
        subject_id="USUBJID",
        teae_flag="TRTEMFL",
        serious_flag=None,
        reference="Placebo",
    )
    f = res.frame
    assert value(f, "ae_term", "Nausea", "TRT01A=Drug A", "n") == 1  # S4's nausea is not emergent
    assert value(f, "ae_term", "Nausea", "TRT01A=Drug B", "events") == 2
    assert value(f, "ae_category", "Nervous", "TRT01A=Drug B", "n") == 2
    assert value(f, "ae_term", "Headache", "TRT01A=Placebo", "N") == 3
    groups = set(f.loc[f.stat == "estimate", "group"])
    assert groups == {"TRT01A=Drug A vs Placebo", "TRT01A=Drug B vs Placebo"}
    assert "fisher-freeman-halton exact" in set(f.loc[f.stat == "p_value", "method"])


def test_accepts_parquet_paths_and_ibis_tables(tmp_path):
    s_path, e_path = tmp_path / "s.parquet", tmp_path / "e.parquet"
    SUBJECTS.to_parquet(s_path)
    EVENTS.to_parquet(e_path)
    base = ae_incidence(SUBJECTS, EVENTS, by=["sex"], terms=["pain", "edema", "headache"]).frame
    from_files = ae_incidence(s_path, e_path, by=["sex"], terms=["pain", "edema", "headache"]).frame
    from_ibis = ae_incidence(
        ibis.memtable(SUBJECTS.astype({"sex": str})),
        ibis.memtable(EVENTS.astype({"ae_term": str, "severity": str})),
        by=["sex"],
        terms=["pain", "edema", "headache"],
    ).frame
    key = ["variable", "level", "group", "stat"]
    for other in (from_files, from_ibis):
        pd.testing.assert_frame_equal(
            base.sort_values(key).reset_index(drop=True),
            other.sort_values(key).reset_index(drop=True),
        )


def test_inputs_are_not_mutated():
    s, e = SUBJECTS.copy(deep=True), EVENTS.copy(deep=True)
    ae_incidence(SUBJECTS, EVENTS, by=["sex", "arm"])
    ae_severity(SUBJECTS, EVENTS, by=["sex"])
    pd.testing.assert_frame_equal(SUBJECTS, s)
    pd.testing.assert_frame_equal(EVENTS, e)


COUNTING_PATHS = ["bitmaps", "one row per subject", "one row per subject and term"]


def use_counting_path(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ae_incidence count through ``path`` only: the bitmaps of subject ids (DuckDB,
    integer ids), one row per subject with a column per term, or one row per (subject, term)."""
    from analysis.engine import incidence

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"counted by another plan than {path!r}")

    if path == "bitmaps":
        from analysis.tables import adverse_events

        monkeypatch.setattr(incidence, "incidence_wide", refuse)
        monkeypatch.setattr(adverse_events, "_long_counts", refuse)
    else:
        monkeypatch.setattr(incidence, "BITMAP_BUDGET_BYTES", 0)
    if path == "one row per subject and term":
        monkeypatch.setattr(incidence, "MAX_WIDE_TERMS", 0)


@pytest.fixture(params=COUNTING_PATHS)
def counting_path(request, monkeypatch):
    """Run a test through every counting plan of ae_incidence; returns a function giving the
    test's frames with integer subject ids (the other tests of this file use text ids)."""
    use_counting_path(request.param, monkeypatch)

    def frames(*tables: pd.DataFrame) -> list[pd.DataFrame]:
        def numeric(t: pd.DataFrame) -> pd.DataFrame:
            return t.assign(patient_id=t["patient_id"].map(lambda c: ord(c) - ord("a") + 1))

        return [numeric(t) for t in tables]

    return frames


def test_missing_group_value_is_an_error(counting_path):
    bad = SUBJECTS.assign(
        sex=SUBJECTS["sex"].astype(object).where(SUBJECTS.patient_id != "c", None)
    )
    bad, events = counting_path(bad, EVENTS)
    with pytest.raises(ValueError) as exc:
        ae_incidence(bad, events, by=["sex"])
    assert str(exc.value) == (
        "1 subject(s) have a missing `sex`; a table by `sex` would drop them. Filter them out or "
        "give them a level (e.g. 'unknown') first (in a study file: a subgroup with `where: "
        "[{column: sex, op: not_missing}]`, named as the table's `population`)."
    )


def test_duplicate_subjects_are_an_error(counting_path):
    subjects, events = counting_path(SUBJECTS, EVENTS)
    with pytest.raises(ValueError, match="2 duplicate or missing `patient_id` value"):
        ae_incidence(pd.concat([subjects, subjects.iloc[:2]]), events, by=["sex"])
    # the same id in two groups is a duplicate too
    moved = pd.concat([subjects, subjects.iloc[:1].assign(sex="male")])
    with pytest.raises(ValueError, match="1 duplicate or missing `patient_id` value"):
        ae_incidence(moved, events, by=["sex"])


def test_counting_conventions_hold_on_every_plan(counting_path):
    subjects, events = counting_path(SUBJECTS, EVENTS)
    events.loc[[0, 1], "is_serious"] = True  # two of a's pain events
    f = ae_incidence(subjects, events, by=["sex"]).frame
    assert value(f, "ae_term", "pain", "overall", "n") == 2  # a (3 events) and d
    assert value(f, "ae_term", "pain", "overall", "events") == 4
    assert value(f, "ae_term", "pain", "sex=female", "n") == 1
    assert value(f, "ae_term", "headache", "sex=male", "n") == 0  # zero row kept
    assert value(f, "any_ae", "any adverse event", "overall", "n") == 3  # z not a subject
    assert value(f, "any_ae", "any adverse event", "overall", "N") == 6
    assert value(f, "ae_term", "edema", "overall", "n") == 1  # d's edema not emergent
    assert value(f, "serious_ae", "any serious adverse event", "overall", "n") == 1
    assert value(f, "serious_ae", "any serious adverse event", "overall", "events") == 2
    assert value(f, "serious_ae", "any serious adverse event", "sex=male", "n") == 0


def test_highest_severity_once_per_subject():
    f = ae_severity(SUBJECTS, EVENTS, by=["sex"]).frame
    # a: mild, severe, moderate -> severe; b: mild; d: mild (moderate edema not emergent)
    assert value(f, "worst_severity", "severe", "overall", "n") == 1
    assert value(f, "worst_severity", "mild", "overall", "n") == 2
    assert value(f, "worst_severity", "no event", "overall", "n") == 3
    col = f[(f.group == "overall") & (f.stat == "n")]["value"].sum()
    assert col == 6  # each column adds up to its N


def test_events_by_session_use_subjects_who_received_the_session():
    sessions = pd.DataFrame(
        {"patient_id": list("aaabbcdde"), "exposure_number": [1, 2, 3, 1, 2, 1, 1, 2, 1]}
    )
    f = ae_by_exposure(EVENTS, sessions, pool_below=(0, 0)).frame
    assert value(f, "ae_term", "pain", "exposure_number=1", "N") == 5
    assert value(f, "ae_term", "pain", "exposure_number=1", "n") == 2
    assert value(f, "ae_term", "pain", "exposure_number=3", "N") == 1
    assert value(f, "ae_term", "pain", "exposure_number=3", "pct") == 100


def test_reference_study_published_adverse_event_numbers(reference_clean, reference_config):
    from analysis.tables.study_tables import build_tables

    f = build_tables(reference_config, reference_clean)["ae_incidence"].frame
    assert value(f, "ae_term", "pain", "overall", "n") == 246
    assert value(f, "ae_term", "pain", "overall", "N") == 541
    assert round(value(f, "ae_term", "pain", "overall", "pct"), 1) == 45.5
    assert value(f, "serious_ae", "any serious adverse event", "overall", "n") == 0
    assert value(f, "ae_category", "Sexual", "overall", "n") == 0
    top = f[(f.group == "overall") & (f.stat == "n") & (f.variable == "ae_term")]
    assert top.sort_values("value", ascending=False)["level"].iloc[0] == "pain"
    assert np.isfinite(top["value"]).all()


def test_p_value_only_fisher_skips_the_odds_ratio_and_keeps_the_p_value():
    from analysis.stats.tests import fisher_exact_2x2

    full = fisher_exact_2x2([[120, 4880], [95, 4905]])
    fast = fisher_exact_2x2([[120, 4880], [95, 4905]], odds_ratio=False)
    assert fast.p_value == full.p_value
    assert np.isnan(fast.conditional_odds_ratio) and np.isfinite(full.conditional_odds_ratio)


SESSIONS = pd.DataFrame(
    {"patient_id": list("aaabbcdde"), "exposure_number": [1, 2, 3, 1, 2, 1, 1, 2, 1]}
)
DETAIL_EVENTS = EVENTS.assign(duration_days=[3.0, 10.0, np.nan, 2.0, 5.0, 1.0, 4.0])


def _detail_frames(subjects, events, sessions):
    """The three detail tables, built from one kind of input."""
    return {
        "ae_severity": ae_severity(subjects, events, by=["sex"]).frame,
        "ae_by_exposure": ae_by_exposure(events, sessions).frame,
        "ae_duration": ae_duration(events).frame,
    }


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype(dict.fromkeys(cats, str))


def test_detail_tables_same_from_frames_parquet_paths_and_ibis_tables(tmp_path):
    base = _detail_frames(SUBJECTS, DETAIL_EVENTS, SESSIONS)
    paths = {}
    for name, frame in (("s", SUBJECTS), ("e", DETAIL_EVENTS), ("x", SESSIONS)):
        paths[name] = tmp_path / f"{name}.parquet"
        frame.to_parquet(paths[name])
    from_files = _detail_frames(paths["s"], paths["e"], paths["x"])
    from_ibis = _detail_frames(
        ibis.memtable(_as_text(SUBJECTS)),
        ibis.memtable(_as_text(DETAIL_EVENTS)),
        ibis.memtable(SESSIONS),
    )
    for other in (from_files, from_ibis):
        for name, frame in base.items():
            pd.testing.assert_frame_equal(frame, other[name], obj=name)
    assert value(base["ae_duration"], "duration_days", "", "ae_term=pain", "n") == 4


def test_detail_tables_accept_cdisc_y_n_teae_flag(tmp_path):
    flags = DETAIL_EVENTS.assign(is_teae=DETAIL_EVENTS["is_teae"].map({True: "Y", False: "N"}))
    base = _detail_frames(SUBJECTS, DETAIL_EVENTS, SESSIONS)
    path = tmp_path / "e.parquet"
    flags.to_parquet(path)
    for events in (flags, path):
        got = _detail_frames(SUBJECTS, events, SESSIONS)
        for name, frame in base.items():
            pd.testing.assert_frame_equal(frame, got[name], obj=name)
    sev = ae_severity(SUBJECTS, flags, by=["sex"]).frame
    # d's moderate edema is flagged "N": d's highest emergent severity is mild
    assert value(sev, "worst_severity", "moderate", "overall", "n") == 0
    dur = ae_duration(flags).frame
    assert value(dur, "duration_days", "", "ae_term=edema", "n") == 1  # b's only


def test_detail_tables_count_subjects_once_and_events_every_time():
    events = pd.DataFrame(
        {
            "patient_id": ["a", "a", "a", "b", "c"],
            "ae_term": ["pain", "pain", "edema", "pain", "pain"],
            "severity": ["mild", "severe", "moderate", "moderate", "mild"],
            "exposure_number": pd.array([1, 1, 1, 2, None], dtype="Int64"),
            "duration_days": [1.0, 2.0, 3.0, 4.0, 5.0],
            "is_teae": [1, 1, 1, 1, 1],  # numeric flag
        }
    )
    for kind in (events, ibis.memtable(events)):
        ses = ae_by_exposure(kind, SESSIONS, pool_below=(0, 0)).frame
        assert value(ses, "ae_term", "pain", "exposure_number=1", "n") == 1  # a, twice
        assert value(ses, "ae_term", "pain", "exposure_number=1", "events") == 2
        assert value(ses, "ae_term", "any adverse event", "exposure_number=1", "n") == 1
        assert value(ses, "ae_term", "any adverse event", "exposure_number=1", "events") == 3
        assert value(ses, "ae_term", "pain", "exposure_number=2", "n") == 1  # b; c has no session
        assert value(ses, "ae_term", "pain", "exposure_number=2", "N") == 3
        sev = ae_severity(SUBJECTS, kind, by=["sex"], order=["mild", "moderate", "severe"]).frame
        assert value(sev, "worst_severity", "severe", "sex=female", "n") == 1  # a
        assert value(sev, "worst_severity", "moderate", "sex=female", "n") == 1  # b
        assert value(sev, "worst_severity", "mild", "sex=female", "n") == 1  # c
        n = sev[(sev.group == "sex=female") & (sev.stat == "n")]["value"].sum()
        assert n == 3  # one row per subject: the column adds up to N
        dur = ae_duration(kind).frame
        # the term is the group of the summary; the duration has no level
        assert value(dur, "duration_days", "", "ae_term=pain", "n") == 4  # per event
        assert value(dur, "duration_days", "", "ae_term=pain", "median") == 3.0
        assert set(dur["group1"]) == {"ae_term"} and set(dur["level"]) == {""}


def test_sessions_beyond_max_session_are_pooled():
    f = ae_by_exposure(EVENTS, SESSIONS, max_exposure=2, pool_below=(0, 0)).frame
    assert set(f.group) == {"exposure_number=1", "exposure_number=2+"}
    assert value(f, "ae_term", "pain", "exposure_number=2+", "N") == 3  # a, b, d
    assert value(f, "ae_term", "pain", "exposure_number=2+", "n") == 1  # a at sessions 2 and 3
    assert value(f, "ae_term", "pain", "exposure_number=2+", "events") == 2


def test_detail_tables_check_the_subject_table_on_the_engine(tmp_path):
    path = tmp_path / "s.parquet"
    pd.concat([SUBJECTS, SUBJECTS.iloc[:1]]).to_parquet(path)
    with pytest.raises(ValueError, match="1 duplicate or missing `patient_id` value"):
        ae_severity(path, EVENTS, by=["sex"])
    with pytest.raises(ValueError, match=r"^ae_severity: by='arm2': the subjects table has no"):
        ae_severity(SUBJECTS, EVENTS, by=["arm2"])


def test_sessions_without_a_number_are_an_error():
    sessions = SESSIONS.astype({"exposure_number": "Int64"})
    sessions.loc[0, "exposure_number"] = pd.NA
    with pytest.raises(ValueError) as exc:
        ae_by_exposure(EVENTS, sessions)
    assert str(exc.value) == (
        "the exposures table has rows without a `exposure_number` (for 1 subject(s)); the "
        "denominators need every exposure's number: fix or drop those rows first."
    )


def test_detail_tables_do_not_mutate_their_inputs():
    e, x = DETAIL_EVENTS.copy(deep=True), SESSIONS.copy(deep=True)
    _detail_frames(SUBJECTS, DETAIL_EVENTS, SESSIONS)
    pd.testing.assert_frame_equal(DETAIL_EVENTS, e)
    pd.testing.assert_frame_equal(SESSIONS, x)


def _random_cohort(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 300
    subjects = pd.DataFrame(
        {
            "pid": np.arange(n),
            "sex": rng.choice(["female", "male"], n),
            "arm": rng.choice(["mono", "combined", "other"], n),
        }
    )
    terms = [f"term {k}" for k in range(8)]
    m = 2000
    events = pd.DataFrame(
        {
            "pid": rng.integers(0, n + 20, m),  # some events of subjects not in the table
            "term": rng.choice(terms, m, p=np.linspace(1, 0.2, 8) / np.linspace(1, 0.2, 8).sum()),
            "teae": rng.random(m) < 0.9,
            "serious": rng.random(m) < 0.05,
        }
    )
    return subjects, events


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"categories": {"term 0": "skin", "term 1": "skin", "term 2": "nerves"}},
        {"terms": ["term 3", "term 0", "never seen"], "prune_zero": False},
        {"terms": ["term 3", "term 0", "never seen"], "prune_zero": True},
        {"by": ["arm"], "test": "chi2", "reference": "other"},
        {"by": []},
    ],
)
def test_every_counting_plan_gives_the_same_table(options):
    """Bitmaps of subject ids (DuckDB, integer ids), one row per subject with a column per
    term, and one row per (subject, term) must give the same table: with categories, a term
    list that leaves terms out (they count in "any" only) and a term never seen, pruned or
    not, one grouping column or none, events of subjects not in the subject table, serious
    events, non-emergent events."""
    subjects, events = _random_cohort(7)
    kwargs = {
        "by": ["sex", "arm"],
        "term": "term",
        "subject_id": "pid",
        "teae_flag": "teae",
        "serious_flag": "serious",
        "test": "none",
        **options,
    }
    frames = {}
    for path in COUNTING_PATHS:
        with pytest.MonkeyPatch.context() as mp:
            use_counting_path(path, mp)
            frames[path] = ae_incidence(subjects, events, **kwargs).frame
    for path in COUNTING_PATHS[1:]:
        pd.testing.assert_frame_equal(frames["bitmaps"], frames[path], obj=path)
    assert value(frames["bitmaps"], "any_ae", "any adverse event", "overall", "N") == 300


def test_terms_without_a_category_are_counted_under_other():
    subjects, events = _random_cohort(3)
    f = ae_incidence(
        subjects,
        events,
        by=["sex"],
        term="term",
        subject_id="pid",
        teae_flag="teae",
        serious_flag=None,
        categories={"term 0": "skin"},
    ).frame
    emergent = events.loc[events["teae"] & events["pid"].isin(subjects["pid"])]
    other = emergent.loc[emergent["term"] != "term 0"]
    assert value(f, "ae_category", "Other", "overall", "n") == other["pid"].nunique()
    assert value(f, "ae_category", "Other", "overall", "events") == len(other)
    assert (
        value(f, "ae_category", "skin", "overall", "events") == (emergent["term"] == "term 0").sum()
    )


def test_same_terms_from_frames_parquet_and_ibis_without_a_term_list(tmp_path):
    # Text terms (no declared categories) and a term seen only in a non-treatment-emergent
    # event ("rash"): every kind of input shows the same rows, "rash" as a zero row; pruning
    # zero rows drops it from each.
    events = EVENTS.astype({"ae_term": str}).copy()
    events.loc[5, "ae_term"] = "rash"  # d's edema, not treatment-emergent
    s_path, e_path = tmp_path / "s.parquet", tmp_path / "e.parquet"
    SUBJECTS.to_parquet(s_path)
    events.to_parquet(e_path)
    inputs = {
        "frames": (SUBJECTS, events),
        "parquet": (s_path, e_path),
        "ibis": (
            ibis.memtable(SUBJECTS.astype({"sex": str})),
            ibis.memtable(events.astype({"severity": str})),
        ),
    }
    key = ["variable", "level", "group", "stat"]
    for prune in (False, True):
        frames = {
            name: ae_incidence(s, e, by=["sex"], prune_zero=prune)
            .frame.sort_values(key)
            .reset_index(drop=True)
            for name, (s, e) in inputs.items()
        }
        terms = set(frames["frames"].loc[frames["frames"].variable == "ae_term", "level"])
        assert terms == ({"pain", "edema"} if prune else {"pain", "edema", "rash"})
        for name in ("parquet", "ibis"):
            pd.testing.assert_frame_equal(frames["frames"], frames[name], obj=name)
    assert value(frames["frames"], "ae_term", "edema", "overall", "n") == 1


def test_a_term_seen_only_outside_the_filter_keeps_its_category():
    events = EVENTS.astype({"ae_term": str}).copy()
    events.loc[5, "ae_term"] = "rash"  # not treatment-emergent
    events["soc"] = events["ae_term"].map({"pain": "General", "edema": "General", "rash": "Skin"})
    f = ae_incidence(SUBJECTS, events, by=["sex"], category="soc").frame
    rows = list(dict.fromkeys(zip(f.variable, f.level, strict=True)))
    assert rows.index(("ae_category", "Skin")) + 1 == rows.index(("ae_term", "rash"))
    assert value(f, "ae_category", "Skin", "overall", "n") == 0


def test_bitmaps_count_any_kind_of_id_within_the_memory_budget(monkeypatch):
    from analysis.engine import counts as engine
    from analysis.engine import incidence

    def plan(subjects: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame | None:
        return incidence.incidence_bitmaps(
            engine.as_table(subjects[["patient_id", "sex"]]),
            engine.as_table(events[["patient_id", "ae_term"]]).mutate(
                ae_term=lambda t: t.ae_term.cast("string")
            ),
            by=["sex"],
            subject_id="patient_id",
            term="ae_term",
            terms=["pain", "edema"],
        )

    def pain_n(counts: pd.DataFrame | None) -> list[int]:
        assert counts is not None
        rows = counts[(counts.variable == "ae_term") & (counts.level == "pain")]
        return rows.sort_values("sex")["n"].tolist()

    # the bitmaps number the subjects' rows: text ids, small integers and integers spread
    # over 10^13 all count the same (a and d have pain; z is not a subject)
    spread = {c: ord(c) * 10**11 for c in "abcdefz"}
    for ids in (lambda c: c, ord, spread.get):
        tables = [t.assign(patient_id=t.patient_id.map(ids)) for t in (SUBJECTS, EVENTS)]
        assert pain_n(plan(*tables)) == [1, 1]
    monkeypatch.setattr(incidence, "BITMAP_BUDGET_BYTES", 0)
    assert plan(SUBJECTS, EVENTS) is None


@pytest.mark.parametrize(
    "arm",
    [
        pd.Series([1, 2, 1, 2, 1, 2]),  # integers
        pd.Series([True, False, True, False, True, False]),  # booleans
        pd.to_datetime(pd.Series(["2024-01-01", "2024-02-01"] * 3)).dt.date,  # no bitmaps
    ],
)
def test_any_kind_of_group_column_gives_the_same_table_on_every_plan(arm, monkeypatch):
    subjects = SUBJECTS.assign(patient_id=range(1, 7), arm=arm)
    events = EVENTS.assign(patient_id=EVENTS.patient_id.map(lambda c: ord(c) - ord("a") + 1))
    frames = {}
    for path in COUNTING_PATHS[1:]:
        with pytest.MonkeyPatch.context() as mp:
            use_counting_path(path, mp)
            frames[path] = ae_incidence(subjects, events, by=["arm", "sex"]).frame
    default = ae_incidence(subjects, events, by=["arm", "sex"]).frame
    for path, frame in frames.items():
        pd.testing.assert_frame_equal(default, frame, obj=path)


def test_ae_severity_refuses_levels_outside_the_given_order():
    """A subject whose events carry an unlisted severity was counted in no row but 'no event'."""

    subjects = pd.DataFrame({"patient_id": ["a", "b"], "sex": ["female", "male"]})
    events = pd.DataFrame(
        {"patient_id": ["a", "b"], "severity": ["mild", "severe"], "is_teae": [True, True]}
    )
    with pytest.raises(ValueError, match=r"\['severe'\] are not among the ordered levels"):
        ae_severity(subjects, events, by=["sex"], order=["mild", "moderate"])


def test_a_missing_flag_column_is_named_with_the_columns_there():
    subjects = pd.DataFrame({"patient_id": ["a", "b"], "sex": ["female", "male"]})
    events = pd.DataFrame({"patient_id": ["a"], "ae_term": ["headache"]})
    with pytest.raises(ValueError, match=r"teae_flag='is_teae'.*'ae_term', 'patient_id'.*None"):
        ae_incidence(subjects, events, by=["sex"])
    table = ae_incidence(subjects, events, by=["sex"], teae_flag=None)
    assert value(table.frame, variable="ae_term", level="headache", group="overall", stat="n") == 1
