"""Date-times with a time zone (a Parquet export's UTC timestamps, ISO text with an offset) are
read on the calendar of the source's declared ``timezone``; undeclared, one whose day depends on
the zone stops the run (``clean.zoned_dates``). A two-digit year read with its century assumed
has an audit row."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.clean.stage import clean_study
from analysis.errors import ConfigError, SourceError
from analysis.studyfile.config import StudyConfig

#: the sessions of the mini study as a clinic in Madrid recorded them (local midnight each)
LOCAL_DAYS = ["2020-01-10", "2020-04-10", "2020-07-10", "2020-01-15", "2020-04-15",
              "2020-03-01", "2020-02-01", "2020-05-01", "2020-08-01"]  # fmt: skip
IDS = ["P1", "P1", "P1", "P2", "P2", "P3", "P4", "P4", "P4"]


def _utc_sessions() -> bytes:
    """The sessions as a Parquet export stores them: each local midnight in UTC (23:00 or
    22:00 the day before)."""
    local = pd.to_datetime(LOCAL_DAYS).tz_localize("Europe/Madrid")
    frame = pd.DataFrame({"id": IDS, "date": local.tz_convert("UTC"), "dose": 0.1})
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _days(config: StudyConfig) -> list[tuple[str, pd.Timestamp]]:
    """(patient, day) of every exposure the clean stage keeps."""
    kept = clean_study(config).tables["exposures"]
    return sorted(zip(kept["patient_id"].astype(str), kept["start_date"], strict=True))


def _study(mini_study, zone: str | None, files: dict | None = None) -> StudyConfig:
    def edit(body: str) -> str:
        body = body.replace("file: sessions.csv", "file: sessions.parquet")
        if zone is not None:
            body = body.replace(
                "    file: sessions.parquet\n",
                f"    file: sessions.parquet\n    timezone: {zone}\n",
            )
        return body

    files = {"sessions.parquet": _utc_sessions(), **(files or {})}
    return StudyConfig.load(mini_study(files=files, yaml_edit=edit))


def test_utc_timestamps_of_local_midnights_stop_without_a_declared_zone(mini_study):
    with pytest.raises(SourceError) as err:
        clean_study(_study(mini_study, None))
    text = str(err.value)
    assert "sessions.parquet (source 'sessions')" in text
    assert "9 value(s) of column `start_date`" in text
    assert "`timezone` under `sources[1]`, line " in text
    assert "2020-01-09 23:00:00+00:00" in text


def test_a_declared_zone_gives_the_local_days(mini_study):
    want = _days(StudyConfig.load(mini_study()))  # the sessions as CSV text of the local days
    assert len(want) == 8
    assert _days(_study(mini_study, "Europe/Madrid")) == want
    # read in UTC instead, every day is the one before: the declaration is what decides
    day = pd.Timedelta(days=1)
    assert _days(_study(mini_study, "UTC")) == [(p, d - day) for p, d in want]


def test_zoned_midnights_are_dates_written_with_a_zone(mini_study):
    frame = pd.DataFrame(
        {"id": IDS, "date": pd.to_datetime(LOCAL_DAYS).tz_localize("UTC"), "dose": 0.1}
    )
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    want = _days(StudyConfig.load(mini_study()))
    assert _days(_study(mini_study, None, {"sessions.parquet": buf.getvalue()})) == want


def test_iso_text_with_an_offset_is_read_in_the_declared_zone(mini_study):
    text = "id,date,dose\n" + "".join(
        f"{i},{pd.Timestamp(d).tz_localize('Europe/Madrid').tz_convert('UTC').isoformat()},0.1\n"
        for i, d in zip(IDS, LOCAL_DAYS, strict=True)
    )

    def edit(zone: str | None):
        def apply(body: str) -> str:
            if zone is None:
                return body
            return body.replace(
                "    file: sessions.csv\n", f"    file: sessions.csv\n    timezone: {zone}\n"
            )

        return apply

    with pytest.raises(SourceError, match="date-times with a time zone"):
        clean_study(
            StudyConfig.load(mini_study(files={"sessions.csv": text}, yaml_edit=edit(None)))
        )
    config = StudyConfig.load(
        mini_study(files={"sessions.csv": text}, yaml_edit=edit("Europe/Madrid"))
    )
    assert _days(config) == _days(StudyConfig.load(mini_study()))


def test_an_unknown_zone_is_refused_at_load(mini_study):
    with pytest.raises(ConfigError, match="unknown time zone 'Europe/Madird'"):
        _study(mini_study, "Europe/Madird")


def test_a_two_digit_year_has_an_audit_row(mini_study):
    sessions = "id,date,dose\nP1,10/01/20,0.1\nP1,2020-04-10,0.1\nP4,01/02/20,0.1\n"

    def edit(body: str) -> str:
        return body.replace("  seed: 7\n", "  seed: 7\n  export_date: 2026-06-30\n", 1)

    result = clean_study(
        StudyConfig.load(mini_study(files={"sessions.csv": sessions}, yaml_edit=edit))
    )
    audit = result.audit[result.audit["check"] == "two_digit_year"]
    assert list(audit["value"]) == ["10/01/20", "01/02/20"]
    assert list(audit["action"]) == ["assumed"] * 2
    assert list(audit["row"]) == [2, 4]
    assert "read as 2020-01-10" in audit["message"].iloc[0]
    exposures = result.tables["exposures"]
    assert pd.Timestamp("2020-02-01") in set(exposures["start_date"])
