"""ROC (民國) dates: read every form the imports meet, show dates as 103年8月31日 or 103/08/31.

Standard library only, so importers, commands and templates can all share it. Dates are
stored as ordinary `datetime.date`s; the ROC calendar is only for reading and display.
"""

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

ROC_OFFSET = 1911  # 民國 1 = 1912
TAIPEI = ZoneInfo("Asia/Taipei")

# The same separator twice (the backreference), so a typo like "103/08-15" is not guessed at.
# re.ASCII: after NFKC only 0-9 should count as digits, not e.g. Arabic-Indic ones.
_SEPARATED = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,2})", re.ASCII)
_CHINESE = re.compile(r"(\d{1,4})年(\d{1,2})月(\d{1,2})日?", re.ASCII)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)
# The time follows the date after whitespace (full-width spaces become spaces under NFKC) or ISO "T".
_DATE_TIME_SPLIT = re.compile(r"\s+|T")
_SHOWN = 30  # echo at most this much of a bad cell back in an error message


class RocDateError(ValueError):
    """A date or time that cannot be read; the message is for people (Traditional Chinese)."""


def _text(value) -> str:
    # Spreadsheets hand over 1030815 as the float 1030815.0; its str() would add ".0".
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _date(year: int, month: int, day: int, roc: bool, text: str) -> dt.date:
    if roc:
        if year < 1:  # there is no 民國 0
            raise RocDateError(f"日期不存在：「{_shown(text)}」")
        year += ROC_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise RocDateError(f"日期不存在：「{_shown(text)}」") from None


def _parse_date_text(text: str, cell: str) -> dt.date:
    """`text` is the date part of `cell`; messages name the whole cell so people can find it."""
    if text.isascii() and text.isdigit():
        if len(text) == 8:  # 20140815
            return _date(int(text[:4]), int(text[4:6]), int(text[6:]), False, cell)
        if len(text) in (6, 7):  # 980510, 0980510, 1030815: the year is what precedes MMDD
            return _date(int(text[:-4]), int(text[-4:-2]), int(text[-2:]), True, cell)
        raise RocDateError(f"無法辨識的日期：「{_shown(cell)}」")
    match = _SEPARATED.fullmatch(text)
    if match:
        year, _sep, month, day = match.groups()
    else:
        match = _CHINESE.fullmatch(text)
        if not match:
            raise RocDateError(f"無法辨識的日期：「{_shown(cell)}」")
        year, month, day = match.groups()
    # A four-digit year is Gregorian (2014/8/15); one to three digits is ROC (103/08/15, 98/05/10).
    return _date(int(year), int(month), int(day), len(year) < 4, cell)


def _in_taipei(value: dt.datetime) -> dt.datetime:
    return value.astimezone(TAIPEI) if value.tzinfo is not None else value


def parse_time(value) -> dt.time:
    """`21:30`, `21:30:05` (also full-width), a `datetime.time`, or a spreadsheet fraction of a day."""
    if isinstance(value, dt.datetime):
        return _in_taipei(value).time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        # Excel stores 12:00 as 0.5; min() keeps 23:59:59.9 from rounding up to 24:00:00.
        seconds = min(round(value * 86400), 86399)
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    text = "" if value is None else _text(value)
    if not text:
        raise RocDateError("時間不可空白")
    match = _TIME.fullmatch(text)
    if match:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise RocDateError(f"無法辨識的時間：「{_shown(text)}」")


def parse_datetime(value) -> tuple[dt.date, dt.time | None]:
    """A date in any accepted form, with the time that may follow it (None when there is none)."""
    if isinstance(value, dt.datetime):
        value = _in_taipei(value)
        # Spreadsheet date cells arrive as datetimes at midnight: that means "no time given".
        return value.date(), (None if value.time() == dt.time.min else value.time())
    if isinstance(value, dt.date):
        return value, None
    text = "" if value is None else _text(value)
    if not text:
        raise RocDateError("日期不可空白")
    date_text, *rest = _DATE_TIME_SPLIT.split(text, maxsplit=1)
    return _parse_date_text(date_text, text), (parse_time(rest[0]) if rest else None)


def parse_date(value) -> dt.date:
    """A date in any accepted form; a time after it is checked but dropped."""
    return parse_datetime(value)[0]


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _in_taipei(value).date()  # an aware 16:30 UTC is already tomorrow in Taipei
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")


def roc_year(value) -> int:
    """The 民國 year of a date or datetime: 2014 → 103."""
    day = _as_date(value)
    if day is None:
        raise TypeError("roc_year() needs a date")
    return day.year - ROC_OFFSET


def from_roc(year: int, month: int, day: int) -> dt.date:
    """The date of 民國 year/month/day; RocDateError when there is no such day."""
    return _date(year, month, day, True, f"{year}年{month}月{day}日")


def to_roc_long(value) -> str:
    """`103年8月31日`; "" for None."""
    day = _as_date(value)
    return "" if day is None else f"{day.year - ROC_OFFSET}年{day.month}月{day.day}日"


def to_roc_short(value) -> str:
    """`103/08/31`; "" for None."""
    day = _as_date(value)
    return "" if day is None else f"{day.year - ROC_OFFSET}/{day.month:02d}/{day.day:02d}"


def parse_period(value) -> tuple[dt.date, dt.date]:
    """`START:END` (`2014-01-01:2014-06-30`, `103/01/01:103/06/30`, any accepted date form,
    full-width too) → (start, end), both days included. RocDateError (a message in
    Traditional Chinese) when either date cannot be read or the end is before the start."""
    text = "" if value is None else _text(value)
    parts = text.split(":")
    if len(parts) != 2 or not all(part.strip() for part in parts):
        raise RocDateError(
            f"期間應寫成 起日:迄日（例如 2014-01-01:2014-06-30 或 103/01/01:103/06/30），收到：「{_shown(text)}」"
        )
    start, end = (_parse_date_text(part.strip(), part.strip()) for part in parts)
    if end < start:
        raise RocDateError(f"期間的迄日早於起日：「{_shown(text)}」")
    return start, end


def period_option(value) -> str:
    """A period as import options carry it, `2014-01-01:2014-06-30`, from any form
    `parse_period` reads; RocDateError as there."""
    start, end = parse_period(value)
    return f"{start.isoformat()}:{end.isoformat()}"
