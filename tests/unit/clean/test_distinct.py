"""Reading each distinct cell once gives what reading every cell gives (the per-value readers
are the reference), on random cells and on a scaled synthetic twin."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import cells, dates, numbers, vocabularies
from analysis.clean.derive import exposures_on_or_before
from analysis.clean.distinct import distinct_codes, map_distinct
from analysis.clean.per_patient import KEY
from analysis.studyfile.text import normalize_label
from tests.unit.clean._same_cells import same_cell

BLANKS = [None, np.nan, pd.NaT, pd.NA, "", "  "]
TEXT = st.sampled_from(
    ["12/03/2020", "2020-03-12", "3-12-2020", "31/02/2021", "12/03/20", "12.03.2020", "n/a",
     "2020-03-12 10:00:00", "2020-03-12T10:00:00+02:00", " 7 ", "0,5", "1.250", "1,250", "1e3",
     "-0", "#N/A", "a\x00b", "x", "  HB-0001 ", "Dolor", "DOLOR ", "1", "1.0", "True"]
)  # fmt: skip
CELLS = st.one_of(
    TEXT,
    st.text(max_size=12),
    st.sampled_from(BLANKS),
    st.booleans(),
    st.integers(-5, 90000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 1, True, 30000, 30000.0, decimal.Decimal("1.10")]),
    st.dates(dt.date(1890, 1, 1), dt.date(2030, 1, 1)),
    st.datetimes(dt.datetime(1890, 1, 1), dt.datetime(2030, 1, 1)),
)
ORDERS = st.sampled_from(["DMY", "MDY", "YMD"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(CELLS, ORDERS), max_size=60))
def test_each_reader_once_per_distinct_cell_equals_every_cell(rows):
    values = [v for v, _ in rows]
    orders = [o for _, o in rows]

    def date(v, o):
        return dates.parse_date_value(v, o, last_year=2025)

    checks = [
        (date, orders),
        (lambda v, m: numbers.read_number(v, m), [None if o == "DMY" else "," for o in orders]),
    ]
    for func, by in checks:
        got = map_distinct(func, values, by)
        want = [func(v, b) for v, b in zip(values, by, strict=True)]
        assert all(same_cell(g, w) for g, w in zip(got, want, strict=True)), (values, got, want)
    for func in (cells.is_blank, cells._unreadable, cells._id_text):
        got = map_distinct(func, values)
        assert all(same_cell(g, func(v)) for g, v in zip(got, values, strict=True))
    text = [v for v in values if isinstance(v, str)]
    assert list(map_distinct(normalize_label, text)) == [normalize_label(v) for v in text]


def test_cells_read_differently_never_share_a_code():
    values = [True, 1, 1.0, -0.0, 0.0, "1", None, np.nan, dt.date(2020, 1, 1)]
    codes = distinct_codes(values)
    assert len(set(codes[:6])) == 6  # True, 1, 1.0, -0.0, 0.0 and "1" apart
    assert codes[6] == codes[7] == codes.max()  # every blank one code, the largest
    assert list(distinct_codes(["a", "b", "a", None])) == [0, 1, 0, 2]


def test_strip_text_keeps_non_text_cells_and_blanks_as_they_were():
    frame = pd.DataFrame(
        {"patient_id": [" P1", 2.0, None], "x": [" a ", "   ", np.nan], "d": [1, None, " z"]}
    )
    out = cells.strip_text(frame)
    assert out["patient_id"].tolist() == ["P1", "2", None]
    assert out["x"].tolist()[:2] == ["a", None] and np.isnan(out["x"].iloc[2])
    assert out["d"].tolist() == [1, None, "z"]


_PATIENTS = st.sampled_from(["A", "B", "C"]) | st.none()
_WHEN = st.integers(0, 9 * 24) | st.none()  # hours: times within a day, several a day


def _at(hours: int | None) -> pd.Timestamp:
    return pd.NaT if hours is None else pd.Timestamp("2020-01-01") + pd.Timedelta(hours=hours)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_PATIENTS, _WHEN), max_size=20),
    st.lists(st.tuples(_PATIENTS | st.just("D"), _WHEN | st.just(-24)), max_size=20),
    st.booleans(),
)
def test_exposure_numbers_equal_a_search_per_event(exp_rows, ae_rows, by_key):
    """Against a count per event (the definition): ids or integer patient keys (-1: no patient),
    missing ids (they match each other, as grouping them always did), missing dates, ties,
    events before every exposure."""
    exposures = pd.DataFrame(
        {"patient_id": [p for p, _ in exp_rows], "start_date": [_at(h) for _, h in exp_rows]},
        dtype=object,
    ).astype({"start_date": "datetime64[ns]"})
    ids = pd.Series([p for p, _ in ae_rows], dtype=object)
    onset = pd.Series([_at(h) for _, h in ae_rows], dtype="datetime64[ns]")
    by = "patient_id"
    if by_key:  # the key: a number per patient, -1 for no patient (a missing id)
        number = {"A": 0, "B": 1, "C": 2, "D": 3, None: -1}
        exposures[KEY] = np.array([number[p] for p in exposures["patient_id"]], dtype=np.int64)
        events = pd.Series([number[p] for p in ids], dtype=np.int64)
        by = KEY
    got = exposures_on_or_before(exposures, events if by_key else ids, onset, by=by)
    same = lambda a, b: (a == b) or (a is None and b is None)  # noqa: E731
    want = [
        0
        if pd.isna(o)
        else int(
            sum(
                same(q, p) and pd.notna(d) and d <= o
                for q, d in zip(exposures["patient_id"], exposures["start_date"], strict=True)
            )
        )
        for p, o in zip(ids, onset, strict=True)
    ]
    assert list(got) == want


def test_vocabulary_keys_are_the_normalised_labels():
    assert vocabularies.map_distinct is map_distinct  # labels are read once per distinct label


@pytest.mark.parametrize("patients", [700, 1300])
def test_scaled_twin_cleans_like_the_per_value_readers(reference_config, tmp_path, patients):
    """Every date, number and id cell of a scaled twin read by the readers one value at a time
    equals the distinct-value path."""
    from analysis.clean.read import read_table
    from analysis.datasets import write_scaled_twin
    from analysis.studyfile.config import StudyConfig

    study, _ = write_scaled_twin(reference_config, tmp_path / "scaled", patients=patients)
    cfg = StudyConfig.load(study)
    orders = {s.name: s.date_order for s in cfg.sources}
    for table in ("patients", "exposures"):
        raw = read_table(cfg, table)
        for column, spec in cfg.columns_for(table).items():
            if column not in raw:
                continue
            values, by = raw[column], raw["_source"].map(orders)
            if spec.kind == "date":
                got = dates._parse_column(values, by, 2021)
                want = [
                    dates.parse_date_value(v, o, last_year=2021)
                    for v, o in zip(values, by, strict=True)
                ]
                assert got.tolist() == [pd.NaT if w is None else w for w in want]
            if spec.kind == "number":
                got_n, _ = numbers._read_column(values, pd.Series([None] * len(values)))
                want_n = [numbers.read_number(v, None)[0] for v in values]
                assert np.allclose(got_n.to_numpy(), np.array(want_n, dtype=float), equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.sampled_from(BLANKS), st.floats()), max_size=30))
def test_id_texts_equal_the_per_id_reader(values):
    got = cells._id_texts(pd.Series(values, dtype=object)).tolist()
    assert got == [cells._id_text(v) for v in values]


def test_text_differing_after_a_nul_gets_its_own_code() -> None:
    # pd.factorize compares object strings only up to a NUL: '' and '\x00', 'a' and 'a\x00b'
    # shared a code, so a reader's answer for one was given to the other (found by hypothesis)
    assert list(distinct_codes(["", "\x00"])) == [0, 1]
    assert list(distinct_codes(["a", "a\x00b", "a", None])) == [0, 1, 0, 2]
    assert list(map_distinct(repr, ["a", "a\x00b"])) == ["'a'", "'a\\x00b'"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(CELLS, max_size=40),
    st.sampled_from(["DMY", "MDY", None, np.nan, "mixed-blank", "none"]),
)
def test_one_by_for_every_cell_reads_as_many_bys(values, by):
    """A ``by`` that is the same for every cell (or blank: None and NaN alike) takes the cells'
    own groups; it calls ``func`` with the ``by`` of each group's first row, as before."""
    if by == "none":
        column: list[object] | None = None
    elif by == "mixed-blank":
        column = [None if i % 2 else np.nan for i in range(len(values))]
    else:
        column = [by] * len(values)

    def seen(v: object, b: object = "unset") -> tuple[object, object]:
        return (cells._id_text(v), b)  # one result for every blank cell

    got = map_distinct(seen, values, column)
    firsts: dict[object, object] = {}
    codes = distinct_codes(values)
    for code, b in zip(codes, column or [None] * len(values), strict=True):
        firsts.setdefault(code, b)
    want = [
        seen(v) if column is None else seen(v, firsts[c])
        for v, c in zip(values, codes, strict=True)
    ]
    assert all(same_cell(g, w) for g, w in zip(got, want, strict=True))


# typed columns (Parquet, SAS, SPSS): numbers with -0.0, NaN of other payloads and infinities,
# integers, booleans, dates with NaT and nanoseconds, durations; as a Series or a NumPy array
_NAN_PAYLOAD = np.array([0x7FF8000000000001], dtype=np.int64).view(np.float64)[0]
TYPED = st.one_of(
    st.lists(
        st.one_of(st.floats(), st.sampled_from([0.0, -0.0, np.nan, _NAN_PAYLOAD, 1.0])),
        max_size=40,
    ).map(lambda v: np.array(v, dtype=np.float64)),
    st.lists(st.floats(width=32), max_size=40).map(lambda v: np.array(v, dtype=np.float32)),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40).map(lambda v: np.array(v, np.int64)),
    st.lists(st.integers(0, 255), max_size=40).map(lambda v: np.array(v, dtype=np.uint8)),
    st.lists(st.booleans(), max_size=40).map(lambda v: np.array(v, dtype=bool)),
    st.lists(st.one_of(st.integers(-(2**62), 2**62), st.none()), max_size=40).map(
        lambda v: np.array([np.datetime64("NaT") if x is None else x for x in v], "datetime64[ns]")
    ),
    st.lists(st.one_of(st.integers(-(2**40), 2**40), st.none()), max_size=40).map(
        lambda v: np.array([np.timedelta64("NaT") if x is None else x for x in v], "m8[us]")
    ),
)


def _read_as_object(v: object, o: object = None) -> tuple[object, ...]:
    """What a reader could tell of a cell: its type and repr (and the second argument)."""
    return (type(v), repr(v), o)


@settings(max_examples=300, deadline=None)
@given(TYPED, st.booleans(), st.booleans())
def test_a_typed_column_is_read_as_its_cells_made_objects(values, as_series, with_by):
    column = pd.Series(values) if as_series else values
    boxed = np.asarray(column, dtype=object)  # what the readers were given cell by cell
    by = (["DMY", "MDY"] * len(values))[: len(values)] if with_by else None
    got = map_distinct(_read_as_object, column, by)
    want = map_distinct(_read_as_object, list(boxed), by)
    assert [tuple(g) for g in got] == [tuple(w) for w in want]
    assert got.tolist() == [
        _read_as_object(v, *([b] if by else []))
        for v, b in zip(boxed, by or [None] * len(boxed), strict=True)
    ]
    assert (distinct_codes(column) == distinct_codes(list(boxed))).all()


def _codes_by_repr(values: list[object]) -> np.ndarray:
    """The reference coding of a mixed column: each cell by its (type, repr), blanks last."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    keys = np.empty(len(arr), dtype=object)
    keys[:] = [(type(v), repr(v)) for v in arr]
    keys[pd.isna(arr)] = None
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes)


# object columns of dates, integers or booleans (a SAS or SPSS file's dates), alone or mixed
# with the types equal to them but read apart: datetimes, NumPy integers, True beside 1
ONE_TYPE = st.one_of(
    st.lists(st.one_of(st.dates(), st.sampled_from([None, np.nan, pd.NaT])), max_size=40),
    st.lists(st.one_of(st.integers(-5, 5), st.none()), max_size=40),
    st.lists(st.one_of(st.booleans(), st.none()), max_size=40),
    st.lists(
        st.one_of(
            st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 3)),
            st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 3)).map(
                lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0)
            ),
            st.integers(0, 2),
            st.integers(0, 2).map(np.int64),
            st.booleans(),
            st.none(),
        ),
        max_size=40,
    ),
)


@settings(max_examples=300, deadline=None)
@given(ONE_TYPE)
def test_object_columns_of_one_type_are_coded_as_by_repr(values):
    assert distinct_codes(values).tolist() == _codes_by_repr(values).tolist()

    def read(v: object) -> object:  # one result for every blank cell, as every reader
        return None if v is None or v is pd.NaT or v != v else (type(v), repr(v))

    assert map_distinct(read, values).tolist() == [read(v) for v in values]
