"""The office calendar as the off-duty rules read it.

Pure Python (no Django at import time): the DGPA CSV parser, the Taipei exception-list
reader for the years before the DGPA dataset (2013–2016), and `WorkCalendar`.
"""

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

DGPA_COLUMNS = ("西元日期", "星期", "是否放假", "備註")
DAY_OFF_VALUES = {"0": False, "2": True}
MAKE_UP_WORKDAY_CATEGORIES = frozenset({"補行上班", "補行上班日"})


@dataclass(frozen=True)
class CalendarDay:
    """One day of the office calendar (not the Django model of the same name in courses.models)."""

    date: dt.date
    is_day_off: bool
    note: str = ""


class CalendarFileError(ValueError):
    """A calendar file that cannot be used; `errors` lists every problem found, in file order."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class WorkCalendar:
    """Days off by date; a year the calendar does not cover falls back to weekends.

    Built from `CalendarDay` objects or `(date, is_day_off)` pairs, for any number of years;
    a later entry for the same date wins.
    """

    def __init__(self, days: Iterable[CalendarDay | tuple[dt.date, bool]]):
        self._days: dict[dt.date, bool] = dict(
            (d.date, d.is_day_off) if isinstance(d, CalendarDay) else d for d in days
        )
        self._years = {d.year for d in self._days}

    def has_year(self, year: int) -> bool:
        return year in self._years

    def is_day_off(self, day: dt.date) -> bool:
        if day.year in self._years:
            return self._days.get(day, day.weekday() >= 5)
        return day.weekday() >= 5

    @classmethod
    def from_database(cls, start: dt.date, end: dt.date) -> "WorkCalendar":
        from .models import CalendarDay

        return cls(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_day_off"))


# --- DGPA CSV (中華民國政府行政機關辦公日曆表, data.gov.tw/dataset/14718) -------------------


def _decode(data: bytes) -> str:
    """UTF-8 with BOM, UTF-8 without, else CP950 (the DGPA's "Big5"; Python's 'big5' lacks CP950's extras)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp950")


_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})|(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def _parse_date(text: str) -> dt.date:
    """`YYYYMMDD` as the DGPA writes it; `YYYY-MM-DD` and `YYYY/M/D` (what Excel saves) too."""
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(f"日期格式應為 YYYYMMDD：「{text}」" if text else "日期是空的")
    y, m, d = (int(g) for g in match.groups() if g is not None)
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueError(f"沒有這一天：「{text}」") from None


def _row_error(line: int, column: str, message: str) -> str:
    return f"第 {line} 列，欄位「{column}」：{message}"


class _Cells:
    """The stripped value of a named column in one row; "" where the row is short."""

    def __init__(self, row: list[str], index: dict[str, int]):
        self.row, self.index = row, index

    def __call__(self, name: str) -> str:
        i = self.index[name]
        return self.row[i].strip() if i < len(self.row) else ""


def parse_dgpa_csv(data: bytes) -> list[CalendarDay]:
    """Parse a DGPA office-calendar CSV (西元日期,星期,是否放假,備註) into days, in file order.

    Columns may come in any order; unknown columns are ignored. 是否放假 is 2 (day off) or 0
    (working day); 備註 is kept as the note but never decides anything. Blank lines are skipped.
    Raises `CalendarFileError` listing every problem; row numbers count the header as row 1.
    """
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise CalendarFileError(["無法辨識檔案編碼，請存成 UTF-8 或 Big5（CP950）"]) from None
    if not text.strip():
        raise CalendarFileError(["檔案是空的"])

    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader)]
    index = {name: header.index(name) for name in DGPA_COLUMNS if name in header}
    missing = [name for name in DGPA_COLUMNS if name not in index]
    if missing:
        raise CalendarFileError([_row_error(1, name, "缺少此欄位") for name in missing])

    days: list[CalendarDay] = []
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cell = _Cells(row, index)
        problems = []
        date = off = None
        try:
            date = _parse_date(cell("西元日期"))
        except ValueError as e:
            problems.append(_row_error(line, "西元日期", str(e)))
        if date is not None and date in seen:
            problems.append(_row_error(line, "西元日期", f"日期重複（第 {seen[date]} 列已有 {date.isoformat()}）"))
        if cell("是否放假") in DAY_OFF_VALUES:
            off = DAY_OFF_VALUES[cell("是否放假")]
        else:
            problems.append(_row_error(line, "是否放假", f"應為 0（上班）或 2（放假），不是「{cell('是否放假')}」"))
        if problems:
            errors.extend(problems)
            continue
        seen[date] = line
        days.append(CalendarDay(date, off, cell("備註")))
    if errors:
        raise CalendarFileError(errors)
    if not days:
        raise CalendarFileError(["檔案只有標題列，沒有任何日期"])
    return days


# --- Taipei City exception lists (taipei-json), for 2013–2016 -----------------------------


def calendar_days_from_taipei_json(data) -> list[CalendarDay]:
    """Every day of every year the Taipei exception list mentions (parsed JSON, str or bytes).

    The list holds exceptions only. A listed 補行上班 day is a working day; otherwise Saturday
    and Sunday are days off; a listed weekday is a day off if `holiday` is true, except
    特定節日 (Labour Day before 2026 and the like: days off for others, not civil servants).
    This reproduces the DGPA CSV exactly for 2017–2026. A year counts as covered in full
    as soon as one of its dates is listed (mind 2028.json, which lists only 1 January).
    """
    items = json.loads(data) if isinstance(data, (str, bytes, bytearray)) else data
    listed = {dt.datetime.strptime(item["date"], "%Y%m%d").date(): item for item in items}
    days = []
    for year in sorted({d.year for d in listed}):
        day = dt.date(year, 1, 1)
        while day.year == year:
            item = listed.get(day)
            category = (item or {}).get("holidayCategory") or ""
            if item and category in MAKE_UP_WORKDAY_CATEGORIES:
                off = False
            elif day.weekday() >= 5:
                off = True
            else:
                off = bool(item and item.get("holiday") and category != "特定節日")
            note = (item.get("name") or category) if item else ""
            days.append(CalendarDay(day, off, note))
            day += dt.timedelta(days=1)
    return days


def calendar_from_taipei_json(data) -> WorkCalendar:
    """A `WorkCalendar` from a Taipei City exception list; see `calendar_days_from_taipei_json`."""
    return WorkCalendar(calendar_days_from_taipei_json(data))
