"""Reusable record queries: what the off-duty rules need, decided by the database.

The one place where a learning record meets the office calendar and its agency's office
hours in SQL (the same expressions on SQLite and PostgreSQL, through the ORM), so that a
whole government's records are classified set-based instead of one by one in Python.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import BooleanField, Case, Q, Value, When

from portal.models import Agency

from .models import CalendarDay
from .offduty import OfficeHours

_DEFAULT = OfficeHours()
_OWN_HOURS = ("office_morning_start", "office_morning_end", "office_afternoon_start", "office_afternoon_end")


def own_office_hours() -> dict[int, OfficeHours]:
    """The agencies that keep office hours of their own (any `office_*` field set), with
    those hours (`OfficeHours.of`): {agency id: OfficeHours}. Every other agency keeps
    08:30–12:30 and 13:30–17:30. One query, of the few agencies that differ.
    """
    found = Agency.objects.filter(Q.create([(f"{f}__isnull", False) for f in _OWN_HOURS], connector=Q.OR))
    return {agency.pk: OfficeHours.of(agency) for agency in found.only("pk", *_OWN_HOURS)}


def _inside(hours: OfficeHours) -> Q:
    return Q(completed_at__gte=hours.morning_start, completed_at__lt=hours.morning_end) | Q(
        completed_at__gte=hours.afternoon_start, completed_at__lt=hours.afternoon_end
    )


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


def with_off_duty_inputs(records, exceptions: tuple[list[dt.date], list[dt.date]], own_hours: dict[int, OfficeHours]):
    """Annotate a LearningRecord queryset with `day_off` and `in_office_hours` (booleans).

    `day_off`: the office calendar's day off (courses.models.CalendarDay), else a Saturday
    or Sunday, exactly as `courses.calendar.WorkCalendar.is_day_off` answers (a year the
    calendar lacks falls back to weekends; so does a day missing from a year it holds).
    `exceptions`: `calendar_exceptions` over the records' days, read once by the caller: the
    calendar's answer is then a CASE on the record's own day, with no join or subquery per
    record. `in_office_hours`: the completion time lies in [morning start, morning end) or
    [afternoon start, afternoon end) of the employee's agency (its own hours, each falling
    back to 08:30–12:30 and 13:30–17:30: `OfficeHours.of`); False for a record without a time.
    `own_hours`: `own_office_hours` of (at least) the records' agencies; when none keeps
    its own, the records are read without joining their employees and agencies.
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
    by_hours = defaultdict(list)  # the agencies keeping each set of hours of their own
    for agency_id, hours in own_hours.items():
        by_hours[hours].append(agency_id)
    office = [
        When(Q(employee__agency_id__in=ids) & _inside(hours), then=Value(True)) for hours, ids in by_hours.items()
    ]
    # A time outside an agency's own hours is outside, whatever the default hours say.
    office += [When(employee__agency_id__in=list(own_hours), then=Value(False))] if own_hours else []
    in_office_hours = Case(
        *office, When(_inside(_DEFAULT), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return records.annotate(day_off=day_off, in_office_hours=in_office_hours)
