"""ROC dates in every form CONTRACTS.md lists, and national-ID checksums."""

import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import nationalid, rocdate

D = dt.date(2014, 8, 15)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1030815", D),
        ("103/08/15", D),
        ("103.08.15", D),
        ("103-08-15", D),
        ("103年8月15日", D),
        ("103年08月15日", D),
        ("2014-08-15", D),
        ("2014/8/15", D),
        ("2014.8.15", D),
        ("20140815", D),
        ("2014年8月15日", D),
        ("980510", dt.date(2009, 5, 10)),
        ("0980510", dt.date(2009, 5, 10)),
        ("98/05/10", dt.date(2009, 5, 10)),
        ("98年5月10日", dt.date(2009, 5, 10)),
        ("１０３/０８/１５", D),
        ("１０３０８１５", D),
        (" 103/8/15 ", D),
        (1030815, D),
        (1030815.0, D),
        (980510.0, dt.date(2009, 5, 10)),
        (D, D),
        (dt.datetime(2014, 8, 15, 9, 0), D),
    ],
    ids=str,
)
def test_parse_date_every_form(text, expected):
    assert rocdate.parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("103/08/15 21:30", (D, dt.time(21, 30))),
        ("1030815 21:30:05", (D, dt.time(21, 30, 5))),
        ("2014-08-15T21:30", (D, dt.time(21, 30))),
        ("１０３/０８/１５　２１：３０", (D, dt.time(21, 30))),
        ("103/08/15", (D, None)),
        (dt.datetime(2014, 8, 15, 21, 30), (D, dt.time(21, 30))),
    ],
    ids=str,
)
def test_parse_datetime_with_optional_time(text, expected):
    assert rocdate.parse_datetime(text) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("21:30", dt.time(21, 30)),
        ("07:05:09", dt.time(7, 5, 9)),
        ("２１：３０", dt.time(21, 30)),
        (0.5, dt.time(12, 0)),
        (dt.time(8, 30), dt.time(8, 30)),
    ],
)
def test_parse_time(value, expected):
    assert rocdate.parse_time(value) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("103/02/30", "日期不存在：「103/02/30」"),
        ("1031315", "日期不存在：「1031315」"),
        ("0/01/01", "日期不存在：「0/01/01」"),
        ("明天", "無法辨識的日期：「明天」"),
        ("12345", "無法辨識的日期：「12345」"),
        ("", "日期不可空白"),
    ],
)
def test_parse_date_rejects_with_a_chinese_message(text, message):
    with pytest.raises(rocdate.RocDateError) as error:
        rocdate.parse_date(text)
    assert str(error.value) == message


def test_parse_time_rejects_impossible_times():
    with pytest.raises(rocdate.RocDateError) as error:
        rocdate.parse_time("25:61")
    assert str(error.value) == "無法辨識的時間：「25:61」"


@pytest.mark.parametrize(
    "value, long, short",
    [
        (dt.date(2014, 8, 31), "103年8月31日", "103/08/31"),
        (dt.date(2012, 1, 1), "101年1月1日", "101/01/01"),
        (dt.date(2009, 5, 10), "98年5月10日", "98/05/10"),
        (dt.datetime(2014, 8, 31, 16, 30, tzinfo=dt.UTC), "103年9月1日", "103/09/01"),  # Taipei is UTC+8
        (None, "", ""),
    ],
)
def test_format_roc(value, long, short):
    assert (rocdate.to_roc_long(value), rocdate.to_roc_short(value)) == (long, short)


def test_roc_year_and_back():
    assert (rocdate.roc_year(dt.date(2014, 8, 31)), rocdate.from_roc(103, 8, 31)) == (103, dt.date(2014, 8, 31))


def test_template_filters_render_roc_dates():
    from django.template import Context, Template

    rendered = Template("{{ d|roc }} {{ d|roc_short }}").render(Context({"d": dt.date(2014, 8, 31)}))
    assert rendered == "103年8月31日 103/08/31"


@pytest.mark.parametrize("nid", ["A123456789", "F234567898", "H800123457", "AC12345679", "a123456789", "Ａ123456789"])
def test_national_id_valid(nid):
    assert nationalid.is_valid(nid) is True
    assert nationalid.validate(nid) == nationalid.normalize(nid)


@pytest.mark.parametrize(
    "nid, message",
    [
        ("A123456788", "身分證字號檢查碼錯誤"),
        ("A323456789", "身分證字號格式錯誤"),  # 3 is neither a sex digit nor a resident digit
        ("H800123458", "身分證字號檢查碼錯誤"),
        ("AE12345679", "身分證字號格式錯誤"),  # old resident format: second letter A-D only
        ("A12345678", "身分證字號格式錯誤"),
        ("", "身分證字號格式錯誤"),
    ],
)
def test_national_id_invalid_never_repeats_the_id(nid, message):
    assert nationalid.is_valid(nid) is False
    with pytest.raises(nationalid.NationalIdError) as error:
        nationalid.validate(nid)
    assert str(error.value) == message
    assert nid not in str(error.value) or nid == ""


def test_national_id_mask():
    assert (nationalid.mask("A123456789"), nationalid.mask(""), nationalid.mask(None)) == ("A12****789", "", "")


@given(st.sampled_from(["A1", "B2", "Z1", "H8", "K9", "AC", "BD", "XA"]), st.integers(0, 10**7 - 1), st.data())
def test_make_gives_valid_ids_and_the_checksum_catches_changed_digits(prefix, serial, data):
    nid = nationalid.make(prefix, serial)
    assert nationalid.is_valid(nid)
    position = data.draw(st.integers(2, 9))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != nid[position]]))
    changed = nid[:position] + digit + nid[position + 1 :]
    # Weights 1 9 8 7 6 5 4 3 2 1 1: a change goes unnoticed only when weight × difference is a multiple of 10.
    weight = nationalid.WEIGHTS[position + 1]
    assert nationalid.is_valid(changed) == ((weight * (int(digit) - int(nid[position]))) % 10 == 0)


def test_redact_masks_ids_inside_text():
    assert nationalid.redact("row 3: A123456789 與 AC12345679 重複") == "row 3: A12****789 與 AC1****679 重複"


def test_logging_filter_masks_national_ids(caplog):
    logger = logging.getLogger("test.nationalid")
    handler_filter = nationalid.MaskNationalIdFilter()
    logger.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="test.nationalid"):
            logger.info("import failed for %s", "F234567898")
    finally:
        logger.removeFilter(handler_filter)
    assert caplog.messages == ["import failed for F23****898"]
