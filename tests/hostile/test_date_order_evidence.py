"""A source whose text dates can only be written in the other order. A day-first export
declared `date_order: MDY` exited 0 with 17 patients fewer (day 31 read as a month) and the
dates of day 12 or less swapped in silence (a probe on the minoxidil study); the run now stops
before reading a date, naming the source, its key and the evidence."""

from __future__ import annotations

import pytest

from analysis.clean.date_order_evidence import order_proof
from analysis.clean.stage import clean_study
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig

DAY_FIRST_SESSIONS = """\
    id,date,dose
    P1,10/01/2020,0.1
    P1,10/04/2020,0.1
    P1,10/07/2020,0.1
    P2,15/01/2020,0.1
    P2,15/04/2020,0.1
    P3,01/03/2020,0.1
    P4,01/02/2020,0.1
    P4,01/05/2020,0.1
    P4,01/08/2020,0.1
    """


def _declared(order: str):
    return lambda body: body.replace(
        "    file: sessions.csv\n", f"    file: sessions.csv\n    date_order: {order}\n"
    )


def test_day_first_dates_declared_month_first_stop_the_run(mini_study):
    path = mini_study(files={"sessions.csv": DAY_FIRST_SESSIONS}, yaml_edit=_declared("MDY"))
    with pytest.raises(SourceError) as exc:
        clean_study(StudyConfig.load(path))
    text = str(exc.value)
    assert (
        "source 'sessions' (sessions.csv; `sources[1].date_order`) declares `date_order: MDY`"
        in (text)
    )
    assert "2 of its text dates can only be written day first (`start_date` '15/01/2020', " in text
    assert "Set `date_order: DMY` for this source" in text


def test_the_right_order_and_mixed_evidence_run_on(mini_study):
    ok = clean_study(
        StudyConfig.load(
            mini_study(files={"sessions.csv": DAY_FIRST_SESSIONS}, yaml_edit=_declared("DMY"))
        )
    )
    assert len(ok.tables["exposures"]) == 8  # P3 left out by the inclusion rule, as always
    # one date that can only be month first among day-first ones: a typing error, audited
    mixed = DAY_FIRST_SESSIONS.replace("P3,01/03/2020", "P3,03/31/2020")
    res = clean_study(StudyConfig.load(mini_study(files={"sessions.csv": mixed})))
    parse = res.exclusions.loc[res.exclusions["step"] == "parse", "reason"]
    assert parse.str.contains("'03/31/2020' is not a date").any()


@pytest.mark.parametrize(
    ("value", "proof"),
    [
        ("31/05/2016", 1),
        ("31.05.16", 1),
        ("13-01-2020 10:00", 1),
        ("05/31/2016", -1),
        ("1/13/2020 3:45 PM", -1),
        ("05/06/2016", 0),  # either order
        ("2016-05-31", 0),  # ISO: no evidence
        ("32/05/2016", 0),
        (20160531, 0),
        (None, 0),
    ],
)
def test_order_proof(value, proof):
    assert order_proof(value) == proof


def _wrong_orders_cell_by_cell(proofs, declared, where):
    """The first implementation, one cell at a time, kept as the reference of the grouped one."""
    day_first: dict[str, list[str]] = {}
    month_first: dict[str, list[str]] = {}
    for column, proof, raw in proofs:
        for source, p, text in zip(proof.index, proof.to_numpy(), raw.to_numpy(), strict=True):
            if p:
                shown = f"`{column}` {text!r}"
                (day_first if p > 0 else month_first).setdefault(str(source), []).append(shown)
    out = []
    for source, order in declared.items():
        for proves, against, other in (
            (day_first, month_first, "DMY"),
            (month_first, day_first, "MDY"),
        ):
            if order in (other, "YMD") or source not in proves or source in against:
                continue
            found = proves[source]
            out.append((source, order, len(found), list(dict.fromkeys(found))[:3]))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_grouped_evidence_equals_the_cell_by_cell_reference(seed):
    import re

    import numpy as np
    import pandas as pd

    from analysis.clean.date_order_evidence import wrong_orders

    rng = np.random.default_rng(seed)
    sources = ["a", "b", "c", "d"]
    proofs = []
    for column in ("start_date", "stop_date"):
        n = int(rng.integers(0, 60))
        days = rng.integers(1, 32, n)
        months = rng.integers(1, 13, n)
        flip = rng.random(n) < rng.choice([0.0, 0.05, 0.5])
        text = [
            f"{m:02d}/{d:02d}/2020" if f else f"{d:02d}/{m:02d}/2020"
            for d, m, f in zip(days, months, flip, strict=True)
        ]
        proof = np.array([order_proof(t) for t in text])
        src = rng.choice(sources, n)
        hits = np.flatnonzero(proof)
        proofs.append((column, pd.Series(proof[hits], index=src[hits]), pd.Series(text).iloc[hits]))
    declared = {s: str(rng.choice(["DMY", "MDY", "YMD"])) for s in sources}
    where = {s: f"source {s!r}" for s in sources}
    expected = _wrong_orders_cell_by_cell(proofs, declared, where)
    got = wrong_orders(proofs, declared, where)
    assert len(got) == len(expected)
    for paragraph, (source, order, n, examples) in zip(got, expected, strict=True):
        assert paragraph.startswith(f"  - source {source!r} declares `date_order: {order}`")
        assert re.search(rf"but {n} of its text dates", paragraph)
        assert f"({', '.join(examples)})" in paragraph


def test_a_source_writing_dates_both_ways_flags_the_dates_that_fit_both(mini_study):
    """Some dates only day first, some only month first: the run cannot tell which way is
    wrong and goes on, but the dates that read as two different days were read as declared
    without a word (a probe: `10/04/2020` beside `31/12/2020` and `12/31/2020`)."""
    mixed = DAY_FIRST_SESSIONS.replace("P3,01/03/2020", "P3,03/31/2020")
    res = clean_study(
        StudyConfig.load(mini_study(files={"sessions.csv": mixed}, yaml_edit=_declared("DMY")))
    )
    flagged = res.audit.loc[res.audit["check"] == "date_order"]
    assert flagged["value"].tolist() == [
        "10/01/2020", "10/04/2020", "10/07/2020", "01/02/2020", "01/05/2020", "01/08/2020"
    ]  # fmt: skip
    assert set(flagged["action"]) == {"flagged"}
    assert flagged["message"].iloc[0] == (
        "`start_date` value '10/01/2020' can be read day first or month first (two different "
        "days), and source 'sessions' writes its dates both ways (2 can only be day first, 1 "
        "only month first): read day first, as its `date_order: DMY` says. Check this date in "
        "the export."
    )
    # one order only: nothing to flag
    one_way = clean_study(
        StudyConfig.load(
            mini_study(files={"sessions.csv": DAY_FIRST_SESSIONS}, yaml_edit=_declared("DMY"))
        )
    )
    assert not (one_way.audit["check"] == "date_order").any()


@pytest.mark.parametrize(
    ("value", "ambiguous"),
    [("10/04/2020", True), ("04.10.20", True), ("10/10/2020", False), ("13/04/2020", False),
     ("2020-04-10", False), (None, False)],
)  # fmt: skip
def test_order_ambiguous(value, ambiguous):
    from analysis.clean.date_order_evidence import order_ambiguous

    assert order_ambiguous(value) is ambiguous
