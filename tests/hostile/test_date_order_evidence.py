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
