"""Reusable record queries: what the off-duty rules need, decided by the database.

The one place where a learning record meets the office calendar and its agency's office
hours in SQL (the same expressions on SQLite and PostgreSQL, through the ORM), so that a
whole government's records are classified set-based instead of one by one in Python.
"""

import datetime as dt

from django.db.models import BooleanField, Case, F, Q, TimeField, Value, When
from django.db.models.functions import Coalesce

from .models import CalendarDay
from .offduty import OfficeHours

_DEFAULT = OfficeHours()


def _hour(field: str, default: dt.time):
    return Coalesce(f"employee__agency__{field}", Value(default, output_field=TimeField()))


def calendar_exceptions(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """The office calendar's days from `start` to `end` (Gregorian, both included) that a
    weekend rule gets wrong: (weekdays off, weekend days at work), e.g. 2014-10-10 (國慶日)
    and a Saturday of make-up work. One query of a few dozen rows a year.
    """
    weekend = Q(date__iso_week_day__gte=6)
    days = CalendarDay.objects.filter(date__range=(start, end)).filter(
        (Q(is_day_off=True) & ~weekend) | (Q(is_day_off=False) & weekend)
    )
    off, at_work = [], []
    for date, is_day_off in days.values_list("date", "is_day_off"):
        (off if is_day_off else at_work).append(date)
    return off, at_work


def with_off_duty_inputs(records, exceptions: tuple[list[dt.date], list[dt.date]]):
    """Annotate a LearningRecord queryset with `day_off` and `in_office_hours` (booleans).

    `day_off`: the office calendar's day off (courses.models.CalendarDay), else a Saturday
    or Sunday, exactly as `courses.calendar.WorkCalendar.is_day_off` answers (a year the
    calendar lacks falls back to weekends; so does a day missing from a year it holds).
    `exceptions`: `calendar_exceptions` over the records' days, read once by the caller: the
    calendar's answer is then a CASE on the record's own day, with no join or subquery per
    record. `in_office_hours`: the completion time lies in [morning start, morning end) or
    [afternoon start, afternoon end) of the employee's agency (its own hours, each falling
    back to 08:30–12:30 and 13:30–17:30: `OfficeHours.of`); False for a record without a time.
    """
    off, at_work = exceptions
    cases = [When(completed_on__in=off, then=Value(True))] if off else []
    cases += [When(completed_on__in=at_work, then=Value(False))] if at_work else []
    day_off = Case(
        *cases,
        When(completed_on__iso_week_day__gte=6, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return records.annotate(
        _ms=_hour("office_morning_start", _DEFAULT.morning_start),
        _me=_hour("office_morning_end", _DEFAULT.morning_end),
        _as=_hour("office_afternoon_start", _DEFAULT.afternoon_start),
        _ae=_hour("office_afternoon_end", _DEFAULT.afternoon_end),
    ).annotate(
        day_off=day_off,
        in_office_hours=Case(
            When(
                Q(completed_at__gte=F("_ms"), completed_at__lt=F("_me"))
                | Q(completed_at__gte=F("_as"), completed_at__lt=F("_ae")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
