"""Text dates as CSV exports write them beyond ISO and ``date_order`` (``date_texts``): a date
with a time, month names, compact ``YYYYMMDD``, a number written as text by a declared count."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.clean.date_values import parse_date_value, two_digit_year


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        # a day-first or month-first date with a time (a spreadsheet saved as CSV)
        ("27/08/2020 00:00", "DMY", "2020-08-27"),
        ("27/08/2020 23:59", "DMY", "2020-08-27"),  # a time of day keeps its day
        ("27/08/2020 13:45:10", "DMY", "2020-08-27"),
        ("27/08/2020T08:05", "DMY", "2020-08-27"),
        ("27-08-2020 0:00", "DMY", "2020-08-27"),
        ("27.08.2020 10:00:00", "DMY", "2020-08-27"),
        ("08/27/2020 0:00", "MDY", "2020-08-27"),
        ("2020/08/27 10:00", "YMD", "2020-08-27"),
        ("26/03/20 10:00", "DMY", "2020-03-26"),
        # month names: SAS DATE9., DD-Mon-YYYY, DD Month YYYY, Month DD, YYYY; Spanish too
        ("16NOV2020", "DMY", "2020-11-16"),
        ("16nov2020", "MDY", "2020-11-16"),
        ("01-Jan-2021", "DMY", "2021-01-01"),
        ("01-JAN-2021", "YMD", "2021-01-01"),
        ("23 September 2020", "DMY", "2020-09-23"),
        ("23 Sept. 2020", "DMY", "2020-09-23"),
        ("3 Mar 2021", "DMY", "2021-03-03"),
        ("September 23, 2020", "DMY", "2020-09-23"),
        ("Sep 23 2020", "MDY", "2020-09-23"),
        ("1 enero 2021", "DMY", "2021-01-01"),
        ("1 de enero de 2021", "DMY", "2021-01-01"),
        ("15-dic-2020", "DMY", "2020-12-15"),
        ("01-Jan-2021 14:30", "DMY", "2021-01-01"),
        # a two-digit year with a month name: Oracle's DD-MON-RR, SAS's DATE7., by last_year
        ("01-JAN-21", "DMY", "2021-01-01"),
        ("01-jan-21", "MDY", "2021-01-01"),
        ("16NOV20", "YMD", "2020-11-16"),
        ("15-dic-19 10:30", "DMY", "2019-12-15"),
        ("01-JAN-45", "DMY", "1945-01-01"),  # 2045 is after the last year, 2022
        ("31-DEC-22", "DMY", "2022-12-31"),
        # a 12-hour clock (a US spreadsheet saved as CSV), ISO dates too
        ("8/27/2020 3:45 PM", "MDY", "2020-08-27"),
        ("08/27/2020 03:45:10 PM", "MDY", "2020-08-27"),
        ("27/08/2020 12:05 am", "DMY", "2020-08-27"),
        ("27/08/2020 11:59 p.m.", "DMY", "2020-08-27"),
        ("27/08/2020 9:00AM", "DMY", "2020-08-27"),
        ("2020-08-27 3:45 PM", "DMY", "2020-08-27"),
        ("01-Jan-2021 2:30 PM", "DMY", "2021-01-01"),
        # compact ISO
        ("20200926", "DMY", "2020-09-26"),
        ("20200926", "MDY", "2020-09-26"),
        ("20200926 10:00", "DMY", "2020-09-26"),
    ],
)
def test_text_dates_of_csv_exports_are_read(text, order, day):
    assert parse_date_value(text, order, last_year=2022) == _day(day)


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("31/02/2020 00:00", "DMY"),  # no such day, with or without a time
        ("27/08/2020 00:00", "MDY"),  # month 27: the order still decides
        ("27/08/2020 24:00", "DMY"),  # not a time of day
        ("27/08/2020 10:60", "DMY"),
        ("27/08/2020 10:00:61", "DMY"),
        ("27/08/2020 10", "DMY"),
        ("27/08/2020 13:45 PM", "DMY"),  # no 13 o'clock on a 12-hour clock
        ("27/08/2020 0:45 AM", "DMY"),
        ("2020-08-27 25:00", "DMY"),
        ("01-JAN-2", "DMY"),  # one digit of year
        ("01-FOO-21", "DMY"),
        ("31FEB2021", "DMY"),
        ("32-Jan-2021", "DMY"),
        ("01-Foo-2021", "DMY"),
        ("01 de 2021", "DMY"),
        ("20201332", "DMY"),  # month 13
        ("20200230", "DMY"),  # 30 February
        ("17991231", "DMY"),  # before any plausible day
        ("12345678", "DMY"),
        ("2020926", "DMY"),  # seven digits
        ("44100", "DMY"),  # a number, no count declared
    ],
)
def test_impossible_or_undeclared_texts_stay_unread(text, order):
    assert parse_date_value(text, order, last_year=2022) is None


def test_a_day_first_date_with_a_time_keeps_needing_date_order():
    assert parse_date_value("01/02/2021 00:00", "DMY") == _day("2021-02-01")
    assert parse_date_value("01/02/2021 00:00", "MDY") == _day("2021-01-02")


def test_a_two_digit_year_with_a_time_is_one_for_the_audit_and_needs_the_century():
    assert two_digit_year("26/03/20 10:00", "DMY")
    assert not two_digit_year("26/03/2020 10:00", "DMY")
    assert parse_date_value("26/03/20 10:00", "DMY", last_year=None) is None


@pytest.mark.parametrize("order", ["DMY", "MDY", "YMD"])
def test_a_month_name_with_a_two_digit_year_is_one_for_the_audit_and_needs_the_century(order):
    for text in ["01-JAN-21", "16nov20", " 01-Jan-21 10:00 "]:
        assert two_digit_year(text, order), text
        assert parse_date_value(text, order, last_year=None) is None
    for text in ["01-JAN-2021", "16NOV2020", "01-FOO-21", "2021-01-01"]:
        assert not two_digit_year(text, order), text


@pytest.mark.parametrize(
    ("value", "count", "day"),
    [
        (20200926, None, "2020-09-26"),  # a number a database typed as YYYYMMDD
        (20200926.0, "excel", "2020-09-26"),  # not a serial day
        (20200926, "unix", "2020-09-26"),  # no plausible day counted from 1970
        (44100, "excel", "2020-09-26"),  # a serial day still reads as one
    ],
)
def test_a_number_cell_of_eight_digits_is_read_as_yyyymmdd(value, count, day):
    assert parse_date_value(value, "DMY", numbers=count) == _day(day)


@pytest.mark.parametrize("value", [20201332, 20200230, 12345678, 20200926.5, 1234567])
def test_a_number_cell_no_count_reads_and_no_valid_yyyymmdd_stays_unread(value):
    assert parse_date_value(value, "DMY", numbers=None) is None


@pytest.mark.parametrize(
    ("text", "count", "day"),
    [
        ("44100", "excel", "2020-09-26"),
        ("44100.75", "excel", "2020-09-26"),  # a date-time: its day
        (" 44100 ", "excel", "2020-09-26"),
        ("22184", "sas", "2020-09-26"),
        ("18531", "unix", "2020-09-26"),
        ("-3653", "unix", "1960-01-01"),  # a birth date before 1970
        ("20200926", "excel", "2020-09-26"),  # not a serial day: compact ISO
    ],
)
def test_numbers_written_as_text_follow_the_declared_count(text, count, day):
    assert parse_date_value(text, "DMY", text_numbers=count) == _day(day)


def test_a_spreadsheets_default_count_is_not_declared_for_its_text():
    assert parse_date_value(44100, "DMY", numbers="excel") == _day("2020-09-26")
    assert parse_date_value("44100", "DMY", numbers="excel") is None
