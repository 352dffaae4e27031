"""The office calendar as the off-duty rules read it."""
import datetime as dt
from collections.abc import Iterable


class WorkCalendar:
    """Days off by date; a year the calendar does not cover falls back to weekends."""

    def __init__(self, days: Iterable[tuple[dt.date, bool]]):
        self._days: dict[dt.date, bool] = dict(days)
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
