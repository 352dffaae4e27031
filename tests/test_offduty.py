"""Table tests of the off-duty function, on the real office calendars the portal ships."""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses.calendar import WorkCalendar, parse_dgpa_csv
from courses.offduty import (
    OUTSIDE_OFFICE_HOURS,
    WHOLE_DAYS,
    Absence,
    OfficeHours,
    is_off_duty,
)

CALENDARS = Path(__file__).resolve().parent.parent / "fixtures" / "calendar"


def shipped_calendar() -> WorkCalendar:
    return WorkCalendar(day for path in CALENDARS.glob("*.csv") for day in parse_dgpa_csv(path.read_bytes()))


CAL = shipped_calendar()
T, K = WHOLE_DAYS, OUTSIDE_OFFICE_HOURS


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


VACATION_0815 = Absence("休假", at("2014-08-15 08:30"), at("2014-08-15 17:30"))
MORNING_VACATION = Absence("休假", at("2014-08-15 08:30"), at("2014-08-15 12:30"))
COMP_LEAVE_0815 = Absence("補休", at("2014-08-15 00:00"), at("2014-08-16 00:00"))
SICK_0815 = Absence("病假", at("2014-08-15 08:30"), at("2014-08-15 17:30"))
OVERTIME_SAT = Absence("加班", at("2014-08-16 09:00"), at("2014-08-16 12:00"))
TRAVEL_EVENING = Absence("出差", at("2014-08-14 08:00"), at("2014-08-14 22:00"))
OFFICIAL_LEAVE = Absence("公假", at("2014-08-13 08:30"), at("2014-08-13 17:30"))

CASES = [
    # moment, definition, absences, rota days off, expected
    ("national holiday, noon", at("2014-10-10 12:00"), T, [], [], True),
    ("national holiday, noon", at("2014-10-10 12:00"), K, [], [], True),
    ("Sunday afternoon", at("2014-08-17 15:00"), K, [], [], True),
    ("make-up working Saturday 2014-12-27, 10:00", at("2014-12-27 10:00"), K, [], [], False),
    ("make-up working Saturday 2014-12-27, whole day", day("2014-12-27"), T, [], [], False),
    ("Labour Day 2014 is a working day for civil servants", at("2014-05-01 10:00"), K, [], [], False),
    ("Labour Day 2025 is a working day for civil servants", day("2025-05-01"), T, [], [], False),
    ("Labour Day 2026 is a day off", day("2026-05-01"), T, [], [], True),
    ("lunch break on a working day", at("2014-08-14 12:45"), K, [], [], True),
    ("lunch break does not count for Tainan", at("2014-08-14 12:45"), T, [], [], False),
    ("evening of a working day", at("2014-08-14 19:00"), K, [], [], True),
    ("evening of a working day does not count for Tainan", at("2014-08-14 19:00"), T, [], [], False),
    ("one minute before office hours", at("2014-08-14 08:29"), K, [], [], True),
    ("office hours begin at 08:30", at("2014-08-14 08:30"), K, [], [], False),
    ("lunch begins at 12:30", at("2014-08-14 12:30"), K, [], [], True),
    ("afternoon begins at 13:30", at("2014-08-14 13:30"), K, [], [], False),
    ("office hours end at 17:30", at("2014-08-14 17:30"), K, [], [], True),
    ("whole-day vacation, Kaohsiung", at("2014-08-15 10:00"), K, [VACATION_0815], [], True),
    ("whole-day vacation, Tainan", at("2014-08-15 10:00"), T, [VACATION_0815], [], True),
    ("whole-day compensatory leave, Tainan", day("2014-08-15"), T, [COMP_LEAVE_0815], [], True),
    ("half-day vacation morning, Kaohsiung", at("2014-08-15 10:00"), K, [MORNING_VACATION], [], True),
    (
        "half-day vacation afternoon hour still on duty, Kaohsiung",
        at("2014-08-15 15:00"),
        K,
        [MORNING_VACATION],
        [],
        False,
    ),
    ("half-day vacation is no whole day, Tainan", at("2014-08-15 10:00"), T, [MORNING_VACATION], [], False),
    ("sick leave day, Kaohsiung", at("2014-08-15 10:00"), K, [SICK_0815], [], False),
    ("sick leave day, Tainan", day("2014-08-15"), T, [SICK_0815], [], False),
    ("overtime on a Saturday, Kaohsiung", at("2014-08-16 10:00"), K, [OVERTIME_SAT], [], False),
    ("Saturday after the overtime ended, Kaohsiung", at("2014-08-16 14:00"), K, [OVERTIME_SAT], [], True),
    ("Saturday with overtime is still a day off, Tainan", day("2014-08-16"), T, [OVERTIME_SAT], [], True),
    ("business travel evening, Kaohsiung", at("2014-08-14 20:00"), K, [TRAVEL_EVENING], [], False),
    ("official leave day, date only, Kaohsiung", day("2014-08-13"), K, [OFFICIAL_LEAVE], [], False),
    ("date without time on a working day", day("2014-08-14"), K, [], [], False),
    ("date without time on a holiday", day("2014-10-10"), K, [], [], True),
    ("date without time on a Saturday with overtime", day("2014-08-16"), K, [OVERTIME_SAT], [], False),
    ("rota day off of a shift worker, Tainan", day("2014-08-14"), T, [], [day("2014-08-14")], True),
    ("year without a calendar falls back to weekends: Saturday 2012-08-04", day("2012-08-04"), T, [], [], True),
    ("year without a calendar falls back to weekends: Friday 2012-08-03", day("2012-08-03"), T, [], [], False),
]


@pytest.mark.parametrize("name, moment, definition, absences, rota, expected", CASES, ids=[c[0] for c in CASES])
def test_is_off_duty(name, moment, definition, absences, rota, expected):
    assert (
        is_off_duty(moment, definition=definition, calendar=CAL, absences=absences, rota_days_off=frozenset(rota))
        is expected
    )


def test_agency_office_hours_can_differ():
    hours = OfficeHours(dt.time(8, 0), dt.time(12, 0), dt.time(13, 0), dt.time(17, 0))
    assert is_off_duty(at("2014-08-14 17:10"), definition=K, calendar=CAL, office_hours=hours) is True
    assert is_off_duty(at("2014-08-14 13:10"), definition=K, calendar=CAL, office_hours=hours) is False
    assert is_off_duty(at("2014-08-14 12:15"), definition=K, calendar=CAL, office_hours=hours) is True


def test_unknown_definition_is_an_error():
    with pytest.raises(ValueError):
        is_off_duty(day("2014-08-14"), definition="sometimes", calendar=CAL)


def test_morning_vacation_and_afternoon_comp_leave_make_a_whole_day():
    split = [
        Absence("休假", at("2014-08-15 08:30"), at("2014-08-15 12:30")),
        Absence("補休", at("2014-08-15 13:30"), at("2014-08-15 17:30")),
    ]
    assert is_off_duty(day("2014-08-15"), definition=T, calendar=CAL, absences=split) is True
    assert is_off_duty(day("2014-08-15"), definition=T, calendar=CAL, absences=split[:1]) is False


# -- every boundary minute: clock-time periods are [start, end) (DOMAIN.md Decision) -------------
# 2014-03-03 is a Monday (a working day), 2014-03-08 a Saturday.
def _absence(kind, start, end):
    return Absence(kind, at(start), at(end))


BOUNDARIES = [
    # office hours 08:30–12:30, 13:30–17:30
    ("08:29", (), True),
    ("08:30", (), False),
    ("12:29", (), False),
    ("12:30", (), True),
    ("13:29", (), True),
    ("13:30", (), False),
    ("17:29", (), False),
    ("17:30", (), True),
    # overtime after hours: on duty from its first minute, off from its end
    ("17:30", (("加班", "2014-03-03 17:30", "2014-03-03 19:30"),), False),
    ("19:29", (("加班", "2014-03-03 17:30", "2014-03-03 19:30"),), False),
    ("19:30", (("加班", "2014-03-03 17:30", "2014-03-03 19:30"),), True),
    # overtime ending at 17:30 does not reach 17:30
    ("17:30", (("加班", "2014-03-03 15:00", "2014-03-03 17:30"),), True),
    # overtime in the lunch break
    ("12:30", (("加班", "2014-03-03 12:30", "2014-03-03 13:30"),), False),
    ("13:29", (("加班", "2014-03-03 12:30", "2014-03-03 13:30"),), False),
    ("12:29", (("加班", "2014-03-03 12:00", "2014-03-03 12:29"),), False),  # still office hours
    # vacation covers its own minutes only
    ("08:30", (("休假", "2014-03-03 08:30", "2014-03-03 12:30"),), True),
    ("12:29", (("休假", "2014-03-03 08:30", "2014-03-03 12:30"),), True),
    ("13:30", (("休假", "2014-03-03 08:30", "2014-03-03 12:30"),), False),
    ("08:29", (("休假", "2014-03-03 08:30", "2014-03-03 12:30"),), True),  # before hours anyway
    # official leave and travel are on duty, from their first minute to before their end
    ("19:00", (("公假", "2014-03-03 19:00", "2014-03-03 21:00"),), False),
    ("21:00", (("公假", "2014-03-03 19:00", "2014-03-03 21:00"),), True),
    ("18:59", (("出差", "2014-03-03 19:00", "2014-03-03 21:00"),), True),
    ("20:59", (("出差", "2014-03-03 19:00", "2014-03-03 21:00"),), False),
]


@pytest.mark.parametrize(
    "clock, absences, expected",
    BOUNDARIES,
    ids=[f"{c}-{'+'.join(a[0] + a[1][-5:] + '~' + a[2][-5:] for a in ab) or 'plain'}" for c, ab, _e in BOUNDARIES],
)
def test_every_boundary_minute_on_a_working_day(clock, absences, expected):
    moment = at(f"2014-03-03 {clock}")
    assert is_off_duty(moment, definition=K, calendar=CAL, absences=[_absence(*a) for a in absences]) is expected


@pytest.mark.parametrize("clock, expected", [("09:59", True), ("10:00", False), ("11:59", False), ("12:00", True)])
def test_travel_on_a_day_off_is_on_duty_only_inside_it(clock, expected):
    travel = [_absence("出差", "2014-03-08 10:00", "2014-03-08 12:00")]
    assert is_off_duty(at(f"2014-03-08 {clock}"), definition=K, calendar=CAL, absences=travel) is expected


@pytest.mark.parametrize("end, expected", [("17:30", True), ("17:29", False)])
def test_a_whole_day_of_vacation_needs_the_last_office_minute(end, expected):
    """Tainan counts whole days: 休假 08:30–17:30 is the whole office day, 08:30–17:29 is not."""
    vacation = [_absence("休假", "2014-03-03 08:30", f"2014-03-03 {end}")]
    assert is_off_duty(dt.date(2014, 3, 3), definition=T, calendar=CAL, absences=vacation) is expected


def test_leave_ending_at_midnight_does_not_touch_the_next_day():
    overtime = [_absence("加班", "2014-03-07 20:00", "2014-03-08 00:00")]
    assert is_off_duty(dt.date(2014, 3, 8), definition=K, calendar=CAL, absences=overtime) is True
    assert is_off_duty(dt.date(2014, 3, 7), definition=K, calendar=CAL, absences=overtime) is False


@given(
    start=st.datetimes(min_value=dt.datetime(2014, 1, 1), max_value=dt.datetime(2014, 12, 31)),
    length=st.timedeltas(min_value=dt.timedelta(minutes=1), max_value=dt.timedelta(days=9)),
    first=st.dates(min_value=dt.date(2013, 12, 25), max_value=dt.date(2014, 12, 31)),
    span=st.integers(min_value=0, max_value=20),
)
def test_the_days_a_period_touches_are_those_touches_day_accepts(start, length, first, span):
    """`Absence.days` (the evaluation's look-up by day) agrees with `touches_day`, day by day,
    midnight ends included."""
    absence = Absence("休假", start, start + length)
    last = first + dt.timedelta(days=span)
    window = [first + dt.timedelta(days=n) for n in range(span + 1)]
    assert list(absence.days(first, last)) == [day for day in window if absence.touches_day(day)]
    midnight = Absence("休假", dt.datetime(2014, 3, 1, 18), dt.datetime(2014, 3, 2))
    assert list(midnight.days(dt.date(2014, 3, 1), dt.date(2014, 3, 5))) == [dt.date(2014, 3, 1)]
