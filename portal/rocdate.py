"""ROC (民國) dates: parse every form the exports use, format as 103年8月31日 and 103/08/31."""
import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

ROC_OFFSET = 1911
TAIPEI = ZoneInfo("Asia/Taipei")
SEPARATED = re.compile(r"^(\d{1,4})\s*[/.\-年]\s*(\d{1,2})\s*[/.\-月]\s*(\d{1,2})\s*日?$")
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class RocDateError(ValueError):
    pass


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _make(year: int, month: int, day: int, roc: bool, original: str) -> dt.date:
    if roc:
        if year <= 0:
            raise RocDateError(f"日期不存在：「{original}」")
        year += ROC_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise RocDateError(f"日期不存在：「{original}」") from None


def _parse_date_text(text: str, original: str) -> dt.date:
    if text.isdigit():
        if len(text) == 8:
            return _make(int(text[:4]), int(text[4:6]), int(text[6:]), False, original)
        if len(text) in (6, 7):
            return _make(int(text[:-4]), int(text[-4:-2]), int(text[-2:]), True, original)
        raise RocDateError(f"無法辨識的日期：「{original}」")
    match = SEPARATED.match(text)
    if not match:
        raise RocDateError(f"無法辨識的日期：「{original}」")
    year, month, day = match.groups()
    return _make(int(year), int(month), int(day), len(year) < 4, original)


def parse_time(value) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, float) and 0 <= value < 1:
        seconds = round(value * 86400)
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    text = _text(value)
    match = TIME.match(text)
    if not match:
        raise RocDateError(f"無法辨識的時間：「{text[:20]}」")
    hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        raise RocDateError(f"無法辨識的時間：「{text[:20]}」") from None


def parse_datetime(value) -> tuple[dt.date, dt.time | None]:
    if isinstance(value, dt.datetime):
        return value.date(), (value.time() if value.time() != dt.time.min else None)
    if isinstance(value, dt.date):
        return value, None
    text = _text(value)
    original = text[:30]
    if not text:
        raise RocDateError("日期不可空白")
    parts = re.split(r"\s+|T", text, maxsplit=1)
    date = _parse_date_text(parts[0], original)
    return date, (parse_time(parts[1]) if len(parts) > 1 and parts[1] else None)


def parse_date(value) -> dt.date:
    return parse_datetime(value)[0]


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(TAIPEI)
        return value.date()
    return value


def roc_year(value) -> int:
    return _as_date(value).year - ROC_OFFSET


def from_roc(year: int, month: int, day: int) -> dt.date:
    return dt.date(year + ROC_OFFSET, month, day)


def to_roc_long(value) -> str:
    d = _as_date(value)
    return "" if d is None else f"{d.year - ROC_OFFSET}年{d.month}月{d.day}日"


def to_roc_short(value) -> str:
    d = _as_date(value)
    return "" if d is None else f"{d.year - ROC_OFFSET}/{d.month:02d}/{d.day:02d}"
