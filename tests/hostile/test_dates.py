"""Dates: every cell type a reader gives (XLSX, CSV, Parquet, SAS/SPSS) is read, blanks stay
missing without an audit row, unreadable text is audited."""

from __future__ import annotations

import datetime as dt
import decimal
import io

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.clean.cells import is_blank
from analysis.clean.dates import parse_date_value
from analysis.clean.stage import clean_study
from analysis.errors import SourceError
from analysis.studyfile.config import StudyConfig

DAY = pd.Timestamp("2020-01-05")

BLANKS = [
    None,
    pd.NA,
    pd.NaT,
    float("nan"),
    np.nan,
    np.float32("nan"),
    np.datetime64("NaT"),
    np.datetime64("NaT", "ns"),
    "",
    "   ",
]


@pytest.mark.parametrize("value", BLANKS, ids=repr)
def test_blank_cells_are_missing(value):
    assert is_blank(value)
    assert parse_date_value(value, "DMY") is None


@pytest.mark.parametrize(
    "value",
    [
        DAY,
        pd.Timestamp("2020-01-05 13:45:10"),
        dt.datetime(2020, 1, 5, 13, 45),
        dt.date(2020, 1, 5),
        np.datetime64("2020-01-05T12:00"),
        np.datetime64("2020-01-05", "D"),
        pd.Period("2020-01-05", "D"),
        # time-zone aware: the calendar day where it was recorded
        pd.Timestamp("2020-01-05 23:30", tz="Europe/Madrid"),
        pd.Timestamp("2020-01-05 00:30", tz="Asia/Tokyo"),
        dt.datetime(2020, 1, 5, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        # Excel serial day numbers (a date cell read as a number, or a number cell)
        43835,
        43835.75,
        np.int64(43835),
        np.float64(43835.2),
        decimal.Decimal("43835"),
        # text
        "2020-01-05",
        " 2020-01-05 ",
        "2020-01-05 00:00:00",
        "2020-01-05T10:11:12",
        "2020-01-05T10:11:12.123",
        "2020-01-05T10:11:12Z",
        "2020-01-05 10:11:12+05:00",
        "05/01/2020",
        "05.01.2020",
        np.str_("2020-01-05"),
    ],
    ids=repr,
)
def test_date_like_cells_give_the_day(value):
    got = parse_date_value(value, "DMY")
    assert got == DAY
    assert got.tzinfo is None
    assert got.unit == "ns"


@pytest.mark.parametrize(
    "value",
    [
        "soon",
        "NA",
        "31/02/2020",
        True,
        np.bool_(False),
        5,
        1.5e6,
        dt.time(10, 0),
        pd.Timedelta(days=3),
        dt.date(1, 1, 1),  # pandas holds 1677..2262
        dt.datetime(9999, 12, 31),
    ],
    ids=repr,
)
def test_non_dates_are_not_read_and_not_blank(value):
    assert not is_blank(value)
    assert parse_date_value(value, "DMY") is None


def test_date_order_of_the_source():
    assert parse_date_value("03/04/2020", "DMY") == pd.Timestamp("2020-04-03")
    assert parse_date_value("03/04/2020", "MDY") == pd.Timestamp("2020-03-04")
    assert parse_date_value("2020/04/03", "YMD") == pd.Timestamp("2020-04-03")


# ---------------------------------------------------------------- through the readers
def _conc_xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Conc"
    ws.append(["id", "drug", "start", "stop"])
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in row:
            if isinstance(cell.value, dt.datetime | dt.date):
                cell.number_format = "dd/mm/yyyy"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _point_conc_at(name: str, sheet: str | None = None):
    extra = f"\n    sheet: {sheet}" if sheet else ""
    return lambda y: y.replace("file: conc.csv", f"file: {name}{extra}")


def test_xlsx_real_dates_with_blank_cells(mini_study):
    xlsx = _conc_xlsx(
        [
            ["P2", "minoxidil oral", dt.datetime(2019, 6, 1), None],
            ["P4", "biotin", dt.datetime(2020, 1, 1), dt.datetime(2020, 3, 1, 14, 30)],
            ["P1", "biotin", dt.date(2020, 2, 1), ""],
            ["P1", "minoxidil oral", dt.datetime(2020, 2, 2), "not yet"],
        ]
    )
    path = mini_study(files={"conc.xlsx": xlsx}, yaml_edit=_point_conc_at("conc.xlsx", "Conc"))
    res = clean_study(StudyConfig.load(path))
    conc = res.tables["concomitant"].sort_values("source_row")
    assert conc["start_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-06-01",
        "2020-01-01",
        "2020-02-01",
        "2020-02-02",
    ]
    assert conc["stop_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "",
        "2020-03-01",
        "",
        "",
    ]
    assert str(conc["stop_date"].dtype) == "datetime64[ns]"
    # the blank cells leave no trace; the text that is not a date does
    a = res.audit
    assert a.loc[a["table"] == "concomitant", ["row", "column", "message"]].values.tolist() == [
        [
            5,
            "stop_date",
            "`stop_date` value 'not yet' is not a date (expected ISO YYYY-MM-DD or the "
            "source's date_order)",
        ]
    ]


def test_xlsx_date_column_entirely_blank(mini_study):
    xlsx = _conc_xlsx(
        [
            ["P2", "minoxidil oral", dt.datetime(2019, 6, 1), None],
            ["P4", "biotin", dt.datetime(2020, 1, 1), None],
        ]
    )
    path = mini_study(files={"conc.xlsx": xlsx}, yaml_edit=_point_conc_at("conc.xlsx", "Conc"))
    res = clean_study(StudyConfig.load(path))
    conc = res.tables["concomitant"]
    assert conc["stop_date"].isna().tolist() == [True, True]
    assert len(res.audit.loc[res.audit["table"] == "concomitant"]) == 0


@pytest.mark.parametrize("tz", [None, "UTC", "Europe/Madrid"])
def test_parquet_timestamp_and_date_columns_with_nulls(mini_study, tmp_path, tz):
    table = pa.table(
        {
            "id": ["P2", "P4", "P1"],
            "drug": ["minoxidil oral", "biotin", "biotin"],
            "start": pa.array([dt.date(2019, 6, 1), dt.date(2020, 1, 1), None], type=pa.date32()),
            "stop": pa.array(
                [None, dt.datetime(2020, 3, 1, 10, 0), None], type=pa.timestamp("us", tz=tz)
            ),
        }
    )
    path = mini_study(yaml_edit=_point_conc_at("conc.parquet"))
    pq.write_table(table, path.parent.parent / "raw" / "conc.parquet")
    if tz is not None:
        # a time of day with a zone: its day depends on the clinic's zone, which must be named
        with pytest.raises(SourceError, match=r"`timezone` under `sources\[3\]`, line 28"):
            clean_study(StudyConfig.load(path))
        point = _point_conc_at("conc.parquet")
        zone = f"file: conc.parquet\n    timezone: {tz}"
        path = mini_study(yaml_edit=lambda y: point(y).replace("file: conc.parquet", zone, 1))
        pq.write_table(table, path.parent.parent / "raw" / "conc.parquet")
    res = clean_study(StudyConfig.load(path))
    conc = res.tables["concomitant"]
    assert conc["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-06-01", "2020-01-01"]
    assert conc["stop_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["", "2020-03-01"]
    # the row with no start date (required) is excluded as missing, not as unreadable
    ex = res.exclusions
    assert ex.loc[ex["table"] == "concomitant", ["row", "step", "reason"]].values.tolist() == [
        [4, "missing", "required value missing: `start_date`"]
    ]
    assert len(res.audit.loc[res.audit["table"] == "concomitant"]) == 0


# ------------------------------------------------- CSV date texts beyond ISO and date_order
#: the mini study's sessions, each date written as another CSV export writes it (DMY source)
SESSIONS_AS_EXPORTED = """\
    id,date,dose
    P1,10/01/2020 00:00,0.1
    P1,10APR2020,0.1
    P1,10-Jul-2020,0.1
    P2,20200115,0.1
    P2,15 April 2020,0.1
    P3,"March 1, 2020",0.1
    P4,01/02/2020 14:30:00,0.1
    P4,1 de mayo de 2020,0.1
    P4,2020-08-01T09:00,0.1
    """


def test_csv_export_date_texts_are_read_as_their_days(mini_study):
    plain = clean_study(StudyConfig.load(mini_study())).tables["exposures"]
    path = mini_study(files={"sessions.csv": SESSIONS_AS_EXPORTED})
    res = clean_study(StudyConfig.load(path))
    got = res.tables["exposures"]
    assert len(got) == len(plain) == 8  # P3 is left out by the inclusion rule, as in plain
    assert got["start_date"].tolist() == plain["start_date"].tolist()
    assert res.exclusions["step"].isin(["parse", "check"]).sum() == 0


def test_a_two_digit_year_with_a_time_is_audited_as_assumed(mini_study):
    def edit(body: str) -> str:
        return body.replace("  seed: 7\n", "  seed: 7\n  export_date: 2022-12-31\n")

    sessions = SESSIONS_AS_EXPORTED.replace("10/01/2020 00:00", "10/01/20 08:15")
    res = clean_study(
        StudyConfig.load(mini_study(files={"sessions.csv": sessions}, yaml_edit=edit))
    )
    first = res.tables["exposures"]["start_date"].min()
    assert first == pd.Timestamp("2020-01-10")
    audit = res.audit.loc[res.audit["check"] == "two_digit_year"]
    assert audit["value"].tolist() == ["10/01/20 08:15"]
    assert audit["action"].tolist() == ["assumed"]


def test_month_names_with_two_digit_years_and_12_hour_clocks_are_read_and_audited(mini_study):
    def edit(body: str) -> str:
        return body.replace("  seed: 7\n", "  seed: 7\n  export_date: 2022-12-31\n")

    sessions = (
        SESSIONS_AS_EXPORTED.replace("10APR2020", "10APR20")
        .replace("10-Jul-2020", "10-JUL-20 2:15 PM")
        .replace("01/02/2020 14:30:00", "01/02/2020 2:30:00 PM")
    )
    plain = clean_study(StudyConfig.load(mini_study())).tables["exposures"]
    res = clean_study(
        StudyConfig.load(mini_study(files={"sessions.csv": sessions}, yaml_edit=edit))
    )
    assert res.tables["exposures"]["start_date"].tolist() == plain["start_date"].tolist()
    assert res.exclusions["step"].isin(["parse", "check"]).sum() == 0
    audit = res.audit.loc[res.audit["check"] == "two_digit_year"]
    assert sorted(audit["value"]) == ["10-JUL-20 2:15 PM", "10APR20"]
    assert set(audit["action"]) == {"assumed"}


def test_xlsx_number_cells_of_eight_digits_are_read_as_yyyymmdd(mini_study):
    xlsx = _conc_xlsx(
        [
            ["P2", "minoxidil oral", 20190601, None],
            ["P4", "biotin", 20200101, 20200230],  # no 30 February: not a date, audited
        ]
    )
    path = mini_study(files={"conc.xlsx": xlsx}, yaml_edit=_point_conc_at("conc.xlsx", "Conc"))
    res = clean_study(StudyConfig.load(path))
    conc = res.tables["concomitant"].sort_values("source_row")
    assert conc["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-06-01", "2020-01-01"]
    assert conc["stop_date"].isna().all()
    a = res.audit
    assert a.loc[a["table"] == "concomitant", "column"].tolist() == ["stop_date"]
