"""``id_index.IdIndex``: the id checks prepared table by table (the command's tables, while a
second process reads the others) give exactly what ``identity.check_ids`` gives without it:
the warnings, the audit rows, where each table's ids are, and the same stop; an index made of
other frames is not used."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.clean import identity
from analysis.clean.id_index import IdIndex
from analysis.errors import SourceError
from analysis.studyfile.config import Cleaning, IdRules


def _records(ids: list[str | None], source: str = "a.csv", start: int = 0) -> pd.DataFrame:
    data = pd.DataFrame(
        {
            "patient_id": np.array(ids, dtype=object),
            "source_file": source,
            "source_sheet": "",
            "source_row": np.arange(2, 2 + len(ids)),
        },
        index=pd.RangeIndex(start, start + len(ids)),
    )
    return identity.id_records(data)


def _ids(seed: int) -> dict[str, pd.DataFrame]:
    """A patient table with near-duplicate ids and child tables with orphans, near matches and
    records in two sources."""
    rng = np.random.default_rng(seed)
    patients = [f"HB-{i:04d}" for i in range(60)] + ["hb-0007", "HB-0O12"]
    pool = [*patients, "HB-9999", "hb-0003", " HB-0004", "XX-1"]
    child = lambda n: [str(v) for v in rng.choice(pool, n, p=_weights(len(pool)))]  # noqa: E731
    return {
        "patients": _records(patients, "patients.csv"),
        "exposures": pd.concat(
            [_records(child(300), "s1.csv"), _records(child(200), "s2.csv", start=300)]
        ),
        "adverse_events": _records(child(80), "aes.csv"),
        "concomitant": _records([], "con.csv"),
        "assessments": _records(child(120), "assess.csv", start=5),
    }


def _weights(n: int) -> np.ndarray:
    w = np.ones(n)
    w[-4:] = 0.05  # a few orphans per source, under the default fraction
    return w / w.sum()


WARN = Cleaning(ids=IdRules(near_duplicates="warn"), max_orphan_fraction=0.2)


def _same(a, b) -> None:
    assert a[0] == b[0]
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)
    assert a[2].keys() == b[2].keys()
    for table in a[2]:
        x, y = a[2][table], b[2][table]
        assert x.known.equals(y.known)
        np.testing.assert_array_equal(x.labels, y.labels)
        np.testing.assert_array_equal(x.at, y.at)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "prepared", [(), ("adverse_events", "assessments"), ("exposures", "concomitant", "assessments")]
)
def test_prepared_checks_give_what_the_checks_give(seed, prepared):
    ids = _ids(seed)
    plain = identity.check_ids(ids, WARN)
    assert plain[0] and len(plain[1])  # near duplicates warned and audited, orphans found
    assert any((lookup.at < 0).any() for lookup in plain[2].values())
    index = IdIndex(ids["patients"])
    for table in prepared:
        index.add(table, ids[table])
    _same(identity.check_ids(ids, WARN, index), plain)


def test_positions_of_other_frames_are_not_used():
    ids = _ids(0)
    plain = identity.check_ids(ids, WARN)
    stale = IdIndex(ids["patients"])
    stale.add("exposures", _ids(1)["exposures"])  # another frame of the same table
    _same(identity.check_ids(ids, WARN, stale), plain)
    other = IdIndex(_records(["HB-0001"]))  # made of another patient table
    _same(identity.check_ids(ids, WARN, other), plain)


def test_a_prepared_index_stops_the_same_way():
    ids = _ids(2)
    ids["adverse_events"] = _records(["HB-9999"] * 30 + ["HB-0001"] * 3, "aes.csv")
    strict = Cleaning(ids=IdRules(near_duplicates="warn"), max_orphan_fraction=0.05)
    with pytest.raises(SourceError) as plain:
        identity.check_ids(ids, strict)
    index = IdIndex(ids["patients"])
    index.add("adverse_events", ids["adverse_events"])
    with pytest.raises(SourceError) as prepared:
        identity.check_ids(ids, strict, index)
    assert str(prepared.value) == str(plain.value)
    assert "aes.csv" in str(plain.value)
