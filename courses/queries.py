"""Reusable record queries: what the off-duty rules need, decided by the database.

The one place where a learning record meets the office calendar and its agency's office
hours in SQL (the same expressions on SQLite and PostgreSQL, through the ORM), so that a
whole government's records are classified set-based instead of one by one in Python.
"""

import datetime as dt

from django.db.models import BooleanField, Case, F, OuterRef, Q, Subquery, TimeField, Value, When
from django.db.models.functions import Coalesce

from .models import CalendarDay
from .offduty import OfficeHours

_DEFAULT = OfficeHours()


def _hour(field: str, default: dt.time):
    return Coalesce(f"employee__agency__{field}", Value(default, output_field=TimeField()))


def with_off_duty_inputs(records):
    """Annotate a LearningRecord queryset with `day_off` and `in_office_hours` (booleans).

    `day_off`: the office calendar's day off (courses.models.CalendarDay), else a Saturday
    or Sunday, exactly as `courses.calendar.WorkCalendar.is_day_off` answers (a year the
    calendar lacks falls back to weekends; so does a day missing from a year it holds).
    `in_office_hours`: the completion time lies in [morning start, morning end) or
    [afternoon start, afternoon end) of the employee's agency (its own hours, each falling
    back to 08:30–12:30 and 13:30–17:30: `OfficeHours.of`); False for a record without a time.
    """
    calendar = CalendarDay.objects.filter(date=OuterRef("completed_on")).values("is_day_off")[:1]
    weekend = Case(When(completed_on__iso_week_day__gte=6, then=Value(True)), default=Value(False))
    return records.annotate(
        _ms=_hour("office_morning_start", _DEFAULT.morning_start),
        _me=_hour("office_morning_end", _DEFAULT.morning_end),
        _as=_hour("office_afternoon_start", _DEFAULT.afternoon_start),
        _ae=_hour("office_afternoon_end", _DEFAULT.afternoon_end),
    ).annotate(
        day_off=Coalesce(Subquery(calendar, output_field=BooleanField()), weekend, output_field=BooleanField()),
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
