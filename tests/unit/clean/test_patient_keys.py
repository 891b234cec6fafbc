"""The integer patient key (``per_patient.KEY``) changes no result: every step that uses it
equals the same step matching by the id text (the code before the key), exactly, on random
tables with hostile ids (number-like, unicode, case and width variants, ids of no patient,
missing dates, ties, empty tables); and the whole clean stage gives the same tables, logs and
flow with the key as without it (``dedupe_tables.patient_keys`` made to give none)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis.clean.stage as stage
from analysis.clean import dedupe_tables, derive
from analysis.clean.duplicates import (
    drop_duplicate_records,
    drop_orphans,
    flag_close_exposures,
    orphan_log,
)
from analysis.clean.ordering import finalise_table
from analysis.clean.per_patient import (
    KEY,
    IdLookup,
    PatientKeys,
    key_positions,
    patient_positions,
    patient_values,
    per_patient,
    with_keys,
)
from analysis.clean.plausibility import _first_of_january
from analysis.studyfile.config import StudyConfig
from tests.conftest import REFERENCE_STUDY, REPO
from tests.unit.clean.test_derive_vectorised import _reference_median_gap

# ids that sort, hash and look alike in awkward ways; "Z-none" is never a patient
IDS = ["P1", "P10", "P2", "p1", "01", "1", "1.0", "Ä", "A", "ａ", "é", "é", " x", "x", "中"]
ORPHAN = "Z-none"
BASE = pd.Timestamp("2020-01-01")


def _day(n: int | None) -> pd.Timestamp:
    return pd.NaT if n is None else BASE + pd.Timedelta(days=n)


def _days(draw, k: int) -> np.ndarray:
    """``k`` dates (some missing) as a datetime column, whatever ``k``."""
    return pd.Series([_day(draw(DAYS)) for _ in range(k)], dtype="datetime64[ns]").to_numpy()


PATIENT_IDS = st.lists(st.sampled_from(IDS), unique=True, max_size=8)
DAYS = st.one_of(st.integers(min_value=-30, max_value=900), st.none())


@st.composite
def study_tables(draw):
    """Patients (unique ids, in any order) and child tables referring to them or to nobody."""
    ids = draw(st.permutations(draw(PATIENT_IDS)))
    choices = [*ids, ORPHAN]
    n = len(ids)
    patients = pd.DataFrame(
        {
            "patient_id": np.array(ids, dtype=object),
            "day0_date": _days(draw, n),
            "exposure_end_date": _days(draw, n),
            "last_contact_date": _days(draw, n),
            "x_float": [draw(st.one_of(st.floats(-5, 5), st.just(np.nan))) for _ in range(n)],
            "x_int": pd.array([draw(st.integers(0, 3)) for _ in range(n)], dtype="int64"),
            "x_bool": [draw(st.booleans()) for _ in range(n)],
        },
        index=pd.Index(draw(st.permutations(range(100, 100 + n))), dtype="int64"),
    )
    patients["source_file"] = "p.csv"
    patients["source_sheet"] = ""
    patients["source_row"] = np.arange(2, n + 2)
    patients["x_cat"] = pd.Categorical(
        [draw(st.sampled_from(["b", "a", None])) for _ in range(n)], categories=["b", "a"]
    )
    patients["x_nint"] = pd.array(
        [draw(st.one_of(st.integers(0, 3), st.none())) for _ in range(n)], dtype="Int64"
    )

    def rows(k: int) -> list:
        return [draw(st.sampled_from(choices)) for _ in range(k)]

    k = draw(st.integers(0, 14))
    exposures = pd.DataFrame(
        {
            "patient_id": pd.Series(rows(k), dtype=object),
            "start_date": _days(draw, k),
            "source_file": draw(st.sampled_from(["a.csv", "b.csv"])),
            "source_sheet": "",
            "source_row": [draw(st.integers(1, 4)) for _ in range(k)],
        }
    )
    k = draw(st.integers(0, 14))
    grades = ["worse", "mild improvement", "marked improvement", "no change"]
    assessments = pd.DataFrame(
        {
            "patient_id": pd.Series(rows(k), dtype=object),
            "assessment_date": _days(draw, k),
            "response_grade": pd.Categorical(
                [draw(st.sampled_from([*grades, None])) for _ in range(k)], categories=grades
            ),
            "source_file": "as.csv",
            "source_sheet": "",
            "source_row": np.arange(k, 0, -1),
        }
    )
    k = draw(st.integers(0, 14))
    aes = pd.DataFrame(
        {
            "patient_id": pd.Series(rows(k), dtype=object),
            "onset_date": _days(draw, k),
            "ae_term": pd.Categorical(
                [draw(st.sampled_from(["rash", "itch"])) for _ in range(k)],
                categories=["rash", "itch"],  # category order is not text order
            ),
            "severity": pd.Categorical(
                [draw(st.sampled_from(["mild", "severe", None])) for _ in range(k)],
                categories=["mild", "severe"],
                ordered=True,
            ),
            "source_file": "aes.csv",
            "source_sheet": "",
            "source_row": np.arange(1, k + 1),
        }
    )
    return patients, {"exposures": exposures, "assessments": assessments, "adverse_events": aes}


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=KEY, errors="ignore")


def _keyed_children(patients, children):
    """The keyed frames, with the records of no patient dropped (as de-duplication does)."""
    kp, kc = with_keys(patients, children)
    if KEY not in kp:
        return kp, kc
    return kp, {n: df.loc[df[KEY] >= 0] for n, df in kc.items()}


@settings(max_examples=150, deadline=None)
@given(study_tables())
def test_keys_rank_the_ids_in_text_order_and_point_at_the_patient(tables):
    patients, children = tables
    kp, kc = with_keys(patients, children)
    if len(patients) == 0:
        assert all((df[KEY] == -1).all() for df in kc.values())
        return
    ids = list(patients["patient_id"])
    assert list(kp[KEY]) == [sorted(ids).index(p) for p in ids]
    for name, df in kc.items():
        want = [sorted(ids).index(p) if p in ids else -1 for p in df["patient_id"]]
        assert list(df[KEY]) == want
        assert_frame = pd.testing.assert_frame_equal
        assert_frame(_plain(df), children[name])  # nothing else changed
        at = key_positions(kp, df)
        np.testing.assert_array_equal(at, patient_positions(patients, df["patient_id"]))


def test_no_keys_when_ids_are_missing_repeated_or_not_text():
    child = {"exposures": pd.DataFrame({"patient_id": ["a"]})}
    for ids in (["a", None], ["a", "a"], ["a", 1]):
        patients = pd.DataFrame({"patient_id": pd.Series(ids, dtype=object)})
        kp, kc = with_keys(patients, child)
        assert KEY not in kp and KEY not in kc["exposures"]


@settings(max_examples=150, deadline=None)
@given(study_tables())
def test_patient_values_equal_the_map_by_id(tables):
    patients, children = tables
    kp, kc = with_keys(patients, children)
    for column in ["day0_date", "x_float", "x_int", "x_bool", "x_cat", "x_nint"]:
        for df in kc.values():
            got = patient_values(kp, kp[column], df)
            mapper = pd.Series(patients[column].array, index=patients["patient_id"].to_numpy())
            want = df["patient_id"].map(mapper)
            pd.testing.assert_series_equal(got, want)


@settings(max_examples=150, deadline=None)
@given(study_tables())
def test_derivations_with_keys_equal_those_by_id(tables):
    patients, children = tables
    config = StudyConfig.load(REFERENCE_STUDY)
    d, e = config.derive, config.exposure
    kp, kc = _keyed_children(patients, children)
    pc = {n: _plain(df) for n, df in kc.items()}  # the same records, matched by id
    same = pd.testing.assert_frame_equal
    for column, how in [("start_date", ["min", "max", "size"]), ("start_date", ["max"])]:
        same(
            per_patient(kp, kc["exposures"], column, how),
            per_patient(patients, pc["exposures"], column, how),
        )
    same(
        _plain(derive.add_exposure_summary(kp, kc["exposures"], e)),
        derive.add_exposure_summary(patients, pc["exposures"], e),
    )
    same(
        _plain(derive.add_schedule(kp, kc["exposures"], d)),
        derive.add_schedule(patients, pc["exposures"], d),
    )
    same(
        _plain(derive.add_response(kp, kc["assessments"], d)),
        derive.add_response(patients, pc["assessments"], d),
    )
    same(
        _plain(derive.add_first_improvement(kp, kc["assessments"], d)),
        derive.add_first_improvement(patients, pc["assessments"], d),
    )
    aes_k = derive.add_ae_flags(kc["adverse_events"], kp, kc["exposures"], e)
    aes_p = derive.add_ae_flags(pc["adverse_events"], patients, pc["exposures"], e)
    same(_plain(aes_k), aes_p)
    same(_plain(derive.add_ae_summary(kp, aes_k)), derive.add_ae_summary(patients, aes_p))


@settings(max_examples=150, deadline=None)
@given(study_tables(), st.data())
def test_record_steps_with_keys_equal_those_by_id(tables, data):
    patients, children = tables
    kp, kc = with_keys(patients, children)
    same = pd.testing.assert_frame_equal
    for name, table in [("exposures", "exposures"), ("adverse_events", "adverse_events")]:
        df = kc[name]
        among = np.array(
            data.draw(st.lists(st.booleans(), min_size=len(df), max_size=len(df))), dtype=bool
        )
        got = drop_duplicate_records(df, table, among=among, on_conflict="keep_first")
        want = drop_duplicate_records(_plain(df).loc[among], table, on_conflict="keep_first")
        same(_plain(got.data), want.data)
        same(got.excluded, want.excluded)
        removed = {
            p: ("inclusion:x", "not met: x") for p in data.draw(st.lists(st.sampled_from(IDS)))
        }
        kept = set(patients["patient_id"])
        by_id = drop_orphans(_plain(df), table, kept, removed)
        by_flag = drop_orphans(df, table, set(), removed, orphan=(df[KEY] < 0).to_numpy())
        same(_plain(by_flag.data), by_id.data)
        same(by_flag.excluded, by_id.excluded)
        same(orphan_log(df, table, (df[KEY] < 0).to_numpy(), removed), by_id.excluded)
    exposures = kc["exposures"]
    rows = np.flatnonzero(
        data.draw(st.lists(st.booleans(), min_size=len(exposures), max_size=len(exposures)))
    ).astype(np.int64)
    got = flag_close_exposures(exposures, 14, rows=rows)
    want = flag_close_exposures(exposures.iloc[rows], 14)
    same(got.data, want.data)
    same(got.audit, want.audit)
    kp, kc = _keyed_children(patients, children)
    exposures = kc["exposures"]
    got = flag_close_exposures(exposures, 14)
    want = flag_close_exposures(_plain(exposures), 14)
    same(_plain(got.data), want.data)
    same(got.audit, want.audit)
    reference = _plain(exposures).sort_values(
        ["patient_id", "start_date", "source_row"], kind="stable"
    )
    same(_plain(got.data).drop(columns="is_possible_double_entry"), reference)
    for table, df in [("patients", kp), *kc.items()]:
        if table == "exposures":
            df = df.loc[df["start_date"].notna()]
        same(finalise_table(table, df), finalise_table(table, _plain(df)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.integers(-50, 3000), st.sampled_from([1980, 1655, 2300, 999])),
        max_size=12,
    )
)
@pytest.mark.filterwarnings("ignore:Could not infer format")
def test_first_of_january_equals_the_per_value_reference(years):
    y = pd.Series(years, dtype="Float64", index=np.arange(len(years)) * 3)
    want = pd.to_datetime(
        y.map(lambda v: f"{int(v)}-01-01" if pd.notna(v) else None), errors="coerce"
    ).astype("datetime64[ns]")
    got = _first_of_january(y)
    pd.testing.assert_series_equal(got, want.rename(None))


@pytest.mark.parametrize(
    "study", [REFERENCE_STUDY, REPO / "studies" / "low_dose_oral_minoxidil.yaml"]
)
def test_clean_stage_with_keys_equals_the_stage_by_id(study, monkeypatch):
    config = StudyConfig.load(study)
    keyed = stage.clean_study(config)
    monkeypatch.setattr(dedupe_tables, "patient_keys", lambda patients: None)
    by_id = stage.clean_study(config)
    assert keyed.tables.keys() == by_id.tables.keys()
    for name in keyed.tables:
        assert KEY not in keyed.tables[name]
        pd.testing.assert_frame_equal(keyed.tables[name], by_id.tables[name])
    for part in ("exclusions", "audit", "flow", "raw_counts", "conflicts"):
        pd.testing.assert_frame_equal(getattr(keyed, part), getattr(by_id, part))
    assert keyed.warnings == by_id.warnings


HOSTILE_FILES = {
    "patients.csv": """\
        id,sex,age,grade,last_visit,discontinued,disc_date,disc_reason
        P1,F,55,Ludwig I,2021-01-10,no,,
        P2,male,40,HN III,2021-03-01,yes,2020-12-01,cost
        P1,F,55,Ludwig I,2021-01-10,no,,
        P3,Mujer,61,Ludwig II,2020-06-01,no,,
        P3,Mujer,62,Ludwig II,2020-06-01,no,,
        01,M,33,HN IV,2021-02-01,no,,
        1,M,35,HN IV,2021-02-01,no,,
        Ä1,F,44,HN IV,2021-02-01,no,,
        P10,M,50,HN III,2020-03-01,no,,
        """,
    "sessions.csv": """\
        id,date,dose
        P1,2020-01-10,0.1
        P1,2020-01-15,0.1
        P1,2020-04-10,0.1
        P2,2020-01-15,0.1
        P2,2020-01-15,0.1
        P3,2020-03-01,0.1
        01,2020-02-01,0.1
        1,2020-05-01,0.1
        1,2020-03-01,0.1
        Ä1,2020-02-01,0.1
        Ä1,2020-08-01,0.1
        P10,2020-01-01,0.1
        P9,2020-02-01,0.1
        """,
    "aes.csv": """\
        id,onset,term,severity,serious
        P1,2020-01-11,dolor,leve,no
        P1,2020-04-11,pain,mild,no
        P3,2020-04-11,edema,moderate,no
        Ä1,2020-02-02,pain,severe,no
        P10,2020-02-02,pain,mild,no
        P9,2020-02-02,pain,mild,no
        """,
    "assess.csv": """\
        id,date,grade
        P1,2021-01-08,mejoría marcada
        1,2021-01-20,mild improvement
        Ä1,2021-01-25,stable
        P9,2021-01-25,stable
        """,
}


def test_hostile_mini_study_with_keys_equals_the_stage_by_id(mini_study, monkeypatch):
    from tests.conftest import allow_orphans

    def edit(yaml: str) -> str:  # '01' and '1' are different patients here
        return allow_orphans(yaml).replace(
            "cleaning: {max_orphan_fraction: 1}",
            "cleaning: {max_orphan_fraction: 1, ids: {near_duplicates: warn}}",
        )

    config = StudyConfig.load(mini_study(files=HOSTILE_FILES, yaml_edit=edit))
    looked_up: list[bool] = []
    real = PatientKeys._looked_up

    def spy(self, index, lookup):
        looked_up.append(real(self, index, lookup) is not None)
        return real(self, index, lookup)

    with monkeypatch.context() as m:
        m.setattr(PatientKeys, "_looked_up", spy)
        keyed = stage.clean_study(config)
    assert len(keyed.conflicts) and len(keyed.exclusions)  # the awkward cases happen
    assert looked_up == [True] * 4  # every child table keyed from the id checks' lookup
    monkeypatch.setattr(dedupe_tables, "patient_keys", lambda patients: None)
    by_id = stage.clean_study(config)
    for name in keyed.tables:
        pd.testing.assert_frame_equal(keyed.tables[name], by_id.tables[name])
    for part in ("exclusions", "audit", "flow", "conflicts"):
        pd.testing.assert_frame_equal(getattr(keyed, part), getattr(by_id, part))


@st.composite
def key_frames(draw):
    """Frames of integer, date (with NaT) and categorical (category order unlike text order,
    with missing) columns, and one text column, with many ties."""
    k = draw(st.integers(0, 25))
    return pd.DataFrame(
        {
            "key": np.array([draw(st.integers(-2, 3)) for _ in range(k)], dtype=np.int64),
            "small": np.array([draw(st.integers(0, 2)) for _ in range(k)], dtype=np.uint8),
            "date": _days(draw, k) if draw(st.booleans()) else _sparse_days(draw, k),
            "cat": pd.Categorical(
                [draw(st.sampled_from(["rash", "itch", None])) for _ in range(k)],
                categories=["rash", "itch"],
            ),
            "text": pd.Series(
                [draw(st.sampled_from(["b", "a", "a\x00"])) for _ in range(k)], dtype=object
            ),
        },
        index=pd.Index(draw(st.permutations(range(k))), dtype="int64"),
    )


def _sparse_days(draw, k: int) -> np.ndarray:
    """Dates from a few values only (many ties), never missing."""
    return np.array([_day(draw(st.integers(0, 2))) for _ in range(k)], dtype="datetime64[ns]")


COLUMN_SETS = st.lists(
    st.sampled_from(["key", "small", "date", "cat", "text"]), min_size=1, max_size=4, unique=True
)


@settings(max_examples=300, deadline=None)
@given(key_frames(), COLUMN_SETS)
def test_first_of_key_equals_the_grouped_reference(df, columns):
    from analysis.clean.duplicates import first_of_key

    group = df.groupby(columns, sort=False, dropna=False, observed=True).ngroup().to_numpy()
    _, first_of_group = np.unique(group, return_index=True)
    want = first_of_group[group] if len(df) else np.zeros(0, dtype=np.int64)
    np.testing.assert_array_equal(first_of_key(df, columns), want)


@settings(max_examples=300, deadline=None)
@given(key_frames(), COLUMN_SETS, st.sampled_from(["first", "last"]))
def test_sorted_positions_equal_sort_values(df, columns, na_position):
    from analysis.clean.ordering import sorted_positions

    # sort_values takes 'a' and 'a\x00' as equal (pandas hashes text up to a NUL) where the
    # in-order check compares the text; no cell of a clean table holds a NUL (unreadable)
    df = df.assign(text=df["text"].str.replace("\x00", "", regex=False))
    keys = df[columns].reset_index(drop=True)
    want = keys.sort_values(columns, kind="stable", na_position=na_position).index.to_numpy()
    np.testing.assert_array_equal(sorted_positions(df, columns, na_position), want)


@settings(max_examples=200, deadline=None)
@given(study_tables(), st.booleans())
def test_median_first_year_gap_on_sorted_exposures_equals_the_reference(tables, keyed):
    from analysis.clean.per_patient import median_first_year_gap

    patients, children = tables
    kp, kc = _keyed_children(patients, children)
    exposures = kc["exposures"].sort_values(["patient_id", "start_date"], kind="stable")
    by = KEY if keyed and KEY in exposures else "patient_id"
    got = median_first_year_gap(exposures, 365.25, by=by)
    want = _reference_median_gap(exposures.assign(patient_id=exposures[by]), 365.25)
    pd.testing.assert_series_equal(got, want, check_names=False, check_index_type=False)


@settings(max_examples=200, deadline=None)
@given(study_tables(), st.data())
def test_keys_from_the_id_checks_lookup_equal_those_from_the_ids(tables, data):
    """``PatientKeys.key`` with where the id checks found the ids (``IdLookup``): the patient
    table as read holds more ids than the patients kept, the records are a subset of those
    checked (some dropped since), under increasing labels; a record whose label the lookup
    lacks, or labels that are not integers, fall back to the ids."""
    patients, children = tables
    keys = PatientKeys.of(patients)
    if keys is None:
        return
    read_ids = [*patients["patient_id"], *data.draw(st.lists(st.sampled_from(IDS), max_size=3))]
    known = pd.Index(pd.unique(pd.Series(read_ids, dtype=object)))
    for df in children.values():
        checked = df.set_axis(np.arange(len(df)) * 2 + 5)  # the labels of the records read
        at = known.get_indexer(checked["patient_id"].to_numpy(dtype=object))
        lookup = IdLookup(known, checked.index.to_numpy(), at)
        kept = checked.iloc[data.draw(st.lists(st.booleans(), min_size=len(df), max_size=len(df)))]
        want = keys.key(kept)
        pd.testing.assert_frame_equal(keys.key(kept, lookup), want)
        assert keys._looked_up(kept.index, lookup) is not None
        if len(kept):
            stranger = kept.set_axis([*kept.index[:-1], kept.index[-1] + 1])
            assert keys._looked_up(stranger.index, lookup) is None
            pd.testing.assert_frame_equal(keys.key(stranger, lookup), keys.key(stranger))
