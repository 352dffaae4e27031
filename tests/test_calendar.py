"""The office calendar: the DGPA CSV parser, Taipei's exception lists, and WorkCalendar.

Pure Python, no database. The real files live in the shared data folder
(SHARED_DIR, default: tests/data, a copy of the shared folder).
"""

import datetime as dt
import os
from pathlib import Path

import pytest

from courses.calendar import (
    CalendarDay,
    CalendarFileError,
    WorkCalendar,
    calendar_days_from_taipei_json,
    calendar_from_taipei_json,
    parse_dgpa_csv,
)

SHARED = Path(os.environ.get("SHARED_DIR") or Path(__file__).resolve().parent / "data")
TW_CALENDAR = SHARED / "data" / "tw-calendar"
DGPA = TW_CALENDAR / "dgpa-csv"
TAIPEI = TW_CALENDAR / "taipei-json"
SHIPPED = Path(__file__).resolve().parents[1] / "fixtures" / "calendar"

BIG5_2025 = "2025_roc114_update-1141020_big5.csv"


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def dgpa(name: str) -> dict[dt.date, CalendarDay]:
    return {d.date: d for d in parse_dgpa_csv((DGPA / name).read_bytes())}


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


# --- the real DGPA files ----------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(DGPA.glob("*.csv")), ids=lambda p: p.name)
def test_every_real_file_has_one_row_per_day(path):
    days = parse_dgpa_csv(path.read_bytes())
    year = days[0].date.year
    length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    assert [d.date for d in days] == [dt.date(year, 1, 1) + dt.timedelta(n) for n in range(length)]


REAL_DAYS = [
    # file, date, is_day_off, note
    ("2017_roc106.csv", "2017-01-01", True, "開國紀念日"),
    ("2017_roc106.csv", "2017-01-02", True, "補假"),
    ("2017_roc106.csv", "2017-01-03", False, ""),
    ("2025_roc114.csv", "2025-05-01", False, ""),
    ("2025_roc114.csv", "2025-09-29", False, ""),
    ("2025_roc114_revised.csv", "2025-09-29", True, ""),
    ("2025_roc114_revised.csv", "2025-05-01", False, ""),
    (BIG5_2025, "2025-09-29", True, "補假"),
    (BIG5_2025, "2025-05-01", False, ""),
    ("2026_roc115.csv", "2026-05-01", True, "勞動節"),
    ("2026_roc115.csv", "2026-01-01", True, "開國紀念日"),
]


@pytest.mark.parametrize("name, date, off, note", REAL_DAYS, ids=[f"{r[0]} {r[1]}" for r in REAL_DAYS])
def test_real_days(name, date, off, note):
    assert dgpa(name)[day(date)] == CalendarDay(day(date), off, note)


def test_big5_file_agrees_with_the_revised_file_on_days_off():
    big5 = {d: c.is_day_off for d, c in dgpa(BIG5_2025).items()}
    revised = {d: c.is_day_off for d, c in dgpa("2025_roc114_revised.csv").items()}
    assert big5 == revised
    assert sum(big5.values()) == 118


def test_revision_of_2025_adds_three_days_off():
    original, revised = dgpa("2025_roc114.csv"), dgpa("2025_roc114_revised.csv")
    changed = sorted(d for d in original if original[d].is_day_off != revised[d].is_day_off)
    assert changed == [day("2025-09-29"), day("2025-10-24"), day("2025-12-25")]


# --- decoding and validation --------------------------------------------------------------

HEADER = "西元日期,星期,是否放假,備註"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp950"])
def test_encodings(encoding):
    data = csv_bytes(HEADER, "20170101,日,2,開國紀念日", "20170103,二,0,", encoding=encoding)
    assert parse_dgpa_csv(data) == [
        CalendarDay(day("2017-01-01"), True, "開國紀念日"),
        CalendarDay(day("2017-01-03"), False, ""),
    ]


def test_cp950_characters_outside_big5():
    # 碁 and 銹 are in CP950 only; Python's 'big5' codec cannot decode them.
    data = csv_bytes(HEADER, "20170101,日,2,碁銹", encoding="cp950")
    assert parse_dgpa_csv(data) == [CalendarDay(day("2017-01-01"), True, "碁銹")]


def test_columns_in_any_order_and_unknown_columns_ignored():
    data = csv_bytes("備註,是否放假,來源,西元日期,星期", "補假,2,DGPA,20170102,一", " ,0,,20170103,二")
    assert parse_dgpa_csv(data) == [
        CalendarDay(day("2017-01-02"), True, "補假"),
        CalendarDay(day("2017-01-03"), False, ""),
    ]


def test_blank_lines_are_skipped_and_dates_excel_wrote_are_read():
    data = csv_bytes(HEADER, "", "2017/1/2,一,2,補假", ",,,", "2017-01-03,二,0,")
    assert parse_dgpa_csv(data) == [
        CalendarDay(day("2017-01-02"), True, "補假"),
        CalendarDay(day("2017-01-03"), False, ""),
    ]


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(CalendarFileError) as caught:
        parse_dgpa_csv(data)
    assert isinstance(caught.value, ValueError)
    return caught.value.errors


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n  \r\n"], ids=["no bytes", "only a BOM", "blank lines"])
def test_empty_file(data):
    assert errors_of(data) == ["檔案是空的"]


def test_header_only():
    assert errors_of(csv_bytes(HEADER)) == ["檔案只有標題列，沒有任何日期"]


def test_missing_columns():
    assert errors_of(csv_bytes("西元日期,星期,備註", "20170101,日,開國紀念日")) == [
        "第 1 列，欄位「是否放假」：缺少此欄位",
    ]
    assert errors_of(csv_bytes("日期,放假", "20170101,2")) == [
        "第 1 列，欄位「西元日期」：缺少此欄位",
        "第 1 列，欄位「星期」：缺少此欄位",
        "第 1 列，欄位「是否放假」：缺少此欄位",
        "第 1 列，欄位「備註」：缺少此欄位",
    ]


def test_all_row_errors_are_collected_with_file_line_numbers():
    data = csv_bytes(
        HEADER,
        "20170101,日,2,開國紀念日",  # line 2: fine
        "20170102,一,1,補假",  # line 3: 1 is not a value the DGPA uses
        "20170230,四,0,",  # line 4: no such day
        "2017-1-x,二,0,",  # line 5: not a date
        "",  # line 6: skipped
        "20170101,日,,",  # line 7: duplicate date and empty 是否放假
        "20170105",  # line 8: short row
    )
    assert errors_of(data) == [
        "第 3 列，欄位「是否放假」：應為 0（上班）或 2（放假），不是「1」",
        "第 4 列，欄位「西元日期」：沒有這一天：「20170230」",
        "第 5 列，欄位「西元日期」：日期格式應為 YYYYMMDD：「2017-1-x」",
        "第 7 列，欄位「西元日期」：日期重複（第 2 列已有 2017-01-01）",
        "第 7 列，欄位「是否放假」：應為 0（上班）或 2（放假），不是「」",
        "第 8 列，欄位「是否放假」：應為 0（上班）或 2（放假），不是「」",
    ]


def test_empty_date():
    assert errors_of(csv_bytes(HEADER, ",一,0,")) == ["第 2 列，欄位「西元日期」：日期是空的"]


def test_undecodable_bytes():
    assert errors_of(HEADER.encode() + b"\r\n20170101,\x80\xff,2,\r\n") == [
        "無法辨識檔案編碼，請存成 UTF-8 或 Big5（CP950）",
    ]


# --- WorkCalendar ----------------------------------------------------------------------------


def test_work_calendar_over_several_years_of_real_files():
    cal = WorkCalendar(
        [
            *dgpa("2017_roc106.csv").values(),
            *dgpa("2025_roc114_revised.csv").values(),
            *dgpa("2026_roc115.csv").values(),
        ]
    )
    assert [cal.has_year(y) for y in (2016, 2017, 2018, 2025, 2026, 2027)] == [False, True, False, True, True, False]
    assert cal.is_day_off(day("2017-01-02")) is True  # 補假, a Monday
    assert cal.is_day_off(day("2025-05-01")) is False  # Labour Day: offices worked before 2026
    assert cal.is_day_off(day("2025-09-29")) is True  # revised 2025
    assert cal.is_day_off(day("2026-05-01")) is True  # 勞動節 from 2026


def test_year_without_a_calendar_falls_back_to_weekends():
    cal = WorkCalendar([CalendarDay(day("2017-01-02"), True, "補假")])
    assert cal.is_day_off(day("2012-08-03")) is False  # Friday
    assert cal.is_day_off(day("2012-08-04")) is True  # Saturday
    assert cal.is_day_off(day("2012-08-05")) is True  # Sunday
    assert cal.is_day_off(day("2012-10-10")) is False  # National Day, but 2012 has no calendar


def test_work_calendar_accepts_pairs_too():
    cal = WorkCalendar([(day("2014-12-27"), False), (day("2014-10-10"), True)])
    assert cal.is_day_off(day("2014-12-27")) is False
    assert cal.is_day_off(day("2014-10-10")) is True
    assert cal.is_day_off(day("2014-12-28")) is True  # unlisted Sunday of a covered year


def test_empty_work_calendar():
    cal = WorkCalendar([])
    assert cal.has_year(2014) is False
    assert cal.is_day_off(day("2014-12-27")) is True


# --- Taipei City exception lists ------------------------------------------------------------


def taipei(year: int) -> WorkCalendar:
    return calendar_from_taipei_json((TAIPEI / f"{year}.json").read_bytes())


TAIPEI_2014 = [
    ("make-up working Saturday", "2014-12-27", False),
    ("Labour Day is a working day for civil servants", "2014-05-01", False),
    ("National Day", "2014-10-10", True),
    ("New Year's Day", "2014-01-01", True),
    ("unlisted Friday", "2014-08-15", False),
    ("unlisted Saturday", "2014-08-16", True),
]


@pytest.mark.parametrize("date, off", [(d, o) for _n, d, o in TAIPEI_2014], ids=[r[0] for r in TAIPEI_2014])
def test_taipei_2014(date, off):
    assert taipei(2014).is_day_off(day(date)) is off


@pytest.mark.parametrize("year, days_off", [(2013, 115), (2014, 113), (2015, 122), (2016, 116), (2027, 121)])
def test_taipei_days_off_per_year(year, days_off):
    days = calendar_days_from_taipei_json((TAIPEI / f"{year}.json").read_text(encoding="utf-8"))
    length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    assert (len(days), sum(d.is_day_off for d in days)) == (length, days_off)
    assert {d.date.year for d in days} == {year}


@pytest.mark.parametrize("name", [p.name for p in sorted(DGPA.glob("20*.csv")) if p.name != "2025_roc114.csv"])
def test_taipei_lists_reproduce_the_dgpa_files(name):
    official = dgpa(name)
    year = next(iter(official)).year
    cal = taipei(year)
    assert {d: cal.is_day_off(d) for d in official} == {d: c.is_day_off for d, c in official.items()}


@pytest.mark.parametrize("year", [2013, 2014, 2015, 2016])
def test_shipped_pre_2017_calendars_agree_with_taipei_lists(year):
    shipped = parse_dgpa_csv((SHIPPED / f"taipei-{year}.csv").read_bytes())
    cal = taipei(year)
    assert {d.date: d.is_day_off for d in shipped} == {d.date: cal.is_day_off(d.date) for d in shipped}
