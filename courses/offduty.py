"""Was a moment, or a whole day, off duty (公餘時段) for an employee? Pure rules.

Two definitions, chosen by the plan's data (Plan.off_duty_definition):

- WHOLE_DAYS (Tainan 101): only whole days count — days off in the office calendar,
  a shift worker's rota days off, and days the employee spent entirely on vacation
  (休假) or compensatory leave (補休). A working-day evening or a sick-leave day does not.
- OUTSIDE_OFFICE_HOURS (Kaohsiung 103): any time outside office hours on a working day
  (before, after, the lunch break), days off, and the employee's vacation or
  compensatory leave; but never a moment covered by overtime (加班), official leave
  (公假) or business travel (出差), even on a day off.

Office hours are [start, end): 08:30 is on duty, 12:30 is the lunch break, 17:30 is off.
A record with a date and no time is off duty only if the whole day is.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

WHOLE_DAYS = "whole_days"
OUTSIDE_OFFICE_HOURS = "outside_office_hours"

RESTING_KINDS = frozenset({"休假", "補休"})  # the employee's own time off counts as off duty
WORKING_KINDS = frozenset({"加班", "公假", "出差"})  # on duty wherever and whenever they happen


class Calendar(Protocol):
    def is_day_off(self, day: dt.date) -> bool: ...


@dataclass(frozen=True)
class OfficeHours:
    morning_start: dt.time = dt.time(8, 30)
    morning_end: dt.time = dt.time(12, 30)
    afternoon_start: dt.time = dt.time(13, 30)
    afternoon_end: dt.time = dt.time(17, 30)

    def contains(self, moment: dt.time) -> bool:
        return self.morning_start <= moment < self.morning_end or self.afternoon_start <= moment < self.afternoon_end

    def day_span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return dt.datetime.combine(day, self.morning_start), dt.datetime.combine(day, self.afternoon_end)

    @classmethod
    def of(cls, agency) -> "OfficeHours":
        """An agency's own hours (its `office_*` fields), each falling back to the default."""
        default = cls()
        return cls(
            agency.office_morning_start or default.morning_start,
            agency.office_morning_end or default.morning_end,
            agency.office_afternoon_start or default.afternoon_start,
            agency.office_afternoon_end or default.afternoon_end,
        )


@dataclass(frozen=True)
class Absence:
    """A period from the attendance system (naive local datetimes, end exclusive)."""

    kind: str
    start: dt.datetime
    end: dt.datetime

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    def covers_span(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start <= start and end <= self.end

    def touches_day(self, day: dt.date) -> bool:
        day_start = dt.datetime.combine(day, dt.time.min)
        return self.start < day_start + dt.timedelta(days=1) and day_start < self.end

    def days(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        """The days from `first` to `last` (both included) that the period touches: each
        `day` for which `touches_day(day)`, in order."""
        day = max(self.start.date(), first)
        # The end is exclusive: a period ending at midnight does not touch the day it ends on.
        end = min((self.end - dt.timedelta(microseconds=1)).date(), last)
        while day <= end:
            yield day
            day += dt.timedelta(days=1)


def _whole_day_rest(day: dt.date, absences, office_hours: OfficeHours) -> bool:
    """Vacation or compensatory leave covers the whole office day, in one piece or several
    (a morning of 休假 and an afternoon of 補休 make a whole day)."""
    start, end = office_hours.day_span(day)
    covered = start
    for absence in sorted((a for a in absences if a.kind in RESTING_KINDS), key=lambda a: a.start):
        if absence.start > covered:
            # The lunch break needs no leave: a gap that lies inside it does not break the day.
            lunch_start, lunch_end = (
                dt.datetime.combine(day, office_hours.morning_end),
                dt.datetime.combine(day, office_hours.afternoon_start),
            )
            if not (lunch_start <= covered and absence.start <= lunch_end):
                break
        covered = max(covered, absence.end)
        if covered >= end:
            return True
    return False


def is_whole_day_off_duty(
    day: dt.date,
    *,
    definition: str,
    calendar: Calendar,
    office_hours: OfficeHours = OfficeHours(),
    absences=(),
    rota_days_off=frozenset(),
) -> bool:
    if definition == OUTSIDE_OFFICE_HOURS and any(a.kind in WORKING_KINDS and a.touches_day(day) for a in absences):
        return False
    if day in rota_days_off or calendar.is_day_off(day):
        return True
    return _whole_day_rest(day, absences, office_hours)


def is_off_duty(
    moment: dt.datetime | dt.date,
    *,
    definition: str,
    calendar: Calendar,
    office_hours: OfficeHours = OfficeHours(),
    absences=(),
    rota_days_off=frozenset(),
) -> bool:
    """The one question every leave rule asks of a learning record's completion."""
    if definition not in (WHOLE_DAYS, OUTSIDE_OFFICE_HOURS):
        raise ValueError(f"unknown off-duty definition: {definition!r}")
    whole_day = dict(
        definition=definition,
        calendar=calendar,
        office_hours=office_hours,
        absences=absences,
        rota_days_off=rota_days_off,
    )
    if not isinstance(moment, dt.datetime):
        return is_whole_day_off_duty(moment, **whole_day)
    if definition == WHOLE_DAYS:
        return is_whole_day_off_duty(moment.date(), **whole_day)
    if any(a.kind in WORKING_KINDS and a.covers(moment) for a in absences):
        return False
    if moment.date() in rota_days_off or calendar.is_day_off(moment.date()):
        return True
    if not office_hours.contains(moment.time()):
        return True
    return any(a.kind in RESTING_KINDS and a.covers(moment) for a in absences)


@dataclass(frozen=True)
class _KnownDay:
    """The calendar's answer for the one day in question, already read by the database."""

    day_off: bool

    def is_day_off(self, day: dt.date) -> bool:
        return self.day_off


def is_off_duty_given(
    moment: dt.datetime | dt.date,
    *,
    day_off: bool,
    in_office_hours: bool,
    definition: str,
    office_hours: OfficeHours = OfficeHours(),
    absences=(),
) -> bool:
    """`is_off_duty` for a record whose calendar day and office-hours test the database decided.

    `day_off` is the office calendar's answer for the record's day (courses.queries
    `with_off_duty_inputs`), `in_office_hours` whether its completion time lies inside the
    agency's office hours (False when it has no time). Without absences that settles it with
    two booleans; a person with an attendance period that day goes through `is_off_duty` itself,
    so both paths give the same answer. Raises ValueError for an unknown definition.
    """
    if definition not in (WHOLE_DAYS, OUTSIDE_OFFICE_HOURS):
        raise ValueError(f"unknown off-duty definition: {definition!r}")
    if absences:
        return is_off_duty(
            moment, definition=definition, calendar=_KnownDay(day_off), office_hours=office_hours, absences=absences
        )
    if definition == WHOLE_DAYS or not isinstance(moment, dt.datetime):
        return day_off
    return day_off or not in_office_hours
