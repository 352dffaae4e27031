"""portal.rocdate: every date form in CONTRACTS.md ("Files"), times, errors and ROC formatting."""

import datetime as dt
import re

import pytest

from portal import rocdate
from portal.rocdate import RocDateError

D = dt.date(2014, 8, 15)  # 民國 103年8月15日
OLD = dt.date(2009, 5, 10)  # 民國 98年5月10日: a two-digit ROC year
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "value, expected",
    [
        # ROC, digits only
        ("1030815", D),
        ("980510", OLD),
        ("0980510", OLD),
        # ROC, separated
        ("103/08/15", D),
        ("103/8/15", D),
        ("98/05/10", OLD),
        ("103.08.15", D),
        ("103-08-15", D),
        ("103年8月15日", D),
        ("103年08月15日", D),
        ("98年5月10日", OLD),
        ("103年8月15", D),
        # Gregorian
        ("2014-08-15", D),
        ("2014/8/15", D),
        ("2014.8.15", D),
        ("20140815", D),
        ("2014年8月15日", D),
        # surrounding whitespace, including a full-width space
        ("  103/08/15  ", D),
        ("\u3000103/08/15\u3000", D),
    ],
    ids=str,
)
def test_parse_date_accepts_every_text_form(value, expected):
    assert rocdate.parse_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("１０３/０８/１５", D),
        ("１０３０８１５", D),
        ("９８０５１０", OLD),
        ("１０３年８月１５日", D),
        ("２０１４－０８－１５", D),  # full-width hyphen-minus
        ("２０１４／８／１５", D),  # full-width solidus
        ("１０３．０８．１５", D),  # full-width full stop
    ],
    ids=str,
)
def test_parse_date_full_width_digits(value, expected):
    assert rocdate.parse_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (1030815, D),
        (1030815.0, D),
        (980510, OLD),  # a spreadsheet number has lost the leading zero of 0980510
        (980510.0, OLD),
        (20140815, D),
        (20140815.0, D),
    ],
    ids=str,
)
def test_parse_date_spreadsheet_numbers(value, expected):
    assert rocdate.parse_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (D, D),
        (dt.datetime(2014, 8, 15, 9, 0), D),
        (dt.datetime(2014, 8, 15), D),
    ],
    ids=str,
)
def test_parse_date_date_objects(value, expected):
    assert rocdate.parse_date(value) == expected


def test_parse_date_aware_datetime_is_read_in_taipei():
    assert rocdate.parse_date(dt.datetime(2014, 8, 14, 16, 30, tzinfo=dt.UTC)) == D


def test_parse_date_drops_a_trailing_time():
    assert rocdate.parse_date("103/08/15 21:30") == D


@pytest.mark.parametrize(
    "value, expected",
    [
        ("103/08/15 21:30", (D, dt.time(21, 30))),
        ("103/08/15   21:30", (D, dt.time(21, 30))),
        ("1030815 21:30:05", (D, dt.time(21, 30, 5))),
        ("2014-08-15T21:30", (D, dt.time(21, 30))),
        ("2014-08-15 07:05", (D, dt.time(7, 5))),
        ("103年8月15日 9:05", (D, dt.time(9, 5))),
        ("98/05/10 08:00:00", (OLD, dt.time(8, 0))),
        ("１０３/０８/１５　２１：３０", (D, dt.time(21, 30))),
        ("103/08/15", (D, None)),
        ("1030815", (D, None)),
        (1030815.0, (D, None)),
        (D, (D, None)),
        (dt.datetime(2014, 8, 15, 21, 30), (D, dt.time(21, 30))),
        (dt.datetime(2014, 8, 15, 21, 30, 5), (D, dt.time(21, 30, 5))),
        (dt.datetime(2014, 8, 15, 0, 0), (D, None)),  # a spreadsheet date cell: no time given
        (dt.datetime(2014, 8, 15, 13, 30, tzinfo=dt.UTC), (D, dt.time(21, 30))),
    ],
    ids=str,
)
def test_parse_datetime_with_optional_time(value, expected):
    assert rocdate.parse_datetime(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("21:30", dt.time(21, 30)),
        ("9:05", dt.time(9, 5)),
        ("07:05:09", dt.time(7, 5, 9)),
        ("00:00", dt.time(0, 0)),
        ("23:59:59", dt.time(23, 59, 59)),
        (" 21:30 ", dt.time(21, 30)),
        ("２１：３０", dt.time(21, 30)),
        ("２１：３０：０５", dt.time(21, 30, 5)),
        (dt.time(8, 30), dt.time(8, 30)),
        (dt.datetime(2014, 8, 15, 8, 30), dt.time(8, 30)),
    ],
    ids=str,
)
def test_parse_time_accepts_text_and_objects(value, expected):
    assert rocdate.parse_time(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (0.0, dt.time(0, 0)),
        (0, dt.time(0, 0)),
        (0.5, dt.time(12, 0)),
        (0.25, dt.time(6, 0)),
        (0.75, dt.time(18, 0)),
        (21.5 / 24, dt.time(21, 30)),
        ((8 * 3600 + 30 * 60 + 15) / 86400, dt.time(8, 30, 15)),
        (0.9999999, dt.time(23, 59, 59)),  # rounds to 86400 s: must not become 24:00
    ],
    ids=str,
)
def test_parse_time_spreadsheet_fraction_of_day(value, expected):
    assert rocdate.parse_time(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "日期不可空白"),
        ("   ", "日期不可空白"),
        (None, "日期不可空白"),
        ("明天", "無法辨識的日期：「明天」"),
        ("abc", "無法辨識的日期：「abc」"),
        ("12345", "無法辨識的日期：「12345」"),
        ("123456789", "無法辨識的日期：「123456789」"),
        ("103/08-15", "無法辨識的日期：「103/08-15」"),
        ("103/08", "無法辨識的日期：「103/08」"),
        ("10315/08/15", "無法辨識的日期：「10315/08/15」"),
        (1030815.5, "無法辨識的日期：「1030815.5」"),
        (True, "無法辨識的日期：「True」"),
        ("103/13/01", "日期不存在：「103/13/01」"),
        ("1031315", "日期不存在：「1031315」"),
        ("103/02/30", "日期不存在：「103/02/30」"),
        ("2014-02-29", "日期不存在：「2014-02-29」"),
        ("103/08/00", "日期不存在：「103/08/00」"),
        ("0/01/01", "日期不存在：「0/01/01」"),
        ("0000101", "日期不存在：「0000101」"),
        ("000101", "日期不存在：「000101」"),
        ("0年1月1日", "日期不存在：「0年1月1日」"),
        ("20141301", "日期不存在：「20141301」"),
        ("103/02/30 21:30", "日期不存在：「103/02/30 21:30」"),  # the whole cell is named
        ("x" * 40, "無法辨識的日期：「" + "x" * 30 + "…」"),  # long cells are cut short
    ],
    ids=repr,
)
def test_parse_date_invalid_raises_chinese_message(value, message):
    with pytest.raises(RocDateError) as error:
        rocdate.parse_date(value)
    assert str(error.value) == message
    assert CHINESE.search(str(error.value))


def test_parse_date_leap_day_in_roc_leap_year():
    assert rocdate.parse_date("101/02/29") == dt.date(2012, 2, 29)


def test_roc_date_error_is_a_value_error():
    assert issubclass(RocDateError, ValueError)


@pytest.mark.parametrize(
    "value, message",
    [
        ("25:61", "無法辨識的時間：「25:61」"),
        ("24:00", "無法辨識的時間：「24:00」"),
        ("12:60", "無法辨識的時間：「12:60」"),
        ("12:30:60", "無法辨識的時間：「12:30:60」"),
        ("noon", "無法辨識的時間：「noon」"),
        ("1230", "無法辨識的時間：「1230」"),
        (1.5, "無法辨識的時間：「1.5」"),
        (-0.25, "無法辨識的時間：「-0.25」"),
        ("", "時間不可空白"),
        (None, "時間不可空白"),
    ],
    ids=repr,
)
def test_parse_time_invalid_raises_chinese_message(value, message):
    with pytest.raises(RocDateError) as error:
        rocdate.parse_time(value)
    assert str(error.value) == message
    assert CHINESE.search(str(error.value))


def test_parse_datetime_bad_time_after_good_date_raises():
    with pytest.raises(RocDateError) as error:
        rocdate.parse_datetime("103/08/15 25:00")
    assert str(error.value) == "無法辨識的時間：「25:00」"


@pytest.mark.parametrize(
    "value, long, short",
    [
        (dt.date(2014, 8, 31), "103年8月31日", "103/08/31"),
        (dt.date(2012, 1, 1), "101年1月1日", "101/01/01"),
        (dt.date(2009, 5, 10), "98年5月10日", "98/05/10"),
        (dt.date(1912, 1, 1), "1年1月1日", "1/01/01"),
        (dt.date(2024, 12, 25), "113年12月25日", "113/12/25"),
        (dt.datetime(2014, 8, 31, 23, 59), "103年8月31日", "103/08/31"),
        (dt.datetime(2014, 8, 31, 16, 30, tzinfo=dt.UTC), "103年9月1日", "103/09/01"),  # Taipei is UTC+8
        (dt.datetime(2014, 8, 31, 15, 59, tzinfo=dt.UTC), "103年8月31日", "103/08/31"),
        (None, "", ""),
        ("", "", ""),
    ],
    ids=str,
)
def test_to_roc_long_and_short_format(value, long, short):
    assert (rocdate.to_roc_long(value), rocdate.to_roc_short(value)) == (long, short)


@pytest.mark.parametrize("value", ["2014-08-31", 1030831, object()], ids=repr)
def test_to_roc_long_non_date_raises_type_error(value):
    with pytest.raises(TypeError):
        rocdate.to_roc_long(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2014, 8, 31), 103),
        (dt.date(2009, 1, 1), 98),
        (dt.date(1912, 1, 1), 1),
        (dt.datetime(2014, 12, 31, 16, 0, tzinfo=dt.UTC), 104),  # already 2015 in Taipei
    ],
    ids=str,
)
def test_roc_year_of_date(value, expected):
    assert rocdate.roc_year(value) == expected


@pytest.mark.parametrize(
    "year, month, day, expected",
    [
        (103, 8, 31, dt.date(2014, 8, 31)),
        (98, 5, 10, dt.date(2009, 5, 10)),
        (1, 1, 1, dt.date(1912, 1, 1)),
    ],
)
def test_from_roc_gives_gregorian_date(year, month, day, expected):
    assert rocdate.from_roc(year, month, day) == expected


@pytest.mark.parametrize(
    "year, month, day, message",
    [
        (0, 1, 1, "日期不存在：「0年1月1日」"),
        (103, 2, 30, "日期不存在：「103年2月30日」"),
        (103, 13, 1, "日期不存在：「103年13月1日」"),
    ],
)
def test_from_roc_impossible_date_raises(year, month, day, message):
    with pytest.raises(RocDateError) as error:
        rocdate.from_roc(year, month, day)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "day", [dt.date(1912, 1, 1), dt.date(2009, 5, 10), dt.date(2014, 8, 31), dt.date(2024, 2, 29)], ids=str
)
def test_formatting_round_trip_parses_back(day):
    assert (rocdate.parse_date(rocdate.to_roc_long(day)), rocdate.parse_date(rocdate.to_roc_short(day))) == (day, day)


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("roc", dt.date(2014, 8, 31), "103年8月31日"),
        ("roc", dt.datetime(2014, 8, 31, 16, 30, tzinfo=dt.UTC), "103年9月1日"),
        ("roc", None, ""),
        ("roc", "2014-08-31", ""),  # not a date: template filters fail silently
        ("roc_short", dt.date(2014, 8, 31), "103/08/31"),
        ("roc_short", None, ""),
        ("roc_short", 42, ""),
        ("masked_id", "A123456789", "A12****789"),
        ("masked_id", None, ""),
    ],
    ids=str,
)
def test_template_filter_output(name, value, expected):
    from portal.templatetags import roc

    assert getattr(roc, name)(value) == expected


def test_template_filters_render_in_a_template():
    from django.template import Context, Engine

    engine = Engine(libraries={"roc": "portal.templatetags.roc"})
    template = engine.from_string("{% load roc %}{{ d|roc }} {{ d|roc_short }} {{ nid|masked_id }}")
    rendered = template.render(Context({"d": dt.date(2014, 8, 31), "nid": "A123456789"}))
    assert rendered == "103年8月31日 103/08/31 A12****789"
