"""Numbers in a date column are read by the count their source declares (``date_numbers``): a
SAS column left without its date format (days from 1960-01-01) was read as spreadsheet serial
days, every date some sixty years early, and the run succeeded."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pyreadstat
import pytest

from analysis.clean.date_numbers import COUNTS, number_date
from analysis.clean.stage import clean_study
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig
from tests.conftest import MINI_FILES, _dedent

DAY = dt.date(2020, 4, 10)


@pytest.mark.parametrize(
    ("count", "number"),
    [
        ("excel", (DAY - dt.date(1899, 12, 30)).days),  # 43931, as a spreadsheet shows it
        ("excel_1904", (DAY - dt.date(1904, 1, 1)).days),  # 42469 in a 1904 workbook
        ("sas", (DAY - dt.date(1960, 1, 1)).days),  # SAS: days from 1 January 1960
        ("sas_datetime", (DAY - dt.date(1960, 1, 1)).days * 86400 + 3600.5),
        ("spss", (DAY - dt.date(1582, 10, 14)).days * 86400),  # SPSS: seconds from 1582-10-14
        ("unix", (DAY - dt.date(1970, 1, 1)).days),
    ],
)
def test_each_count_reads_its_own_numbers(count, number):
    assert number_date(number, count) == pd.Timestamp(DAY)
    assert number_date(number, None) is None
    others = [c for c in COUNTS if c != count]
    assert all(number_date(number, c) != pd.Timestamp(DAY) for c in others)


#: the mini study's sessions and three more (a stop needs at least ten unreadable values)
SESSIONS = (
    _dedent(MINI_FILES["sessions.csv"])
    + "P1,2020-10-10,0.1\nP2,2020-07-15,0.1\nP4,2020-11-01,0.1\n"
)


def _sas_sessions() -> pd.DataFrame:
    """The sessions as a SAS transport file whose dates lost their format."""
    frame = pd.read_csv(io.StringIO(SESSIONS))
    days = pd.to_datetime(frame["date"]) - pd.Timestamp("1960-01-01")
    frame["date"] = days.dt.days.astype(float)
    return frame


def _study(mini_study, tmp_path, declared: str | None) -> StudyConfig:
    def edit(body: str) -> str:
        body = body.replace("file: sessions.csv", "file: sessions.xpt")
        if declared:
            body = body.replace(
                "    file: sessions.xpt\n",
                f"    file: sessions.xpt\n    date_numbers: {declared}\n",
            )
        return body

    path = mini_study(files={"sessions.csv": SESSIONS}, yaml_edit=edit)
    pyreadstat.write_xport(_sas_sessions(), str(path.parent.parent / "raw" / "sessions.xpt"))
    return StudyConfig.load(path)


def test_sas_days_without_a_format_stop_the_run_naming_the_declaration(mini_study, tmp_path):
    with pytest.raises(SourceError) as err:
        clean_study(_study(mini_study, tmp_path, None))
    text = str(err.value)
    assert "12 of the 12 dates in column `start_date` (100%) cannot be read" in text
    assert (
        "they are numbers, and 12 of them read as dates from 2020-01-10 to 2020-11-01 as SAS "
        "days, from 1960-01-01" in text
    )
    assert "set `date_numbers: sas` for this source (under `sources[1]`, line " in text


def test_declared_sas_days_give_the_dates(mini_study, tmp_path):
    kept = clean_study(_study(mini_study, tmp_path, "sas")).tables["exposures"]
    plain = clean_study(StudyConfig.load(mini_study(files={"sessions.csv": SESSIONS})))
    plain = plain.tables["exposures"]
    assert sorted(kept["start_date"]) == sorted(plain["start_date"])


def _csv_serial_study(mini_study, declared: str | None) -> StudyConfig:
    """The sessions as a CSV whose dates are spreadsheet serial days, written as text."""
    frame = pd.read_csv(io.StringIO(SESSIONS))
    days = pd.to_datetime(frame["date"]) - pd.Timestamp("1899-12-30")
    frame["date"] = days.dt.days.astype(str)
    frame.loc[0, "date"] += ".5"  # a date-time: its day
    line = f"    file: sessions.csv\n    date_numbers: {declared}\n" if declared else ""

    def edit(body: str) -> str:
        return body.replace("    file: sessions.csv\n", line) if line else body

    text = frame.to_csv(index=False)
    return StudyConfig.load(mini_study(files={"sessions.csv": text}, yaml_edit=edit))


def test_declared_spreadsheet_serials_written_as_text_give_the_dates(mini_study):
    kept = clean_study(_csv_serial_study(mini_study, "excel")).tables["exposures"]
    plain = clean_study(StudyConfig.load(mini_study(files={"sessions.csv": SESSIONS})))
    plain = plain.tables["exposures"]
    assert len(kept) == len(plain) == 11  # P3's session: its patient is left out by inclusion
    assert sorted(kept["start_date"]) == sorted(plain["start_date"])


def test_undeclared_serials_written_as_text_stop_the_run_naming_the_declaration(mini_study):
    with pytest.raises(SourceError) as err:
        clean_study(_csv_serial_study(mini_study, None))
    text = str(err.value)
    assert "12 of the 12 dates in column `start_date` (100%) cannot be read" in text
    assert (
        "they are numbers, and 12 of them read as dates from 2020-01-10 to 2020-11-01 as "
        "spreadsheet serial days, from 1899-12-30" in text
    )
    assert "set `date_numbers: excel` for this source" in text


def _workbook_sessions(path, date1904: bool) -> None:
    """The sessions as a workbook whose date cells lost their format (bare serial numbers),
    of the 1904 date system or the 1900 one; one cell keeps its date format."""
    import openpyxl

    frame = pd.read_csv(io.StringIO(SESSIONS))
    origin = pd.Timestamp("1904-01-01" if date1904 else "1899-12-30")
    wb = openpyxl.Workbook()
    if date1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.append(list(frame.columns))
    for i, (pid, day, dose) in enumerate(frame.itertuples(index=False)):
        cell = pd.Timestamp(day).to_pydatetime() if i == 0 else (pd.Timestamp(day) - origin).days
        ws.append([pid, cell, dose])
    wb.save(path)


@pytest.mark.parametrize("date1904", [True, False])
def test_a_workbooks_serial_numbers_are_of_its_own_date_system(mini_study, date1904):
    # a workbook of the 1904 date system (Excel for Mac) stores 2020-04-10 as 42469: read from
    # 1899-12-30 it was 2016-04-09, four years early, with no message
    def edit(body: str) -> str:
        return body.replace("file: sessions.csv", "file: sessions.xlsx")

    path = mini_study(files={"sessions.csv": SESSIONS}, yaml_edit=edit)
    _workbook_sessions(path.parent.parent / "raw" / "sessions.xlsx", date1904)
    kept = clean_study(StudyConfig.load(path)).tables["exposures"]
    plain = clean_study(StudyConfig.load(mini_study(files={"sessions.csv": SESSIONS})))
    plain = plain.tables["exposures"]
    assert len(kept) == len(plain) == 11
    assert sorted(kept["start_date"]) == sorted(plain["start_date"])


def test_one_serial_written_as_text_names_the_declaration(mini_study):
    """Too few to stop the run: the record's own reason says what reads it (it said only "is
    not a date"); a source that declares `date_numbers` is not told to declare it."""
    serial = str((dt.date(2020, 10, 10) - dt.date(1899, 12, 30)).days)
    text = SESSIONS.replace("P1,2020-10-10,0.1", f"P1,{serial},0.1")
    done = clean_study(StudyConfig.load(mini_study(files={"sessions.csv": text})))
    reasons = done.exclusions.loc[done.exclusions["step"] == "parse", "reason"].tolist()
    assert len(reasons) == 1
    assert reasons[0].endswith(
        f"`start_date` value '{serial}' is not a date (expected ISO YYYY-MM-DD or the source's "
        "date_order); it is a number written as text: if the column holds serial days (a date "
        "that lost its format), declare the source's `date_numbers` (`excel` for a "
        "spreadsheet's, from 1899-12-30), which reads them"
    )
    bad = text.replace("P4,2020-11-01,0.1", "P4,2020-11-01x,0.1")
    declared = clean_study(_csv_serial_study_from(mini_study, bad, "excel"))
    said = declared.exclusions.loc[declared.exclusions["step"] == "parse", "reason"].tolist()
    assert said and not any("date_numbers" in r for r in said), said


def _csv_serial_study_from(mini_study, text: str, declared: str) -> StudyConfig:
    line = f"    file: sessions.csv\n    date_numbers: {declared}\n"
    edit = lambda body: body.replace("    file: sessions.csv\n", line)  # noqa: E731
    return StudyConfig.load(mini_study(files={"sessions.csv": text}, yaml_edit=edit))
