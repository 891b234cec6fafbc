"""Property tests: every fast plan of the engine equals its plain pandas reference
(``analysis.engine.reference``) on random cohorts — counts exactly, floats to 1e-12 relative.

Cohorts: 0 to 9 subjects (text ids, dense or sparse integer ids), group columns with missing
values, unicode and unused categorical levels; 0 to 4 events per subject, repeated terms,
missing terms, severities and flags, events of subjects absent from the subject table. Every
plan is forced in turn: the bitmap incidence plan (bits on the ids or on row numbers), its
fallbacks (no DuckDB, an unsupported group type, a bitmap over budget), the one-row-per-subject
plan and the one-row-per-(subject, term) plan of the adverse-event table.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.engine import counts as engine
from analysis.engine import incidence
from analysis.engine import reference as ref
from analysis.tables import adverse_events

EXAMPLES = settings(max_examples=40, deadline=None)
SEXES = ["F", "M", "ü"]
GROUPS = ["a", "b", "ß"]
TERMS = ["t1", "t2", "Ωmega", "t 4"]
SEVERITIES = ["mild", "moderate", "severe"]
CATEGORIES = {"t1": "A", "t2": "B", "Ωmega": "A", "t 4": "Ünicode"}


def _ids(kind: str, n: int, offset: int) -> list[Any]:
    if kind == "text":
        return [f"S{i}é" for i in range(n)]
    step = 1 if kind == "dense" else 1000
    return [offset + step * i for i in range(n)]


@st.composite
def cohorts(draw: Any, *, missing_groups: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A subject table ``[patient_id, sex, grp, age, score]`` and an event table
    ``[patient_id, term, severity, serious, duration]``."""
    n = draw(st.integers(0, 9))
    kind = draw(st.sampled_from(["text", "dense", "sparse"]))
    ids = _ids(kind, n + 2, draw(st.integers(-5, 5)))  # the last two: subjects without a row
    sex_values = [*SEXES, None] if missing_groups else SEXES
    sex = draw(st.lists(st.sampled_from(sex_values), min_size=n, max_size=n))
    grp = draw(st.lists(st.sampled_from(GROUPS), min_size=n, max_size=n))
    age = draw(
        st.lists(st.none() | st.integers(-4000, 4000).map(lambda v: v / 4), min_size=n, max_size=n)
    )
    score = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    subjects = pd.DataFrame(
        {"patient_id": ids[:n], "sex": sex, "grp": grp, "age": age, "score": score},
        columns=["patient_id", "sex", "grp", "age", "score"],
    ).astype({"age": "float64", "score": "int64", "sex": object, "grp": object})
    if draw(st.booleans()):  # a categorical group with an unused level
        subjects["grp"] = pd.Categorical(subjects["grp"], categories=[*GROUPS, "unused"])
    id_type = object if kind == "text" else "int64"
    subjects["patient_id"] = subjects["patient_id"].astype(id_type)
    events = []
    for sid in ids:
        for _ in range(draw(st.integers(0, 4))):
            events.append(
                {
                    "patient_id": sid,
                    "term": draw(st.sampled_from([*TERMS, None])),
                    "severity": draw(st.sampled_from([*SEVERITIES, None])),
                    "serious": draw(st.sampled_from([True, False, None])),
                    "duration": draw(st.none() | st.integers(0, 60)),
                }
            )
    ev = pd.DataFrame(events, columns=["patient_id", "term", "severity", "serious", "duration"])
    ev = ev.astype({"duration": "float64", "term": object, "severity": object})
    ev["serious"] = ev["serious"].astype("boolean")
    ev["patient_id"] = ev["patient_id"].astype(id_type)
    return subjects, ev


BYS = st.sampled_from([[], ["sex"], ["grp"], ["sex", "grp"], ["grp", "sex"]])


def _equal(fast: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns, dtypes and rows; counts exact, floats to 1e-12 relative."""
    pd.testing.assert_frame_equal(fast, want, check_exact=False, rtol=1e-12, atol=0)


@EXAMPLES
@given(cohort=cohorts(), by=BYS, unique=st.booleans())
def test_group_sizes_and_level_counts(cohort, by, unique):
    subjects, events = cohort
    if not unique:  # a table with repeated ids: distinct subjects, not rows
        subjects = pd.concat([subjects, subjects.head(2)], ignore_index=True)
    t = engine.as_table(subjects)
    kw = {"by": by, "subject_id": "patient_id", "unique": unique}
    _equal(engine.group_sizes(t, **kw), ref.group_sizes(subjects, **kw))
    for variable in ("score", "sex"):
        if variable not in by:
            _equal(
                engine.level_counts(t, variable=variable, by=by),
                ref.level_counts(subjects, variable=variable, by=by),
            )


@EXAMPLES
@given(cohort=cohorts(), by=BYS)
def test_numeric_summaries_and_rank_sums(cohort, by):
    subjects, events = cohort
    t = engine.as_table(subjects)
    variables = ["age", "score"]
    _equal(
        engine.numeric_summaries(t, variables=variables, by=by),
        ref.numeric_summaries(subjects, variables=variables, by=by),
    )
    _equal(
        engine.numeric_summary(t, variable="age", by=by),
        ref.numeric_summary(subjects, variable="age", by=by),
    )
    ev = engine.as_table(events)
    _equal(
        engine.numeric_summary(ev, variable="duration", by=["term"]),
        ref.numeric_summary(events, variable="duration", by=["term"]),
    )
    if by:
        fast, fast_ties = engine.rank_sums(t, variable="age", by=by)
        want, want_ties = ref.rank_sums(subjects, variable="age", by=by)
        _equal(fast, want)
        sort = pd.DataFrame.sort_values
        _equal(
            sort(fast_ties, "t").reset_index(drop=True), sort(want_ties, "t").reset_index(drop=True)
        )


@EXAMPLES
@given(cohort=cohorts(), by=BYS)
def test_multi_level_counts(cohort, by):
    subjects, events = cohort
    subjects = subjects.assign(flag=subjects["score"] > 1)
    variables = [v for v in ["sex", "grp", "score", "flag"] if v not in by]
    _equal(
        engine.multi_level_counts(engine.as_table(subjects), variables=variables, by=by),
        ref.multi_level_counts(subjects, variables=variables, by=by),
    )


@EXAMPLES
@given(cohort=cohorts(), by=BYS, order=st.permutations(SEVERITIES).map(lambda p: p[:2]))
def test_subject_max_level(cohort, by, order):
    """``order`` leaves one severity out: events carrying it are refused by both (the highest
    level of their subject is unknown), with the same message; otherwise the counts agree."""
    subjects, events = cohort
    kw = {"by": by, "column": "severity", "order": order, "subject_id": "patient_id"}
    if events["severity"].dropna().isin(order).all():
        fast = engine.subject_max_level(engine.as_table(subjects), engine.as_table(events), **kw)
        _equal(fast, ref.subject_max_level(subjects, events, **kw))
        return
    with pytest.raises(ValueError, match="not among the ordered levels") as fast_error:
        engine.subject_max_level(engine.as_table(subjects), engine.as_table(events), **kw)
    with pytest.raises(ValueError) as ref_error:
        ref.subject_max_level(subjects, events, **kw)
    assert str(fast_error.value) == str(ref_error.value)


@EXAMPLES
@given(cohort=cohorts(missing_groups=False), by=BYS)
def test_per_subject_events_incidence_counts_and_subjects_and_events(cohort, by):
    subjects, events = cohort
    ev_t = engine.as_table(events).mutate(serious=lambda t: t["serious"].fill_null(False))
    plain = events.assign(serious=events["serious"].fillna(False).astype(bool))
    kw: dict[str, Any] = {"subject_id": "patient_id", "keys": ["term"], "flags": ["serious"]}
    fast = engine.execute(engine.per_subject_events(ev_t, **kw), ["patient_id", "term"])
    want = ref.per_subject_events(plain, **kw)
    _equal(fast, want)
    # already per subject: the counts add up again
    again = engine.per_subject_events(engine.as_table(want), **kw)
    _equal(engine.execute(again, ["patient_id", "term"]), ref.per_subject_events(want, **kw))
    per_subject = want.merge(subjects[["patient_id", "sex", "grp"]], on="patient_id")
    per_subject["grp"] = per_subject["grp"].astype(object)
    t = engine.as_table(per_subject)
    for terms in ((), ("term",)):
        kw2 = {"by": by, "terms": terms, "subject_id": "patient_id"}
        _equal(engine.incidence_counts(t, **kw2), ref.incidence_counts(per_subject, **kw2))
    for keys in (["term"], ["severity", "term"], ["serious"]):
        _equal(
            incidence.subjects_and_events(ev_t, by=keys, subject_id="patient_id"),
            ref.subjects_and_events(plain, by=keys, subject_id="patient_id"),
        )


def _incidence_args(events: pd.DataFrame, terms_from: str, with_categories: bool) -> dict:
    observed = sorted(events["term"].dropna().unique())
    terms = observed if terms_from == "observed" else TERMS[:2] + ["never seen"]
    return {
        "subject_id": "patient_id",
        "term": "term",
        "terms": terms,
        "categories": {t: CATEGORIES.get(t, "other") for t in terms} if with_categories else None,
        "serious": "serious",
    }


def _plans(subjects: pd.DataFrame, events: pd.DataFrame, **kw: Any) -> dict[str, Any]:
    """The incidence frame from every plan, each forced: name -> frame (or the error's text)."""
    s, e = engine.as_table(subjects), engine.as_table(events)
    cover = kw["terms"] == sorted(events["term"].dropna().unique())
    runs = {
        "bitmaps": lambda: incidence.incidence_bitmaps(s, e, **kw, terms_cover_events=cover),
        "bitmaps, other terms grouped": lambda: incidence.incidence_bitmaps(s, e, **kw),
        "wide": lambda: incidence.incidence_wide(s, e, **kw),
    }
    out: dict[str, Any] = {}
    for name, run in runs.items():
        try:
            out[name] = run()
        except ValueError as err:
            out[name] = str(err)
    with pytest.MonkeyPatch.context() as mp:  # not on DuckDB: the portable duplicate count
        mp.setattr(engine, "on_duckdb", lambda *tables: False)
        assert incidence.incidence_bitmaps(s, e, **kw) is None
        try:
            out["wide, portable"] = incidence.incidence_wide(s, e, **kw)
        except ValueError as err:
            out["wide, portable"] = str(err)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(incidence, "BITMAP_BUDGET_BYTES", 0)
        with contextlib.suppress(ValueError):  # a missing group is refused before the budget
            assert incidence.incidence_bitmaps(s, e, **kw) is None
    return out


@EXAMPLES
@given(
    cohort=cohorts(),
    by=BYS,
    terms_from=st.sampled_from(["observed", "given"]),
    with_categories=st.booleans(),
    duplicate=st.booleans(),
)
def test_incidence_plans(cohort, by, terms_from, with_categories, duplicate):
    subjects, events = cohort
    subjects["grp"] = subjects["grp"].astype(object)  # a categorical group is text on the engine
    if duplicate and len(subjects):
        subjects = pd.concat([subjects, subjects.tail(1)], ignore_index=True)
    events = events.assign(serious=events["serious"].fillna(False).astype(bool))
    kw = {"by": by, **_incidence_args(events, terms_from, with_categories)}
    try:
        want: Any = ref.incidence(subjects, events, **kw)
    except ValueError as err:
        want = str(err)
    for name, fast in _plans(subjects, events, **kw).items():
        if fast is None:  # a column of no text (all missing) has no type: bitmaps refuse it
            assert by and any(subjects[c].isna().all() for c in by), name
        elif isinstance(want, str):
            assert fast == want, name
        else:
            assert not isinstance(fast, str), f"{name}: {fast}"
            _equal(fast, want)


@EXAMPLES
@given(cohort=cohorts(), extra=st.integers(0, 3))
def test_duplicate_count_bitmap_and_hash_set(cohort, extra):
    subjects, events = cohort
    subjects = pd.concat([subjects, subjects.head(extra)], ignore_index=True)
    t = engine.as_table(subjects)
    want = ref.duplicate_count(subjects, "patient_id")
    assert (
        int(engine.execute(t.aggregate(n=engine.duplicate_count(t, "patient_id")))["n"][0]) == want
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "BITMAP_MAX_RANGE", 0)  # the hash set
        got = engine.execute(t.aggregate(n=engine.duplicate_count(t, "patient_id")))["n"][0]
        assert int(got) == want


def _table_counts(result: Any, by: list[str]) -> pd.DataFrame:
    """The per-group ``n``, ``events`` and ``N`` of the full cross of ``by`` from an
    ``ae_incidence`` ARD, as ``[group, variable, level, stat, value]``."""
    f = result.frame
    groups = "overall" if not by else None
    keep = f["stat"].isin(["n", "events", "N"])
    if groups:
        keep &= f["group"] == groups
    else:
        keep &= f["group"].str.count("=") == len(by)
        keep &= ~f["group"].str.contains(r"\*| vs ", regex=True)
    out = f.loc[keep, ["group", "variable", "level", "stat", "value"]].astype({"value": float})
    return out.sort_values(["group", "variable", "level", "stat"]).reset_index(drop=True)


def _reference_counts(
    subjects: pd.DataFrame, events: pd.DataFrame, by: list[str], terms: list[str]
) -> pd.DataFrame:
    emergent = events.loc[events["is_teae"]]
    serious = emergent.assign(serious=emergent["serious"].fillna(False).astype(bool))
    counts = ref.incidence(
        subjects,
        serious,
        by=by,
        subject_id="patient_id",
        term="term",
        terms=terms,
        serious="serious",
    )
    counts["level"] = counts["level"].mask(counts["variable"] == "any_ae", adverse_events.ANY)
    counts["level"] = counts["level"].mask(
        counts["variable"] == "serious_ae", adverse_events.SERIOUS
    )
    text = counts[by].astype(str).to_numpy()
    labels = [";".join(f"{c}={v}" for c, v in zip(by, row, strict=True)) for row in text]
    counts["group"] = pd.Series(labels if by else "overall", index=counts.index, dtype=object)
    long = counts.melt(
        id_vars=["group", "variable", "level"], value_vars=["n", "events", "N"], var_name="stat"
    ).astype({"value": float})
    return long.sort_values(["group", "variable", "level", "stat"]).reset_index(drop=True)


@settings(max_examples=15, deadline=None)
@given(cohort=cohorts(missing_groups=False), by=st.sampled_from([[], ["sex"], ["sex", "grp"]]))
def test_ae_incidence_table_counts_match_the_reference_on_every_plan(cohort, by):
    subjects, events = cohort
    subjects["grp"] = subjects["grp"].astype(object)
    events = events.assign(is_teae=events["duration"].fillna(1) > 0)
    kw: dict[str, Any] = {
        "by": by,
        "term": "term",
        "serious_flag": "serious",
        "test": "none",
    }
    want = _reference_counts(subjects, events, by, sorted(events["term"].dropna().unique()))
    frames = {"bitmaps": adverse_events.ae_incidence(subjects, events, **kw)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(incidence, "BITMAP_BUDGET_BYTES", 0)
        frames["wide"] = adverse_events.ae_incidence(subjects, events, **kw)
        mp.setattr(incidence, "MAX_WIDE_TERMS", -1)
        frames["long"] = adverse_events.ae_incidence(subjects, events, **kw)
    for name, result in frames.items():
        pd.testing.assert_frame_equal(_table_counts(result, by), want, check_exact=True, obj=name)
        pd.testing.assert_frame_equal(result.frame, frames["bitmaps"].frame, obj=name)


def test_incidence_counts_of_no_subject_are_zero_events():
    """Regression (found by the property above): with no ``by`` and no row, the engine summed
    no event to a missing ``events`` (SQL ``sum`` of nothing) where the reference has 0."""
    empty = pd.DataFrame({"patient_id": pd.Series([], dtype="int64")}).assign(events=0)
    fast = engine.incidence_counts(engine.as_table(empty), by=[], subject_id="patient_id")
    _equal(fast, ref.incidence_counts(empty, by=[], subject_id="patient_id"))
    assert fast["events"].tolist() == [0]


def test_an_empty_subject_table_passes_the_subject_check():
    """Regression (found by the property above): the many-terms plan of ``ae_incidence``
    checked an empty subject table with ``by`` by summing no missing flag to a missing count,
    and stopped with a TypeError instead of giving a table of no subject."""
    empty = pd.DataFrame({"patient_id": pd.Series([], dtype="int64"), "sex": []})
    engine.check_subject_table(engine.as_table(empty), by=["sex"], subject_id="patient_id")
